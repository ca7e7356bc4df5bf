"""A scope reset over RabbitMQ is re-rated at once whichever worker gets it.

The reset cast goes to one consumer of the ``cloudkitty.<host>`` queue,
which processing and reprocessing workers share; RabbitMQ hands the casts
out in turn, so successive resets reach every worker.
"""
import shutil
import tempfile
import uuid

import pytest

from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.processor import harness
from cloudkitty.tests import services

SCOPE = 'wake-scope'
METRICS = ('cpu',)
PERIODS = 3
# One processing worker, two reprocessing workers: most casts land on a
# reprocessing worker, which cannot rate the scope itself.
WORKERS = 3
# Without a wake-up, the idle processing worker sleeps until the next
# period boundary (up to an hour).
RERATE_TIMEOUT = 30


@pytest.fixture(scope='module')
def server():
    if not services.port_open('127.0.0.1', 5672):
        services.unavailable('RabbitMQ', 'nothing listens on 127.0.0.1:5672')
    tmp_dir = tempfile.mkdtemp(prefix='ck-processor-wake-')
    exchange = 'ck_test_%s' % uuid.uuid4().hex[:12]
    server = api_server.APIServer(
        overrides=harness.processor_overrides(
            [SCOPE], 'file://%s/locks' % tmp_dir,
            DEFAULT={'transport_url': services.RABBIT_URL,
                     'control_exchange': exchange},
            orchestrator={'max_workers': '1',
                          'max_workers_reprocessing': '2'}),
        metrics_conf=harness.synthetic_metrics(METRICS, 1),
        tmp_dir=tmp_dir)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(tmp_dir, ignore_errors=True)


def test_every_reset_is_rerated_at_once(server, conf):
    run = harness.ProcessorHarness(server, conf)
    try:
        periods = run.seed([SCOPE], PERIODS)
        process = run.start('processor')
        run.wait_states([SCOPE], periods[-1])
        done = 'Scope %s reset: data from' % SCOPE
        for attempt in range(WORKERS):
            resp = server.put('/v2/scope', json={
                'scope_id': SCOPE, 'state': periods[1].isoformat()})
            assert resp.status_code == 202, resp.text
            run.wait_for(lambda: run.log(process).count(done) > attempt,
                         60, 'reset %d' % (attempt + 1))
            run.wait_states([SCOPE], periods[-1], timeout=RERATE_TIMEOUT)
        assert run.stored(periods[0], periods[-1] + harness.HOUR) == (
            harness.expected_counts([SCOPE], METRICS, periods, 1))
    finally:
        run.stop_all()
