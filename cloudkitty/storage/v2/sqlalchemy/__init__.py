"""The ``sqlalchemy`` v2 storage: rated data in ``[database] connection``.

The embedded default backend, on SQLite, MariaDB and PostgreSQL.

Writes (``push``) are idempotent per (scope, period):

* ``push(frames, scope_id=<id>)`` (the processor: one frame per scope and
  period, holding every metric) replaces, for each frame, every stored
  point owned by ``<id>`` whose period starts in ``[frame.start,
  frame.end)``, whatever its metric type. A frame without points thus
  empties that period of the scope.
* ``push(frames)`` without a scope id (``POST /v2/dataframes``) replaces,
  for each frame, the stored points of each (scope, metric type) present
  in the frame whose period starts in ``[frame.start, frame.end)``; the
  scope of a point is the value of its ``[collect] scope_key`` attribute
  (group-by first, then metadata; ``''`` when absent).

Points and their rollups (sums by owner, scope, type and period, and by
owner, scope, type and UTC day) are written in one transaction. Summaries
(``total``) whose group-by and filters only use ``type``, the scope key,
``time`` and the time attributes (``day_of_the_year``,
``week_of_the_year``, ``month``, ``year``) with the default aggregates are
answered from the rollups: whole UTC days from the day rollups, the edges
of the window from the period rollups. Every other query groups and
filters the points themselves in SQL (JSON attributes extracted with
``json_extract`` on SQLite and MariaDB, ``->>`` on PostgreSQL).
"""
import csv
import datetime
import decimal
import functools
import io
import json
import re
import types

from oslo_log import log as logging
import sqlalchemy as sa

try:
    import orjson
except ImportError:  # pragma: no cover - optional speed-up
    orjson = None

from cloudkitty import dataframe
from cloudkitty.db import migration
from cloudkitty.storage import v2 as storage_v2
from cloudkitty.storage.v2.sqlalchemy import engine as sql_engine
from cloudkitty.storage.v2.sqlalchemy import locks as sql_locks
from cloudkitty.storage.v2.sqlalchemy import models
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)

BLOCKS = models.blocks
ROLLUPS = models.rollups
CTX = models.DECIMAL_CONTEXT
ZERO = decimal.Decimal(0)

_CHAIN = migration.AlembicChain(
    'storage_sqlalchemy_v2',
    migration.chain_dir(__file__),
    'storage_sqlalchemy_v2_alembic',
    models.metadata)

DEFAULT_AGGREGATES = (('sum', 'qty', 'qty'), ('sum', 'price', 'rate'))
_CUSTOM_FIELD = re.compile(
    r'^\s*(sum|min|max|avg|mean|count)\s*\(\s*(qty|price|rate|\*)\s*\)'
    r'\s*(?:as\s+([A-Za-z_][A-Za-z0-9_]*))?\s*$', re.IGNORECASE)
# Attribute names end up in JSON paths: keep them printable and unquoted.
_BAD_KEY = re.compile(r'["\\\x00-\x1f]')
_CHUNK = 500


# Names used by the rollups tool and the tests.
_engine = sql_engine.get_engine
_forget_engines = sql_engine.forget_engines
_lock_keys = sql_locks.lock_keys


def get_chain():
    """The migration chain of this backend."""
    return _CHAIN


# -- exact aggregates on SQLite ---------------------------------------------

# -- helpers ---------------------------------------------------------------

def _epoch(dt):
    return int(tzutils.localized(dt).timestamp())


def _local(ts):
    return datetime.datetime.fromtimestamp(ts, tzutils.get_local_tz())


def _text(value):
    """Text form of an attribute value, as SQL extracts it from JSON."""
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    return json.dumps(value)


def _attr(point, key):
    groupby = point.groupby
    if key in groupby:
        return groupby[key]
    return point.metadata.get(key)


def _clean(value):
    """Decimal without trailing zeros, never in exponent notation."""
    if value is None:
        return None
    if not isinstance(value, decimal.Decimal):
        value = CTX.create_decimal(str(value))
    exponent = value.as_tuple().exponent
    if exponent == 0 or (isinstance(exponent, int) and exponent < 0
                         and value.as_tuple().digits[-1] != 0):
        return value   # nothing to strip
    if value == value.to_integral_value():
        return value.quantize(decimal.Decimal(1), context=CTX)
    return value.normalize(CTX)


def _json_default(obj):
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    if hasattr(obj, 'items'):
        return dict(obj.items())
    raise TypeError('%r is not JSON serializable' % (obj,))


def _orjson_default(obj):
    if isinstance(obj, types.MappingProxyType):
        return dict(obj)
    return _json_default(obj)


if orjson is not None:
    def _dumps(mapping):
        # orjson: half the cost of json for the two documents per point.
        # DataPoint attributes are read-only mappings: a dict copy is
        # cheaper than orjson's call to ``default``.
        if type(mapping) is not dict:
            mapping = dict(mapping)
        return orjson.dumps(mapping, default=_orjson_default).decode()
else:
    _ENCODER = json.JSONEncoder(default=_json_default,
                                separators=(',', ':'))

    def _dumps(mapping):
        return _ENCODER.encode(dict(mapping))


def _dumps_value(value):
    """Compact JSON of lists, strings and numbers."""
    if orjson is not None:
        return orjson.dumps(value).decode()
    return json.dumps(value, separators=(',', ':'))


def _dumps_str(cache, text):
    """JSON of the string ``text``, remembered in ``cache``."""
    if not isinstance(text, str):
        text = '' if text is None else str(text)
    result = cache[text] = _dumps_value(text)
    return result


def _to_decimal(value):
    """A SQL sum (Decimal, or text on SQLite) as a Decimal."""
    if value is None or isinstance(value, decimal.Decimal):
        return value
    return CTX.create_decimal(str(value))


def _encode(cache, mapping):
    """JSON of ``mapping``, remembered in ``cache`` when that is safe.

    The cache key is the tuple of items. Only mappings of strings are
    remembered: 1, 1.0, True and Decimal(1) are equal keys but different
    JSON; unhashable values (lists...) are never cached.
    """
    text = _dumps(mapping)
    for value in mapping.values():
        if type(value) is not str:
            return text
    cache[tuple(mapping.items())] = text
    return text


