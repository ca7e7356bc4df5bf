"""Layout of the rated data the ``sqlalchemy`` v2 storage keeps.

A block (a row of ``rated_blocks_v2``) holds the points of one pushed
(period, owner, scope):

* ``points``: a JSON array of points, each ``[type, unit, qty, price,
  groupby, metadata]`` (decimals as strings): see ``POINT_*``;
* ``sums``: a JSON array of entries, each ``[type, day_of_the_year,
  week_of_the_year, month, year, count, qty, price]``, the exact sums of
  the block's points by metric type and time attributes: see ``ENTRY_*``.

Rollups (``rated_rollups_v2``) are keyed by ``kind`` (``KIND_*``), times
in UTC epoch seconds. No I/O here.
"""
import decimal

SCALE = 18
PRECISION = 40
QUANTUM = decimal.Decimal(1).scaleb(-SCALE)
# Enough digits for any sum of NUMERIC(40, 18) values.
DECIMAL_CONTEXT = decimal.Context(prec=80)

KIND_PERIOD = 0
KIND_DAY = 1
KIND_MONTH = 2
DAY = 86400

# Group-by attributes copied into rollup columns.
TIME_KEYS = ('day_of_the_year', 'week_of_the_year', 'month', 'year')

# Fields of a stored point.
POINT_TYPE = 0
POINT_UNIT = 1
POINT_QTY = 2
POINT_PRICE = 3
POINT_GROUPBY = 4
POINT_METADATA = 5
POINT_FIELDS = 6

# Fields of an entry of a block's sums: the key (type and time
# attributes), then the count and the sums.
ENTRY_TYPE = 0
ENTRY_ATTRS = slice(1, 1 + len(TIME_KEYS))
ENTRY_KEY = slice(0, 1 + len(TIME_KEYS))
ENTRY_COUNT = 1 + len(TIME_KEYS)
ENTRY_QTY = ENTRY_COUNT + 1
ENTRY_PRICE = ENTRY_COUNT + 2


def entry_index(key):
    """Index of time attribute ``key`` in a sums entry."""
    return 1 + TIME_KEYS.index(key)
