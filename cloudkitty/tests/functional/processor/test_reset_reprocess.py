"""Scope reset with the real CLI, and reprocessing after a rule change."""
import decimal
import os
import shutil
import tempfile

import pytest

from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.processor import harness

SCOPES = ['rr-scope-a', 'rr-scope-b']
METRICS = ('cpu', 'volume.size')
RESOURCES = 2
PERIODS = 6


@pytest.fixture(scope='module')
def server():
    tmp_dir = tempfile.mkdtemp(prefix='ck-processor-')
    server = api_server.APIServer(
        overrides=harness.processor_overrides(
            SCOPES, 'file://%s/locks' % tmp_dir,
            orchestrator={'max_workers': '1',
                          'max_workers_reprocessing': '1'}),
        metrics_conf=harness.synthetic_metrics(METRICS, RESOURCES),
        tmp_dir=tmp_dir)
    server.start()
    yield server
    server.stop()
    if not os.environ.get('CK_KEEP_TMP'):
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _check_prices(run, periods, scope, cpu_price):
    """Every stored cpu point costs qty * cpu_price, other metrics 0."""
    result = run.storage.retrieve(begin=periods[0],
                                  end=periods[-1] + harness.HOUR,
                                  filters={'project_id': scope},
                                  paginate=False)
    seen = set()
    for frame in result['dataframes']:
        for metric, point in frame.iterpoints():
            expected = (point.qty * cpu_price if metric == 'cpu'
                        else decimal.Decimal(0))
            assert point.price == expected, (frame.start, metric, point)
            seen.add(frame.start)
    return seen


def test_reset_and_reprocessing(server, conf):
    resp = server.put('/v2/rating/modules/hashmap', json={'enabled': True})
    assert resp.status_code == 204, resp.text
    harness.flat_cpu_rule(server, '1')
    run = harness.ProcessorHarness(server, conf)
    try:
        periods = run.seed(SCOPES, PERIODS)
        expected = harness.expected_counts(SCOPES, METRICS, periods,
                                           RESOURCES)
        end = periods[-1] + harness.HOUR
        processor = run.start('processor')
        run.wait_states(SCOPES, periods[-1])
        assert run.stored(periods[0], end) == expected
        _check_prices(run, periods, SCOPES[0], 1)

        # Reset scope A to the start of periods[3] with the real CLI
        # (no RPC transport: the API resets under the scope lock).
        run.stop(processor)
        result = server.cli('scope', 'state', 'reset', '--scope-id',
                            SCOPES[0], periods[3].isoformat(), version='2')
        assert result.returncode == 0, result.stderr
        stored = run.stored(periods[0], end)
        assert {k[2] for k in stored if k[0] == SCOPES[0]} == {
            harness.tzutils.local_to_utc(p) for p in periods[:3]}
        assert sum(1 for k in stored if k[0] == SCOPES[1]) == (
            len(METRICS) * PERIODS)
        # Every deleted period is processed again.
        assert run.states()[SCOPES[0]] == periods[2]
        shown = server.cli('scope', 'state', 'get', '--scope-id',
                           SCOPES[0], '-f', 'json', version='2').json()
        assert shown[0]['State'] and shown[0]['Scope ID'] == SCOPES[0]

        run.start('processor-2')
        run.wait_states(SCOPES, periods[-1])
        assert run.stored(periods[0], end) == expected

        # New price, valid for the past too; re-rate periods[1]..[2].
        harness.flat_cpu_rule(server, '2.5')
        result = server.cli(
            'tasks', 'reprocessing', 'create', '--scope-id', SCOPES[0],
            '--start-reprocess-time', periods[1].isoformat(),
            '--end-reprocess-time', periods[2].isoformat(),
            '--reason', 'new cpu price', version='2')
        assert result.returncode == 0, result.stderr

        def finished():
            tasks = server.get('/v2/task/reprocesses').json()['results']
            return tasks and all(
                t['current_reprocess_time'] == t['end_reprocess_time']
                for t in tasks)
        run.wait_for(finished, 90, 'the reprocessing task')
        assert run.stored(periods[0], end) == expected
        window = {harness.tzutils.local_to_utc(p) for p in periods[1:3]}
        prices = run.prices(periods[0], end, SCOPES[0])
        qty = {}
        result = run.storage.retrieve(begin=periods[0], end=end,
                                      filters={'project_id': SCOPES[0]},
                                      metric_types='cpu', paginate=False)
        for frame in result['dataframes']:
            start = harness.tzutils.local_to_utc(frame.start)
            qty[start] = sum(p.qty for _m, p in frame.iterpoints())
        for start, total in qty.items():
            factor = decimal.Decimal('2.5') if start in window else 1
            assert prices[(SCOPES[0], 'cpu', start)] == total * factor
        # Scope B was not reprocessed.
        _check_prices(run, periods, SCOPES[1], 1)
    finally:
        run.stop_all()
