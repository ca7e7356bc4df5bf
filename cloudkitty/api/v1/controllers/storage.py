"""v1 /storage endpoints: rated data in the legacy representation."""
import datetime
import decimal

from oslo_config import cfg
import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.api.v1.controllers import info as info_ctl
from cloudkitty.api.v1.controllers import report as report_ctl
from cloudkitty.api.v1.datamodels import storage as storage_models
from cloudkitty.common import policy
from cloudkitty import storage
from cloudkitty.utils import tz as tzutils

CONF = cfg.CONF

UNDEFINED_TENANT = '__UNDEF__'


# Enough digits for any stored value (the default context has 28).
_CONTEXT = decimal.Context(prec=100)


def _plain(value):
    """The plain decimal text of a stored value, whatever it holds.

    Data stored before pushes were validated may hold NaN, Infinity or
    numbers of more than 28 digits: they are rendered, not a 500.
    """
    value = decimal.Decimal(value)
    if not value.is_finite():
        return value
    with decimal.localcontext(_CONTEXT):
        return report_ctl.plain_decimal(value)


def _resource(metric_type, point, tenant):
    desc = info_ctl.json_safe(point.desc)
    if tenant != UNDEFINED_TENANT:
        # The legacy representation always carries the tenant in desc.
        desc.setdefault('tenant_id', tenant)
    return storage_models.RatedResource(
        service=metric_type,
        desc=desc,
        volume=_plain(point.qty),
        rating=_plain(point.price))


def _tenant_of(point, scope_key):
    tenant = point.groupby.get(scope_key) or point.metadata.get(scope_key)
    return str(tenant) if tenant else UNDEFINED_TENANT


def frames_to_v1(frames):
    """One v1 dataframe per (stored frame, metric type, tenant).

    v2 storage returns one frame per period for all scopes together; the
    legacy representation has a single tenant per entry, so the points of
    a type are split by scope (in order of appearance).
    """
    scope_key = CONF.collect.scope_key
    output = []
    for frame in frames:
        begin = tzutils.naive_utc(frame.start)
        end = tzutils.naive_utc(frame.end)
        for metric_type, points in frame.itertypes():
            by_tenant = {}
            for point in points:
                by_tenant.setdefault(
                    _tenant_of(point, scope_key), []).append(point)
            for tenant, tenant_points in by_tenant.items():
                output.append(storage_models.DataFrame(
                    begin=begin, end=end, tenant_id=tenant,
                    resources=[_resource(metric_type, p, tenant)
                               for p in tenant_points]))
    return output


class DataFramesController(rest.RestController):
    """/v1/storage/dataframes."""

    @wsme_pecan.wsexpose(storage_models.DataFrameCollection,
                         datetime.datetime, datetime.datetime, wtypes.text,
                         wtypes.text)
    def get_all(self, begin=None, end=None, tenant_id=None,
                resource_type=None):
        """Rated data of the period, per frame and metric type."""
        context = pecan.request.context
        policy.authorize(context, 'storage:list_data_frames',
                         {'project_id': tenant_id or context.project_id})
        begin, end = report_ctl.period(begin, end)
        if context.is_admin:
            project = tenant_id
        else:
            project = tenant_id or context.project_id
            if not project:
                # Unscoped non-admin: nothing is theirs (the reference
                # crashes with a 500 here).
                return storage_models.DataFrameCollection(dataframes=[])
        if begin > end:
            return storage_models.DataFrameCollection(dataframes=[])
        filters = {CONF.collect.scope_key: project} if project else None
        try:
            result = report_ctl.get_storage().retrieve(
                begin=begin, end=end, filters=filters,
                metric_types=[resource_type] if resource_type else None,
                paginate=False)
        except storage.NoTimeFrame:
            # The v1 storage signals an empty period this way.
            result = {}
        return storage_models.DataFrameCollection(
            dataframes=frames_to_v1(result.get('dataframes', [])))


class StorageController(rest.RestController):
    """/v1/storage."""

    dataframes = DataFramesController()
