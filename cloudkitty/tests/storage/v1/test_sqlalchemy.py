"""The v1 ``sqlalchemy`` storage on SQLite, MariaDB and PostgreSQL:
written by the processor's worker through ``V1StorageAdapter``, read
through the v1 API."""
import decimal
import logging

import pytest
import sqlalchemy as sa

from cloudkitty.api import app as api_app
from cloudkitty import db
from cloudkitty import storage
from cloudkitty.storage import v1 as storage_v1
from cloudkitty.storage.v1 import sqlalchemy as v1_sql
from cloudkitty.tests.api import wsgi_client
from cloudkitty.tests.storage.v1 import helpers
from cloudkitty.utils import tz as tzutils

SCOPES = ['scope-a', 'scope-b', 'scope-idle']
HOURS = 3
D = decimal.Decimal


@pytest.fixture
def v1_storage(conf, sql_backend_url):
    conf.set_override('version', 1, 'storage')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    conf.set_override('auth_strategy', 'noauth')
    driver = storage.get_storage()
    assert isinstance(driver, storage_v1.V1StorageAdapter)
    driver.init()
    from cloudkitty.api.v1 import hooks
    hooks._STORAGE = None
    yield driver
    hooks._STORAGE = None


@pytest.fixture
def processed(conf, v1_storage):
    collector = helpers.Collector(empty_scopes=['scope-idle'])
    first = helpers.process(conf, v1_storage, SCOPES, HOURS, collector)
    return first


def _query(first):
    begin = tzutils.local_to_utc(first, naive=True)
    end = begin + helpers.HOUR * HOURS
    return {'begin': begin.isoformat(), 'end': end.isoformat()}


def _expected(first):
    return helpers.expected_points(SCOPES, first, HOURS,
                                   empty_scopes=['scope-idle'])


def test_chain_is_the_reference_one_plus_exact_rate(v1_storage):
    chain = v1_sql.get_migration()
    assert chain.version_table == 'storage_sqlalchemy_alembic'
    assert chain.current_revisions() == ('5e1c0a7b3f92',)
    inspector = sa.inspect(db.get_engine())
    columns = {c['name'] for c in inspector.get_columns('rated_data_frames')}
    assert columns == {'id', 'tenant_id', 'begin', 'end', 'unit', 'qty',
                       'res_type', 'rate', 'desc'}
    indexes = {i['name'] for i in inspector.get_indexes('rated_data_frames')}
    assert {'idx_rated_data_frames_date',
            'idx_tenantid_begin_end'} <= indexes


def test_processor_writes_one_row_per_point(processed):
    with db.get_engine().connect() as conn:
        rows = conn.execute(sa.text(
            'SELECT tenant_id, res_type, qty, rate FROM rated_data_frames'
        )).all()
    expected = _expected(processed)
    data = [r for r in rows if r[1] != '_NO_DATA_']
    assert len(data) == len(expected)
    # One no-data marker per period of the idle scope.
    markers = [r for r in rows if r[1] == '_NO_DATA_']
    assert [r[0] for r in markers] == ['scope-idle'] * HOURS


def test_v1_api_reads_exact_totals(processed):
    client = wsgi_client.Client(api_app.load_app())
    query = _query(processed)
    expected = _expected(processed)
    total_a = sum((p[4] for p in expected if p[0] == 'scope-a'), D(0))
    total_all = sum((p[4] for p in expected), D(0))

    resp = client.get('/v1/report/total', dict(query, tenant_id='scope-a'))
    assert resp.status == 200, resp.text
    assert D(resp.json()) == total_a
    resp = client.get('/v1/report/total', dict(query, all_tenants='true'))
    assert D(resp.json()) == total_all
    resp = client.get('/v1/report/total', dict(
        query, all_tenants='true', service='volume.size'))
    assert D(resp.json()) == sum(
        (p[4] for p in expected if p[1] == 'volume.size'), D(0))

    resp = client.get('/v1/report/summary', dict(
        query, all_tenants='true', groupby='tenant_id,res_type'))
    assert resp.status == 200, resp.text
    rows = resp.json()['summary']
    got = {(r['tenant_id'], r['res_type']): r['rate'] for r in rows}
    want = {}
    for scope, metric, _start, _qty, price in expected:
        want[(scope, metric)] = want.get((scope, metric), D(0)) + price
    assert set(got) == set(want)
    for key, rate in want.items():
        assert got[key] == str(float('%0.5f' % rate))
    assert [D(r['rate']) for r in rows] == sorted(D(r['rate'])
                                                  for r in rows)

    resp = client.get('/v1/report/tenants', query)
    # The idle scope has no-data markers: it is listed.
    assert sorted(resp.json()) == sorted(SCOPES)


