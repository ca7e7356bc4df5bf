"""The example plugin pack in real processes, registered as an operator
would register an installed pack (its ``.dist-info`` on the path).

``cloudkitty-dbsync`` manages the rating module's chain, the API lists,
configures and prices with the module and the collector's metrics, the
processor rates three scopes with the pack's fetcher, collector, rating
module and storage driver, and ``/v2/summary`` reads the exact totals back
from that driver.
"""
import datetime
import decimal
import os
import subprocess

import pytest
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty import storage_state
from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.processor import harness
from cloudkitty.tests import thirdparty_plugins

D = decimal.Decimal
HOUR = datetime.timedelta(hours=1)
SCOPES = ['tp-scope-1', 'tp-scope-2', 'tp-scope-3']
PERIODS = 3

METRICS = """\
metrics:
  cpu:
    unit: instance
    alt_name: instance
    groupby: [id, user_id]
    metadata: [flavor_name]
    mutate: NUMBOOL
  volume.size:
    unit: GiB
    groupby: [id]
    factor: 1/2
    extra_args: {base: '3'}
"""


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    """A directory registering the pack, and an environment using it."""
    path = thirdparty_plugins.install_dist_info(
        str(tmp_path_factory.mktemp('site')))
    env = {'PYTHONPATH': os.pathsep.join(
        p for p in (path, os.environ.get('PYTHONPATH')) if p)}
    return path, env


def _dbsync(env, conf_file, *args):
    proc = subprocess.run(
        [api_server._bin('cloudkitty-dbsync'), '--config-file', conf_file]
        + list(args), capture_output=True, text=True, timeout=120,
        env=dict(os.environ, **env))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_dbsync_manages_the_module_chain(site, tmp_path):
    _path, env = site
    url = 'sqlite:///%s' % (tmp_path / 'ck.sqlite')
    conf_file = str(tmp_path / 'ck.conf')
    with open(conf_file, 'w') as handle:
        handle.write('[database]\nconnection = %s\n' % url)
    _dbsync(env, conf_file, 'upgrade')
    engine = sa.create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {'example_rating_prices', 'example_rating_alembic',
            'hashmap_alembic', 'modules_state'} <= tables
    assert _dbsync(env, conf_file, 'version', '--module', 'example') == (
        'e1a1b2c3d4e5 (head)')
    _dbsync(env, conf_file, 'stamp', '--module', 'example', '--revision',
            'base')
    assert _dbsync(env, conf_file, 'version', '--module', 'example') == ''


@pytest.fixture(scope='module')
def server(site, tmp_path_factory):
    _path, env = site
    tmp = str(tmp_path_factory.mktemp('ck-tp'))
    overrides = harness.processor_overrides(
        SCOPES, 'file://%s' % os.path.join(tmp, 'locks'),
        collect={'collector': 'example'},
        fetcher={'backend': 'example'},
        fetcher_example={'scopes': ','.join(SCOPES)},
        collector_example={'resources': '2'},
        storage={'backend': 'example', 'version': '2'},
        storage_example={'path': os.path.join(tmp, 'points.jsonl')},
        orchestrator={'max_workers': '1'})
    del overrides['fetcher_source']
    server = api_server.APIServer(overrides=overrides, metrics_conf=METRICS,
                                  env=env, tmp_dir=tmp)
    server.start()
    assert server.storage_ready, server.setup_output
    yield server
    server.cleanup()


