"""Processor logic: due periods, lock names, workers, resets."""
import datetime
import decimal
import hashlib
import logging
import threading

import pytest

from cloudkitty.collector import exceptions as collector_exc
from cloudkitty import dataframe
from cloudkitty import orchestrator
from cloudkitty import storage_state
from cloudkitty.utils import tz as tzutils

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)


def dt(*args):
    return datetime.datetime(*args, tzinfo=UTC)


# -- check_time_state ---------------------------------------------------------

def test_new_scope_starts_at_month_start_without_wait(conf):
    now = dt(2026, 11, 23, 10, 30)
    assert (orchestrator.check_time_state(None, 3600, 2, now=now)
            == tzutils.get_month_start(now))


@pytest.mark.parametrize('now, expected', [
    # next period [11:00, 12:00) is due once now > 11:00 + 2h
    (dt(2026, 11, 23, 13, 0, 0), None),
    (dt(2026, 11, 23, 13, 0, 1), dt(2026, 11, 23, 11)),
    (dt(2026, 11, 24), dt(2026, 11, 23, 11)),
])
def test_check_time_state_waits_periods(conf, now, expected):
    last = dt(2026, 11, 23, 10)
    assert orchestrator.check_time_state(last, 3600, 2, now=now) == expected


def test_check_time_state_no_wait(conf):
    last = dt(2026, 11, 23, 10)
    assert orchestrator.check_time_state(
        last, 3600, 0, now=dt(2026, 11, 23, 11, 0, 1)) == dt(2026, 11, 23, 11)
    assert orchestrator.check_time_state(
        last, 3600, 0, now=dt(2026, 11, 23, 11)) is None


def test_check_time_state_uses_configuration(conf):
    conf.set_override('period', 600, 'collect')
    conf.set_override('wait_periods', 1, 'collect')
    last = dt(2026, 11, 23, 10)
    assert orchestrator.check_time_state(
        last, now=dt(2026, 11, 23, 10, 20, 1)) == dt(2026, 11, 23, 10, 10)
    assert orchestrator.check_time_state(
        last, now=dt(2026, 11, 23, 10, 20)) is None


def test_seconds_until_due(conf):
    assert orchestrator.seconds_until_due(
        3600, now=dt(2026, 11, 23, 10, 59, 0)) == 61
    assert orchestrator.seconds_until_due(
        3600, now=dt(2026, 11, 23, 10, 0, 0)) == 3601


# -- locks ------------------------------------------------------------------

def test_lock_name(conf):
    conf.set_override('collector', 'prometheus', 'collect')
    conf.set_override('backend', 'source', 'fetcher')
    conf.set_override('scope_key', 'tenant_id', 'collect')
    expected = hashlib.sha256(
        b'cloudkitty-abcd-prometheus-source-tenant_id').hexdigest()
    assert orchestrator.get_lock_name('abcd') == expected
    assert len(expected) == 64

    class Coord(object):
        def get_lock(self, name):
            return name
    lock = orchestrator.get_lock(Coord(), 'abcd')
    assert lock == expected.encode('ascii')


def test_reprocessing_lock_base(conf):
    base = orchestrator.reprocessing_lock_base(
        'aaaa', datetime.datetime(2021, 6, 1), dt(2021, 6, 2, 3))
    assert base == ("<class 'cloudkitty.orchestrator.ReprocessingWorker'>"
                    "-id=aaaa-start=2021-06-01 00:00:00"
                    "-end=2021-06-02 03:00:00")


def test_next_reprocess_time(conf):
    row = storage_state.ReprocessingSchedule(
        1, 'a', dt(2021, 1, 1), dt(2021, 1, 1, 2), None, 'r')
    assert orchestrator.next_reprocess_time(row, 3600) == dt(2021, 1, 1)
    row.current_reprocess_time = dt(2021, 1, 1, 1)
    assert orchestrator.next_reprocess_time(row, 3600) == dt(2021, 1, 1, 2)
    row.current_reprocess_time = dt(2021, 1, 1, 2)
    assert orchestrator.next_reprocess_time(row, 3600) is None
    assert orchestrator.next_reprocess_time(None, 3600) is None


# -- skip expressions ---------------------------------------------------------

def _point(qty, price=0, **metadata):
    return dataframe.DataPoint('u', qty, price, {'project_id': 'p'},
                               metadata)


