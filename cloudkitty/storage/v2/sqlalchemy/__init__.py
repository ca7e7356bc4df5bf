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
import collections
import contextlib
import csv
import datetime
import decimal
import io
import json
import os
import re
import threading
import types

from oslo_log import log as logging
import sqlalchemy as sa

try:
    import orjson
except ImportError:  # pragma: no cover - optional speed-up
    orjson = None

from cloudkitty import dataframe
from cloudkitty import db
from cloudkitty.db import migration
from cloudkitty.storage import v2 as storage_v2
from cloudkitty.storage.v2.sqlalchemy import models
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)

POINTS = models.points
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


def get_chain():
    """The migration chain of this backend."""
    return _CHAIN


# -- exact aggregates on SQLite ---------------------------------------------

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


_SQLITE_AGGREGATES = {'ck_dsum': _DSum, 'ck_dmin': _DMin, 'ck_dmax': _DMax,
                      'ck_davg': _DAvg}
_ENGINES = {}
_ENGINE_LOCK = threading.Lock()


def _forget_engines():
    # A forked child must not share the parent's SQLite connections.
    for key, engine in list(_ENGINES.items()):
        if isinstance(key, str):
            engine.dispose(close=False)
    _ENGINES.clear()


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_forget_engines)


def _add_aggregates(dbapi_connection, record, *args):
    if not record.info.get('ck_aggregates'):
        for name, klass in _SQLITE_AGGREGATES.items():
            dbapi_connection.create_aggregate(name, 1, klass)
        record.info['ck_aggregates'] = True


def _sqlite_connect(dbapi_connection, record):
    cursor = dbapi_connection.cursor()
    # Same settings as cloudkitty.db: the API and the processor share the
    # file; WAL lets readers go on during writes.
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA busy_timeout=30000')
    cursor.execute('PRAGMA synchronous=NORMAL')
    # Pushes insert into several indexes at once: keep their pages cached
    # (the default cache is 2 MiB).
    cursor.execute('PRAGMA cache_size=-131072')
    cursor.execute('PRAGMA temp_store=MEMORY')
    cursor.close()
    # Let SQLAlchemy's transaction begin; BEGIN IMMEDIATE is ours.
    dbapi_connection.isolation_level = None
    for name, klass in _SQLITE_AGGREGATES.items():
        dbapi_connection.create_aggregate(name, 1, klass)


def _engine():
    """The engine for rated data.

    MariaDB and PostgreSQL use the shared oslo.db engine. On SQLite,
    oslo.db opens and closes a connection per transaction (NullPool), and
    closing the last connection checkpoints the WAL: tens of milliseconds
    per push. Rated data gets its own pooled engine on the same file.
    """
    engine = db.get_engine()
    if engine.dialect.name != 'sqlite':
        return engine
    if engine.url.database in (None, '', ':memory:'):
        # One shared in-memory connection: keep oslo.db's engine.
        if id(engine) not in _ENGINES:
            with _ENGINE_LOCK:
                sa.event.listen(engine, 'checkout', _add_aggregates)
                _ENGINES[id(engine)] = engine
        return engine
    url = engine.url.render_as_string(hide_password=False)
    own = _ENGINES.get(url)
    if own is None:
        with _ENGINE_LOCK:
            own = _ENGINES.get(url)
            if own is None:
                own = sa.create_engine(url, poolclass=sa.pool.QueuePool,
                                       pool_size=5, max_overflow=10)
                sa.event.listen(own, 'connect', _sqlite_connect)
                _ENGINES[url] = own
    return own


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


def _exact_text(cache, value):
    """``models.exact_text(value)``, remembered in ``cache``."""
    result = models.exact_text(value)
    try:
        cache[value] = result
    except TypeError:   # a signaling NaN cannot be hashed
        pass
    return result


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