def _module(server, version='1'):
    if version == '1':
        resp = server.get('/v1/rating/modules/example')
    else:
        resp = server.get('/v2/rating/modules/example')
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_rating_module_through_v1_and_v2(server):
    listed = server.get('/v1/rating/modules').json()['modules']
    assert [m['module_id'] for m in listed] == [
        'example', 'hashmap', 'noop', 'pyscripts']
    assert listed[0] == {
        'module_id': 'example', 'enabled': False, 'priority': 1,
        'hot-config': True,
        'description': 'Example rating module: a unit price per metric '
                       'type.'}
    resp = server.put('/v1/rating/modules/example',
                      json={'module_id': 'example', 'enabled': True,
                            'priority': 3},
                      allow_redirects=False)
    assert resp.status_code == 302, resp.text
    assert (_module(server)['enabled'], _module(server)['priority']) == (
        True, 3)
    resp = server.put('/v2/rating/modules/example', json={'priority': 7})
    assert resp.status_code == 204, resp.text
    v2 = _module(server, '2')
    assert (v2['enabled'], v2['priority']) == (True, 7)
    listed = server.get('/v2/rating/modules').json()['modules']
    assert {m['module_id']: m['priority'] for m in listed}['example'] == 7
    resp = server.put('/v2/rating/modules/example', json={'enabled': False})
    assert resp.status_code == 204, resp.text
    assert _module(server)['enabled'] is False
    resp = server.put('/v2/rating/modules/example', json={'enabled': True})
    assert resp.status_code == 204, resp.text
    assert _module(server)['priority'] == 7
    # The module's own configuration API and price rule.
    config = '/v1/rating/module_config/example/prices'
    for metric, price in (('instance', '0.5'), ('volume.size', '2')):
        resp = server.put(config, json={'metric': metric, 'price': price})
        assert resp.status_code == 200, resp.text
    assert server.get(config).json() == {
        'prices': {'instance': '0.5', 'volume.size': '2'}}
    assert server.put(config, json={'metric': 'x', 'price': 'abc'}
                      ).status_code == 400
    resp = server.post('/v1/rating/quote', json={'resources': [
        {'service': 'instance', 'volume': '3', 'desc': {}},
        {'service': 'volume.size', 'volume': '1.25', 'desc': {}}]})
    assert resp.status_code == 200, resp.text
    assert D(resp.json()) == D('4.0')


def test_info_lists_the_collector_metrics(server):
    resp = server.get('/v1/info/metrics')
    assert resp.status_code == 200, resp.text
    metrics = {m['metric_id']: m for m in resp.json()['metrics']}
    assert sorted(metrics) == ['instance', 'volume.size']
    assert metrics['instance']['unit'] == 'instance'
    assert metrics['instance']['metadata'] == ['flavor_name']
    assert metrics['volume.size']['unit'] == 'GiB'


def test_processor_rates_three_scopes(server, site, conf, monkeypatch):
    # Prices and module state of the previous test, set again so this
    # test also runs alone.
    server.put('/v1/rating/modules/example',
               json={'module_id': 'example', 'enabled': True},
               allow_redirects=False)
    for metric, price in (('instance', '0.5'), ('volume.size', '2')):
        server.put('/v1/rating/module_config/example/prices',
                   json={'metric': metric, 'price': price})
    conf.set_override('connection', server.db_url, 'database')
    db.reset()
    state = storage_state.StateManager()
    last_due = harness.ProcessorHarness.last_due()
    first = last_due - HOUR * PERIODS
    for scope in SCOPES:
        state.set_last_processed_timestamp(scope, first)
    # The processor process inherits the environment registering the pack.
    monkeypatch.setenv('PYTHONPATH', site[1]['PYTHONPATH'])
    runner = harness.ProcessorHarness.__new__(harness.ProcessorHarness)
    runner.server, runner.conf, runner.processes = server, conf, []
    runner.state = state
    try:
        process = runner.start('processor')
        runner.wait_states(SCOPES, last_due, timeout=120)
        log = runner.log(process)
    finally:
        runner.stop_all()
        db.reset()
    assert 'Error processing scope' not in log
    begin = first + HOUR
    end = last_due + HOUR
    params = {'begin': begin.isoformat(), 'end': end.isoformat(),
              'response_format': 'object'}
    resp = server.get('/v2/summary', groupby=['project_id'], **params)
    assert resp.status_code == 200, resp.text
    # Per period and scope: 2 instances at 0.5 and volumes of 1.5 and
    # 3 GiB at 2.
    assert {r['project_id']: (D(str(r['qty'])), D(str(r['rate'])))
            for r in resp.json()['results']} == {
        scope: (D('6.5') * PERIODS, D('10') * PERIODS) for scope in SCOPES}
    resp = server.get('/v2/summary', groupby=['type'], **params)
    assert {r['type']: D(str(r['rate'])) for r in resp.json()['results']} == {
        'instance': D('1') * PERIODS * 3,
        'volume.size': D('9') * PERIODS * 3}
    resp = server.get('/v2/summary', **params)
    assert D(str(resp.json()['results'][0]['rate'])) == D('90')
