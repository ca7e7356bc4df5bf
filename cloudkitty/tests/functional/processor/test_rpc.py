"""The processors' RPC server on RabbitMQ: reset_state and quote."""
import decimal
import shutil
import tempfile
import uuid

import pytest

from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.processor import harness
from cloudkitty.tests import services

SCOPES = ['rpc-scope-a', 'rpc-scope-b']
METRICS = ('cpu',)
PERIODS = 4


@pytest.fixture(scope='module')
def server():
    if not services.port_open('127.0.0.1', 5672):
        services.unavailable('RabbitMQ', 'nothing listens on 127.0.0.1:5672')
    tmp_dir = tempfile.mkdtemp(prefix='ck-processor-rpc-')
    # A private exchange: other runs and processors never see these casts.
    exchange = 'ck_test_%s' % uuid.uuid4().hex[:12]
    server = api_server.APIServer(
        overrides=harness.processor_overrides(
            SCOPES, 'file://%s/locks' % tmp_dir,
            DEFAULT={'transport_url': services.RABBIT_URL,
                     'control_exchange': exchange,
                     'rpc_response_timeout': '30'},
            orchestrator={'max_workers': '2'}),
        metrics_conf=harness.synthetic_metrics(METRICS, 2),
        tmp_dir=tmp_dir)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(tmp_dir, ignore_errors=True)


def test_reset_state_and_quote_over_rpc(server, conf):
    run = harness.ProcessorHarness(server, conf)
    try:
        periods = run.seed(SCOPES, PERIODS)
        end = periods[-1] + harness.HOUR
        run.start('processor')
        run.wait_states(SCOPES, periods[-1])

        # PUT /v2/scope casts reset_state to one processor worker, which
        # deletes the data from the date, moves the state and re-rates.
        resp = server.put('/v2/scope', json={
            'scope_id': SCOPES[0], 'state': periods[2].isoformat()})
        assert resp.status_code == 202, resp.text
        processor = run.processes[0]
        run.wait_for(lambda: 'Received reset_state command' in run.log(
            processor), 60, 'the reset_state cast')
        # Logged once the data is deleted and the state moved back.
        run.wait_for(lambda: 'Scope %s reset: data from' % SCOPES[0]
                     in run.log(processor), 60, 'the reset')
        run.wait_states(SCOPES, periods[-1])
        assert run.stored(periods[0], end) == harness.expected_counts(
            SCOPES, METRICS, periods, 2)

        # Enabling a module is announced to every processor (fanout).
        resp = server.put('/v2/rating/modules/hashmap',
                          json={'enabled': True})
        assert resp.status_code == 204, resp.text
        run.wait_for(lambda: 'Received enable_module command for module '
                     'hashmap' in run.log(processor), 60, 'enable_module')
        harness.flat_cpu_rule(server, '1.5')
        # With a transport, a v1 quote can only be rated by a processor
        # (RPC call); it uses the rules valid now.
        resp = server.post('/v1/rating/quote', json={'resources': [
            {'service': 'cpu', 'volume': '2', 'desc': {}}]})
        assert resp.status_code == 200, resp.text
        assert decimal.Decimal(resp.json()) == 3
    finally:
        run.stop_all()