def _groupby_info(cache, groupby, scope_key):
    """(JSON, scope text or None, time attributes or None) of a group-by.

    None when the attribute is not in the group-by (the metadata may have
    it). Remembered in ``cache`` under the same rule as ``_encode``.
    """
    scope = groupby.get(scope_key)
    if scope is not None:
        scope = _text(scope)
    if all(k in groupby for k in models.TIME_KEYS):
        attrs = tuple(_text(groupby[k]) for k in models.TIME_KEYS)
    else:
        attrs = None
    info = (_dumps(groupby), scope, attrs)
    for value in groupby.values():
        if type(value) is not str:
            return info
    cache[tuple(groupby.items())] = info
    return info


def _loads(value):
    """A JSON column value as a dict (drivers return text or dicts)."""
    if value is None:
        return {}
    if isinstance(value, (str, bytes)):
        return orjson.loads(value) if orjson is not None else json.loads(
            value)
    return value


def _check_key(key):
    if not isinstance(key, str) or not key or _BAD_KEY.search(key):
        raise storage_v2.InvalidQuery(
            'Invalid attribute name %r: it must be a non-empty string '
            'without double quotes, backslashes or control characters.'
            % (key,))
    return key


def parse_custom_fields(custom_fields):
    """[(function, column, alias)] from ``SUM(qty) AS qty, ...``."""
    if not custom_fields:
        return list(DEFAULT_AGGREGATES)
    output = []
    for piece in custom_fields.split(','):
        match = _CUSTOM_FIELD.match(piece)
        if not match:
            raise storage_v2.InvalidQuery(
                'Invalid custom_fields element %r: expected '
                '<function>(<field>) [AS <alias>] with function in sum, '
                'min, max, avg, mean, count and field in qty, price, '
                'rate, *.' % piece.strip())
        func, field, alias = match.groups()
        func = func.lower()
        func = 'avg' if func == 'mean' else func
        field = field.lower()
        if field == '*':
            if func != 'count':
                raise storage_v2.InvalidQuery(
                    'Invalid custom_fields element %r: only count '
                    'accepts *.' % piece.strip())
            field = 'qty'
        field = 'price' if field == 'rate' else field
        output.append((func, field, alias or func))
    aliases = [alias for _, _, alias in output]
    if len(set(aliases)) != len(aliases):
        raise storage_v2.InvalidQuery(
            'Invalid custom_fields: duplicate alias in %r.' % custom_fields)
    return output


_MYSQL_TEXT = 'VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'
# Per dialect: the FROM clause expanding the blocks into points ``p``, the
# SQL of each point element (type, unit, qty, price, groupby, metadata)
# and of the point's position in its block.
_POINT_SQL = {
    'postgresql': (
        'rated_blocks_v2 AS b CROSS JOIN LATERAL '
        'jsonb_array_elements(b.points) WITH ORDINALITY AS p(value, ord)',
        ['(p.value ->> 0)', '(p.value ->> 1)',
         'CAST(p.value ->> 2 AS NUMERIC)', 'CAST(p.value ->> 3 AS NUMERIC)',
         '(p.value -> 4)', '(p.value -> 5)'],
        'p.ord'),
    'mysql': (
        "rated_blocks_v2 AS b, JSON_TABLE(b.points, '$[*]' COLUMNS ("
        "ord FOR ORDINALITY, type %s PATH '$[0]', unit %s PATH '$[1]', "
        "qty DECIMAL(40, 18) PATH '$[2]', price DECIMAL(40, 18) PATH "
        "'$[3]', gb JSON PATH '$[4]', md JSON PATH '$[5]')) AS p"
        % (_MYSQL_TEXT, _MYSQL_TEXT),
        ['p.type', 'p.unit', 'p.qty', 'p.price', 'p.gb', 'p.md'],
        'p.ord'),
    'sqlite': (
        'rated_blocks_v2 AS b, json_each(b.points) AS p',
        ["json_extract(p.value, '$[%d]')" % i for i in range(6)],
        'p.key'),
}


class _Points(object):
    """The rated points of the blocks, expanded in SQL for one dialect.

    Columns are SQL fragments over ``rated_blocks_v2 AS b`` and the
    expansion ``p`` of its ``points`` array (``[type, unit, qty, price,
    groupby, metadata]``).
    """

    def __init__(self, dialect, scope_key):
        self.dialect = dialect
        self.scope_key = scope_key
        col = sa.literal_column
        from_, elements, position = _POINT_SQL.get(dialect,
                                                   _POINT_SQL['sqlite'])
        self.from_ = sa.text(from_)
        dec = models.ExactDecimal()
        (self.type, self.unit, self.qty, self.price, self.groupby,
         self.metadata) = [col(sql, type_) for sql, type_ in zip(
             elements, (sa.Text, sa.Text, dec, dec, sa.Text, sa.Text))]
        self.ord = col(position)
        self.id = col('b.id')
        self.begin_ts = col('b.begin_ts', sa.BigInteger)
        # Points in (begin, block, position) order. SQLite yields a block's
        # points in array order after the (begin_ts, id) index: naming the
        # position would sort the whole expansion before any LIMIT.
        self.order = [self.begin_ts, self.id]
        if dialect != 'sqlite':
            self.order.append(self.ord)
        self.end_ts = col('b.end_ts', sa.BigInteger)
        self.scope_id = col('b.scope_id', sa.Text)

    def _json_text(self, index, key):
        """Text of attribute ``key`` of the group-by (4) or metadata (5)."""
        quoted = key.replace("'", "''")
        if self.dialect == 'postgresql':
            return "(p.value -> %d ->> '%s')" % (index, quoted)
        if self.dialect == 'mysql':
            return ('JSON_UNQUOTE(JSON_EXTRACT(p.%s, \'$."%s"\')) COLLATE '
                    'utf8mb4_bin' % ('gb' if index == 4 else 'md', quoted))
        return ('CAST(json_extract(p.value, \'$[%d]."%s"\') AS TEXT)'
                % (index, quoted))

    def attr(self, key):
        if key == 'type':
            return self.type
        if key == self.scope_key:
            return self.scope_id
        _check_key(key)
        return sa.literal_column('COALESCE(%s, %s, \'\')' % (
            self._json_text(4, key), self._json_text(5, key)), sa.Text)


