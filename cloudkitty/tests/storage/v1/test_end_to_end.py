"""``[storage] version = 1`` unchanged: the real ``cloudkitty-storage-init``,
``cloudkitty-processor`` and API on the v1 ``sqlalchemy`` storage."""
import decimal

import pytest

from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.processor import harness
from cloudkitty.utils import tz as tzutils

SCOPES = ['v1-scope-a', 'v1-scope-b']
METRICS = ('cpu', 'volume.size')
RESOURCES = 2
PERIODS = 3
D = decimal.Decimal


@pytest.fixture
def server(tmp_path):
    overrides = harness.processor_overrides(
        SCOPES, 'file://%s' % (tmp_path / 'coordination'),
        storage={'version': '1', 'backend': 'sqlalchemy'})
    server = api_server.APIServer(
        overrides=overrides,
        metrics_conf=harness.synthetic_metrics(METRICS, RESOURCES))
    server.start()
    yield server
    server.cleanup()


def test_processor_and_api_on_v1_storage(conf, server):
    assert server.storage_ready, server.setup_output
    resp = server.put('/v1/rating/modules/hashmap',
                      json={'module_id': 'hashmap', 'enabled': True})
    assert resp.status_code in (200, 302), resp.text
    harness.flat_cpu_rule(server, '1.25')
    run = harness.ProcessorHarness(server, conf)
    try:
        periods = run.seed(SCOPES, PERIODS)
        run.start()
        run.wait_states(SCOPES, periods[-1], timeout=150)
    finally:
        run.stop_all()
    begin = tzutils.local_to_utc(periods[0], naive=True)
    end = tzutils.local_to_utc(periods[-1], naive=True) + harness.HOUR
    query = {'begin': begin.isoformat(), 'end': end.isoformat()}

    resp = server.get('/v1/storage/dataframes', tenant_id=SCOPES[0],
                      **query)
    assert resp.status_code == 200, resp.text
    frames = resp.json()['dataframes']
    # One entry per stored point (v1 storage: one row each).
    assert len(frames) == len(METRICS) * RESOURCES * PERIODS
    cpu = [f['resources'][0] for f in frames
           if f['resources'][0]['service'] == 'cpu']
    assert cpu and all(D(r['rating']) == D(r['volume']) * D('1.25')
                       for r in cpu)
    total_a = sum(D(f['resources'][0]['rating']) for f in frames)
    assert total_a > 0

    resp = server.get('/v1/report/total', tenant_id=SCOPES[0], **query)
    assert D(resp.json()) == total_a
    resp = server.get('/v1/report/summary', all_tenants='true',
                      groupby='tenant_id', **query)
    rows = resp.json()['summary']
    assert sorted(r['tenant_id'] for r in rows) == sorted(SCOPES)
    # The v2 API is disabled with v1 storage.
    assert server.get('/v2/summary').status_code == 404
    versions = server.get('/').json()['versions']
    assert [v['id'] for v in versions] == ['v1']
