"""Scope states and reprocessing schedules under concurrent writers."""
import datetime
import threading

import pytest

from cloudkitty import storage_state

UTC = datetime.timezone.utc
WRITERS = 8


@pytest.fixture
def state_db(sql_backend_url, conf):
    conf.set_override('backend', 'keystone', 'fetcher')
    conf.set_override('collector', 'gnocchi', 'collect')
    conf.set_override('scope_key', 'project_id', 'collect')
    storage_state.StateManager().init()
    return sql_backend_url


def _together(func):
    """Run func(i) in WRITERS threads at once: [result or exception]."""
    barrier = threading.Barrier(WRITERS)
    results = [None] * WRITERS

    def run(index):
        barrier.wait(30)
        try:
            results[index] = func(index)
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_first_state_of_a_scope_is_one_row(state_db):
    manager = storage_state.StateManager()
    start = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    results = _together(lambda i: manager.set_last_processed_timestamp(
        'p1', start + datetime.timedelta(hours=i)))
    assert results == [None] * WRITERS
    rows = manager.get_all(identifier='p1', active=None)
    assert len(rows) == 1
    assert rows[0].last_processed_timestamp in [
        start + datetime.timedelta(hours=i) for i in range(WRITERS)]


def test_overlapping_schedules_one_wins(state_db):
    manager = storage_state.StateManager()
    manager.set_last_processed_timestamp(
        'p1', datetime.datetime(2024, 2, 1, tzinfo=UTC))
    scheduler = storage_state.ReprocessingSchedulerDb()
    begin = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    results = _together(lambda i: scheduler.create(
        'p1', begin + datetime.timedelta(hours=i),
        begin + datetime.timedelta(hours=i + 10), 'writer %d' % i))
    created = [r for r in results
               if isinstance(r, storage_state.ReprocessingSchedule)]
    refused = [r for r in results
               if isinstance(r, storage_state.ScheduleOverlap)]
    assert (len(created), len(refused)) == (1, WRITERS - 1), results
    assert refused[0].code == 400
    assert 'similar time range' in str(refused[0])
    stored = scheduler.get_all(identifier='p1')
    assert [s.id for s in stored] == [created[0].id]
    # A window that overlaps nothing is still accepted.
    scheduler.create('p1', begin + datetime.timedelta(days=2),
                     begin + datetime.timedelta(days=3), 'later')