class _Query(object):
    """Translate filters, group-by and aggregates for one dialect."""

    def __init__(self, dialect, scope_key):
        self.dialect = dialect
        self.scope_key = scope_key
        self.rollup_keys = {'type': 'type', scope_key: 'scope_id'}
        for key in models.TIME_KEYS:
            self.rollup_keys.setdefault(key, key)
        self.points = _Points(dialect, scope_key)

    def rollup_attr(self, key):
        return ROLLUPS.c[self.rollup_keys[key]]

    def can_use_rollups(self, keys, filters, aggregates):
        return (all(k in self.rollup_keys for k in keys)
                and all(k in self.rollup_keys for k in filters)
                and all(func in ('sum', 'count')
                        for func, _, _ in aggregates))

    def can_use_months(self, keys, filters):
        """Month rollups do not keep the time attributes."""
        time_columns = set(models.TIME_KEYS)
        return not any(self.rollup_keys.get(k) in time_columns
                       for k in list(keys) + list(filters))

    # Aggregates.
    def aggregate(self, func, column, rollup):
        if func == 'count':
            if rollup:
                return sa.func.sum(ROLLUPS.c.count)
            return sa.func.count()
        if self.dialect == 'sqlite':
            return getattr(sa.func, 'ck_d' + func)(
                column, type_=models.ExactDecimal())
        return getattr(sa.func, func)(column, type_=models.ExactDecimal())

    # Conditions.
    @staticmethod
    def _in(expr, values):
        values = [_text(v) for v in values]
        if len(values) == 1:
            return expr == values[0]
        return expr.in_(values)

    def conditions(self, filters, metric_types, rollup):
        if rollup:
            attr, type_column = self.rollup_attr, ROLLUPS.c.type
        else:
            attr, type_column = self.points.attr, self.points.type
        output = []
        if metric_types:
            output.append(self._in(type_column, metric_types))
        for key, values in filters.items():
            output.append(self._in(attr(key), values))
        return output

    def entry_matcher(self, filters, metric_types):
        """Predicate on (block scope, sums entry), as ``conditions``."""
        checks = []
        if metric_types:
            checks.append((0, {_text(v) for v in metric_types}))
        for key, values in filters.items():
            if key == 'type':
                index = 0
            elif key == self.scope_key:
                index = None
            else:
                index = 1 + models.TIME_KEYS.index(key)
            checks.append((index, {_text(v) for v in values}))

        def match(scope, entry):
            for index, values in checks:
                if (scope if index is None else entry[index]) not in values:
                    return False
            return True
        return match

    def entry_index(self, key):
        """Where group-by ``key`` is in a block's sums entry.

        None: it is the block's scope.
        """
        if key == 'type':
            return 0
        if key == self.scope_key:
            return None
        return 1 + models.TIME_KEYS.index(self.rollup_keys[key])


def _point_matcher(filters, scope_key):
    """Predicate on a stored point, as SQL filters on the points."""
    checks = [(key, {_text(v) for v in values})
              for key, values in filters.items() if key != scope_key]

    def match(point):
        for key, values in checks:
            if key == 'type':
                value = point[0]
            else:
                value = point[4].get(key)
                if value is None:
                    value = point[5].get(key)
                value = _text(value)
            if value not in values:
                return False
        return True
    return match


def _type_not_in(types, point):
    return point[0] not in types


def _point_attrs(groupby, meta):
    return tuple(_text(groupby[k] if k in groupby else meta.get(k))
                 for k in models.TIME_KEYS)


def _month_start(ts, up):
    """UTC month start at or before (``up``: at or after) ``ts``."""
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    start = dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if up and start != dt:
        start = (start + datetime.timedelta(days=32)).replace(day=1)
    return int(start.timestamp())


def _next_month(ts):
    return _month_start(ts + 32 * models.DAY, False)


