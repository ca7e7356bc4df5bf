"""Rollup arithmetic of the ``sqlalchemy`` v2 storage, without I/O.

Sums are collected as lists and added once per group in the storage's
decimal context (``sum_groups``): cheaper than an addition per point, and
exact. Times are UTC epoch seconds.
"""
import datetime
import decimal

from cloudkitty.storage.v2.sqlalchemy import codec
from cloudkitty.storage.v2.sqlalchemy import layout

CTX = layout.DECIMAL_CONTEXT
ZERO = decimal.Decimal(0)

_TYPE = layout.POINT_TYPE
_GROUPBY = layout.POINT_GROUPBY
_METADATA = layout.POINT_METADATA
_COUNT = layout.ENTRY_COUNT
_QTY = layout.ENTRY_QTY
_PRICE = layout.ENTRY_PRICE


def sum_groups(groups, parse=None):
    """{key: [count, qty, price]} of {key: [count, [qty], [price]]}.

    ``parse``: applied to each collected value first (e.g. ``Decimal``
    for decimal text).
    """
    output = {}
    with decimal.localcontext(CTX):
        if parse is None:
            for key, (count, qtys, prices) in groups.items():
                output[key] = [count, sum(qtys, ZERO), sum(prices, ZERO)]
        else:
            for key, (count, qtys, prices) in groups.items():
                output[key] = [count, sum(map(parse, qtys), ZERO),
                               sum(map(parse, prices), ZERO)]
    return output


def point_attrs(groupby, meta):
    """Time attributes of a stored point (group-by first, then metadata)."""
    return tuple(codec.text(groupby[k] if k in groupby else meta.get(k))
                 for k in layout.TIME_KEYS)


def point_entries(points):
    """Sums entries of stored points (see ``layout``)."""
    sums = {}
    for point in points:
        key = (point[_TYPE],) + point_attrs(point[_GROUPBY],
                                            point[_METADATA])
        entry = sums.setdefault(key, [0, ZERO, ZERO])
        entry[0] += 1
        entry[1] = CTX.add(entry[1], decimal.Decimal(
            point[layout.POINT_QTY]))
        entry[2] = CTX.add(entry[2], decimal.Decimal(
            point[layout.POINT_PRICE]))
    return [list(key) + [c, format(q, 'f'), format(p, 'f')]
            for key, (c, q, p) in sums.items()]


def point_matcher(filters, scope_key):
    """Predicate on a stored point, as SQL filters on the points."""
    checks = [(key, {codec.text(v) for v in values})
              for key, values in filters.items() if key != scope_key]

    def match(point):
        for key, values in checks:
            if key == 'type':
                value = point[_TYPE]
            else:
                value = point[_GROUPBY].get(key)
                if value is None:
                    value = point[_METADATA].get(key)
                value = codec.text(value)
            if value not in values:
                return False
        return True
    return match


def type_not_in(types, point):
    return point[_TYPE] not in types


def month_start(ts, up):
    """UTC month start at or before (``up``: at or after) ``ts``."""
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    start = dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if up and start != dt:
        start = (start + datetime.timedelta(days=32)).replace(day=1)
    return int(start.timestamp())


def next_month(ts):
    return month_start(ts + 32 * layout.DAY, False)