def test_skip_expression():
    expr = orchestrator.SkipExpression(
        'datapoint.get("vol", {}).get("qty", 0) == 0 or '
        'datapoint.get("metadata", {}).get("attr_one") == "some_value"')
    points = [_point(0), _point(1), _point(2, attr_one='some_value')]
    kept, excluded = expr.filter('m', points)
    assert kept == [points[1]]
    assert excluded == [points[0], points[2]]
    never = orchestrator.SkipExpression('False')
    assert never.filter('m', points) == (points, [])


def test_build_skip_expressions():
    conf = {'metrics': {
        'cpu': {'unit': 'i', 'alt_name': 'instance',
                'skip_datapoints_expression': 'True'},
        'vol': [{'unit': 'g', 'skip_datapoints_expression': 'False'},
                {'unit': 'g', 'alt_name': 'v2'}],
    }}
    exprs = orchestrator.build_skip_expressions(conf)
    assert sorted(exprs) == ['instance', 'vol']
    assert exprs['instance'].filter('instance', [_point(1)])[0] == []


# -- Worker -------------------------------------------------------------------

class FakeCollector(object):
    """Deterministic collector; ``fail`` holds metrics that raise."""

    collector_name = 'fake'

    def __init__(self, metrics=('cpu', 'volume'), fail=(), empty=(),
                 fail_scopes=(), fail_from=None):
        self.conf = {m: {'unit': 'u'} for m in metrics}
        self.fail = set(fail)
        self.fail_scopes = set(fail_scopes)
        self.fail_from = fail_from
        self.empty = set(empty)
        self.calls = []
        self._lock = threading.Lock()

    def retrieve(self, metric, start, end, scope_id=None, q_filter=None):
        with self._lock:
            self.calls.append((metric, start, scope_id))
        if (metric in self.fail or scope_id in self.fail_scopes
                or (self.fail_from and start >= self.fail_from)):
            raise collector_exc.CollectError('source unreachable')
        if metric in self.empty:
            raise collector_exc.NoDataCollected('fake', metric)
        return metric, [dataframe.DataPoint(
            'u', decimal.Decimal('2'), 0, {'project_id': scope_id}, {})]


class FakeStorage(object):
    """Keeps pushed frames by (scope, period start), replacing them."""

    def __init__(self, fail=False):
        self.data = {}
        self.pushes = 0
        self.deletes = []
        self.fail = fail

    def push(self, frames, scope_id=None):
        if self.fail:
            raise RuntimeError('storage down')
        for frame in frames:
            self.pushes += 1
            self.data[(scope_id, frame.start)] = frame

    def delete(self, begin=None, end=None, filters=None):
        self.deletes.append((begin, end, filters))
        scope = list(filters.values())[0]
        for key in list(self.data):
            start = tzutils.local_to_utc(key[1], naive=True)
            if (key[0] == scope and start >= tzutils.local_to_utc(
                    begin, naive=True)
                    and (end is None or start < tzutils.local_to_utc(
                        end, naive=True))):
                del self.data[key]


class Doubler(object):
    """A rating module setting price = 2 * qty, recording reloads."""

    def __init__(self):
        self.reloads = []

    def reload_config(self, start=None):
        self.reloads.append(start)

    def process(self, frame):
        out = dataframe.DataFrame(frame.start, frame.end)
        for metric, point in frame.iterpoints():
            out.add_point(point.set_price(point.qty * 2), metric)
        return out


class FakeModules(object):
    def __init__(self, *processors):
        self.processors = processors

    def for_scope(self, scope_id):
        return list(self.processors)

    def invalidate(self):
        pass


@pytest.fixture
def state(sqlite_url):
    manager = storage_state.StateManager()
    manager.init()
    return manager


def _worker(collector, storage, scope, state, modules=None):
    return orchestrator.Worker(
        collector, storage, scope, 0, modules=modules or FakeModules(),
        state=state, skip_expressions={})


def _recent(conf, hours):
    """A state leaving ``hours`` due periods (wait_periods 1)."""
    conf.set_override('period', 3600, 'collect')
    conf.set_override('wait_periods', 1, 'collect')
    now = tzutils.localized_now()
    return tzutils.align(now, 3600) - HOUR * (hours + 1)


