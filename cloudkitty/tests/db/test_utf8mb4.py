"""Every table stores any Unicode string the API accepts (MariaDB: utf8mb4),
and one live pyscript per name is enforced by the database."""
import threading

from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from cloudkitty.cli import dbsync
from cloudkitty import db
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty import storage_state
from cloudkitty.tests.api import full_app
from cloudkitty.tests.api import wsgi_client

TEXT = 'r\u00e9gion \u6771\u4eac \U0001f600 \U00020000'
# Revision of each chain before its utf8mb4 conversion.
BEFORE = {'cloudkitty': '385e33fef139', 'hashmap': '8a591f85865f',
          'pyscripts': 'c6e4cda29654'}
STATE_BEFORE = '9feccd32'
PS = '/v1/rating/module_config/pyscripts/scripts'


def _charsets(engine):
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            'SELECT table_name, table_collation FROM '
            'information_schema.tables WHERE table_schema = DATABASE()'))
        tables = {name: collation for name, collation in rows}
        rows = conn.execute(sa.text(
            'SELECT table_name, column_name, collation_name FROM '
            'information_schema.columns WHERE table_schema = DATABASE() '
            'AND collation_name IS NOT NULL'))
        columns = {(t, c): collation for t, c, collation in rows}
    return tables, columns


def test_existing_utf8_tables_are_converted(conf, sql_backend_url):
    engine = db.get_engine()
    if engine.dialect.name != 'mysql':
        pytest.skip('MySQL only: other databases store any UTF-8')
    with engine.begin() as conn:
        # The reference's deployments: a database in 3-byte utf8.
        conn.execute(sa.text('ALTER DATABASE CHARACTER SET utf8 '
                             'COLLATE utf8_general_ci'))
    chains = dict(dbsync.get_chains())
    for name, revision in BEFORE.items():
        chains[name].upgrade(revision)
    state_chain = storage_state.get_migration()
    state_chain.upgrade(STATE_BEFORE)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO service_to_collector_mappings VALUES "
            "('compute', 'gnocchi\u00e9')"))
        with pytest.raises(db_exc.DBError):
            with conn.begin_nested():
                conn.execute(sa.text(
                    'INSERT INTO modules_state (name, state) VALUES '
                    '(:name, 1)'), {'name': TEXT})
    tables, _ = _charsets(engine)
    assert tables['modules_state'].startswith('utf8')
    assert not tables['modules_state'].startswith('utf8mb4')

    for chain in chains.values():
        chain.upgrade('head')
    state_chain.upgrade('head')
    tables, columns = _charsets(engine)
    ours = [t for t in tables if not t.endswith('alembic')
            and not t.startswith('rated_')]
    assert len(ours) >= 11
    for table in ours:
        assert tables[table] == 'utf8mb4_bin', table
    for (table, column), collation in columns.items():
        if table in ours:
            assert collation == 'utf8mb4_bin', (table, column)
    with engine.begin() as conn:
        assert conn.execute(sa.text(
            'SELECT collector FROM service_to_collector_mappings')
        ).scalar() == 'gnocchi\u00e9'
        conn.execute(sa.text('INSERT INTO modules_state (name, state) '
                             'VALUES (:name, 1)'), {'name': TEXT})
        assert conn.execute(sa.text(
            'SELECT name FROM modules_state')).scalar() == TEXT
        # TEXT stays TEXT (CONVERT TO would have made it MEDIUMTEXT).
        assert conn.execute(sa.text(
            "SELECT data_type FROM information_schema.columns WHERE "
            "table_schema = DATABASE() AND table_name = 'states' AND "
            "column_name = 's_metadata'")).scalar() == 'text'


@pytest.fixture
def client(conf, sql_backend_url, tmp_path):
    yield full_app.make_client(conf, tmp_path, sql_backend_url)
    full_app.reset_caches()


def test_four_byte_strings_through_the_api(client):
    resp = client.post('/v1/collector/mappings',
                       {'collector': TEXT, 'service': TEXT})
    assert resp.status == 200, resp.text
    assert client.get('/v1/collector/mappings',
                      query={'collector': TEXT}).json() == {
        'mappings': [{'service': TEXT, 'collector': TEXT}]}
    resp = client.put('/v1/collector/states/',
                      {'name': TEXT, 'enabled': True})
    assert resp.status == 200, resp.text
    assert client.get('/v1/collector/states/',
                      query={'name': TEXT}).json()['enabled'] is True
    hashmap = '/v1/rating/module_config/hashmap'
    resp = client.post(hashmap + '/services', {'name': TEXT})
    assert resp.status == 201, resp.text
    resp = client.post(hashmap + '/groups', {'name': TEXT})
    assert resp.status == 201, resp.text
    resp = client.post('/v1/rating/module_config/pyscripts/scripts',
                       {'name': TEXT, 'data': '# %s\na = 1' % TEXT})
    assert resp.status == 201, resp.text
    resp = client.post('/v2/scope', {
        'scope_id': TEXT, 'scope_key': 'project_id', 'fetcher': 'f',
        'collector': 'c', 'last_processed_timestamp': '2019-01-01T00:00:00Z'})
    assert resp.status == 200, resp.text
    assert [s['scope_id'] for s in client.get('/v2/scope').json()[
        'results']] == [TEXT]


def test_concurrent_creates_of_one_pyscript_name(client):
    # Several API threads (or processes): only the database can decide.
    app = client._client.application
    count = 6
    barrier = threading.Barrier(count)
    outcomes = []

    def create(index):
        own = wsgi_client.Client(app)
        barrier.wait()
        resp = own.post(PS, {'name': 'policy', 'data': 'a = %d' % index})
        outcomes.append((resp.status, resp.json()))

    threads = [threading.Thread(target=create, args=(i,))
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(status for status, _ in outcomes)
    assert statuses == [201] + [409] * (count - 1), outcomes
    created = [body['script_id'] for status, body in outcomes
               if status == 201]
    for status, body in outcomes:
        if status == 409:
            assert body['faultstring'] == (
                'Script policy already exists (UUID: %s)' % created[0])
    listed = client.get(PS).json()
    assert [s['script_id'] for s in listed['scripts']] == created
    # The database API alone, too.
    with pytest.raises(pyscripts_db.ScriptAlreadyExists):
        pyscripts_db.get_instance().create_script('policy', 'a = 1')
    # Once deleted, the name can be used again.
    resp = client.request('DELETE', PS + '/' + created[0])
    assert resp.status == 204
    resp = client.post(PS, {'name': 'policy', 'data': 'a = 1'})
    assert resp.status == 201, resp.text