def rollup_ranges(begin, end, time_grouped, months):
    """[(kind, lo, hi)] of rollups covering points starting in [begin, end).

    Whole UTC months come from month rollups (when ``months``), whole UTC
    days from day rollups, the edges from period rollups; ``time``
    groupings read period rollups only.
    """
    if time_grouped:
        return [(layout.KIND_PERIOD, begin, end)]
    day_lo = -(-begin // layout.DAY) * layout.DAY
    day_hi = end // layout.DAY * layout.DAY
    if day_lo >= day_hi:
        return [(layout.KIND_PERIOD, begin, end)]
    ranges = [(layout.KIND_PERIOD, begin, day_lo),
              (layout.KIND_PERIOD, day_hi, end)]
    month_lo = month_start(day_lo, True)
    month_hi = month_start(day_hi, False)
    if months and month_lo < month_hi:
        ranges += [(layout.KIND_MONTH, month_lo, month_hi),
                   (layout.KIND_DAY, day_lo, month_lo),
                   (layout.KIND_DAY, month_hi, day_hi)]
    else:
        ranges.append((layout.KIND_DAY, day_lo, day_hi))
    return [r for r in ranges if r[1] < r[2]]


def fold_entries(rows, where_from, match, time_grouped):
    """{group: [count, qty, price]} of the sums entries of blocks.

    ``rows``: (begin_ts, end_ts, scope_id, sums) of blocks;
    ``where_from``: per group-by key, None for the block's scope or an
    index in the entry; ``match``: predicate on (scope, entry) or None.
    Groups end with (begin_ts, end_ts) when ``time_grouped``.
    """
    groups = {}   # key -> [count, [qty text], [price text]]
    for begin_ts, end_ts, scope, sums in rows:
        span = (begin_ts, end_ts) if time_grouped else ()
        for entry in codec.loads(sums):
            if match is not None and not match(scope, entry):
                continue
            key = tuple([scope if i is None else entry[i]
                         for i in where_from]) + span
            acc = groups.get(key)
            if acc is None:
                groups[key] = [entry[_COUNT], [entry[_QTY]],
                               [entry[_PRICE]]]
            else:
                acc[0] += entry[_COUNT]
                acc[1].append(entry[_QTY])
                acc[2].append(entry[_PRICE])
    # Summed once per group: cheaper than per entry.
    return sum_groups(groups, decimal.Decimal)


def merge_groups(groups, others):
    """Add the [count, qty, price] of ``others`` into ``groups``."""
    with decimal.localcontext(CTX):
        for key, (count, qty, price) in others.items():
            acc = groups.get(key)
            if acc is None:
                groups[key] = [count, qty, price]
            else:
                acc[0] += count
                acc[1] += qty
                acc[2] += price
    return groups


class Deltas(object):
    """Changes of the day rollups: key -> [count, [qty], [price]].

    Keys: (day start, day end, owner, scope_id, type, doy, woy, month,
    year). Month changes are derived from them (a UTC day lies in one
    month).
    """

    def __init__(self):
        self.day = {}
        self._bounds = {}

    def add(self, begin, owner, scope, key, count, qty, price):
        """Add sums of points of the period starting at ``begin``.

        ``key``: (type, doy, woy, month, year).
        """
        span = self._bounds.get(begin)
        if span is None:
            start = begin // layout.DAY * layout.DAY
            span = self._bounds[begin] = (start, start + layout.DAY)
        day_key = span + (owner, scope) + key
        entry = self.day.get(day_key)
        if entry is None:
            self.day[day_key] = [count, [qty], [price]]
        else:
            entry[0] += count
            entry[1].append(qty)
            entry[2].append(price)

    def add_block(self, begin, owner, scope, entries, sign):
        """Add (sign 1) or remove (-1) the sums entries of a block."""
        for entry in entries:
            self.add(begin, owner, scope, tuple(entry[layout.ENTRY_KEY]),
                     sign * entry[_COUNT],
                     sign * decimal.Decimal(entry[_QTY]),
                     sign * decimal.Decimal(entry[_PRICE]))

    def __bool__(self):
        return bool(self.day)

    def copy(self):
        """An independent copy (a retried transaction starts again)."""
        other = Deltas()
        other.day = {key: [count, list(qtys), list(prices)]
                     for key, (count, qtys, prices) in self.day.items()}
        other._bounds = self._bounds
        return other

    def days(self):
        return sum_groups(self.day)

    def months(self, days):
        # Month rollups do not keep the time attributes.
        acc = {}
        bounds = {}
        blank = ('',) * len(layout.TIME_KEYS)
        for key, (count, qty, price) in days.items():
            span = bounds.get(key[0])
            if span is None:
                start = month_start(key[0], False)
                span = bounds[key[0]] = (start, next_month(start))
            new_key = span + key[2:5] + blank
            entry = acc.get(new_key)
            if entry is None:
                acc[new_key] = [count, [qty], [price]]
            else:
                entry[0] += count
                entry[1].append(qty)
                entry[2].append(price)
        return sum_groups(acc)