def test_worker_processes_due_periods(conf, state):
    last = _recent(conf, 3)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    doubler = Doubler()
    worker = _worker(FakeCollector(), storage, 's1', state,
                     FakeModules(doubler))
    assert worker.run() == 3
    starts = sorted(start for _scope, start in storage.data)
    assert starts == [last + HOUR, last + 2 * HOUR, last + 3 * HOUR]
    assert doubler.reloads == starts
    frame = storage.data[('s1', starts[0])]
    assert [(m, p.price) for m, p in frame.iterpoints()] == [
        ('cpu', decimal.Decimal(4)), ('volume', decimal.Decimal(4))]
    assert frame.end == starts[0] + HOUR
    assert state.get_last_processed_timestamp('s1') == starts[-1]
    # Nothing left: a second run does nothing.
    assert _worker(FakeCollector(), storage, 's1', state).run() == 0


class ThreadRecordingCollector(FakeCollector):
    def __init__(self, concurrent, **kwargs):
        super().__init__(**kwargs)
        self.concurrent_retrieve = concurrent
        self.threads = set()

    def retrieve(self, metric, start, end, scope_id=None, q_filter=None):
        self.threads.add(threading.get_ident())
        return super().retrieve(metric, start, end, scope_id, q_filter)


@pytest.mark.parametrize('concurrent', [True, False])
def test_worker_collects_in_threads_unless_in_memory(conf, state,
                                                     concurrent):
    last = _recent(conf, 2)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    collector = ThreadRecordingCollector(concurrent,
                                         metrics=('a', 'b', 'c'))
    assert _worker(collector, storage, 's1', state).run() == 2
    in_caller = collector.threads == {threading.get_ident()}
    assert in_caller is not concurrent
    assert len(collector.calls) == 6
    frame = storage.data[('s1', last + HOUR)]
    assert [m for m, _p in frame.iterpoints()] == ['a', 'b', 'c']


def test_in_memory_collector_failure_keeps_state(conf, state):
    last = _recent(conf, 2)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    collector = ThreadRecordingCollector(False, fail_from=last + 2 * HOUR,
                                         empty=['cpu'])
    with pytest.raises(orchestrator.ScopeProcessingError):
        _worker(collector, storage, 's1', state).run()
    assert sorted(s for _sc, s in storage.data) == [last + HOUR]
    assert [m for m, _p in storage.data[('s1', last + HOUR)].iterpoints()
            ] == ['volume']
    assert state.get_last_processed_timestamp('s1') == last + HOUR


def test_worker_collector_failure_keeps_state(conf, state, caplog):
    last = _recent(conf, 2)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    worker = _worker(FakeCollector(fail=['volume']), storage, 's1', state)
    with caplog.at_level(logging.ERROR):
        with pytest.raises(orchestrator.ScopeProcessingError):
            worker.run()
    assert storage.data == {}
    assert state.get_last_processed_timestamp('s1') == last
    assert any('volume' in r.getMessage() and 's1' in r.getMessage()
               for r in caplog.records)
    # Caught up once the collector works again.
    assert _worker(FakeCollector(), storage, 's1', state).run() == 2
    assert len(storage.data) == 2


def test_worker_storage_failure_keeps_state(conf, state):
    last = _recent(conf, 2)
    state.set_last_processed_timestamp('s1', last)
    with pytest.raises(RuntimeError):
        _worker(FakeCollector(), FakeStorage(fail=True), 's1', state).run()
    assert state.get_last_processed_timestamp('s1') == last


def test_worker_empty_usage_still_advances(conf, state):
    last = _recent(conf, 1)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    worker = _worker(FakeCollector(empty=['cpu', 'volume']), storage, 's1',
                     state)
    assert worker.run() == 1
    # The (empty) frame is pushed so that a re-processed period is cleared.
    assert len(storage.data[('s1', last + HOUR)]) == 0
    assert state.get_last_processed_timestamp('s1') == last + HOUR


def test_worker_partial_no_data(conf, state):
    last = _recent(conf, 1)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    _worker(FakeCollector(empty=['cpu']), storage, 's1', state).run()
    frame = storage.data[('s1', last + HOUR)]
    assert [m for m, _p in frame.iterpoints()] == ['volume']


