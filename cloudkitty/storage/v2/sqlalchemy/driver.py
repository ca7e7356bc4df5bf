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
import functools

import sqlalchemy as sa

from cloudkitty import dataframe
from cloudkitty.db import migration
from cloudkitty.storage import v2 as storage_v2
from cloudkitty.storage.v2.sqlalchemy import arithmetic
from cloudkitty.storage.v2.sqlalchemy import bulk
from cloudkitty.storage.v2.sqlalchemy import codec
from cloudkitty.storage.v2.sqlalchemy import engine as sql_engine
from cloudkitty.storage.v2.sqlalchemy import layout
from cloudkitty.storage.v2.sqlalchemy import locks as sql_locks
from cloudkitty.storage.v2.sqlalchemy import models
from cloudkitty.storage.v2.sqlalchemy import packing
from cloudkitty.storage.v2.sqlalchemy import queries

BLOCKS = models.blocks
ROLLUPS = models.rollups
CTX = layout.DECIMAL_CONTEXT

_CHAIN = migration.AlembicChain(
    'storage_sqlalchemy_v2',
    migration.chain_dir(__file__),
    'storage_sqlalchemy_v2_alembic',
    models.metadata)

_CHUNK = 500
_TYPE = layout.POINT_TYPE
_UNIT = layout.POINT_UNIT
_QTY = layout.POINT_QTY
_PRICE = layout.POINT_PRICE
_GROUPBY = layout.POINT_GROUPBY
_METADATA = layout.POINT_METADATA

# Short module globals for the loops over points and rows.
_epoch = codec.epoch
_local = codec.local
_text = codec.text
_clean = codec.clean
_loads = codec.loads
_to_decimal = codec.to_decimal
_dumps_value = codec.dumps_value
_check_key = queries.check_key

# Names used by the rollups tool and the tests.
_engine = sql_engine.get_engine
_forget_engines = sql_engine.forget_engines
_lock_keys = sql_locks.lock_keys
DEFAULT_AGGREGATES = queries.DEFAULT_AGGREGATES
parse_custom_fields = queries.parse_custom_fields


def get_chain():
    """The migration chain of this backend."""
    return _CHAIN


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
        return queries.Query(engine.dialect.name, self._scope_key())

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
        rows, deltas, replaced, written = packing.pack(
            dataframes, self._scope_key(),
            None if scope_id is None else str(scope_id))

        def work(conn):
            attempt = deltas.copy()
            conn.info['ck_written'] = written
            self._replace(conn, attempt, replaced)
            bulk.bulk_insert(conn, BLOCKS.name, bulk.BLOCK_COLUMNS, rows)
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
        entries = arithmetic.point_entries(kept)
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
                    stored = {entry[layout.ENTRY_TYPE] for entry in entries}
                    if not types & stored:
                        break
                    if stored <= types:
                        deletes.append(row.id)
                        deltas.add_block(row.begin_ts, row.owner,
                                         row.scope_id, entries, -1)
                    else:
                        rewrites.append((row, functools.partial(
                            arithmetic.type_not_in, types)))
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
        dec = bulk.decimal_param(conn.dialect)
        digest = models.rollup_digest
        days = deltas.days()
        rows, shrunk = [], []
        for kind, changes in ((layout.KIND_DAY, days),
                              (layout.KIND_MONTH, deltas.months(days))):
            for key, (count, qty, price) in changes.items():
                if not (count or qty or price):
                    continue
                key_digest = digest(kind, key[0], *key[2:])
                rows.append((key_digest, kind) + key + (count, dec(qty),
                                                        dec(price)))
                if count < 0:
                    shrunk.append(key_digest)
        rows.sort()
        bulk.upsert_rollups(conn, rows)
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
        match = arithmetic.point_matcher(filters, scope_key)

        def work(conn):
            deltas = arithmetic.Deltas()
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
        ranges = arithmetic.rollup_ranges(
            begin_ts, end_ts, time_grouped,
            query.can_use_months(keys, filters))
        groups = {}
        coarse = [r for r in ranges if r[0] != layout.KIND_PERIOD]
        if coarse:
            columns = [query.rollup_attr(k) for k in keys]
            select = sa.select(
                *columns, sa.func.sum(ROLLUPS.c.count),
                query.aggregate('sum', ROLLUPS.c.qty, True),
                query.aggregate('sum', ROLLUPS.c.price, True)).where(
                    *query.conditions(filters, metric_types, True),
                    queries.rollup_window(coarse))
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
                for kind, lo, hi in ranges if kind == layout.KIND_PERIOD]
        if not fine:
            return groups
        where = [sa.or_(*fine)]
        if self._scope_key() in filters:
            where.append(BLOCKS.c.scope_id.in_(
                [_text(v) for v in filters[self._scope_key()]]))
        match = None
        if filters or metric_types:
            match = query.entry_matcher(filters, metric_types)
        # Where each group-by value is: None for the block's scope, else
        # an index in the sums entry.
        where_from = [query.entry_index(k) for k in keys]
        rows = conn.execute(sa.select(
            BLOCKS.c.begin_ts, BLOCKS.c.end_ts, BLOCKS.c.scope_id,
            BLOCKS.c.sums).where(*where))
        arithmetic.merge_groups(groups, arithmetic.fold_entries(
            rows, where_from, match, time_grouped))
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
                        point[_UNIT], _clean(CTX.create_decimal(point[_QTY])),
                        _clean(CTX.create_decimal(point[_PRICE])),
                        point[_GROUPBY], point[_METADATA]), point[_TYPE])
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
        time_grouped, keys = storage_v2.groupby_keys(
            self.parse_groupby_syntax_to_groupby_elements(
                list(groupby or [])))
        for key in keys:
            _check_key(key)
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
        ranges = arithmetic.rollup_ranges(_epoch(begin), _epoch(end), False,
                                          True)
        coarse = [r for r in ranges if r[0] != layout.KIND_PERIOD]
        fine = [sa.and_(BLOCKS.c.begin_ts >= lo, BLOCKS.c.begin_ts < hi)
                for kind, lo, hi in ranges if kind == layout.KIND_PERIOD]
        scopes = set()
        with engine.connect() as conn:
            if coarse:
                scopes.update(conn.execute(sa.select(
                    ROLLUPS.c.scope_id).where(
                        queries.rollup_window(coarse)).distinct()).scalars())
            if fine:
                scopes.update(conn.execute(sa.select(
                    BLOCKS.c.scope_id).where(
                        sa.or_(*fine)).distinct()).scalars())
        scopes.discard('')
        return sorted(scopes)