class _Query(object):
    """Translate filters, group-by and aggregates for one dialect."""

    def __init__(self, dialect, scope_key):
        self.dialect = dialect
        self.scope_key = scope_key
        self.rollup_keys = {'type': 'type', scope_key: 'scope_id'}
        for key in models.TIME_KEYS:
            self.rollup_keys.setdefault(key, key)

    # Attribute expressions.
    def _json_text(self, column, key):
        quoted = key.replace("'", "''")
        if self.dialect == 'postgresql':
            return sa.literal_column(
                '%s ->> \'%s\'' % (column, quoted), sa.Text)
        path = '\'$."%s"\'' % quoted
        if self.dialect == 'mysql':
            return sa.literal_column(
                'JSON_UNQUOTE(JSON_EXTRACT(%s, %s))' % (column, path),
                sa.Text)
        return sa.literal_column(
            'CAST(json_extract(%s, %s) AS TEXT)' % (column, path), sa.Text)

    def point_attr(self, key):
        if key == 'type':
            return POINTS.c.type
        if key == self.scope_key:
            return POINTS.c.scope_id
        _check_key(key)
        table = POINTS.name
        return sa.func.coalesce(
            self._json_text('%s.groupby' % table, key),
            self._json_text('%s.metadata' % table, key),
            sa.literal_column("''", sa.Text))

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
        attr = self.rollup_attr if rollup else self.point_attr
        table = ROLLUPS if rollup else POINTS
        output = []
        if metric_types:
            output.append(self._in(table.c.type, metric_types))
        for key, values in filters.items():
            output.append(self._in(attr(key), values))
        return output


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


def _rollup_window(begin, end, time_grouped, months=False):
    """WHERE clause of the rollups of points starting in [begin, end)."""
    clauses = [sa.and_(ROLLUPS.c.kind == kind, ROLLUPS.c.begin_ts >= lo,
                       ROLLUPS.c.begin_ts < hi)
               for kind, lo, hi in _rollup_ranges(begin, end, time_grouped,
                                                  months)]
    return clauses[0] if len(clauses) == 1 else sa.or_(*clauses)


class _Deltas(object):
    """Changes of rollups: key -> [count, qty, price]."""

    # key: (begin_ts, end_ts, owner, scope_id, type, doy, woy, month, year)
    def __init__(self):
        self.period = collections.defaultdict(lambda: [0, ZERO, ZERO])
        self._points = {}

    def add(self, key, count, qty, price):
        self._flush()
        entry = self.period[key]
        entry[0] += count
        entry[1] = CTX.add(entry[1], qty)
        entry[2] = CTX.add(entry[2], price)

    def add_point(self, key, qty, price):
        """Add one point; summed in bulk by ``_flush``."""
        entry = self._points.get(key)
        if entry is None:
            self._points[key] = [[qty], [price]]
        else:
            entry[0].append(qty)
            entry[1].append(price)

    def _flush(self):
        if not self._points:
            return
        with decimal.localcontext(CTX):
            for key, (qtys, prices) in self._points.items():
                entry = self.period[key]
                entry[0] += len(qtys)
                entry[1] = sum(qtys, entry[1])
                entry[2] = sum(prices, entry[2])
        self._points = {}

    def changes(self):
        self._flush()
        return self.period

    def days(self):
        return self._coarser(lambda ts: ts // models.DAY * models.DAY,
                             lambda ts: ts + models.DAY, False)

    def months(self):
        # Month rollups do not keep the time attributes.
        return self._coarser(lambda ts: _month_start(ts, False),
                             _next_month, True)

    def _coarser(self, start_of, end_of, blank_time):
        # One pass, plain dict and lists: this runs over every period key
        # of a push, twice.
        acc = {}
        bounds = {}
        blank = ('',) * len(models.TIME_KEYS)
        for key, (count, qty, price) in self.changes().items():
            span = bounds.get(key[0])
            if span is None:
                start = start_of(key[0])
                span = bounds[key[0]] = (start, end_of(start))
            new_key = span + (key[2:5] + blank if blank_time else key[2:])
            entry = acc.get(new_key)
            if entry is None:
                acc[new_key] = [count, [qty], [price]]
            else:
                entry[0] += count
                entry[1].append(qty)
                entry[2].append(price)
        output = collections.defaultdict(lambda: [0, ZERO, ZERO])
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