def test_inactive_scope_is_skipped(conf, state):
    last = _recent(conf, 2)
    state.set_last_processed_timestamp('s1', last)
    row = state.get_all(identifier='s1')[0]
    state.update_storage_scope(row, active=False)
    storage = FakeStorage()
    assert _worker(FakeCollector(), storage, 's1', state).run() == 0
    assert storage.data == {}


def test_worker_skip_expression(conf, state):
    last = _recent(conf, 1)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    worker = orchestrator.Worker(
        FakeCollector(), storage, 's1', 0, modules=FakeModules(),
        state=state,
        skip_expressions={'cpu': orchestrator.SkipExpression('True')},
        default_skip=orchestrator.SkipExpression('False'))
    worker.run()
    frame = storage.data[('s1', last + HOUR)]
    assert [m for m, _p in frame.iterpoints()] == ['volume']


def test_worker_stops_on_event(conf, state):
    last = _recent(conf, 3)
    state.set_last_processed_timestamp('s1', last)
    stop = threading.Event()
    stop.set()
    worker = orchestrator.Worker(
        FakeCollector(), FakeStorage(), 's1', 0, modules=FakeModules(),
        state=state, skip_expressions={}, stop_event=stop)
    assert worker.run() == 0


# -- reprocessing -------------------------------------------------------------

def test_reprocessing_worker(conf, state):
    last = _recent(conf, 4)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    _worker(FakeCollector(), storage, 's1', state).run()
    assert len(storage.data) == 4
    scheduler = storage_state.ReprocessingSchedulerDb()
    start, end = last + HOUR, last + 2 * HOUR
    schedule = scheduler.create('s1', start, end, 'new prices')
    doubler = Doubler()
    worker = orchestrator.ReprocessingWorker(
        FakeCollector(), storage, schedule, 0, scheduler=scheduler,
        modules=FakeModules(doubler), state=state, skip_expressions={})
    assert worker.run() == 2
    # Window [start, end] deleted once (end inclusive), then re-pushed.
    assert len(storage.deletes) == 1
    begin, until, filters = storage.deletes[0]
    assert filters == {'project_id': 's1'}
    assert until == tzutils.local_to_utc(end + HOUR, naive=True)
    assert len(storage.data) == 4
    for key in (('s1', start), ('s1', end)):
        assert [p.price for _m, p in storage.data[key].iterpoints()] == [
            decimal.Decimal(4)] * 2
    assert scheduler.get_from_db('s1', start, end) is None
    done = scheduler.get_all(remove_finished=False)[0]
    assert done.current_reprocess_time == tzutils.local_to_utc(end)
    # The scope's own state is untouched.
    assert state.get_last_processed_timestamp('s1') == last + 4 * HOUR


def test_reprocessing_worker_unknown_scope(conf, state):
    scheduler = storage_state.ReprocessingSchedulerDb()
    schedule = scheduler.create('ghost', dt(2021, 1, 1), dt(2021, 1, 1),
                                'x')
    with pytest.raises(orchestrator.ScopeProcessingError,
                       match='does not seem to exist anymore'):
        orchestrator.ReprocessingWorker(
            FakeCollector(), FakeStorage(), schedule, 0,
            scheduler=scheduler, modules=FakeModules(), state=state,
            skip_expressions={})


# -- reset ----------------------------------------------------------------

def test_reset_scope_state(conf, state, tmp_path):
    conf.set_override('coordination_url', 'file://%s' % tmp_path,
                      'orchestrator')
    last = _recent(conf, 4)
    state.set_last_processed_timestamp('s1', last)
    state.set_last_processed_timestamp('s2', last)
    storage = FakeStorage()
    for scope in ('s1', 's2'):
        _worker(FakeCollector(), storage, scope, state).run()
    reset_to = last + 2 * HOUR
    orchestrator.reset_scope_state(
        {'scopes': [{'scope_id': 's1', 'scope_key': 'project_id',
                     'fetcher': 'keystone', 'collector': 'gnocchi'}],
         'last_processed_timestamp': reset_to.isoformat()},
        storage=storage, state=state)
    assert sorted(s for sc, s in storage.data if sc == 's1') == [
        last + HOUR]
    assert len([1 for sc, _s in storage.data if sc == 's2']) == 4
    # Every deleted period is processed again: none is lost.
    assert state.get_last_processed_timestamp('s1') == last + HOUR
    assert _worker(FakeCollector(), storage, 's1', state).run() == 3
    assert len([1 for sc, _s in storage.data if sc == 's1']) == 4


