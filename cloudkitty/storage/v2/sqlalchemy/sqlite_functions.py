"""Exact decimal SQL functions for SQLite, which has no decimal type.

Amounts are stored as decimal text; these aggregates and ``ck_dadd`` do
the arithmetic in the storage's decimal context.
"""
import decimal

from cloudkitty.storage.v2.sqlalchemy import layout

CTX = layout.DECIMAL_CONTEXT
ZERO = decimal.Decimal(0)


class _DecimalAggregate(object):
    """Exact aggregate over decimal text (SQLite has no decimal type).

    ``step`` is the bound ``append`` of a list: SQLite calls it once per
    row, and a builtin is the cheapest call; the arithmetic happens once,
    in ``finalize``.
    """

    def __init__(self):
        self.values = []
        self.step = self.values.append

    def compute(self, values):
        raise NotImplementedError()

    def finalize(self):
        values = [v for v in self.values if v is not None]
        if not values:
            return None
        with decimal.localcontext(CTX):
            result = self.compute([
                decimal.Decimal(v if isinstance(v, str) else str(v))
                for v in values])
        return format(result, 'f')


class _DSum(_DecimalAggregate):
    def compute(self, values):
        return sum(values, ZERO)


class _DMin(_DecimalAggregate):
    def compute(self, values):
        return min(values)


class _DMax(_DecimalAggregate):
    def compute(self, values):
        return max(values)


class _DAvg(_DecimalAggregate):
    def compute(self, values):
        return sum(values, ZERO) / len(values)


AGGREGATES = {'ck_dsum': _DSum, 'ck_dmin': _DMin, 'ck_dmax': _DMax,
              'ck_davg': _DAvg}


def dadd(left, right):
    """Exact sum of two decimal texts (rollup upserts on SQLite)."""
    if left is None or right is None:
        return right if left is None else left
    return format(CTX.add(decimal.Decimal(str(left)),
                          decimal.Decimal(str(right))), 'f')


def add_functions(dbapi_connection):
    """Register the aggregates and ``ck_dadd`` on a sqlite3 connection."""
    for name, klass in AGGREGATES.items():
        dbapi_connection.create_aggregate(name, 1, klass)
    dbapi_connection.create_function('ck_dadd', 2, dadd,
                                     deterministic=True)
