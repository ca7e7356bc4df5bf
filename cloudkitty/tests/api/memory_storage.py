"""A tiny in-memory v2 storage, for the data API unit tests only.

It implements the BaseStorage contract literally (no performance concern)
so that the API layer can be tested without a database.
"""
import decimal

from cloudkitty import dataframe
from cloudkitty.storage import v2 as storage_v2
from cloudkitty.utils import tz as tzutils


class MemoryStorage(storage_v2.BaseStorage):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = []  # (start, end, type, DataPoint), insertion order
        self.calls = []

    def init(self):
        pass

    def push(self, dataframes, scope_id=None):
        self.calls.append(('push', len(dataframes)))
        key = self._scope_key()
        for frame in dataframes:
            start = tzutils.localized(frame.start)
            end = tzutils.localized(frame.end)
            scopes = {p.groupby.get(key) for _, p in frame.iterpoints()}
            # Idempotent per (scope, period).
            self.points = [
                item for item in self.points
                if not (item[0] == start
                        and item[3].groupby.get(key) in scopes)]
            for metric_type, point in frame.iterpoints():
                self.points.append((start, end, metric_type, point))

    def _select(self, begin, end, filters, metric_types):
        begin, end = self._default_bounds(begin, end)
        filters = storage_v2.normalize_filters(filters)
        types = storage_v2.as_list(metric_types)
        for item in self.points:
            start, _, metric_type, point = item
            if not begin <= start < end:
                continue
            if types and metric_type not in types:
                continue
            if any(str(point.groupby.get(k, point.metadata.get(k)))
                   not in [str(v) for v in values]
                   for k, values in filters.items()):
                continue
            yield item

    def retrieve(self, begin=None, end=None, filters=None,
                 metric_types=None, offset=0, limit=1000, paginate=True):
        self.calls.append(('retrieve', dict(
            begin=begin, end=end, filters=filters,
            metric_types=metric_types, offset=offset, limit=limit,
            paginate=paginate)))
        items = list(self._select(begin, end, filters, metric_types))
        total = len(items)
        if paginate:
            items = items[offset:offset + limit]
        frames = {}
        for start, end_, metric_type, point in items:
            frame = frames.setdefault(
                (start, end_), dataframe.DataFrame(start, end_))
            frame.add_point(point, metric_type)
        return {'total': total,
                'dataframes': [frames[k] for k in sorted(frames)]}

    def delete(self, begin=None, end=None, filters=None):
        doomed = set(map(id, self._select(
            begin or tzutils.localized_now().replace(year=1970),
            end or tzutils.localized_now().replace(year=9000),
            filters, None)))
        self.points = [p for p in self.points if id(p) not in doomed]

    def total(self, groupby=None, begin=None, end=None, metric_types=None,
              filters=None, custom_fields=None, offset=0, limit=1000,
              paginate=True):
        self.calls.append(('total', dict(
            groupby=groupby, begin=begin, end=end,
            metric_types=metric_types, filters=filters,
            custom_fields=custom_fields, offset=offset, limit=limit,
            paginate=paginate)))
        if custom_fields:
            raise NotImplementedError('no custom aggregates in memory')
        groupby = self.parse_groupby_syntax_to_groupby_elements(
            groupby) or []
        attrs = [g for g in groupby if g != 'time']
        qbegin, qend = self._default_bounds(begin, end)
        groups = {}
        for start, end_, metric_type, point in self._select(
                begin, end, filters, metric_types):
            values = tuple(
                metric_type if g == 'type' else
                point.groupby.get(g, point.metadata.get(g, ''))
                for g in attrs)
            bounds = (start, end_) if 'time' in groupby else (qbegin, qend)
            row = groups.setdefault(bounds + values, {
                'begin': bounds[0], 'end': bounds[1],
                'qty': decimal.Decimal(0), 'rate': decimal.Decimal(0)})
            row['qty'] += point.qty
            row['rate'] += point.price
            for name, value in zip(attrs, values):
                row[name] = value
        if not groups and not groupby:
            return {'total': 0, 'results': []}
        rows = [groups[k] for k in sorted(
            groups, key=lambda k: [str(v) for v in k[2:]] + [k[0]])]
        total = len(rows)
        if paginate:
            rows = rows[offset:offset + limit]
        return {'total': total, 'results': rows}