def test_periods_before_a_failure_are_kept(conf, state):
    last = _recent(conf, 3)
    state.set_last_processed_timestamp('s1', last)
    storage = FakeStorage()
    collector = FakeCollector(fail_from=last + 2 * HOUR)
    with pytest.raises(orchestrator.ScopeProcessingError):
        _worker(collector, storage, 's1', state).run()
    assert sorted(s for _sc, s in storage.data) == [last + HOUR]
    assert state.get_last_processed_timestamp('s1') == last + HOUR


class FakeFetcher(object):
    name = 'fake'

    def __init__(self, scopes):
        self.scopes = scopes

    def get_tenants(self):
        return list(self.scopes)


def _service(conf, tmp_path, state, collector, scopes):
    """A CloudKittyProcessor without its process set-up."""
    conf.set_override('coordination_url', 'file://%s' % tmp_path,
                      'orchestrator')
    service = object.__new__(orchestrator.CloudKittyProcessor)
    service._worker_id = 0
    service._stop = threading.Event()
    service.fetcher = FakeFetcher(scopes)
    service.collector = collector
    service.storage = FakeStorage()
    service._state = state
    service._modules = FakeModules()
    service._skip = {}
    service._default_skip = orchestrator.SkipExpression('False')
    service._executor = None
    service.coord = orchestrator.get_coordinator()
    return service


def test_failing_scope_does_not_stop_others(conf, state, tmp_path, caplog):
    last = _recent(conf, 2)
    for scope in ('s1', 's2', 's3'):
        state.set_last_processed_timestamp(scope, last)
    service = _service(conf, tmp_path, state,
                       FakeCollector(fail_scopes=['s2']), ['s1', 's2', 's3'])
    try:
        with caplog.at_level(logging.ERROR):
            done, locked, failed = service.internal_run()
    finally:
        service.coord.stop()
    assert (done, locked, failed) == (4, 0, 1)
    assert state.get_last_processed_timestamp('s1') == last + 2 * HOUR
    assert state.get_last_processed_timestamp('s3') == last + 2 * HOUR
    assert state.get_last_processed_timestamp('s2') == last
    assert any('Error processing scope s2' in r.getMessage()
               for r in caplog.records)


def test_locked_scope_is_skipped(conf, state, tmp_path):
    last = _recent(conf, 1)
    state.set_last_processed_timestamp('s1', last)
    service = _service(conf, tmp_path, state, FakeCollector(), ['s1'])
    other = orchestrator.get_coordinator()
    lock = orchestrator.get_lock(other, 's1')
    assert lock.acquire(blocking=False)
    try:
        assert service.internal_run() == (0, 1, 0)
        lock.release()
        assert service.internal_run() == (1, 0, 0)
    finally:
        other.stop()
        service.coord.stop()


def test_module_loaded_once_per_run_when_declared(conf, state):
    last = _recent(conf, 3)
    state.set_last_processed_timestamp('s1', last)
    once = Doubler()
    once.reload_per_period = False
    every = Doubler()
    _worker(FakeCollector(), FakeStorage(), 's1', state,
            FakeModules(once, every)).run()
    assert once.reloads == [last + HOUR]
    assert every.reloads == [last + HOUR, last + 2 * HOUR, last + 3 * HOUR]


class _EntryPoint(object):
    def __init__(self, name):
        self.name = name


def _fake_manager(failing):
    def manager(namespace, on_load_failure_callback, **kwargs):
        for name in failing:
            on_load_failure_callback(None, _EntryPoint(name),
                                     ImportError('boom'))
        return []
    return manager


@pytest.mark.parametrize('enabled', [True, False])
def test_unloadable_module(conf, monkeypatch, enabled):
    from cloudkitty.db import api as db_api

    class States(object):
        def get_state(self, name):
            return enabled
    monkeypatch.setattr(db_api, 'get_module_state_manager', States)
    monkeypatch.setattr(orchestrator.extension, 'ExtensionManager',
                        _fake_manager(['hashmap']))
    modules = orchestrator.RatingModules()
    if enabled:
        # Rating without an enabled module would store wrong prices.
        with pytest.raises(RuntimeError, match='hashmap'):
            modules.for_scope('s1')
    else:
        assert modules.for_scope('s1') == []
