"""The models of the sqlalchemy storage match its migration chain."""
import datetime
import decimal
import json

from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.storage.v2 import sqlalchemy as sql_storage
from cloudkitty.storage.v2.sqlalchemy import models
from cloudkitty.tests.db import migration_sync

D = decimal.Decimal
UTC = datetime.timezone.utc


def test_models_match_migrations(sql_backend_url):
    chain = sql_storage.get_chain()
    migration_sync.assert_models_match(chain, models.metadata)
    assert chain.current_revisions() == chain.heads()


def test_downgrade_and_upgrade_again(sql_backend_url):
    chain = sql_storage.get_chain()
    chain.upgrade('head')
    chain.downgrade('base')
    assert chain.current_revisions() == ()
    chain.upgrade('head')
    migration_sync.assert_models_match(chain, models.metadata,
                                       upgrade=False)


def _rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql))]


def test_points_move_into_blocks_and_back(sql_backend_url, conf):
    """c3e5a7b9d1f2 packs stored points; its downgrade unpacks them."""
    conf.set_override('period', 3600, 'collect')
    chain = sql_storage.get_chain()
    chain.upgrade('b2d4f6a8c913')
    engine = db.get_engine()
    begin = 1772326800   # 2026-03-01T01:00:00Z
    points = [
        (begin, begin + 3600, 'p1', 'p1', 'cpu', 'h', '1.5', '0.25',
         '{"project_id": "p1", "id": "a"}', '{"flavor": "small"}'),
        (begin, begin + 3600, 'p1', 'p1', 'ram', 'MiB', '2', '0.5',
         '{"project_id": "p1", "id": "a"}', '{}'),
        (begin + 3600, begin + 7200, 'p2', 'p2', 'cpu', 'h', '3', '1',
         '{"project_id": "p2", "id": "b"}', '{}'),
    ]
    with engine.begin() as conn:
        for row in points:
            conn.execute(sa.text(
                'INSERT INTO rated_points_v2 (begin_ts, end_ts, owner, '
                'scope_id, type, unit, qty, price, groupby, metadata) '
                'VALUES (:b, :e, :o, :s, :t, :u, :q, :p, :g, :m)'),
                dict(zip('beostuqpgm', row)))
            conn.execute(sa.text(
                "INSERT INTO rated_rollups_v2 (kind, begin_ts, end_ts, "
                "owner, scope_id, type, day_of_the_year, week_of_the_year, "
                "month, year, count, qty, price) VALUES (0, :b, :e, :o, :s, "
                ":t, '', '', '', '', 1, :q, :p)"),
                dict(zip('beostuqp', row)))
    chain.upgrade('head')
    assert _rows(engine, 'SELECT owner, count FROM rated_blocks_v2 '
                         'ORDER BY begin_ts') == [('p1', 2), ('p2', 1)]
    assert _rows(engine, 'SELECT count(*) FROM rated_rollups_v2') == [(0,)]
    driver = sql_storage.SQLAlchemyStorage()
    window = dict(begin=datetime.datetime(2026, 3, 1, 1, tzinfo=UTC),
                  end=datetime.datetime(2026, 3, 1, 3, tzinfo=UTC))
    stored = driver.retrieve(**window)
    assert stored['total'] == 3
    got = sorted((type_, p.unit, p.qty, p.price, dict(p.groupby),
                  dict(p.metadata))
                 for frame in stored['dataframes']
                 for type_, p in frame.iterpoints())
    assert got == sorted(
        (row[4], row[5], D(row[6]), D(row[7]), json.loads(row[8]),
         json.loads(row[9])) for row in points)
    totals = driver.total(groupby=['type'], **window)['results']
    assert {(r['type'], r['qty'], r['rate']) for r in totals} == {
        ('cpu', D('4.5'), D('1.25')), ('ram', D(2), D('0.5'))}
    chain.downgrade('b2d4f6a8c913')
    assert _rows(engine, 'SELECT owner, type FROM rated_points_v2 '
                         'ORDER BY begin_ts, type') == [
        ('p1', 'cpu'), ('p1', 'ram'), ('p2', 'cpu')]
    assert _rows(engine, 'SELECT kind, count(*) FROM rated_rollups_v2 '
                         'GROUP BY kind') == [(0, 3)]


