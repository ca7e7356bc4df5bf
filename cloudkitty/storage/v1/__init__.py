"""The legacy (v1) storage interface and its adapter to the v2 contract.

``[storage] version = 1`` loads a driver of ``cloudkitty.storage.v1.backends``
(``sqlalchemy`` or ``hybrid``) wrapped in ``V1StorageAdapter``, so the
processor and the v1 API call it like any v2 driver. The v2 API is
disabled with v1 storage.

A v1 driver buffers the frames of each tenant (``append``) and writes the
buffered period on ``commit``. Times are naive UTC throughout the v1
interface. Legacy frames are ``{"period": {"begin", "end"}, "usage":
{<type>: [{"vol": {"unit", "qty"}, "rating": {"price"}, "desc": {...}}]}}``.

Unlike the reference, committing a period replaces what the tenant stored
for that period (the reference appended again: a period repeated after a
crash, or reprocessed, was counted twice).
"""
import abc
import datetime

from oslo_config import cfg
from oslo_log import log as logging
from stevedore import driver

from cloudkitty import dataframe
from cloudkitty.storage import v2 as storage_v2
from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

NO_DATA = '_NO_DATA_'
NoTimeFrame = storage_v2.NoTimeFrame


class BaseStorage(object, metaclass=abc.ABCMeta):
    """Base class of the v1 storage drivers."""

    def __init__(self, **kwargs):
        self._period = kwargs.get('period') or CONF.collect.period
        self._collector = kwargs.get('collector')
        # tenant -> (period begin, period end, [(type, legacy point)])
        self._buffers = {}

    @abc.abstractmethod
    def init(self):
        """One-time preparation of the backend (cloudkitty-storage-init)."""

    def append(self, raw_data, tenant_id):
        """Buffer legacy frames of ``tenant_id``, oldest first.

        A frame starting at or after the end of the buffered period first
        commits the buffered period; the buffered period is [first frame
        start, + period).
        """
        frames = sorted(raw_data, key=lambda f: tzutils.naive_utc(
            f['period']['begin']))
        for frame in frames:
            start = tzutils.naive_utc(frame['period']['begin'])
            current = self._buffers.get(tenant_id)
            if current is not None and start >= current[1]:
                self.commit(tenant_id)
                current = None
            if current is None:
                current = self._buffers[tenant_id] = (
                    start, start + datetime.timedelta(seconds=self._period),
                    [])
            for res_type, points in frame.get('usage', {}).items():
                for point in points:
                    current[2].append((res_type, point))

    def commit(self, tenant_id):
        """Write the buffered period of ``tenant_id`` (a marker if empty)."""
        current = self._buffers.pop(tenant_id, None)
        if current is None:
            return
        begin, end, points = current
        self._commit_period(tenant_id, begin, end, points)

    def nodata(self, begin, end, tenant_id):
        """Record that ``tenant_id`` had no data in [begin, end)."""
        self._commit_period(tenant_id, tzutils.naive_utc(begin),
                            tzutils.naive_utc(end), [])

    @abc.abstractmethod
    def _commit_period(self, tenant_id, begin, end, points):
        """Replace the period's data of the tenant by ``points``.

        ``points``: [(metric type, legacy point dict)]; empty: no data.
        """

    @abc.abstractmethod
    def get_total(self, begin=None, end=None, tenant_id=None, service=None,
                  groupby=None):
        """[{"begin", "end", "rate", <groupby columns>}], by ascending rate.

        ``groupby``: comma-separated ``res_type`` and/or ``tenant_id``.
        """

    @abc.abstractmethod
    def get_tenants(self, begin, end):
        """Tenants having stored data (or a no-data marker) in the period."""

    @abc.abstractmethod
    def get_time_frame(self, begin, end, **filters):
        """Legacy frames in the period; ``NoTimeFrame`` when none.

        ``filters``: ``res_type``, ``tenant_id``.
        """


def _first(value):
    values = utils.as_list(value)
    return values[0] if values else None


