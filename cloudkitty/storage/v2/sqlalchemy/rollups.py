"""Check the day and month rollups against the points, and rebuild them.

Versions before the unique rollup key maintained the rollups by reading
them into Python and writing them back: concurrent writers on MariaDB and
PostgreSQL lost or doubled sums there, while the blocks (the points) stayed
right. ``differences`` recomputes every rollup from the blocks' sums and
compares; ``rebuild`` rewrites the rows that differ, with the writers
held off (see ``cloudkitty-storage-rollups``).
"""
import collections
import datetime

import sqlalchemy as sa

from cloudkitty.storage.v2.sqlalchemy import arithmetic
from cloudkitty.storage.v2.sqlalchemy import codec
from cloudkitty.storage.v2.sqlalchemy import engine as sql_engine
from cloudkitty.storage.v2.sqlalchemy import models

BLOCKS = models.blocks
ROLLUPS = models.rollups
KINDS = {models.KIND_DAY: 'day', models.KIND_MONTH: 'month'}
_KEY = ('kind', 'begin_ts', 'end_ts', 'owner', 'scope_id', 'type') + \
    models.TIME_KEYS


class Difference(collections.namedtuple('Difference', [
        'key', 'stored', 'expected'])):
    """A rollup key whose stored (count, qty, price) is not the expected.

    ``key``: (kind, begin_ts, end_ts, owner, scope_id, type, doy, woy,
    month, year); ``stored``/``expected``: (count, qty, price) or None
    when there is no row / there should be none.
    """

    def describe(self):
        kind, begin, end, owner, scope, type_ = self.key[:6]
        attrs = [a for a in self.key[6:] if a]
        when = datetime.datetime.fromtimestamp(begin, datetime.timezone.utc)
        return '%s %s owner=%s scope=%s type=%s%s: stored %s, expected %s' % (
            KINDS.get(kind, 'kind %s' % kind),
            when.strftime('%Y-%m-%d' if kind == models.KIND_DAY
                          else '%Y-%m'), owner, scope, type_,
            (' attributes=%s' % '/'.join(attrs)) if attrs else '',
            _values(self.stored), _values(self.expected))


def _values(values):
    if values is None:
        return 'no row'
    return 'count=%d qty=%s price=%s' % (values[0], values[1], values[2])


def expected_rollups(conn):
    """{key: (count, qty, price)} computed from the blocks' sums."""
    deltas = arithmetic.Deltas()
    result = conn.execute(sa.select(
        BLOCKS.c.begin_ts, BLOCKS.c.owner, BLOCKS.c.scope_id,
        BLOCKS.c.sums).execution_options(yield_per=2000))
    for begin, owner, scope, sums in result:
        deltas.add_block(begin, owner, scope, codec.loads(sums), 1)
    days = deltas.days()
    output = {}
    for kind, changes in ((models.KIND_DAY, days),
                          (models.KIND_MONTH, deltas.months(days))):
        for key, values in changes.items():
            if values[0]:
                output[(kind,) + key] = tuple(values)
    return output


def stored_rollups(conn, ids=None):
    """{key: (count, qty, price)} of the rollup rows (duplicates added).

    ``ids``: a dict given receives {key: [row id]}.
    """
    output = {}
    ctx = models.DECIMAL_CONTEXT
    for row in conn.execute(sa.select(
            *[ROLLUPS.c[k] for k in _KEY], ROLLUPS.c.count, ROLLUPS.c.qty,
            ROLLUPS.c.price, ROLLUPS.c.id)):
        key = tuple(row[:len(_KEY)])
        values = (row[-4], row[-3], row[-2])
        if key in output:
            old = output[key]
            values = (old[0] + values[0], ctx.add(old[1], values[1]),
                      ctx.add(old[2], values[2]))
        output[key] = values
        if ids is not None:
            ids.setdefault(key, []).append(row[-1])
    return output


def differences(conn, ids=None):
    """[Difference] between the rollups and the points, sorted by key."""
    expected = expected_rollups(conn)
    stored = stored_rollups(conn, ids)
    output = []
    for key in sorted(set(expected) | set(stored)):
        want, got = expected.get(key), stored.get(key)
        if want != got:
            output.append(Difference(key, got, want))
    return output


def _snapshot(conn):
    """Make the reads of ``conn`` one consistent snapshot."""
    name = conn.dialect.name
    if name == 'sqlite':
        conn.exec_driver_sql('BEGIN')
    elif name == 'postgresql':
        conn.exec_driver_sql(
            'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
    else:
        conn.exec_driver_sql('START TRANSACTION WITH CONSISTENT SNAPSHOT')


def verify():
    """[Difference] of the stored rollups, read in one snapshot."""
    engine = sql_engine.get_engine()
    with engine.connect() as conn:
        if conn.dialect.name == 'sqlite':
            conn.info['in_transaction'] = True
        conn.begin()
        _snapshot(conn)
        try:
            return differences(conn)
        finally:
            conn.rollback()


def _hold_writers(conn):
    """Keep every writer of rated data waiting until the commit."""
    name = conn.dialect.name
    if name == 'postgresql':
        conn.exec_driver_sql(
            'LOCK TABLE rated_blocks_v2, rated_rollups_v2 IN SHARE ROW '
            'EXCLUSIVE MODE')
    elif name == 'mysql':
        # Locking reads of every row (and gap) of both tables.
        conn.exec_driver_sql(
            'SELECT COUNT(*) FROM rated_blocks_v2 LOCK IN SHARE MODE')
        conn.exec_driver_sql(
            'SELECT COUNT(*) FROM rated_rollups_v2 FOR UPDATE')
    # SQLite: the write transaction (BEGIN IMMEDIATE) is exclusive.


def rebuild():
    """Rewrite the rollup rows that differ from the points.

    Returns the [Difference] found (and fixed), in one transaction during
    which writers wait.
    """
    engine = sql_engine.get_engine()
    found = []

    def work(conn):
        found[:] = []
        _hold_writers(conn)
        ids = {}
        diffs = differences(conn, ids)
        stale = sorted(i for d in diffs for i in ids.get(d.key, ()))
        for start in range(0, len(stale), 500):
            conn.execute(ROLLUPS.delete().where(
                ROLLUPS.c.id.in_(stale[start:start + 500])))
        rows = [dict(zip(_KEY, d.key), digest=models.rollup_digest(
            d.key[0], d.key[1], *d.key[3:]), count=d.expected[0],
            qty=d.expected[1], price=d.expected[2])
            for d in diffs if d.expected is not None]
        if rows:
            conn.execute(ROLLUPS.insert(), rows)
        found.extend(diffs)

    sql_engine.transaction(engine, work)
    return found
