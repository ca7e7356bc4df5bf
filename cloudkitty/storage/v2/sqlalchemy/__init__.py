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
import datetime
import decimal
import json
import os
import re
import threading

from oslo_log import log as logging
import sqlalchemy as sa

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
    """Exact aggregate over decimal text (SQLite has no decimal type)."""

    def __init__(self):
        self.count = 0
        self.value = None

    def step(self, value):
        if value is None:
            return
        value = CTX.create_decimal(value if isinstance(value, str)
                                   else str(value))
        self.count += 1
        self.value = value if self.value is None else self.combine(value)

    def result(self):
        return self.value

    def finalize(self):
        result = self.result()
        return None if result is None else format(result, 'f')


class _DSum(_DecimalAggregate):
    def combine(self, value):
        return CTX.add(self.value, value)


class _DMin(_DecimalAggregate):
    def combine(self, value):
        return min(self.value, value)


class _DMax(_DecimalAggregate):
    def combine(self, value):
        return max(self.value, value)


class _DAvg(_DSum):
    def result(self):
        if self.value is None:
            return None
        return CTX.divide(self.value, self.count)


_SQLITE_AGGREGATES = {'ck_dsum': _DSum, 'ck_dmin': _DMin, 'ck_dmax': _DMax,
                      'ck_davg': _DAvg}
_ENGINES = {}
_ENGINE_LOCK = threading.Lock()


def _forget_engines():
    # A forked child must not share the parent's SQLite connections.
    for engine in list(_ENGINES.values()):
        engine.dispose(close=False)
    _ENGINES.clear()


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_forget_engines)


def _sqlite_connect(dbapi_connection, record):
    cursor = dbapi_connection.cursor()
    # Same settings as cloudkitty.db: the API and the processor share the
    # file; WAL lets readers go on during writes.
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA busy_timeout=30000')
    cursor.execute('PRAGMA synchronous=NORMAL')
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


def _dumps(mapping):
    return json.dumps(dict(mapping), default=_json_default)


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


