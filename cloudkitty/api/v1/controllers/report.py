"""v1 /report endpoints, served from the v2 storage."""
import datetime
import decimal

from oslo_config import cfg
import pecan
from pecan import rest
from wsme import exc as wsme_exc
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.api.v1.datamodels import report as report_models
from cloudkitty.common import policy
from cloudkitty import storage
from cloudkitty.utils import tz as tzutils

CONF = cfg.CONF

_TRUE = ('true', 't', 'yes', 'y', 'on', '1')
_FALSE = ('false', 'f', 'no', 'n', 'off', '0', '')


def get_storage():
    """The storage driver set on the request by the API hook."""
    backend = getattr(pecan.request, 'storage_backend', None)
    return backend if backend is not None else storage.get_storage()


def parse_bool(name, value):
    """Strict boolean of a query parameter.

    The reference takes any non-empty string as true (``all_tenants=false``
    meant true); that is a validation bug, fixed here: an ambiguous value
    is refused.
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise wsme_exc.ClientSideError(
        "Invalid input for field/attribute %s. Value: '%s'. "
        "Value not an unambiguous boolean: %s" % (name, value, value))


class _Flag(wtypes.UserType):
    """A boolean argument, converted by the handler (``parse_bool``).

    A query string or a JSON value (a GET may carry its arguments in a
    JSON body). No conversion here: WSME first converts a repeated query
    parameter as a whole (a list) before the last value wins.
    """

    basetype = wtypes.text
    name = 'flag'

    def frombasetype(self, value):
        return value

    def validate(self, value):
        return value


FLAG = _Flag()


def aware(dt):
    """A query datetime made aware: a naive value is in the local tz."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tzutils.get_local_tz())
    try:
        return tzutils.localized(dt).replace(microsecond=0)
    except (ValueError, OverflowError) as exc:
        # e.g. an offset of +99:00, which parses but cannot be converted
        raise wsme_exc.ClientSideError(
            'Invalid datetime: %s' % exc)


def period(begin, end):
    """Aware (begin, end), defaulting to the current month."""
    begin = aware(begin) or tzutils.get_month_start()
    end = aware(end) or tzutils.get_next_month()
    return begin, end


def sum_rates(results):
    """Exact Decimal sum of the ``rate`` of storage total rows."""
    total = decimal.Decimal(0)
    for row in results:
        rate = row.get('rate')
        if rate is not None:
            total += decimal.Decimal(str(rate)) if isinstance(
                rate, float) else decimal.Decimal(rate)
    return total


def plain_decimal(value):
    """``value`` without trailing zeros nor exponent (``"1"``, ``"0.5"``)."""
    value = decimal.Decimal(value)
    if value == 0:
        return decimal.Decimal(0)
    value = value.normalize()
    if value.as_tuple().exponent > 0:
        value = value.quantize(decimal.Decimal(1))
    return value


def summary_rate(value):
    """The reference's rendering: rounded to 5 decimals, printed as float."""
    if not value:
        return '0'
    return str(float('%0.5f' % value))


def effective_tenant(tenant_id, all_tenants):
    if all_tenants:
        return None
    if tenant_id:
        return tenant_id
    return pecan.request.context.project_id


class ReportController(rest.RestController):
    """/v1/report: totals and summaries of the rated data."""

    _custom_actions = {
        'total': ['GET'],
        'tenants': ['GET'],
        'summary': ['GET'],
    }

    @wsme_pecan.wsexpose([wtypes.text], datetime.datetime, datetime.datetime)
    def tenants(self, begin=None, end=None):
        """Scopes having rated data in the period."""
        policy.authorize(pecan.request.context, 'report:list_tenants', {})
        begin, end = period(begin, end)
        if begin > end:
            return []
        # The reference (on v2 storage) lists every known scope whatever the
        # period; the storage interface answers for the period instead.
        return [str(tenant) for tenant in
                get_storage().get_tenants(begin=begin, end=end)]

    @wsme_pecan.wsexpose(decimal.Decimal, datetime.datetime,
                         datetime.datetime, wtypes.text, wtypes.text, FLAG)
    def total(self, begin=None, end=None, tenant_id=None, service=None,
              all_tenants=None):
        """Total price of the rated data of the period (deprecated)."""
        all_tenants = parse_bool('all_tenants', all_tenants)
        tenant = effective_tenant(tenant_id, all_tenants)
        policy.authorize(pecan.request.context, 'report:get_total',
                         {'project_id': tenant})
        begin, end = period(begin, end)
        if begin > end:
            return decimal.Decimal(0)
        filters = {CONF.collect.scope_key: tenant} if tenant else None
        result = get_storage().total(
            begin=begin, end=end, filters=filters,
            metric_types=[service] if service else None, paginate=False)
        return plain_decimal(sum_rates(result.get('results', [])))

    @wsme_pecan.wsexpose(report_models.SummaryCollectionModel,
                         datetime.datetime, datetime.datetime, wtypes.text,
                         wtypes.text, wtypes.text, FLAG)
    def summary(self, begin=None, end=None, tenant_id=None, service=None,
                groupby=None, all_tenants=None):
        """Rates of the period, optionally grouped by tenant and/or type."""
        all_tenants = parse_bool('all_tenants', all_tenants)
        tenant = effective_tenant(tenant_id, all_tenants)
        policy.authorize(pecan.request.context, 'report:get_summary',
                         {'project_id': tenant})
        begin, end = period(begin, end)
        scope_key = CONF.collect.scope_key
        # Substring tests, as the reference does ("tenant_id,res_type").
        by_tenant = bool(groupby) and 'tenant_id' in groupby
        by_type = bool(groupby) and 'res_type' in groupby
        storage_groupby = []
        if by_tenant:
            storage_groupby.append(scope_key)
        if by_type:
            storage_groupby.append('type')

        results = []
        if begin <= end:
            filters = {scope_key: tenant} if tenant else None
            result = get_storage().total(
                groupby=storage_groupby or None, begin=begin, end=end,
                filters=filters, metric_types=[service] if service else None,
                paginate=False)
            results = result.get('results', [])

        # One row per group of rated data; no rated data in the window, no
        # row (as the reference on the v2 storage: python-cloudkittyclient's
        # "summary get" shows an empty table, not a rate of 0).
        rows = []
        if storage_groupby:
            for res in results:
                rows.append((sum_rates([res]), {
                    'tenant_id': (str(res.get(scope_key) or '') if by_tenant
                                  else tenant or 'ALL'),
                    'res_type': (str(res.get('type') or '') if by_type
                                 else service or 'ALL'),
                }))
        elif results:
            rows.append((sum_rates(results), {
                'tenant_id': tenant or 'ALL',
                'res_type': service or 'ALL',
            }))
        rows.sort(key=lambda item: item[0])
        summary = [
            report_models.SummaryModel(
                begin=tzutils.naive_utc(begin), end=tzutils.naive_utc(end),
                tenant_id=fields['tenant_id'], res_type=fields['res_type'],
                rate=summary_rate(rate))
            for rate, fields in rows]
        return report_models.SummaryCollectionModel(summary=summary)
