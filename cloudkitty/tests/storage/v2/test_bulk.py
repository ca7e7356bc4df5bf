"""Bulk writes of the sqlalchemy storage, on each SQL database."""
import decimal

import sqlalchemy as sa

from cloudkitty.storage.v2 import sqlalchemy as sql_storage
from cloudkitty.storage.v2.sqlalchemy import bulk
from cloudkitty.storage.v2.sqlalchemy import engine as sql_engine
from cloudkitty.storage.v2.sqlalchemy import models

D = decimal.Decimal


def _row(conn, digest, count, qty, price):
    # Decimals as the driver takes them (decimal text on SQLite).
    dec = bulk.decimal_param(conn.dialect)
    return (digest, 1, 0, 86400, 'owner\t1', 'scope\\1', 'type\n1', '1',
            '1', '1', '1970', count, dec(D(qty)), dec(D(price)))


def _rollups(engine):
    table = models.rollups
    with engine.connect() as conn:
        return sorted(
            (row.digest, row.count, D(str(row.qty)), D(str(row.price)),
             row.owner, row.scope_id, row.type)
            for row in conn.execute(sa.select(
                table.c.digest, table.c.count, table.c.qty, table.c.price,
                table.c.owner, table.c.scope_id, table.c.type)))


def test_upserts_add_even_twice_in_one_transaction(sql_driver):
    engine = sql_storage._engine()

    def work(conn):
        bulk.upsert_rollups(conn, [_row(conn, 'a' * 32, 1, '1.5', '0.25')])
        # A second upsert of the same transaction adds only its own rows.
        bulk.upsert_rollups(conn, [_row(conn, 'a' * 32, 2, '0.5', '0.75'),
                                   _row(conn, 'b' * 32, 1, '1', '1')])

    sql_engine.transaction(engine, work)
    sql_engine.transaction(engine, work)
    assert _rollups(engine) == [
        ('a' * 32, 6, D(4), D(2), 'owner\t1', 'scope\\1', 'type\n1'),
        ('b' * 32, 2, D(2), D(2), 'owner\t1', 'scope\\1', 'type\n1')]


def test_upserts_without_the_temporary_privilege(request, tmp_path, conf):
    # A hardened PostgreSQL may revoke TEMPORARY from the service's user:
    # rollups are then upserted from a VALUES list, just as exactly.
    import uuid

    from cloudkitty.tests import conftest

    url = sa.engine.make_url(conftest._database(
        request, tmp_path, 'postgresql', conf))
    sql_storage.get_chain().upgrade('head')
    role = 'ck_notemp_%s' % uuid.uuid4().hex[:8]
    admin = sa.create_engine(url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        for statement in (
                'CREATE ROLE %s LOGIN' % role,
                'REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC' % url.database,
                'GRANT ALL ON ALL TABLES IN SCHEMA public TO %s' % role,
                'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO %s' % role):
            conn.exec_driver_sql(statement)

    def drop_role():
        with admin.connect() as conn:
            conn.exec_driver_sql('DROP OWNED BY %s' % role)
            conn.exec_driver_sql('DROP ROLE %s' % role)
        admin.dispose()

    restricted = sa.create_engine(url.set(username=role))
    request.addfinalizer(drop_role)
    request.addfinalizer(restricted.dispose)

    def work(conn):
        bulk.upsert_rollups(conn, [_row(conn, 'c' * 32, 1, '2.5', '1')])

    sql_engine.transaction(restricted, work)
    sql_engine.transaction(restricted, work)
    with restricted.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT has_database_privilege(current_database(), "
            "'TEMPORARY')").scalar() is False
    assert [row[:4] for row in _rollups(restricted)] == [
        ('c' * 32, 2, D(5), D(2))]