def test_v1_api_storage_dataframes(processed):
    client = wsgi_client.Client(api_app.load_app())
    query = _query(processed)
    resp = client.get('/v1/storage/dataframes',
                      dict(query, tenant_id='scope-a'))
    assert resp.status == 200, resp.text
    frames = resp.json()['dataframes']
    expected = [p for p in _expected(processed) if p[0] == 'scope-a']
    # One entry per stored row, in insertion order.
    assert len(frames) == len(expected)
    assert all(len(f['resources']) == 1 for f in frames)
    assert {f['tenant_id'] for f in frames} == {'scope-a'}
    got = sorted((f['begin'], f['resources'][0]['service'],
                  D(f['resources'][0]['volume']),
                  D(f['resources'][0]['rating'])) for f in frames)
    want = sorted((tzutils.local_to_utc(start, naive=True).isoformat(),
                   metric, qty, price)
                  for _s, metric, start, qty, price in expected)
    assert got == want
    desc = frames[0]['resources'][0]['desc']
    assert desc['tenant_id'] == 'scope-a'
    assert desc['project_id'] == 'scope-a'

    resp = client.get('/v1/storage/dataframes', dict(
        query, tenant_id='scope-a', resource_type='volume.size'))
    assert {f['resources'][0]['service']
            for f in resp.json()['dataframes']} == {'volume.size'}
    # Nothing stored in that period: an empty list (NoTimeFrame inside).
    resp = client.get('/v1/storage/dataframes', {
        'begin': '2001-01-01T00:00:00', 'end': '2001-01-02T00:00:00'})
    assert resp.status == 200
    assert resp.json() == {'dataframes': []}
    # The v2 API is disabled with v1 storage.
    assert client.get('/v2/summary').status == 404


def test_period_pushed_again_is_replaced(conf, v1_storage, processed):
    begin = processed
    end = begin + helpers.HOUR * HOURS
    before = v1_storage.total(begin=begin, end=end, paginate=False)
    frames = v1_storage.retrieve(begin=begin, end=end,
                                 filters={'project_id': 'scope-a'},
                                 paginate=False)['dataframes']
    # The frames of one period, re-pushed as the processor would after a
    # crash between the push and the state update.
    first = [f for f in frames if f.start == begin]
    merged = first[0].__class__(begin, begin + helpers.HOUR)
    for frame in first:
        for metric, point in frame.iterpoints():
            merged.add_point(point, metric)
    v1_storage.push([merged], 'scope-a')
    after = v1_storage.total(begin=begin, end=end, paginate=False)
    assert after['results'][0]['rate'] == before['results'][0]['rate']


def test_delete_is_a_noop_with_a_warning(v1_storage, processed, caplog):
    begin = processed
    end = begin + helpers.HOUR * HOURS
    before = v1_storage.total(begin=begin, end=end)['results']
    with caplog.at_level(logging.WARNING):
        v1_storage.delete(begin=begin, end=end)
    assert 'Calling unsupported "delete" method on v1 storage.' in \
        caplog.text
    assert v1_storage.total(begin=begin, end=end)['results'] == before


def test_total_grouping_and_filters(v1_storage, processed):
    begin = processed
    end = begin + helpers.HOUR * HOURS
    result = v1_storage.total(groupby=['type', 'project_id'], begin=begin,
                              end=end, filters={'project_id': 'scope-b'})
    rows = result['results']
    assert {(r['tenant_id'], r['type']) for r in rows} == {
        ('scope-b', 'cpu'), ('scope-b', 'volume.size')}
    assert all(r['project_id'] == 'scope-b' for r in rows)
    # Nothing in the period: one row at zero without grouping.
    empty = v1_storage.total(begin=end, end=end + helpers.HOUR)
    assert [r['rate'] for r in empty['results']] == [D(0)]
    with pytest.raises(storage.NoTimeFrame):
        v1_storage.retrieve(begin=end + helpers.HOUR,
                            end=end + 2 * helpers.HOUR)


def test_upgrade_from_the_reference_schema_keeps_rates(conf,
                                                       sql_backend_url):
    chain = v1_sql.get_migration()
    chain.upgrade('d875621d0384')
    with db.get_engine().begin() as conn:
        conn.execute(sa.text(
            'INSERT INTO rated_data_frames (tenant_id, "begin", "end", unit, '
            'qty, res_type, rate, "desc") VALUES (\'t\', :b, :e, \'u\', 1, '
            '\'cpu\', 0.5, \'{}\')'.replace(
                '"', '`' if conn.dialect.name == 'mysql' else '"')),
            {'b': '2020-01-01 00:00:00', 'e': '2020-01-01 01:00:00'})
    chain.upgrade('head')
    driver = v1_sql.SQLAlchemyStorage(period=3600)
    rows = driver.get_total(groupby='tenant_id')
    assert rows[0]['rate'] == D('0.5') and rows[0]['tenant_id'] == 't'
    chain.downgrade('d875621d0384')
    assert chain.current_revisions() == ('d875621d0384',)


def test_storage_init_applies_the_v1_chain(conf, tmp_path):
    from cloudkitty.tests.cli import scripts
    url = 'sqlite:///%s' % (tmp_path / 'ck.sqlite')
    path = scripts.write_conf(tmp_path / 'ck.conf', {
        'database': {'connection': url},
        'storage': {'version': 1, 'backend': 'sqlalchemy'}})
    result = scripts.run('cloudkitty-storage-init', '--config-file', path)
    assert result.returncode == 0, result.stderr
    conf.set_override('connection', url, 'database')
    db.reset()
    try:
        assert v1_sql.get_migration().current_revisions() == (
            '5e1c0a7b3f92',)
        assert 'rated_data_frames' in sa.inspect(
            db.get_engine()).get_table_names()
    finally:
        db.reset()
