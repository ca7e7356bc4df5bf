"""Two processors and a reprocessing task on one scope, on each database:
the rollups (summaries) match the stored points afterwards."""
import decimal
import uuid

import pytest

from cloudkitty.storage.v2.sqlalchemy import rollups
from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.processor import harness
from cloudkitty.tests import services

SCOPE = 'conc-scope'
METRICS = ('cpu', 'volume.size')
RESOURCES = 3
PERIODS = 30
D = decimal.Decimal


@pytest.fixture
def server(sql_backend_url, tmp_path):
    services.require_port('Redis', '127.0.0.1', 6379)
    redis_url = '%s?namespace=ck-test-%s&lock_timeout=10' % (
        services.REDIS_URL, uuid.uuid4().hex[:12])
    overrides = harness.processor_overrides(
        [SCOPE], redis_url,
        orchestrator={'max_workers': '2', 'max_workers_reprocessing': '1'})
    overrides['database'] = {'connection': sql_backend_url}
    server = api_server.APIServer(
        overrides=overrides,
        metrics_conf=harness.synthetic_metrics(METRICS, RESOURCES),
        tmp_dir=str(tmp_path))
    server.db_url = sql_backend_url
    server.start()
    yield server
    server.stop()


def test_two_processors_and_reprocessing(server, conf):
    resp = server.put('/v2/rating/modules/hashmap', json={'enabled': True})
    assert resp.status_code == 204, resp.text
    harness.flat_cpu_rule(server, '1')
    run = harness.ProcessorHarness(server, conf)
    try:
        periods = run.seed([SCOPE], PERIODS)
        end = periods[-1] + harness.HOUR
        run.start('processor-1')
        run.start('processor-2')
        # Once a third is stored, re-rate it while the rest goes on.
        run.wait_states([SCOPE], periods[PERIODS // 3])
        harness.flat_cpu_rule(server, '2.5')
        resp = server.post('/v2/task/reprocesses', json={
            'scope_ids': SCOPE, 'reason': 'new price',
            'start_reprocess_time': periods[0].isoformat(),
            'end_reprocess_time': periods[PERIODS // 3].isoformat()})
        assert resp.status_code == 202, resp.text

        def finished():
            tasks = server.get('/v2/task/reprocesses').json()['results']
            return tasks and all(
                t['current_reprocess_time'] == t['end_reprocess_time']
                for t in tasks)
        run.wait_states([SCOPE], periods[-1], timeout=240)
        run.wait_for(finished, 240, 'the reprocessing task')
        run.stop_all()

        expected = harness.expected_counts([SCOPE], METRICS, periods,
                                           RESOURCES)
        assert run.stored(periods[0], end) == expected
        # Re-rated periods cost 2.5 per cpu unit; the others 1 or 2.5
        # (the rule changed while they were processed).
        window = {harness.tzutils.local_to_utc(p)
                  for p in periods[:PERIODS // 3 + 1]}
        result = run.storage.retrieve(begin=periods[0], end=end,
                                      metric_types='cpu', paginate=False)
        total_qty, total_price = D(0), D(0)
        for frame in result['dataframes']:
            start = harness.tzutils.local_to_utc(frame.start)
            qty = sum(p.qty for _, p in frame.iterpoints())
            price = sum(p.price for _, p in frame.iterpoints())
            factors = {D('2.5')} if start in window else {D(1), D('2.5')}
            assert price in {qty * f for f in factors}, start
            total_qty += qty
            total_price += price
        # Summaries (rollups) equal the points, to the last decimal.
        assert rollups.verify() == []
        served = run.storage.total(begin=periods[0], end=end,
                                   metric_types='cpu', paginate=False)
        assert served['results'][0]['qty'] == total_qty
        assert served['results'][0]['rate'] == total_price
    finally:
        run.stop_all()
