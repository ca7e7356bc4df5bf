"""Bulk writes of the ``sqlalchemy`` v2 storage: blocks and rollup upserts.

Rows are plain DB-API values; the fastest path of each driver is used
(COPY and ``execute_values`` with psycopg2, multi-row INSERTs with PyMySQL,
``executemany`` in C with sqlite3).
"""
import io

from cloudkitty.storage.v2.sqlalchemy import models

ROLLUPS = models.rollups

ROLLUP_KEY_COLUMNS = ('begin_ts', 'end_ts', 'owner', 'scope_id', 'type') + \
    models.TIME_KEYS
UPSERT_COLUMNS = ('digest', 'kind') + ROLLUP_KEY_COLUMNS + (
    'count', 'qty', 'price')
BLOCK_COLUMNS = ('begin_ts', 'end_ts', 'owner', 'scope_id', 'count', 'sums',
                 'points')


def decimal_param(dialect):
    """Decimal -> the value given to the DB-API driver."""
    if dialect.name == 'sqlite':
        exact_text = models.exact_text
        return lambda value: exact_text(value)[1]
    return models.exact


def _copy_field(value):
    """A value in COPY's text format."""
    if value is None:
        return '\\N'
    if type(value) is not str:
        return str(value)
    if '\\' in value:
        value = value.replace('\\', '\\\\')
    # JSON text holds no raw control characters; scope ids may.
    if not value.isprintable():
        value = value.replace('\t', '\\t').replace(
            '\n', '\\n').replace('\r', '\\r')
    return value


def bulk_insert(conn, table, columns, rows):
    """Insert many rows of plain DB-API values in few round trips."""
    if not rows:
        return
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    names = ', '.join(quote(c) for c in columns)
    if dialect.name == 'postgresql':
        # COPY (text format): PostgreSQL's bulk path, far cheaper than
        # INSERTs, and cheaper to write and parse than CSV.
        buffer = io.StringIO(''.join([
            '\t'.join([_copy_field(value) for value in row]) + '\n'
            for row in rows]))
        cursor = conn.connection.cursor()
        try:
            cursor.copy_expert('COPY %s (%s) FROM STDIN' % (
                quote(table), names), buffer)
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


def _upsert_sql(dialect, staged=False):
    """INSERT of rollup rows adding to the existing row of the same key.

    The database adds the deltas (exact NUMERIC arithmetic; ``ck_dadd``
    over decimal text on SQLite) under the row lock of the upsert: two
    writers of one rollup row both count, whatever their order.
    ``staged`` (PostgreSQL): the rows come from the staging table instead
    of a VALUES list.
    """
    sql = _UPSERTS.get((dialect.name, staged))
    if sql is not None:
        return sql
    quote = dialect.identifier_preparer.quote
    table = quote(ROLLUPS.name)
    names = ', '.join(quote(c) for c in UPSERT_COLUMNS)
    count, qty, price = quote('count'), quote('qty'), quote('price')
    if dialect.name == 'postgresql':
        source = ('SELECT %s FROM %s ORDER BY digest' % (names, _PG_STAGE)
                  if staged else 'VALUES %s')
        sql = ('INSERT INTO %s AS r (%s) %s ON CONFLICT (digest) DO UPDATE '
               'SET %s = r.%s + EXCLUDED.%s, %s = r.%s + EXCLUDED.%s, '
               '%s = r.%s + EXCLUDED.%s' % (
                   table, names, source, count, count, count, qty, qty, qty,
                   price, price, price))
    elif dialect.name == 'mysql':
        sql = ('INSERT INTO %s (%s) VALUES (%s) ON DUPLICATE KEY UPDATE '
               '%s = %s + VALUES(%s), %s = %s + VALUES(%s), '
               '%s = %s + VALUES(%s)' % (
                   table, names, ', '.join(['%s'] * len(UPSERT_COLUMNS)),
                   count, count, count, qty, qty, qty, price, price, price))
    else:
        marker = '?' if dialect.paramstyle == 'qmark' else '%s'
        sql = ('INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (digest) DO '
               'UPDATE SET %s = %s + excluded.%s, %s = ck_dadd(%s, '
               'excluded.%s), %s = ck_dadd(%s, excluded.%s)' % (
                   table, names, ', '.join([marker] * len(UPSERT_COLUMNS)),
                   count, count, count, qty, qty, qty, price, price, price))
    _UPSERTS[dialect.name, staged] = sql
    return sql


# PostgreSQL: rollup rows are copied into this temporary table (COPY costs
# a fraction of formatting a VALUES tuple per row), then upserted from it
# in digest order. Created by the first push of a session, emptied at
# every commit.
_PG_STAGE = 'ck_rollup_deltas'
_PG_STAGE_DDL = (
    'CREATE TEMPORARY TABLE IF NOT EXISTS %s (digest varchar(32), '
    'kind smallint, begin_ts bigint, end_ts bigint, owner varchar(255), '
    'scope_id varchar(255), type varchar(255), day_of_the_year varchar(64), '
    'week_of_the_year varchar(64), month varchar(64), year varchar(64), '
    'count bigint, qty numeric, price numeric) ON COMMIT DELETE ROWS'
    % _PG_STAGE)


def _may_stage(conn, cursor):
    """Whether this session may create temporary tables.

    Asked once per connection: a hardened database may revoke
    ``TEMPORARY`` from its users; rows then go as a VALUES list.
    """
    info = conn.connection.info
    allowed = info.get('ck_may_stage')
    if allowed is None:
        cursor.execute("SELECT has_database_privilege(current_database(), "
                       "'TEMPORARY')")
        allowed = info['ck_may_stage'] = bool(cursor.fetchone()[0])
    return allowed


def _upsert_rollups_postgresql(conn, rows):
    cursor = conn.connection.cursor()
    try:
        if not _may_stage(conn, cursor):
            from psycopg2 import extras
            extras.execute_values(cursor, _upsert_sql(conn.dialect), rows,
                                  page_size=2000)
            return
        sql = _upsert_sql(conn.dialect, staged=True)
        cursor.execute(_PG_STAGE_DDL)
        # Rows written by an earlier statement of this transaction.
        cursor.execute('DELETE FROM %s' % _PG_STAGE)
        cursor.copy_expert('COPY %s FROM STDIN' % _PG_STAGE, io.StringIO(
            ''.join(['\t'.join([_copy_field(value) for value in row])
                     + '\n' for row in rows])))
        cursor.execute(sql)
    finally:
        cursor.close()


def upsert_rollups(conn, rows):
    """Add ``rows`` (in ``UPSERT_COLUMNS`` order) to the rollups.

    Rows come sorted by digest: every writer locks rollup rows in the
    same order.
    """
    if not rows:
        return
    if conn.dialect.name == 'postgresql':
        _upsert_rollups_postgresql(conn, rows)
        return
    sql = _upsert_sql(conn.dialect)
    # PyMySQL rewrites executemany into multi-row INSERTs.
    for start in range(0, len(rows), 2000):
        conn.exec_driver_sql(sql, rows[start:start + 2000])