def _rollup_window(begin, end, time_grouped):
    """WHERE clause of the rollups of points starting in [begin, end).

    Whole UTC days come from day rollups, the rest from period rollups.
    """
    period = sa.and_(ROLLUPS.c.kind == models.KIND_PERIOD,
                     ROLLUPS.c.begin_ts >= begin, ROLLUPS.c.begin_ts < end)
    if time_grouped:
        return period
    day_lo = -(-begin // models.DAY) * models.DAY
    day_hi = end // models.DAY * models.DAY
    if day_lo >= day_hi:
        return period
    days = sa.and_(ROLLUPS.c.kind == models.KIND_DAY,
                   ROLLUPS.c.begin_ts >= day_lo, ROLLUPS.c.begin_ts < day_hi)
    edges = []
    if begin < day_lo:
        edges.append(sa.and_(ROLLUPS.c.begin_ts >= begin,
                             ROLLUPS.c.begin_ts < day_lo))
    if day_hi < end:
        edges.append(sa.and_(ROLLUPS.c.begin_ts >= day_hi,
                             ROLLUPS.c.begin_ts < end))
    if not edges:
        return days
    return sa.or_(days, sa.and_(ROLLUPS.c.kind == models.KIND_PERIOD,
                                sa.or_(*edges)))


class _Deltas(object):
    """Changes of rollups: key -> [count, qty, price]."""

    # key: (begin_ts, end_ts, owner, scope_id, type, doy, woy, month, year)
    def __init__(self):
        self.period = collections.defaultdict(lambda: [0, ZERO, ZERO])

    def add(self, key, count, qty, price):
        entry = self.period[key]
        entry[0] += count
        entry[1] = CTX.add(entry[1], qty)
        entry[2] = CTX.add(entry[2], price)

    def days(self):
        output = collections.defaultdict(lambda: [0, ZERO, ZERO])
        for key, (count, qty, price) in self.period.items():
            day = key[0] // models.DAY * models.DAY
            entry = output[(day, day + models.DAY) + key[2:]]
            entry[0] += count
            entry[1] = CTX.add(entry[1], qty)
            entry[2] = CTX.add(entry[2], price)
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
        for frame in dataframes:
            begin, end = _epoch(frame.start), _epoch(frame.end)
            pairs = set()
            for type_, point in frame.iterpoints():
                scope = _text(_attr(point, scope_key))
                owner = owner_arg if owner_arg is not None else scope
                qty = models.exact(point.qty)
                price = models.exact(point.price)
                rows.append((
                    begin, end, owner, scope, type_, point.unit,
                    format(qty, 'f') if sqlite else qty,
                    format(price, 'f') if sqlite else price,
                    _dumps(point.groupby), _dumps(point.metadata)))
                key = (begin, end, owner, scope, type_) + tuple(
                    _text(_attr(point, k)) for k in models.TIME_KEYS)
                deltas.add(key, 1, qty, price)
                if owner_arg is None:
                    pairs.add((owner, type_))
            if owner_arg is not None:
                replaced.append((begin, end, owner_arg, None))
            elif pairs:
                replaced.append((begin, end, None, pairs))
        with self._write(engine) as conn:
            for begin, end, owner, pairs in replaced:
                self._replace(conn, deltas, begin, end, owner, pairs)
            self._insert_points(conn, rows)
            self._apply_deltas(conn, deltas)

    def _replace(self, conn, deltas, begin, end, owner, pairs):
        """Remove the points that the frame [begin, end) replaces.

        Their sums are subtracted from the rollups through ``deltas``.
        """
        where = [ROLLUPS.c.kind == models.KIND_PERIOD,
                 ROLLUPS.c.begin_ts >= begin, ROLLUPS.c.begin_ts < end]
        if owner is not None:
            owners = [owner]
            where.append(ROLLUPS.c.owner == owner)
        else:
            owners = sorted({o for o, _ in pairs})
            where.append(ROLLUPS.c.owner.in_(owners))
            where.append(ROLLUPS.c.type.in_(sorted({t for _, t in pairs})))
        old = conn.execute(
            sa.select(*[ROLLUPS.c[c] for c in _ROLLUP_KEY_COLUMNS],
                      ROLLUPS.c.count, ROLLUPS.c.qty, ROLLUPS.c.price)
            .where(*where)).all()
        if pairs is not None:
            old = [row for row in old if (row.owner, row.type) in pairs]
        if not old:
            return
        for row in old:
            deltas.add(tuple(row[:len(_ROLLUP_KEY_COLUMNS)]), -row.count,
                       -row.qty, -row.price)
        cond = [POINTS.c.begin_ts >= begin, POINTS.c.begin_ts < end]
        if owner is not None:
            conn.execute(POINTS.delete().where(POINTS.c.owner == owner,
                                               *cond))
            return
        by_owner = collections.defaultdict(set)
        for row in old:
            by_owner[row.owner].add(row.type)
        for row_owner, types in by_owner.items():
            conn.execute(POINTS.delete().where(
                POINTS.c.owner == row_owner,
                POINTS.c.type.in_(sorted(types)), *cond))

    @staticmethod
    def _insert_points(conn, rows):
        if not rows:
            return
        dialect = conn.dialect
        columns = ('begin_ts', 'end_ts', 'owner', 'scope_id', 'type', 'unit',
                   'qty', 'price', 'groupby', 'metadata')
        quote = dialect.identifier_preparer.quote
        names = ', '.join(quote(c) for c in columns)
        table = quote(POINTS.name)
        if dialect.name == 'postgresql':
            from psycopg2 import extras
            cursor = conn.connection.cursor()
            try:
                extras.execute_values(
                    cursor, 'INSERT INTO %s (%s) VALUES %%s' % (table, names),
                    rows, page_size=2000)
            finally:
                cursor.close()
            return
        marker = '?' if dialect.paramstyle == 'qmark' else '%s'
        sql = 'INSERT INTO %s (%s) VALUES (%s)' % (
            table, names, ', '.join([marker] * len(columns)))
        for start in range(0, len(rows), 5000):
            conn.exec_driver_sql(sql, rows[start:start + 5000])

    def _apply_deltas(self, conn, deltas):
        """Add the deltas to the period and day rollups.

        Rows whose count reaches 0 are removed.
        """
        if not deltas.period:
            return
        for kind, changes in ((models.KIND_PERIOD, deltas.period),
                              (models.KIND_DAY, deltas.days())):
            changes = {k: v for k, v in changes.items() if v[0] or v[1]
                       or v[2]}
            if not changes:
                continue
            owners = sorted({k[2] for k in changes})
            lo = min(k[0] for k in changes)
            hi = max(k[0] for k in changes)
            existing = {}
            for start in range(0, len(owners), _CHUNK):
                result = conn.execute(
                    sa.select(ROLLUPS.c.id,
                              *[ROLLUPS.c[c] for c in _ROLLUP_KEY_COLUMNS],
                              ROLLUPS.c.count, ROLLUPS.c.qty,
                              ROLLUPS.c.price)
                    .where(ROLLUPS.c.kind == kind,
                           ROLLUPS.c.owner.in_(owners[start:start + _CHUNK]),
                           ROLLUPS.c.begin_ts >= lo,
                           ROLLUPS.c.begin_ts <= hi))
                for row in result:
                    existing[tuple(row[1:1 + len(_ROLLUP_KEY_COLUMNS)])] = row
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
                        updates.append({'rid': row.id, 'c': count, 'q': qty,
                                        'p': price})
                elif count > 0:
                    values = dict(zip(_ROLLUP_KEY_COLUMNS, key))
                    values.update(kind=kind, count=count, qty=qty,
                                  price=price)
                    inserts.append(values)
                else:
                    LOG.warning('Rollups of %s are missing a row for %s',
                                ROLLUPS.name, key)
            for start in range(0, len(deletes), _CHUNK):
                conn.execute(ROLLUPS.delete().where(
                    ROLLUPS.c.id.in_(deletes[start:start + _CHUNK])))
            if updates:
                conn.execute(
                    ROLLUPS.update().where(ROLLUPS.c.id == sa.bindparam('rid'))
                    .values(count=sa.bindparam('c'), qty=sa.bindparam('q'),
                            price=sa.bindparam('p')), updates)
            if inserts:
                conn.execute(ROLLUPS.insert(), inserts)

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
                where.append(_rollup_window(begin_ts, end_ts, False))
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
                    POINTS.c.groupby, POINTS.c.metadata).where(
                        *where).order_by(POINTS.c.begin_ts, POINTS.c.id)
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
                row.groupby or {}, row.metadata or {}), row.type)
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
            where.append(_rollup_window(begin_ts, end_ts, time_grouped))
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
            _rollup_window(_epoch(begin), _epoch(end), False),
            ROLLUPS.c.scope_id != '').group_by(
                ROLLUPS.c.scope_id).order_by(ROLLUPS.c.scope_id)
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(select)]
