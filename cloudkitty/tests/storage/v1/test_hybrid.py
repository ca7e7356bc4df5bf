"""The v1 ``hybrid`` storage with its ``gnocchi`` backend on a real
Gnocchi: written by the processor's worker, read through the v1 API."""
import decimal
import time
import uuid

import pytest

from cloudkitty.api import app as api_app
from cloudkitty import storage
from cloudkitty.tests.api import wsgi_client
from cloudkitty.tests.functional.fixtures import gnocchi as fixture
from cloudkitty.tests.storage.v1 import helpers
from cloudkitty.utils import tz as tzutils

HOURS = 2
D = decimal.Decimal


def hybrid_conf(path, server, db_url, policy, metrics_conf):
    """A cloudkitty.conf of the hybrid storage on ``server``."""
    path.write_text(
        '[DEFAULT]\nauth_strategy = noauth\n'
        '[database]\nconnection = %s\n'
        '[collect]\nmetrics_conf = %s\n'
        '[storage]\nversion = 1\nbackend = hybrid\n'
        '[storage_gnocchi]\nauth_type = gnocchi-basic\nuser = admin\n'
        'endpoint = %s\narchive_policy_name = %s\n'
        % (db_url, metrics_conf, server.url, policy))
    return path


@pytest.fixture
def hybrid(conf, tmp_path, sqlite_url):
    server = fixture.get_server()
    suffix = uuid.uuid4().hex[:8]
    metrics = tmp_path / 'metrics.yml'
    # A metric of its own: init() creates its resource type.
    metrics.write_text('metrics:\n  ram_%s:\n    unit: MiB\n'
                       '    groupby: [id, project_id]\n'
                       '    metadata: [flavor_name]\n' % suffix)
    path = hybrid_conf(tmp_path / 'ck.conf', server, sqlite_url,
                       'rating-' + suffix, metrics)
    conf(['--config-file', str(path)], project='cloudkitty',
         default_config_files=[], default_config_dirs=[])
    driver = storage.get_storage()
    driver.init()
    from cloudkitty.api.v1 import hooks
    hooks._STORAGE = None
    yield driver, server, suffix
    hooks._STORAGE = None
    # Loading the auth plugin registered its options (some required) in
    # [storage_gnocchi]: leave the global configuration as it was.
    from keystoneauth1 import loading
    conf.reset()
    for opt in loading.get_auth_plugin_conf_options('gnocchi-basic'):
        try:
            conf.unregister_opt(opt, 'storage_gnocchi')
        except Exception:  # noqa: S110 not registered
            pass


def _wait_for(server, scopes):
    client = server.client()
    ids = []
    for scope in scopes:
        for resource in client.resource.search(
                resource_type='generic',
                query={'=': {'project_id': scope}}):
            ids += list(resource['metrics'].values())
    assert ids
    server.wait_processed(ids)


def test_hybrid_on_gnocchi(conf, hybrid):
    driver, server, suffix = hybrid
    scopes = ['a-' + suffix, 'b-' + suffix]
    first = helpers.process(conf, driver, scopes, HOURS)
    _wait_for(server, scopes)
    expected = helpers.expected_points(scopes, first, HOURS)

    client = server.client()
    created = client.resource_type.get('rating_service_ram_' + suffix)
    assert {'unit', 'resource_id', 'ckmeta_id', 'ckmeta_project_id',
            'ckmeta_flavor_name'} <= set(created['attributes'])
    policy = client.archive_policy.get('rating-' + suffix)
    assert sorted(policy['aggregation_methods']) == sorted(
        ['std', 'count', 'min', 'max', 'sum', 'mean'])
    assert policy['back_window'] == 0
    rtype = client.resource_type.get('rating_service_volume_size')
    assert rtype['attributes']['unit']['required'] is True
    assert 'ckmeta_volume_type' in rtype['attributes']

    api = wsgi_client.Client(api_app.load_app())
    begin = tzutils.local_to_utc(first, naive=True)
    query = {'begin': begin.isoformat(),
             'end': (begin + helpers.HOUR * HOURS).isoformat()}
    # metricd may lag behind its status for a moment.
    deadline = time.monotonic() + 30
    want = sum((p[4] for p in expected if p[0] == scopes[0]), D(0))
    while True:
        resp = api.get('/v1/report/total', dict(query, tenant_id=scopes[0]))
        assert resp.status == 200, resp.text
        if D(resp.json()) == want or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert D(resp.json()) == want

    resp = api.get('/v1/report/summary', dict(
        query, tenant_id=scopes[1], groupby='res_type'))
    got = {r['res_type']: r['rate'] for r in resp.json()['summary']}
    for metric in ('cpu', 'volume.size'):
        total = sum((p[4] for p in expected
                     if p[0] == scopes[1] and p[1] == metric), D(0))
        assert got[metric] == str(float('%0.5f' % total))

    resp = api.get('/v1/storage/dataframes',
                   dict(query, tenant_id=scopes[0]))
    frames = resp.json()['dataframes']
    got = sorted((f['begin'], f['resources'][0]['service'],
                  D(f['resources'][0]['volume']),
                  D(f['resources'][0]['rating'])) for f in frames)
    want = sorted((tzutils.local_to_utc(start, naive=True).isoformat(),
                   metric, qty, price)
                  for scope, metric, start, qty, price in expected
                  if scope == scopes[0])
    assert got == want
    assert frames[0]['resources'][0]['desc']['tenant_id'] == scopes[0]
    assert sorted(t for t in api.get('/v1/report/tenants', query).json()
                  if t in scopes) == sorted(scopes)
    # The per-tenant state of the hybrid storage: end of the last period.
    assert driver.storage.get_state(scopes[0]) == begin + helpers.HOUR * (
        HOURS)


def test_hybrid_to_v2_sqlalchemy_migration(conf, hybrid, tmp_path):
    from cloudkitty.storage import migrate
    from cloudkitty.tests.cli import scripts
    driver, server, suffix = hybrid
    scopes = ['m-' + suffix]
    first = helpers.process(conf, driver, scopes, HOURS)
    _wait_for(server, scopes)
    expected = sorted(
        (metric, tzutils.local_to_utc(start), qty, price)
        for _scope, metric, start, qty, price in helpers.expected_points(
            scopes, first, HOURS))
    target_db = 'sqlite:///%s' % (tmp_path / 'v2.sqlite')
    target = scripts.write_conf(tmp_path / 'v2.conf', {
        'database': {'connection': target_db},
        'storage': {'version': 2, 'backend': 'sqlalchemy'}})
    result = scripts.run(
        'cloudkitty-storage-migrate', '--progress', 'lines',
        '--from-config', str(tmp_path / 'ck.conf'), '--to-config', target,
        '--scope', scopes[0], '--state-file', str(tmp_path / 'state'),
        '--begin', (first - migrate.DAY).isoformat(), timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'verification passed: %d totals' % len(
        {(p[0], p[1].date()) for p in expected}) in result.stdout
    conf.set_override('connection', target_db, 'database')
    conf.set_override('version', 2, 'storage')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    from cloudkitty import db
    db.reset()
    frames = storage.get_storage().retrieve(
        begin=first, end=first + helpers.HOUR * HOURS,
        paginate=False)['dataframes']
    got = sorted((metric, tzutils.local_to_utc(frame.start), point.qty,
                  point.price)
                 for frame in frames for metric, point in frame.iterpoints())
    assert got == expected
