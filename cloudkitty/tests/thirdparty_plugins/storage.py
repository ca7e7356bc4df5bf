"""Example v2 storage driver: rated points in a JSON-lines file.

Minimal and slow (every call reads the whole file), but complete: it
implements the v2 storage contract, so the processor can store rated
data in it and the v2 API (``/v2/summary``, ``/v2/dataframes``) can read
it back. Writers of several processes are serialised by a lock file.
"""
import collections
import contextlib
import decimal
import fcntl
import json
import os

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import dataframe
from cloudkitty.storage import v2 as v2_storage
from cloudkitty.utils import tz as tz_utils

LOG = logging.getLogger(__name__)

storage_example_opts = [
    cfg.StrOpt('path', default='/var/lib/cloudkitty/example-storage.jsonl',
               help='File holding the rated data points.'),
]
cfg.CONF.register_opts(storage_example_opts, 'storage_example')


def _utc_text(dt):
    return tz_utils.local_to_utc(dt, naive=True).isoformat()


class ExampleStorage(v2_storage.BaseStorage):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = cfg.CONF.storage_example.path

    # file access -----------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        with open(self._path + '.lock', 'a') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self):
        if not os.path.exists(self._path):
            return []
        with open(self._path) as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def _write(self, records):
        tmp = self._path + '.tmp'
        with open(tmp, 'w') as handle:
            for record in records:
                handle.write(json.dumps(record) + '\n')
        os.replace(tmp, self._path)

    # selection -----------------------------------------------------------
    @staticmethod
    def _bounds(begin, end):
        begin = begin or tz_utils.get_month_start()
        end = end or tz_utils.get_next_month()
        return _utc_text(begin), _utc_text(end)

    @staticmethod
    def _matches(record, filters, metric_types):
        if metric_types:
            types = (metric_types if isinstance(metric_types, list)
                     else [metric_types])
            if record['type'] not in types:
                return False
        for key, wanted in (filters or {}).items():
            wanted = wanted if isinstance(wanted, list) else [wanted]
            value = record['groupby'].get(key, record['metadata'].get(key))
            if str(value) not in [str(item) for item in wanted]:
                return False
        return True

    def _select(self, begin, end, filters, metric_types):
        begin, end = self._bounds(begin, end)
        return [record for record in self._read()
                if begin <= record['start'] < end
                and self._matches(record, filters, metric_types)]

    @staticmethod
    def _point(record):
        return dataframe.DataPoint(
            record['unit'], record['qty'], record['price'],
            record['groupby'], record['metadata'])

    # the v2 storage contract ---------------------------------------------
    def init(self):
        directory = os.path.dirname(self._path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with self._locked():
            if not os.path.exists(self._path):
                self._write([])

    def push(self, dataframes, scope_id=None):
        scope_key = cfg.CONF.collect.scope_key
        with self._locked():
            records = self._read()
            for frame in dataframes:
                start = _utc_text(frame.start)
                end = _utc_text(frame.end)
                new = [{'start': start, 'end': end, 'type': metric_type,
                        'unit': point.unit, 'qty': str(point.qty),
                        'price': str(point.price),
                        'groupby': dict(point.groupby),
                        'metadata': dict(point.metadata)}
                       for metric_type, point in frame.iterpoints()]
                # A period pushed again replaces its points (per scope).
                scopes = {r['groupby'].get(scope_key) for r in new}
                records = [r for r in records
                           if not (r['start'] == start and r['groupby'].get(
                               scope_key) in scopes)]
                records.extend(new)
            self._write(records)

    def retrieve(self, begin=None, end=None, filters=None,
                 metric_types=None, offset=0, limit=1000, paginate=True):
        records = self._select(begin, end, filters, metric_types)
        total = len(records)
        if paginate:
            records = records[offset:offset + limit]
        frames = collections.OrderedDict()
        for record in sorted(records, key=lambda r: (r['start'], r['end'])):
            key = (record['start'], record['end'])
            if key not in frames:
                frames[key] = dataframe.DataFrame(
                    tz_utils.dt_from_iso(record['start']),
                    tz_utils.dt_from_iso(record['end']))
            frames[key].add_point(self._point(record), record['type'])
        return {'total': total, 'dataframes': list(frames.values())}

    def delete(self, begin=None, end=None, filters=None):
        low = _utc_text(begin) if begin else ''
        high = _utc_text(end) if end else '9999'
        with self._locked():
            self._write([r for r in self._read() if not (
                low <= r['start'] < high
                and self._matches(r, filters, None))])

    def total(self, groupby=None, begin=None, end=None, metric_types=None,
              filters=None, custom_fields=None, offset=0, limit=1000,
              paginate=True):
        if custom_fields:
            raise NotImplementedError('custom_fields is not supported')
        groupby = self.parse_groupby_syntax_to_groupby_elements(
            groupby) or []
        attributes = [g for g in groupby if g != 'time']
        query_begin = begin or tz_utils.get_month_start()
        query_end = end or tz_utils.get_next_month()
        rows = collections.OrderedDict()
        for record in self._select(begin, end, filters, metric_types):
            values = tuple(
                record['type'] if g == 'type' else
                record['groupby'].get(g, record['metadata'].get(g, ''))
                for g in attributes)
            if 'time' in groupby:
                bounds = (tz_utils.dt_from_iso(record['start']),
                          tz_utils.dt_from_iso(record['end']))
            else:
                bounds = (query_begin, query_end)
            row = rows.setdefault(bounds + values, dict(
                {'begin': bounds[0], 'end': bounds[1],
                 'qty': decimal.Decimal(0), 'rate': decimal.Decimal(0)},
                **dict(zip(attributes, values))))
            row['qty'] += decimal.Decimal(record['qty'])
            row['rate'] += decimal.Decimal(record['price'])
        results = [rows[key] for key in sorted(
            rows, key=lambda k: [str(v) for v in k[2:]] + [k[0]])]
        total = len(results)
        if paginate:
            results = results[offset:offset + limit]
        return {'total': total, 'results': results}