def _bulk_update_rollups(conn, rows):
    """Set (count, qty, price) of rollup rows: rows of (id, c, q, p)."""
    if not rows:
        return
    dialect = conn.dialect
    table = dialect.identifier_preparer.quote(ROLLUPS.name)
    if dialect.name == 'postgresql':
        from psycopg2 import extras
        cursor = conn.connection.cursor()
        try:
            extras.execute_values(
                cursor, 'UPDATE %s AS r SET count = v.c, qty = v.q, '
                'price = v.p FROM (VALUES %%s) AS v(id, c, q, p) '
                'WHERE r.id = v.id' % table, rows,
                template='(%s::bigint, %s::bigint, %s::numeric, '
                         '%s::numeric)', page_size=2000)
        finally:
            cursor.close()
        return
    marker = '?' if dialect.paramstyle == 'qmark' else '%s'
    sql = 'UPDATE %s SET count = %s, qty = %s, price = %s WHERE id = %s' % (
        table, marker, marker, marker, marker)
    conn.exec_driver_sql(sql, [(c, q, p, i) for i, c, q, p in rows])


_Rollup = collections.namedtuple(
    '_Rollup', ['id', 'key', 'owner', 'type', 'begin_ts', 'count', 'qty',
                'price'])
_SELECT_ROLLUPS = {}


def _select_rollups(conn, kind, owners, lo, hi):
    """Rollups of ``kind`` of ``owners`` with begin_ts in [lo, hi].

    Plain SQL: this runs for every push, where building SQLAlchemy
    statements costs more than the query.
    """
    dialect = conn.dialect
    marker = '?' if dialect.paramstyle == 'qmark' else '%s'
    sql_key = (dialect.name, len(owners))
    sql = _SELECT_ROLLUPS.get(sql_key)
    if sql is None:
        quote = dialect.identifier_preparer.quote
        columns = ('id',) + _ROLLUP_KEY_COLUMNS + ('count', 'qty', 'price')
        sql = _SELECT_ROLLUPS[sql_key] = (
            'SELECT %s FROM %s WHERE %s = %s AND %s IN (%s) AND %s >= %s '
            'AND %s <= %s' % (
                ', '.join(quote(c) for c in columns), quote(ROLLUPS.name),
                quote('kind'), marker, quote('owner'),
                ', '.join([marker] * len(owners)), quote('begin_ts'), marker,
                quote('begin_ts'), marker))
    result = conn.exec_driver_sql(sql, tuple([kind] + list(owners)
                                             + [lo, hi]))
    size = len(_ROLLUP_KEY_COLUMNS)
    output = []
    for row in result:
        key = tuple(row[1:1 + size])
        qty, price = row[size + 2], row[size + 3]
        if not isinstance(qty, decimal.Decimal):
            qty = CTX.create_decimal(str(qty))
            price = CTX.create_decimal(str(price))
        output.append(_Rollup(row[0], key, key[2], key[4], key[0],
                              row[size + 1], qty, price))
    return output


