"""Processor progress: lines per batch and per cycle, periods behind."""
import datetime
import logging
import threading

import pytest

from cloudkitty import orchestrator
from cloudkitty.tests import test_orchestrator as base
from cloudkitty.tests.test_orchestrator import state  # noqa: F401
from cloudkitty.utils import tz as tzutils

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)


def dt(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize('wait', [0, 1, 2])
def test_periods_behind_agrees_with_check_time_state(conf, wait):
    last = dt(2026, 11, 23, 10)
    for minutes in range(0, 8 * 60, 7):
        now = last + datetime.timedelta(minutes=minutes, seconds=1)
        due, position = 0, last
        while True:
            position = orchestrator.check_time_state(position, 3600, wait,
                                                     now=now)
            if position is None:
                break
            due += 1
        assert orchestrator.periods_behind(last, 3600, wait, now=now) == due


def test_periods_behind_of_a_new_scope(conf):
    now = dt(2026, 11, 2, 5, 30)
    first = tzutils.get_month_start(now)
    assert orchestrator.check_time_state(None, 3600, 1, now=now) == first
    # The month's first period, then those due after it.
    assert orchestrator.periods_behind(None, 3600, 1, now=now) == (
        1 + orchestrator.periods_behind(first, 3600, 1, now=now))
    assert orchestrator.periods_behind(
        first, 3600, 1, now=first + datetime.timedelta(hours=5, minutes=30)
    ) == 4


def _messages(caplog, level):
    return [r.getMessage() for r in caplog.records if r.levelno == level]


def test_empty_periods_are_one_progress_line(conf, state, caplog):  # noqa
    last = base._recent(conf, 30)
    state.set_last_processed_timestamp('s1', last)
    worker = base._worker(base.FakeCollector(empty=['cpu', 'volume']),
                          base.FakeStorage(), 's1', state)
    with caplog.at_level(logging.DEBUG, logger='cloudkitty.orchestrator'):
        assert worker.run() == 30
    assert _messages(caplog, logging.WARNING) == []
    info = _messages(caplog, logging.INFO)
    assert len(info) == 2, info
    assert 'Rated 24 period(s) from %s' % (last + HOUR) in info[0]
    assert '(24 without usage); 6 period(s) behind' in info[0]
    assert '(6 without usage); 0 period(s) behind' in info[1]
    assert 'consider de-activating it' in info[1]
    assert worker.empty_periods == 30 and worker.behind == 0


class _Lock(object):
    def __init__(self, free=True):
        self.free = free

    def acquire(self, blocking=True):
        return self.free

    def release(self):
        pass


class _Coordinator(object):
    def __init__(self, locked=()):
        self.locked = {orchestrator.get_lock_name(s) for s in locked}

    def get_lock(self, name):
        return _Lock(name.decode('ascii') not in self.locked)


class _Fetcher(object):
    name = 'fake'

    def __init__(self, scopes):
        self.scopes = scopes

    def get_tenants(self):
        return list(self.scopes)


def _processor(conf, state, scopes, locked=()):  # noqa: F811
    proc = object.__new__(orchestrator.CloudKittyProcessor)
    proc._worker_id = 0
    proc._stop = threading.Event()
    proc._modules = base.FakeModules()
    proc.fetcher = _Fetcher(scopes)
    proc.collector = base.FakeCollector(fail_scopes=['broken'])
    proc.storage = base.FakeStorage()
    proc._state = state
    proc._executor = None
    proc._skip = {}
    proc._default_skip = None
    proc.coord = _Coordinator(locked)
    return proc


def test_cycle_summary_line(conf, state, caplog):  # noqa: F811
    last = base._recent(conf, 3)
    for scope in ('a', 'b', 'broken', 'busy'):
        state.set_last_processed_timestamp(scope, last)
    state.set_last_processed_timestamp('c', last + 3 * HOUR)
    proc = _processor(conf, state, ['a', 'b', 'c', 'broken', 'busy'],
                      locked=['busy'])
    with caplog.at_level(logging.INFO, logger='cloudkitty.orchestrator'):
        assert proc.internal_run() == (6, 1, 1)
    lines = [m for m in _messages(caplog, logging.INFO)
             if 'Cycle done' in m]
    assert lines == [
        '[Worker: 0] Cycle done: 5 scope(s), 3 processed, 6 period(s) '
        'rated (0 without usage), 1 locked by another worker, 1 failed; '
        'behind: broken by 3 period(s)']
    assert tzutils.local_to_utc(state.get_last_processed_timestamp(
        'a')) == tzutils.local_to_utc(last + 3 * HOUR)
