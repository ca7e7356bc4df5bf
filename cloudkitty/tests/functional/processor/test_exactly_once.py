"""Exactly once: concurrent processors on Redis locks, and SIGKILL."""
import random
import time
import uuid

import pytest

from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.processor import harness
from cloudkitty.tests import services

SCOPES = ['eo-scope-%02d' % i for i in range(20)]
METRICS = ('cpu', 'volume.size')
# Enough work that a kill right after the first commit lands mid-run, and
# more periods than one push batch, so scopes also stop half-way.
RESOURCES = 10
PERIODS = 48


@pytest.fixture(scope='module')
def redis_url():
    services.require_port('Redis', '127.0.0.1', 6379)
    # A namespace per run: lock keys of parallel runs never collide. The
    # lock of a killed processor expires after lock_timeout seconds.
    return '%s?namespace=ck-test-%s&lock_timeout=10' % (
        services.REDIS_URL, uuid.uuid4().hex[:12])


@pytest.fixture(scope='module')
def server(redis_url):
    server = api_server.APIServer(
        overrides=harness.processor_overrides(SCOPES, redis_url),
        metrics_conf=harness.synthetic_metrics(METRICS, RESOURCES))
    server.start()
    # Only the database and configuration are needed.
    server.stop()
    yield server
    server.cleanup()


@pytest.fixture
def run(conf, server):
    # Tests re-seed the same periods: the storage must end up with each
    # period exactly once again (pushes replace periods).
    runner = harness.ProcessorHarness(server, conf)
    yield runner
    runner.stop_all()


def _check(run, periods):
    begin = periods[0]
    end = periods[-1] + harness.HOUR
    stored = run.stored(begin, end)
    expected = harness.expected_counts(SCOPES, METRICS, periods, RESOURCES)
    missing = set(expected) - set(stored)
    extra = set(stored) - set(expected)
    doubled = {k: v for k, v in stored.items() if v != RESOURCES}
    assert not missing, 'periods never stored: %s' % sorted(missing)[:5]
    assert not extra, 'unexpected periods: %s' % sorted(extra)[:5]
    assert not doubled, 'periods stored twice: %s' % sorted(doubled)[:5]
    assert stored == expected


def test_two_processors_on_redis(run):
    periods = run.seed(SCOPES, PERIODS)
    first = run.start('processor-1')
    second = run.start('processor-2')
    run.wait_states(SCOPES, periods[-1], timeout=150)
    _check(run, periods)
    # Both processors took part (scopes are shuffled per worker).
    logs = run.log(first) + run.log(second)
    assert 'Error processing scope' not in logs


def test_sigkill_mid_run_and_restart(run):
    periods = run.seed(SCOPES, PERIODS)
    initial = run.states()
    victim = run.start('processor-killed')
    # Kill once some, but not all, periods were committed.
    run.wait_for(lambda: run.states() != initial, 120, 'a first commit')
    time.sleep(random.uniform(0, 0.1))
    run.kill(victim)
    states = run.states()
    assert any(states[s] < periods[-1] for s in SCOPES), (
        'the processor finished before being killed')
    run.start('processor-restarted')
    run.wait_states(SCOPES, periods[-1], timeout=150)
    _check(run, periods)