class V1StorageAdapter(storage_v2.BaseStorage):
    """The v2 storage contract over a v1 driver."""

    def __init__(self, storage_args, storage_namespace, backend=None):
        super().__init__(**storage_args)
        self.storage = driver.DriverManager(
            storage_namespace, backend or CONF.storage.backend,
            invoke_on_load=True, invoke_kwds=storage_args).driver

    def init(self):
        return self.storage.init()

    def push(self, dataframes, scope_id=None):
        if not dataframes:
            return
        legacy = []
        for frame in dataframes:
            data = frame.as_dict(legacy=True, mutable=True)
            data['period'] = {'begin': tzutils.naive_utc(frame.start),
                              'end': tzutils.naive_utc(frame.end)}
            legacy.append(data)
        self.storage.append(legacy, scope_id)
        self.storage.commit(scope_id)

    def _tenant_filter(self, filters):
        filters = filters or {}
        key = self._scope_key()
        if key in filters:
            return _first(filters[key])
        return _first(filters.get('project_id'))

    def retrieve(self, begin=None, end=None, filters=None, metric_types=None,
                 offset=0, limit=1000, paginate=True):
        # offset and limit are ignored, as in the reference: v1 drivers
        # have no pagination.
        begin, end = self._default_bounds(begin, end)
        frames = self.storage.get_time_frame(
            tzutils.naive_utc(begin), tzutils.naive_utc(end),
            res_type=_first(metric_types),
            tenant_id=self._tenant_filter(filters))
        output = []
        for frame in frames:
            period = frame['period']
            frame = dict(frame, period={
                'begin': tzutils.localized(tzutils.naive_utc(period['begin'])),
                'end': tzutils.localized(tzutils.naive_utc(period['end']))})
            output.append(dataframe.DataFrame.from_dict(frame, legacy=True))
        return {'total': len(output), 'dataframes': output}

    def total(self, groupby=None, begin=None, end=None, metric_types=None,
              filters=None, custom_fields=None, offset=0, limit=1000,
              paginate=True):
        begin, end = self._default_bounds(begin, end)
        scope_key = self._scope_key()
        columns = []
        for entry in self.parse_groupby_syntax_to_groupby_elements(
                groupby) or []:
            if entry == 'type':
                columns.append('res_type')
            elif entry in (scope_key, 'project_id', 'tenant_id'):
                if 'tenant_id' not in columns:
                    columns.append('tenant_id')
            else:
                LOG.warning('The groupby attribute "%s" is not supported by '
                            'the v1 storage and is ignored.', entry)
        if custom_fields:
            LOG.warning('custom_fields are not supported by the v1 storage '
                        'and are ignored.')
        tenant = self._tenant_filter(filters)
        rows = self.storage.get_total(
            tzutils.naive_utc(begin), tzutils.naive_utc(end), tenant_id=tenant,
            service=_first(metric_types),
            groupby=','.join(columns) or None)
        results = []
        for row in rows:
            rate = row.get('rate')
            output = {
                'begin': begin,
                'end': end,
                'rate': dataframe.to_decimal(rate) if rate is not None
                else dataframe.to_decimal(0),
            }
            if 'qty' in row:
                output['qty'] = row['qty']
            row_tenant = row.get('tenant_id') or tenant
            output['tenant_id'] = row_tenant
            output[scope_key] = row_tenant
            output['res_type'] = row.get('res_type')
            output['type'] = (row.get('res_type') if 'res_type' in columns
                              else None)
            results.append(output)
        page = results[offset:offset + limit] if paginate else results
        return {'total': len(results), 'results': page}

    def delete(self, begin=None, end=None, filters=None):
        LOG.warning('Calling unsupported "delete" method on v1 storage.')

    def get_tenants(self, begin=None, end=None):
        begin, end = self._default_bounds(begin, end)
        if begin >= end:
            return []
        return self.storage.get_tenants(tzutils.naive_utc(begin),
                                        tzutils.naive_utc(end))