_ROLLUP_KEY_COLUMNS = ('begin_ts', 'end_ts', 'owner', 'scope_id', 'type') + \
    models.TIME_KEYS


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

    @staticmethod
    @contextlib.contextmanager
    def _write(engine):
        """A connection in a transaction, committed on success."""
        with engine.connect() as conn:
            if conn.dialect.name == 'sqlite':
                # oslo.db's engine (in-memory databases) emits its own BEGIN
                # unless this marker is set.
                conn.info['in_transaction'] = True
            conn.begin()
            if conn.dialect.name == 'sqlite':
                # Take the write lock first: a deferred transaction that
                # reads then writes fails at once when another writer went
                # first.
                conn.exec_driver_sql('BEGIN IMMEDIATE')
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    # -- writes -----------------------------------------------------------
    def push(self, dataframes, scope_id=None):
        """Store frames, replacing what the scope stored for their periods.

        See the module documentation.
        """
        if not dataframes:
            return
        engine = _engine()
        scope_key = self._scope_key()
        sqlite = engine.dialect.name == 'sqlite'
        owner_arg = None if scope_id is None else str(scope_id)
        rows = []
        deltas = _Deltas()
        replaced = []   # (begin, end, owners or None, [(owner, type)])
        time_keys = models.TIME_KEYS
        add_row = rows.append
        points_acc = deltas._points
        # What was derived from group-by and metadata mappings already seen
        # in this push: a resource repeats them for each of its metrics.
        encoded = {}
        by_groupby = {}
        texts = {}
        # The loop below runs once per point: locals and C-level helpers
        # only (it bounds the load rate).
        for frame in dataframes:
            begin, end = _epoch(frame.start), _epoch(frame.end)
            pairs = set()
            for type_, points in frame.itertypes():
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
                    owner = scope if owner_arg is None else owner_arg
                    # Equal decimals share one entry: the stored text may
                    # differ in trailing zeros only, never in value.
                    try:
                        qty, qty_text = texts[point.qty]
                    except (KeyError, TypeError):
                        qty, qty_text = _exact_text(texts, point.qty)
                    try:
                        price, price_text = texts[point.price]
                    except (KeyError, TypeError):
                        price, price_text = _exact_text(texts, point.price)
                    try:
                        meta_json = encoded[tuple(meta.items())]
                    except (KeyError, TypeError):
                        meta_json = _encode(encoded, meta)
                    if sqlite:
                        add_row((begin, end, owner, scope, type_, point.unit,
                                 qty_text, price_text, groupby_json,
                                 meta_json))
                    else:
                        add_row((begin, end, owner, scope, type_, point.unit,
                                 qty, price, groupby_json, meta_json))
                    key = (begin, end, owner, scope, type_) + attrs
                    entry = points_acc.get(key)
                    if entry is None:
                        points_acc[key] = [[qty], [price]]
                    else:
                        entry[0].append(qty)
                        entry[1].append(price)
                    if owner_arg is None:
                        pairs.add((owner, type_))
            if owner_arg is not None:
                replaced.append((begin, end, owner_arg, None))
            elif pairs:
                replaced.append((begin, end, None, pairs))
        with self._write(engine) as conn:
            self._replace(conn, deltas, replaced)
            self._insert_points(conn, rows)
            self._apply_deltas(conn, deltas)

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
        # frame index -> (owner, type, scope) of the stored points
        matched = collections.defaultdict(set)
        for start in range(0, len(owners), _CHUNK):
            result = _select_rollups(conn, models.KIND_PERIOD,
                                     owners[start:start + _CHUNK], lo, hi - 1)
            for row in result:
                pair = (row.owner, row.type)
                for index, (begin, end, owner, pairs) in enumerate(replaced):
                    if not begin <= row.begin_ts < end:
                        continue
                    if owner == row.owner or (
                            owner is None and pair in pairs):
                        matched[index].add(pair + (row.key[3],))
                        deltas.add(row.key, -row.count, -row.qty,
                                   -row.price)
                        break
        # The scope ids (from the rollups, exact) let the deletes use the
        # (scope_id, begin_ts) index: points need no index on owner, which
        # would cost every insert.
        for index, triples in matched.items():
            begin, end, owner, _ = replaced[index]
            cond = [POINTS.c.begin_ts >= begin, POINTS.c.begin_ts < end]
            if owner is not None:
                conn.execute(POINTS.delete().where(
                    POINTS.c.scope_id.in_(sorted({t[2] for t in triples})),
                    POINTS.c.owner == owner, *cond))
                continue
            by_owner = collections.defaultdict(lambda: (set(), set()))
            for row_owner, type_, scope in triples:
                by_owner[row_owner][0].add(type_)
                by_owner[row_owner][1].add(scope)
            for row_owner, (row_types, scopes) in by_owner.items():
                conn.execute(POINTS.delete().where(
                    POINTS.c.scope_id.in_(sorted(scopes)),
                    POINTS.c.owner == row_owner,
                    POINTS.c.type.in_(sorted(row_types)), *cond))

    @staticmethod
    def _insert_points(conn, rows):
        _bulk_insert(conn, POINTS.name, (
            'begin_ts', 'end_ts', 'owner', 'scope_id', 'type', 'unit', 'qty',
            'price', 'groupby', 'metadata'), rows)

    def _apply_deltas(self, conn, deltas):
        """Add the deltas to the period and day rollups.

        Rows whose count reaches 0 are removed.
        """
        if not deltas.changes():
            return
        dec = _decimal_param(conn.dialect)
        for kind, changes in ((models.KIND_PERIOD, deltas.changes()),
                              (models.KIND_DAY, deltas.days()),
                              (models.KIND_MONTH, deltas.months())):
            changes = {k: v for k, v in changes.items() if v[0] or v[1]
                       or v[2]}
            if not changes:
                continue
            owners = sorted({k[2] for k in changes})
            lo = min(k[0] for k in changes)
            hi = max(k[0] for k in changes)
            existing = {}
            for start in range(0, len(owners), _CHUNK):
                result = _select_rollups(conn, kind,
                                         owners[start:start + _CHUNK], lo, hi)
                for row in result:
                    existing[row.key] = row
            inserts, updates, deletes = [], [], []
            for key, (count, qty, price) in changes.items():
                row = existing.get(key)
                if row is not None:
                    count += row.count
                    qty = CTX.add(qty, row.qty)
                    price = CTX.add(price, row.price)
                    if count <= 0:
                        deletes.append(row.id)
                    else:
                        updates.append((row.id, count, dec(qty),
                                        dec(price)))
                elif count > 0:
                    inserts.append((kind,) + key + (count, dec(qty),
                                                    dec(price)))
                else:
                    LOG.warning('Rollups of %s are missing a row for %s',
                                ROLLUPS.name, key)
            for start in range(0, len(deletes), _CHUNK):
                conn.execute(ROLLUPS.delete().where(
                    ROLLUPS.c.id.in_(deletes[start:start + _CHUNK])))
            _bulk_update_rollups(conn, updates)
            _bulk_insert(conn, ROLLUPS.name, ('kind',) + _ROLLUP_KEY_COLUMNS
                         + ('count', 'qty', 'price'), inserts)

    def delete(self, begin=None, end=None, filters=None):
        """Delete the points starting in [begin, end) matching every filter.

        A None bound is open; rollups follow in the same transaction.
        """
        engine = _engine()
        query = self._query(engine)
        filters = storage_v2.normalize_filters(filters)
        begin_ts = None if begin is None else _epoch(begin)
        end_ts = None if end is None else _epoch(end)
        rollup = query.can_use_rollups((), filters, ())
        deltas = _Deltas()
        with self._write(engine) as conn:
            if rollup:
                # The period rollups are exactly the sums to remove.
                where = query.conditions(filters, (), True)
                where.append(ROLLUPS.c.kind == models.KIND_PERIOD)
                if begin_ts is not None:
                    where.append(ROLLUPS.c.begin_ts >= begin_ts)
                if end_ts is not None:
                    where.append(ROLLUPS.c.begin_ts < end_ts)
                result = conn.execute(
                    sa.select(*[ROLLUPS.c[c] for c in _ROLLUP_KEY_COLUMNS],
                              ROLLUPS.c.count, ROLLUPS.c.qty,
                              ROLLUPS.c.price).where(*where))
                for row in result:
                    deltas.add(tuple(row[:len(_ROLLUP_KEY_COLUMNS)]),
                               -row.count, -row.qty, -row.price)
            where = query.conditions(filters, (), False)
            if begin_ts is not None:
                where.append(POINTS.c.begin_ts >= begin_ts)
            if end_ts is not None:
                where.append(POINTS.c.begin_ts < end_ts)
            if not rollup:
                result = conn.execute(
                    sa.select(POINTS.c.begin_ts, POINTS.c.end_ts,
                              POINTS.c.owner, POINTS.c.scope_id,
                              POINTS.c.type, POINTS.c.qty, POINTS.c.price,
                              POINTS.c.groupby, POINTS.c.metadata)
                    .where(*where))
                for row in result:
                    groupby, meta = row.groupby or {}, row.metadata or {}
                    key = (row.begin_ts, row.end_ts, row.owner, row.scope_id,
                           row.type) + tuple(
                               _text(groupby[k] if k in groupby
                                     else meta.get(k))
                               for k in models.TIME_KEYS)
                    deltas.add(key, -1, -row.qty, -row.price)
            conn.execute(POINTS.delete().where(*where))
            self._apply_deltas(conn, deltas)

    # -- reads ------------------------------------------------------------
    def retrieve(self, begin=None, end=None, filters=None, metric_types=None,
                 offset=0, limit=1000, paginate=True):
        begin, end = self._default_bounds(begin, end)
        begin_ts, end_ts = _epoch(begin), _epoch(end)
        filters = storage_v2.normalize_filters(filters)
        metric_types = storage_v2.as_list(metric_types)
        engine = _engine()
        query = self._query(engine)
        with engine.connect() as conn:
            if query.can_use_rollups((), filters, ()):
                where = query.conditions(filters, metric_types, True)
                where.append(_rollup_window(
                    begin_ts, end_ts, False,
                    query.can_use_months((), filters)))
                total = conn.execute(sa.select(
                    sa.func.sum(ROLLUPS.c.count)).where(*where)).scalar()
            else:
                where = query.conditions(filters, metric_types, False)
                where += [POINTS.c.begin_ts >= begin_ts,
                          POINTS.c.begin_ts < end_ts]
                total = conn.execute(sa.select(sa.func.count()).select_from(
                    POINTS).where(*where)).scalar()
            total = int(total or 0)
            frames = []
            if total and (not paginate or offset < total):
                where = query.conditions(filters, metric_types, False)
                where += [POINTS.c.begin_ts >= begin_ts,
                          POINTS.c.begin_ts < end_ts]
                select = sa.select(
                    POINTS.c.begin_ts, POINTS.c.end_ts, POINTS.c.type,
                    POINTS.c.unit, POINTS.c.qty, POINTS.c.price,
                    # Raw JSON text, decoded by _loads (faster).
                    sa.type_coerce(POINTS.c.groupby, sa.Text).label('gb'),
                    sa.type_coerce(POINTS.c.metadata, sa.Text).label('md'),
                ).where(*where).order_by(POINTS.c.begin_ts, POINTS.c.id)
                if paginate:
                    select = select.limit(limit).offset(offset)
                frames = self._frames(conn.execute(select))
        return {'total': total, 'dataframes': frames}

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
        rollup = query.can_use_rollups(keys, filters, aggregates)
        table = ROLLUPS if rollup else POINTS
        attr = query.rollup_attr if rollup else query.point_attr

        group_exprs = [attr(k).label('g%d' % i) for i, k in enumerate(keys)]
        columns = list(group_exprs)
        if time_grouped:
            columns += [table.c.begin_ts, table.c.end_ts]
        for i, (func, field, alias) in enumerate(aggregates):
            columns.append(query.aggregate(func, table.c[field], rollup)
                           .label('a%d' % i))
        where = query.conditions(filters, metric_types, rollup)
        if rollup:
            where.append(_rollup_window(
                begin_ts, end_ts, time_grouped,
                query.can_use_months(keys, filters)))
        else:
            where += [POINTS.c.begin_ts >= begin_ts,
                      POINTS.c.begin_ts < end_ts]
        group_by = [attr(k) for k in keys]
        if time_grouped:
            group_by += [table.c.begin_ts, table.c.end_ts]
        select = sa.select(*columns).where(*where)
        if group_by:
            select = select.group_by(*group_by)
            select = select.order_by(*group_by)
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
        results = []
        for row in rows:
            if time_grouped:
                result = {'begin': _local(row.begin_ts),
                          'end': _local(row.end_ts)}
            else:
                result = {'begin': begin, 'end': end}
            for i, (func, _, alias) in enumerate(aggregates):
                value = row._mapping['a%d' % i]
                if func == 'count':
                    result[alias] = int(value or 0)
                else:
                    result[alias] = _clean(value)
            for i, key in enumerate(keys):
                value = row._mapping['g%d' % i]
                result[key] = '' if value is None else value
            results.append(result)
        return {'total': int(total), 'results': results}

    def get_tenants(self, begin=None, end=None):
        """Distinct scope ids with rated data starting in [begin, end)."""
        begin, end = self._default_bounds(begin, end)
        if begin >= end:
            return []
        engine = _engine()
        select = sa.select(ROLLUPS.c.scope_id).where(
            _rollup_window(_epoch(begin), _epoch(end), False, True),
            ROLLUPS.c.scope_id != '').group_by(
                ROLLUPS.c.scope_id).order_by(ROLLUPS.c.scope_id)
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(select)]