def test_duplicate_rollups_are_merged(sql_backend_url, conf):
    """d4e6f8a0b2c5 merges rows of one rollup key, then makes it unique."""
    from cloudkitty.storage.v2.sqlalchemy import rollups

    conf.set_override('period', 3600, 'collect')
    chain = sql_storage.get_chain()
    chain.upgrade('c3e5a7b9d1f2')
    engine = db.get_engine()
    day = 1772323200   # 2026-03-01T00:00:00Z
    insert = sa.text(
        "INSERT INTO rated_rollups_v2 (kind, begin_ts, end_ts, owner, "
        "scope_id, type, day_of_the_year, week_of_the_year, month, year, "
        "count, qty, price) VALUES (:k, :b, :e, 'p1', 'p1', 'cpu', :d, :w, "
        ":m, :y, :c, :q, :p)")
    day_row = dict(k=1, b=day, e=day + 86400, d='60', w='08', m='3',
                   y='2026')
    month_row = dict(k=2, b=day, e=day + 31 * 86400, d='', w='', m='',
                     y='')
    with engine.begin() as conn:
        # Two concurrent first pushes of one day inserted the key twice.
        for row in (day_row, month_row):
            conn.execute(insert, dict(row, c=1, q='1.5', p='0.25'))
            conn.execute(insert, dict(row, c=2, q='2.000000000000000001',
                                      p='1'))
        conn.execute(insert, dict(day_row, b=day + 86400, c=0, q='0',
                                  p='0'))
        conn.execute(sa.text(
            "INSERT INTO rated_blocks_v2 (begin_ts, end_ts, owner, "
            "scope_id, count, sums, points) VALUES (:b, :e, 'p1', 'p1', 3, "
            ":s, '[]')"), dict(b=day, e=day + 3600, s=json.dumps([[
                'cpu', '60', '08', '3', '2026', 3, '3.500000000000000001',
                '1.25']])))
    chain.upgrade('head')
    got = _rows(engine, 'SELECT kind, count, qty, price FROM '
                        'rated_rollups_v2 ORDER BY kind')
    assert [(k, c, D(str(q)), D(str(p))) for k, c, q, p in got] == [
        (1, 3, D('3.500000000000000001'), D('1.25')),
        (2, 3, D('3.500000000000000001'), D('1.25'))]
    assert rollups.verify() == []
    with pytest.raises(db_exc.DBDuplicateEntry):
        with engine.begin() as conn:
            digest = conn.execute(sa.text(
                'SELECT digest FROM rated_rollups_v2 WHERE kind = 1'
            )).scalar()
            conn.execute(sa.text(
                "INSERT INTO rated_rollups_v2 (digest, kind, begin_ts, "
                "end_ts, owner, scope_id, type, day_of_the_year, "
                "week_of_the_year, month, year, count, qty, price) VALUES "
                "(:g, 1, 0, 0, '', '', '', '', '', '', '', 1, 0, 0)"),
                {'g': digest})


def test_rollups_leave_room_for_updates_on_postgresql(request, tmp_path,
                                                      conf):
    from cloudkitty.tests import conftest

    url = conftest._database(request, tmp_path, 'postgresql', conf)
    chain = sql_storage.get_chain()
    chain.upgrade('head')
    engine = sa.create_engine(url)
    sql = ("SELECT reloptions FROM pg_class "
           "WHERE relname = 'rated_rollups_v2'")
    try:
        assert _rows(engine, sql) == [(['fillfactor=70'],)]
        chain.downgrade('d4e6f8a0b2c5')
        assert _rows(engine, sql) == [(None,)]
        chain.upgrade('head')
        assert _rows(engine, sql) == [(['fillfactor=70'],)]
    finally:
        engine.dispose()