def _rollup_ranges(begin, end, time_grouped, months):
    """[(kind, lo, hi)] of rollups covering points starting in [begin, end).

    Whole UTC months come from month rollups (when ``months``), whole UTC
    days from day rollups, the edges from period rollups; ``time``
    groupings read period rollups only.
    """
    if time_grouped:
        return [(models.KIND_PERIOD, begin, end)]
    day_lo = -(-begin // models.DAY) * models.DAY
    day_hi = end // models.DAY * models.DAY
    if day_lo >= day_hi:
        return [(models.KIND_PERIOD, begin, end)]
    ranges = [(models.KIND_PERIOD, begin, day_lo),
              (models.KIND_PERIOD, day_hi, end)]
    month_lo = _month_start(day_lo, True)
    month_hi = _month_start(day_hi, False)
    if months and month_lo < month_hi:
        ranges += [(models.KIND_MONTH, month_lo, month_hi),
                   (models.KIND_DAY, day_lo, month_lo),
                   (models.KIND_DAY, month_hi, day_hi)]
    else:
        ranges.append((models.KIND_DAY, day_lo, day_hi))
    return [r for r in ranges if r[1] < r[2]]


def _rollup_window(ranges):
    """WHERE clause of the rollups of ``ranges`` [(kind, lo, hi)]."""
    clauses = [sa.and_(ROLLUPS.c.kind == kind, ROLLUPS.c.begin_ts >= lo,
                       ROLLUPS.c.begin_ts < hi)
               for kind, lo, hi in ranges]
    return clauses[0] if len(clauses) == 1 else sa.or_(*clauses)


class _Deltas(object):
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
            start = begin // models.DAY * models.DAY
            span = self._bounds[begin] = (start, start + models.DAY)
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
            self.add(begin, owner, scope, tuple(entry[:5]), sign * entry[5],
                     sign * decimal.Decimal(entry[6]),
                     sign * decimal.Decimal(entry[7]))

    def __bool__(self):
        return bool(self.day)

    def copy(self):
        """An independent copy (a retried transaction starts again)."""
        other = _Deltas()
        other.day = {key: [count, list(qtys), list(prices)]
                     for key, (count, qtys, prices) in self.day.items()}
        other._bounds = self._bounds
        return other

    def days(self):
        output = {}
        with decimal.localcontext(CTX):
            for key, (count, qtys, prices) in self.day.items():
                output[key] = [count, sum(qtys, ZERO), sum(prices, ZERO)]
        return output

    def months(self, days):
        # Month rollups do not keep the time attributes.
        acc = {}
        bounds = {}
        blank = ('',) * len(models.TIME_KEYS)
        for key, (count, qty, price) in days.items():
            span = bounds.get(key[0])
            if span is None:
                start = _month_start(key[0], False)
                span = bounds[key[0]] = (start, _next_month(start))
            new_key = span + key[2:5] + blank
            entry = acc.get(new_key)
            if entry is None:
                acc[new_key] = [count, [qty], [price]]
            else:
                entry[0] += count
                entry[1].append(qty)
                entry[2].append(price)
        output = {}
        with decimal.localcontext(CTX):
            for key, (count, qtys, prices) in acc.items():
                output[key] = [count, sum(qtys, ZERO), sum(prices, ZERO)]
        return output


def _decimal_param(dialect):
    """Decimal -> the value given to the DB-API driver."""
    if dialect.name == 'sqlite':
        exact_text = models.exact_text
        return lambda value: exact_text(value)[1]
    return models.exact


def _bulk_insert(conn, table, columns, rows):
    """Insert many rows of plain DB-API values in few round trips."""
    if not rows:
        return
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    names = ', '.join(quote(c) for c in columns)
    if dialect.name == 'postgresql':
        # COPY: PostgreSQL's bulk path, far cheaper than INSERTs.
        buffer = io.StringIO()
        # Everything quoted: an unquoted empty field would be NULL.
        writer = csv.writer(buffer, lineterminator='\n',
                            quoting=csv.QUOTE_ALL)
        writer.writerows(rows)
        buffer.seek(0)
        cursor = conn.connection.cursor()
        try:
            cursor.copy_expert('COPY %s (%s) FROM STDIN WITH (FORMAT csv)'
                               % (quote(table), names), buffer)
        finally:
            cursor.close()
        return
    # sqlite3 runs executemany in C; PyMySQL rewrites it into multi-row
    # INSERTs.
    marker = '?' if dialect.paramstyle == 'qmark' else '%s'
    sql = 'INSERT INTO %s (%s) VALUES (%s)' % (
        quote(table), names, ', '.join([marker] * len(columns)))
    for start in range(0, len(rows), 5000):
        conn.exec_driver_sql(sql, rows[start:start + 5000])


_UPSERTS = {}


def _upsert_sql(dialect):
    """INSERT of rollup rows adding to the existing row of the same key.

    The database adds the deltas (exact NUMERIC arithmetic; ``ck_dadd``
    over decimal text on SQLite) under the row lock of the upsert: two
    writers of one rollup row both count, whatever their order.
    """
    sql = _UPSERTS.get(dialect.name)
    if sql is not None:
        return sql
    quote = dialect.identifier_preparer.quote
    table = quote(ROLLUPS.name)
    names = ', '.join(quote(c) for c in _UPSERT_COLUMNS)
    count, qty, price = quote('count'), quote('qty'), quote('price')
    if dialect.name == 'postgresql':
        sql = ('INSERT INTO %s AS r (%s) VALUES %%s ON CONFLICT (digest) DO '
               'UPDATE SET %s = r.%s + EXCLUDED.%s, %s = r.%s + EXCLUDED.%s, '
               '%s = r.%s + EXCLUDED.%s' % (
                   table, names, count, count, count, qty, qty, qty, price,
                   price, price))
    elif dialect.name == 'mysql':
        sql = ('INSERT INTO %s (%s) VALUES (%s) ON DUPLICATE KEY UPDATE '
               '%s = %s + VALUES(%s), %s = %s + VALUES(%s), '
               '%s = %s + VALUES(%s)' % (
                   table, names, ', '.join(['%s'] * len(_UPSERT_COLUMNS)),
                   count, count, count, qty, qty, qty, price, price, price))
    else:
        marker = '?' if dialect.paramstyle == 'qmark' else '%s'
        sql = ('INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (digest) DO '
               'UPDATE SET %s = %s + excluded.%s, %s = ck_dadd(%s, '
               'excluded.%s), %s = ck_dadd(%s, excluded.%s)' % (
                   table, names, ', '.join([marker] * len(_UPSERT_COLUMNS)),
                   count, count, count, qty, qty, qty, price, price, price))
    _UPSERTS[dialect.name] = sql
    return sql


def _upsert_rollups(conn, rows):
    """Add ``rows`` (in ``_UPSERT_COLUMNS`` order) to the rollups.

    Rows come sorted by digest: every writer locks rollup rows in the
    same order.
    """
    if not rows:
        return
    sql = _upsert_sql(conn.dialect)
    if conn.dialect.name == 'postgresql':
        from psycopg2 import extras
        cursor = conn.connection.cursor()
        try:
            extras.execute_values(cursor, sql, rows, page_size=2000)
        finally:
            cursor.close()
        return
    # PyMySQL rewrites executemany into multi-row INSERTs.
    for start in range(0, len(rows), 2000):
        conn.exec_driver_sql(sql, rows[start:start + 2000])


_ROLLUP_KEY_COLUMNS = ('begin_ts', 'end_ts', 'owner', 'scope_id', 'type') + \
    models.TIME_KEYS
_UPSERT_COLUMNS = ('digest', 'kind') + _ROLLUP_KEY_COLUMNS + (
    'count', 'qty', 'price')


_BLOCK_COLUMNS = ('begin_ts', 'end_ts', 'owner', 'scope_id', 'count', 'sums',
                  'points')


class SQLAlchemyStorage(storage_v2.BaseStorage):
    """v2 storage on the SQL database of ``[database] connection``.

    See the module documentation for the write semantics and the rollups.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

    # -- setup ------------------------------------------------------------
    def init(self):
        """Upgrade the storage tables to the latest revision."""
        _CHAIN.upgrade('head')

    def _query(self, engine):
        return _Query(engine.dialect.name, self._scope_key())

    # Write transactions (see engine.transaction); the rollups tool uses
    # this name.
    _transaction = staticmethod(sql_engine.transaction)

    # -- writes -----------------------------------------------------------
    def push(self, dataframes, scope_id=None):
        """Store frames, replacing what the scope stored for their periods.

        See the module documentation.
        """
        if not dataframes:
            return
        engine = _engine()
        scope_key = self._scope_key()
        owner_arg = None if scope_id is None else str(scope_id)
        replaced = []   # (begin, end, owner or None, [(owner, type)])
        time_keys = models.TIME_KEYS
        # [(begin, end, owner, scope, [point JSON], {(type,) + time
        # attributes: ([qty], [price])})]
        blocks = []
        # What was derived from group-by and metadata mappings already seen
        # in this push: a resource repeats them for each of its metrics.
        encoded = {}
        by_groupby = {}
        strings = {}
        # The loop below runs once per point: locals and C-level helpers
        # only (it bounds the load rate).
        for frame in dataframes:
            begin, end = _epoch(frame.start), _epoch(frame.end)
            # scope -> (points, sums) of this frame; the owner is the scope
            # id of the push or, without one, the scope itself.
            frame_blocks = {}
            pairs = set()
            for type_, points in frame.itertypes():
                type_json = _dumps_str(strings, type_)
                for point in points:
                    groupby, meta = point.groupby, point.metadata
                    # The group-by gives the JSON, the scope and the time
                    # attributes; metadata only when they are missing.
                    try:
                        groupby_json, scope, attrs = by_groupby[
                            tuple(groupby.items())]
                    except (KeyError, TypeError):
                        groupby_json, scope, attrs = _groupby_info(
                            by_groupby, groupby, scope_key)
                    if scope is None:
                        scope = _text(meta.get(scope_key))
                    if attrs is None:
                        attrs = tuple(
                            _text(groupby[k] if k in groupby
                                  else meta.get(k)) for k in time_keys)
                    # str() of a Decimal is its plain text unless it has
                    # an exponent or, being long, maybe more than 18
                    # places (hashing a Decimal costs four times more).
                    qty = point.qty
                    qty_text = str(qty)
                    if 'E' in qty_text or len(qty_text) > 20:
                        qty, qty_text = models.exact_text(qty)
                    price = point.price
                    price_text = str(price)
                    if 'E' in price_text or len(price_text) > 20:
                        price, price_text = models.exact_text(price)
                    try:
                        meta_json = encoded[tuple(meta.items())]
                    except (KeyError, TypeError):
                        meta_json = _encode(encoded, meta)
                    try:
                        unit_json = strings[point.unit]
                    except (KeyError, TypeError):
                        unit_json = _dumps_str(strings, point.unit)
                    block = frame_blocks.get(scope)
                    if block is None:
                        block = frame_blocks[scope] = ([], {})
                    block[0].append('[%s,%s,"%s","%s",%s,%s]' % (
                        type_json, unit_json, qty_text, price_text,
                        groupby_json, meta_json))
                    sums_key = (type_,) + attrs
                    entry = block[1].get(sums_key)
                    if entry is None:
                        block[1][sums_key] = ([qty], [price])
                        if owner_arg is None:
                            pairs.add((scope, type_))
                    else:
                        entry[0].append(qty)
                        entry[1].append(price)
            for scope, (points, sums) in frame_blocks.items():
                owner = scope if owner_arg is None else owner_arg
                blocks.append((begin, end, owner, scope, points, sums))
            if owner_arg is not None:
                replaced.append((begin, end, owner_arg, None))
            elif pairs:
                replaced.append((begin, end, None, pairs))
        deltas = _Deltas()
        add = deltas.add
        rows = []
        with decimal.localcontext(CTX):
            for begin, end, owner, scope, points, sums in blocks:
                entries = []
                for key, (qtys, prices) in sums.items():
                    qty, price = sum(qtys, ZERO), sum(prices, ZERO)
                    # Sums of plain decimals print plain (see above).
                    qty_text, price_text = str(qty), str(price)
                    if 'E' in qty_text:
                        qty_text = format(qty, 'f')
                    if 'E' in price_text:
                        price_text = format(price, 'f')
                    entries.append(list(key) + [len(qtys), qty_text,
                                                price_text])
                    add(begin, owner, scope, key, len(qtys), qty, price)
                rows.append((begin, end, owner, scope, len(points),
                             _dumps_value(entries),
                             '[%s]' % ','.join(points)))
        written = sum(len(row[6]) for row in rows)

        def work(conn):
            attempt = deltas.copy()
            conn.info['ck_written'] = written
            self._replace(conn, attempt, replaced)
            _bulk_insert(conn, BLOCKS.name, _BLOCK_COLUMNS, rows)
            self._apply_deltas(conn, attempt)

        locks = ()
        if engine.dialect.name == 'postgresql':
            locks = sql_locks.lock_keys(replaced)
        sql_engine.transaction(engine, work, locks)

    @staticmethod
    def _select_blocks(conn, where):
        """The blocks matching ``where``, without their points, locked.

        Row locks (in id order) make the sums read here the ones that the
        transaction removes: a block replaced or deleted meanwhile by
        another writer is not seen, one rewritten is seen as rewritten.
        """
        return conn.execute(sa.select(
            BLOCKS.c.id, BLOCKS.c.begin_ts, BLOCKS.c.end_ts, BLOCKS.c.owner,
            BLOCKS.c.scope_id, BLOCKS.c.sums).where(*where).order_by(
                BLOCKS.c.id).with_for_update()).all()

    def _rewrite_blocks(self, conn, deltas, rewrites):
        """Rewrite blocks: ``rewrites`` [(block row, keep predicate)].

        Points are read a chunk of blocks at a time: a delete over a long
        window must not hold every stored point in memory.
        """
        for start in range(0, len(rewrites), _CHUNK):
            chunk = rewrites[start:start + _CHUNK]
            points = dict(conn.execute(sa.select(
                BLOCKS.c.id, sa.type_coerce(BLOCKS.c.points, sa.Text))
                .where(BLOCKS.c.id.in_([row.id for row, _ in chunk]))
                .with_for_update()).all())
            for row, keep in chunk:
                self._rewrite_block(conn, deltas, row,
                                    _loads(points[row.id]), keep)

    @staticmethod
    def _delete_blocks(conn, ids):
        ids = sorted(ids)
        for start in range(0, len(ids), _CHUNK):
            conn.execute(BLOCKS.delete().where(
                BLOCKS.c.id.in_(ids[start:start + _CHUNK])))

    def _rewrite_block(self, conn, deltas, row, points, keep):
        """Keep the points of a block for which ``keep`` is true."""
        kept = [point for point in points if keep(point)]
        if len(kept) == len(points):
            return
        deltas.add_block(row.begin_ts, row.owner, row.scope_id,
                         _loads(row.sums), -1)
        if not kept:
            self._delete_blocks(conn, [row.id])
            return
        sums = {}
        for point in kept:
            key = (point[0],) + _point_attrs(point[4], point[5])
            entry = sums.setdefault(key, [0, ZERO, ZERO])
            entry[0] += 1
            entry[1] = CTX.add(entry[1], decimal.Decimal(point[2]))
            entry[2] = CTX.add(entry[2], decimal.Decimal(point[3]))
        entries = [list(key) + [c, format(q, 'f'), format(p, 'f')]
                   for key, (c, q, p) in sums.items()]
        deltas.add_block(row.begin_ts, row.owner, row.scope_id,
                         entries, 1)
        conn.execute(BLOCKS.update().where(BLOCKS.c.id == row.id).values(
            count=len(kept), sums=_dumps_value(entries), points=kept))

    def _replace(self, conn, deltas, replaced):
        """Remove the points that the pushed frames replace.

        ``replaced``: [(begin, end, owner, pairs)], ``owner`` the push's
        scope id or None and then ``pairs`` the (owner, type) pairs of the
        frame. Their sums are subtracted from the rollups via ``deltas``.
        """
        if not replaced:
            return
        owners = set()
        for _, _, owner, pairs in replaced:
            if owner is not None:
                owners.add(owner)
            else:
                owners.update(o for o, _ in pairs)
        owners = sorted(owners)
        lo = min(r[0] for r in replaced)
        hi = max(r[1] for r in replaced)
        deletes, rewrites = [], []
        for start in range(0, len(owners), _CHUNK):
            rows = self._select_blocks(conn, [
                BLOCKS.c.owner.in_(owners[start:start + _CHUNK]),
                BLOCKS.c.begin_ts >= lo, BLOCKS.c.begin_ts < hi])
            for row in rows:
                for begin, end, owner, pairs in replaced:
                    if not begin <= row.begin_ts < end:
                        continue
                    if owner is not None:
                        if owner == row.owner:
                            deletes.append(row.id)
                            deltas.add_block(row.begin_ts, row.owner,
                                             row.scope_id, _loads(row.sums),
                                             -1)
                        break
                    types = {t for o, t in pairs if o == row.owner}
                    entries = _loads(row.sums)
                    stored = {entry[0] for entry in entries}
                    if not types & stored:
                        break
                    if stored <= types:
                        deletes.append(row.id)
                        deltas.add_block(row.begin_ts, row.owner,
                                         row.scope_id, entries, -1)
                    else:
                        rewrites.append((row, functools.partial(
                            _type_not_in, types)))
                    break
        self._delete_blocks(conn, deletes)
        self._rewrite_blocks(conn, deltas, rewrites)

    @staticmethod
    def _apply_deltas(conn, deltas):
        """Add the deltas to the day and month rollups, in SQL.

        Rows whose count falls to 0 are then removed, in the same
        transaction.
        """
        if not deltas:
            return
        dec = _decimal_param(conn.dialect)
        digest = models.rollup_digest
        days = deltas.days()
        rows, shrunk = [], []
        for kind, changes in ((models.KIND_DAY, days),
                              (models.KIND_MONTH, deltas.months(days))):
            for key, (count, qty, price) in changes.items():
                if not (count or qty or price):
                    continue
                key_digest = digest(kind, key[0], *key[2:])
                rows.append((key_digest, kind) + key + (count, dec(qty),
                                                        dec(price)))
                if count < 0:
                    shrunk.append(key_digest)
        rows.sort()
        _upsert_rollups(conn, rows)
        shrunk.sort()
        for start in range(0, len(shrunk), _CHUNK):
            conn.execute(ROLLUPS.delete().where(
                ROLLUPS.c.digest.in_(shrunk[start:start + _CHUNK]),
                ROLLUPS.c.count <= 0))

    def delete(self, begin=None, end=None, filters=None):
        """Delete the points starting in [begin, end) matching every filter.

        A None bound is open; rollups follow in the same transaction.
        """
        engine = _engine()
        filters = storage_v2.normalize_filters(filters)
        for key in filters:
            _check_key(key)
        scope_key = self._scope_key()
        where = []
        if begin is not None:
            where.append(BLOCKS.c.begin_ts >= _epoch(begin))
        if end is not None:
            where.append(BLOCKS.c.begin_ts < _epoch(end))
        if scope_key in filters:
            where.append(BLOCKS.c.scope_id.in_(
                [_text(v) for v in filters[scope_key]]))
        by_point = any(key != scope_key for key in filters)
        match = _point_matcher(filters, scope_key)

        def work(conn):
            deltas = _Deltas()
            rows = self._select_blocks(conn, where)
            if by_point:
                self._rewrite_blocks(conn, deltas, [
                    (row, lambda point: not match(point)) for row in rows])
            else:
                for row in rows:
                    deltas.add_block(row.begin_ts, row.owner,
                                     row.scope_id, _loads(row.sums), -1)
                self._delete_blocks(conn, [row.id for row in rows])
            self._apply_deltas(conn, deltas)

        sql_engine.transaction(engine, work)

    # -- reads ------------------------------------------------------------
    def _rollup_groups(self, conn, query, keys, filters, metric_types,
                       begin_ts, end_ts, time_grouped):
        """{group: [count, qty, price]} of the points in [begin, end).

        Whole days and months from the rollups (in SQL), the rest of the
        window, or every period when grouped by time, from the sums of
        the blocks.
        """
        ranges = _rollup_ranges(begin_ts, end_ts, time_grouped,
                                query.can_use_months(keys, filters))
        groups = {}
        coarse = [r for r in ranges if r[0] != models.KIND_PERIOD]
        if coarse:
            columns = [query.rollup_attr(k) for k in keys]
            select = sa.select(
                *columns, sa.func.sum(ROLLUPS.c.count),
                query.aggregate('sum', ROLLUPS.c.qty, True),
                query.aggregate('sum', ROLLUPS.c.price, True)).where(
                    *query.conditions(filters, metric_types, True),
                    _rollup_window(coarse))
            if columns:
                select = select.group_by(*columns)
            size = len(keys)
            for row in conn.execute(select):
                if not row[size]:
                    continue
                groups[tuple(row[:size])] = [
                    int(row[size]), _to_decimal(row[size + 1]),
                    _to_decimal(row[size + 2])]
        fine = [sa.and_(BLOCKS.c.begin_ts >= lo, BLOCKS.c.begin_ts < hi)
                for kind, lo, hi in ranges if kind == models.KIND_PERIOD]
        if not fine:
            return groups
        where = [sa.or_(*fine)]
        if self._scope_key() in filters:
            where.append(BLOCKS.c.scope_id.in_(
                [_text(v) for v in filters[self._scope_key()]]))
        match = query.entry_matcher(filters, metric_types)
        filtered = bool(filters or metric_types)
        # Where each group-by value is: None for the block's scope, else
        # an index in the sums entry.
        where_from = [query.entry_index(k) for k in keys]
        fine_groups = {}   # key -> [count, [qty text], [price text]]
        for row in conn.execute(sa.select(
                BLOCKS.c.begin_ts, BLOCKS.c.end_ts, BLOCKS.c.scope_id,
                BLOCKS.c.sums).where(*where)):
            scope = row.scope_id
            span = (row.begin_ts, row.end_ts) if time_grouped else ()
            for entry in _loads(row.sums):
                if filtered and not match(scope, entry):
                    continue
                key = tuple([scope if i is None else entry[i]
                             for i in where_from]) + span
                acc = fine_groups.get(key)
                if acc is None:
                    fine_groups[key] = [entry[5], [entry[6]], [entry[7]]]
                else:
                    acc[0] += entry[5]
                    acc[1].append(entry[6])
                    acc[2].append(entry[7])
        # Summed once per group: cheaper than per entry.
        Dec = decimal.Decimal
        with decimal.localcontext(CTX):
            for key, (count, qtys, prices) in fine_groups.items():
                qty = sum(map(Dec, qtys), ZERO)
                price = sum(map(Dec, prices), ZERO)
                acc = groups.get(key)
                if acc is None:
                    groups[key] = [count, qty, price]
                else:
                    acc[0] += count
                    acc[1] += qty
                    acc[2] += price
        return groups

    def retrieve(self, begin=None, end=None, filters=None, metric_types=None,
                 offset=0, limit=1000, paginate=True):
        begin, end = self._default_bounds(begin, end)
        begin_ts, end_ts = _epoch(begin), _epoch(end)
        filters = storage_v2.normalize_filters(filters)
        metric_types = storage_v2.as_list(metric_types)
        engine = _engine()
        query = self._query(engine)
        src = query.points
        where = query.conditions(filters, metric_types, False)
        where += [src.begin_ts >= begin_ts, src.begin_ts < end_ts]
        with engine.connect() as conn:
            if query.can_use_rollups((), filters, ()):
                groups = self._rollup_groups(conn, query, (), filters,
                                             metric_types, begin_ts, end_ts,
                                             False)
                total = groups[()][0] if groups else 0
            else:
                total = conn.execute(sa.select(sa.func.count()).select_from(
                    src.from_).where(*where)).scalar()
            total = int(total or 0)
            frames = []
            scope_key = self._scope_key()
            whole_blocks = not metric_types and all(
                k == scope_key for k in filters)
            if not total or (paginate and offset >= total):
                frames = []
            elif whole_blocks:
                # Whole blocks: page through their counts, decode only the
                # blocks of the page (no expansion, no sort of points).
                frames = self._block_page(
                    conn, begin_ts, end_ts, filters.get(scope_key),
                    offset if paginate else 0, limit if paginate else None)
            else:
                select = sa.select(
                    src.begin_ts.label('begin_ts'),
                    src.end_ts.label('end_ts'), src.type.label('type'),
                    src.unit.label('unit'), src.qty.label('qty'),
                    src.price.label('price'), src.groupby.label('gb'),
                    src.metadata.label('md'),
                ).select_from(src.from_).where(*where).order_by(
                    *src.order)
                if paginate:
                    select = select.limit(limit).offset(offset)
                frames = self._frames(conn.execute(select))
        return {'total': total, 'dataframes': frames}

    def _block_page(self, conn, begin_ts, end_ts, scopes, offset, limit):
        """Frames of points [offset, offset + limit) of the blocks."""
        where = [BLOCKS.c.begin_ts >= begin_ts, BLOCKS.c.begin_ts < end_ts]
        if scopes:
            where.append(BLOCKS.c.scope_id.in_([_text(v) for v in scopes]))
        wanted = []   # (block id, first point, end point)
        position = 0
        stop = None if limit is None else offset + limit
        select = sa.select(BLOCKS.c.id, BLOCKS.c.count).where(
            *where).order_by(BLOCKS.c.begin_ts, BLOCKS.c.id)
        if stop is not None:
            # A block holds at least one point; drivers may buffer results.
            select = select.limit(stop)
        for block_id, count in conn.execute(select):
            if position + count > offset:
                wanted.append((block_id, max(0, offset - position),
                               count if stop is None
                               else min(count, stop - position)))
            position += count
            if stop is not None and position >= stop:
                break
        frames = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            rows = {row.id: row for row in conn.execute(sa.select(
                BLOCKS.c.id, BLOCKS.c.begin_ts, BLOCKS.c.end_ts,
                sa.type_coerce(BLOCKS.c.points, sa.Text).label('points'))
                .where(BLOCKS.c.id.in_([w[0] for w in chunk])))}
            for block_id, first, last in chunk:
                row = rows[block_id]
                key = (row.begin_ts, row.end_ts)
                frame = frames.get(key)
                if frame is None:
                    frame = frames[key] = dataframe.DataFrame(
                        _local(row.begin_ts), _local(row.end_ts))
                for point in _loads(row.points)[first:last]:
                    frame.add_point(dataframe.DataPoint(
                        point[1], _clean(CTX.create_decimal(point[2])),
                        _clean(CTX.create_decimal(point[3])), point[4],
                        point[5]), point[0])
        return [frames[key] for key in sorted(frames)]

    @staticmethod
    def _frames(rows):
        frames = {}
        for row in rows:
            key = (row.begin_ts, row.end_ts)
            frame = frames.get(key)
            if frame is None:
                frame = frames[key] = dataframe.DataFrame(
                    _local(row.begin_ts), _local(row.end_ts))
            frame.add_point(dataframe.DataPoint(
                row.unit, _clean(row.qty), _clean(row.price),
                _loads(row.gb), _loads(row.md)), row.type)
        return [frames[key] for key in sorted(frames)]

    def total(self, groupby=None, begin=None, end=None, metric_types=None,
              filters=None, custom_fields=None, offset=0, limit=1000,
              paginate=True):
        begin, end = self._default_bounds(begin, end)
        begin_ts, end_ts = _epoch(begin), _epoch(end)
        groupby = self.parse_groupby_syntax_to_groupby_elements(
            list(groupby or []))
        time_grouped = 'time' in groupby
        keys = []
        for key in groupby:
            if key != 'time' and key not in keys:
                keys.append(_check_key(key))
        filters = storage_v2.normalize_filters(filters)
        for key in filters:
            _check_key(key)
        metric_types = storage_v2.as_list(metric_types)
        aggregates = parse_custom_fields(custom_fields)
        engine = _engine()
        query = self._query(engine)
        if query.can_use_rollups(keys, filters, aggregates):
            with engine.connect() as conn:
                groups = self._rollup_groups(
                    conn, query, keys, filters, metric_types, begin_ts,
                    end_ts, time_grouped)
            items = sorted(groups.items())
            total = len(items)
            if paginate:
                items = items[offset:offset + limit]
            rows = []
            for key, (count, qty, price) in items:
                values = {'count': count, 'qty': qty, 'price': price}
                row = {'g%d' % i: key[i] for i in range(len(keys))}
                if time_grouped:
                    row['begin_ts'], row['end_ts'] = key[-2:]
                for i, (func, field, _) in enumerate(aggregates):
                    row['a%d' % i] = values[
                        'count' if func == 'count' else field]
                rows.append(row)
        else:
            rows, total = self._raw_total(
                engine, query, keys, filters, metric_types, aggregates,
                begin_ts, end_ts, time_grouped, offset, limit, paginate)
        results = []
        for row in rows:
            if time_grouped:
                result = {'begin': _local(row['begin_ts']),
                          'end': _local(row['end_ts'])}
            else:
                result = {'begin': begin, 'end': end}
            for i, (func, _, alias) in enumerate(aggregates):
                value = row['a%d' % i]
                if func == 'count':
                    result[alias] = int(value or 0)
                else:
                    result[alias] = _clean(value)
            for i, key in enumerate(keys):
                value = row['g%d' % i]
                result[key] = '' if value is None else value
            results.append(result)
        return {'total': int(total), 'results': results}

    @staticmethod
    def _raw_total(engine, query, keys, filters, metric_types, aggregates,
                   begin_ts, end_ts, time_grouped, offset, limit, paginate):
        """Group and aggregate the points themselves, in SQL."""
        src = query.points
        group_by = [src.attr(k) for k in keys]
        if time_grouped:
            group_by += [src.begin_ts, src.end_ts]
        columns = [expr.label('g%d' % i) for i, expr in enumerate(
            group_by[:len(keys)])]
        if time_grouped:
            columns += [src.begin_ts.label('begin_ts'),
                        src.end_ts.label('end_ts')]
        for i, (func, field, alias) in enumerate(aggregates):
            column = src.qty if field == 'qty' else src.price
            columns.append(query.aggregate(func, column, False)
                           .label('a%d' % i))
        where = query.conditions(filters, metric_types, False)
        where += [src.begin_ts >= begin_ts, src.begin_ts < end_ts]
        select = sa.select(*columns).select_from(src.from_).where(*where)
        if group_by:
            select = select.group_by(*group_by).order_by(*group_by)
        else:
            select = select.having(sa.func.count() > 0)
        with engine.connect() as conn:
            if paginate:
                counted = select.add_columns(
                    sa.func.count().over().label('ck_total'))
                rows = conn.execute(
                    counted.limit(limit).offset(offset)).all()
                if rows:
                    total = rows[0].ck_total
                else:
                    total = conn.execute(
                        sa.select(sa.func.count()).select_from(
                            select.subquery())).scalar() or 0
            else:
                rows = conn.execute(select).all()
                total = len(rows)
        return [row._mapping for row in rows], total

    def get_tenants(self, begin=None, end=None):
        """Distinct scope ids with rated data starting in [begin, end)."""
        begin, end = self._default_bounds(begin, end)
        if begin >= end:
            return []
        engine = _engine()
        ranges = _rollup_ranges(_epoch(begin), _epoch(end), False, True)
        coarse = [r for r in ranges if r[0] != models.KIND_PERIOD]
        fine = [sa.and_(BLOCKS.c.begin_ts >= lo, BLOCKS.c.begin_ts < hi)
                for kind, lo, hi in ranges if kind == models.KIND_PERIOD]
        scopes = set()
        with engine.connect() as conn:
            if coarse:
                scopes.update(conn.execute(sa.select(
                    ROLLUPS.c.scope_id).where(
                        _rollup_window(coarse)).distinct()).scalars())
            if fine:
                scopes.update(conn.execute(sa.select(
                    BLOCKS.c.scope_id).where(
                        sa.or_(*fine)).distinct()).scalars())
        scopes.discard('')
        return sorted(scopes)
