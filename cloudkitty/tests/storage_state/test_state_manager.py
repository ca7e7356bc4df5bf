"""StateManager and ReprocessingSchedulerDb on every SQL backend."""
import datetime

from dateutil import tz as dateutil_tz
import pytest
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty import storage_state
from cloudkitty.utils import tz as tzutils

UTC = datetime.timezone.utc


def _dt(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def state_db(sql_backend_url, conf):
    conf.set_override('backend', 'keystone', 'fetcher')
    conf.set_override('collector', 'gnocchi', 'collect')
    conf.set_override('scope_key', 'project_id', 'collect')
    storage_state.StateManager().init()
    return sql_backend_url


def test_processor_operations(state_db):
    manager = storage_state.StateManager()
    assert manager.get_last_processed_timestamp('p1') is None
    manager.set_last_processed_timestamp('p1', _dt(2024, 1, 1))
    ts = manager.get_last_processed_timestamp('p1')
    assert ts == _dt(2024, 1, 1) and ts.tzinfo is not None
    assert manager.is_storage_scope_active('p1') is True
    # The new row carries the configured fetcher/collector/scope_key.
    scope, = manager.get_all()
    assert (scope.identifier, scope.fetcher, scope.collector,
            scope.scope_key) == ('p1', 'keystone', 'gnocchi', 'project_id')
    manager.set_last_processed_timestamp('p1', _dt(2024, 1, 1, 1))
    assert manager.get_last_processed_timestamp('p1') == _dt(2024, 1, 1, 1)
    assert len(manager.get_all(active=None)) == 1
    # Another fetcher is another scope state.
    assert manager.get_last_processed_timestamp(
        'p1', fetcher='source') is None
    manager.set_last_processed_timestamp('p1', _dt(2024, 2, 1),
                                         fetcher='source')
    assert manager.get_last_processed_timestamp(
        'p1', fetcher='source') == _dt(2024, 2, 1)
    assert manager.get_last_processed_timestamp('p1') == _dt(2024, 1, 1, 1)
    with pytest.raises(storage_state.NoSuchScope):
        manager.is_storage_scope_active('unknown')


def test_null_rows_are_back_filled(state_db):
    manager = storage_state.StateManager()
    created = manager.create_scope('p2', _dt(2024, 3, 1))
    assert (created.fetcher, created.collector, created.scope_key) == (
        None, None, None)
    assert created.active is True
    assert manager.get_last_processed_timestamp('p2') == _dt(2024, 3, 1)
    scope, = manager.get_all(identifier='p2')
    assert (scope.fetcher, scope.collector, scope.scope_key) == (
        'keystone', 'gnocchi', 'project_id')
    assert scope.id == created.id


def test_timezones(state_db, monkeypatch):
    paris = dateutil_tz.gettz('Europe/Paris')
    monkeypatch.setattr(tzutils, '_LOCAL_TZ', paris)
    manager = storage_state.StateManager()
    manager.set_last_processed_timestamp(
        'p3', datetime.datetime(2024, 6, 1, 2, tzinfo=paris))
    with db.session_for_read() as session:
        stored = session.execute(sa.text(
            "SELECT last_processed_timestamp FROM cloudkitty_storage_states"
        )).scalar()
    if isinstance(stored, str):  # SQLite returns text through raw SQL
        stored = datetime.datetime.fromisoformat(stored)
    assert stored == datetime.datetime(2024, 6, 1, 0, 0)
    ts = manager.get_last_processed_timestamp('p3')
    assert ts.utcoffset() == datetime.timedelta(hours=2)
    assert ts == _dt(2024, 6, 1)
    # Naive input is UTC.
    manager.set_last_processed_timestamp('p3', datetime.datetime(2024, 7, 1))
    assert manager.get_last_processed_timestamp('p3') == _dt(2024, 7, 1)


def test_api_operations(state_db):
    manager = storage_state.StateManager()
    for name, fetcher, active in (('a', 'keystone', True),
                                  ('b', 'keystone', False),
                                  ('c', 'source', True),
                                  ('d', 'keystone', True)):
        manager.create_scope(name, _dt(2024, 1, 1), fetcher=fetcher,
                             collector='gnocchi', scope_key='project_id',
                             active=active)
    ids = lambda rows: [r.identifier for r in rows]  # noqa: E731
    assert ids(manager.get_all()) == ['a', 'c', 'd']
    assert ids(manager.get_all(active=None)) == ['a', 'b', 'c', 'd']
    assert ids(manager.get_all(active=[])) == ['a', 'b', 'c', 'd']
    assert ids(manager.get_all(active=[0])) == ['b']
    assert ids(manager.get_all(active=[0, 1])) == ['a', 'b', 'c', 'd']
    assert ids(manager.get_all(fetcher=['keystone'], active=None)) == [
        'a', 'b', 'd']
    assert ids(manager.get_all(identifier=['d', 'a', 'x'])) == ['a', 'd']
    assert ids(manager.get_all(identifier='c', fetcher='source',
                               collector=['gnocchi'],
                               scope_key=['project_id'])) == ['c']
    assert ids(manager.get_all(active=None, offset=1, limit=2)) == [
        'b', 'c']
    assert ids(manager.get_all(active=None, offset=10)) == []
    assert ids(manager.get_all(active=None, limit=None)) == [
        'a', 'b', 'c', 'd']
    assert manager.count(active=None) == 4
    assert manager.count(fetcher='keystone') == 2

    with pytest.raises(storage_state.ScopeAlreadyExists):
        manager.create_scope('b', _dt(2024, 2, 1), fetcher='keystone',
                             collector='gnocchi', scope_key='project_id')

    b, = manager.get_all(identifier='b', active=None)
    rendered = b.as_dict()
    assert rendered['scope_id'] == 'b' and rendered['active'] is False
    assert rendered['last_processed_timestamp'] == (
        tzutils.utc_to_local(_dt(2024, 1, 1)).isoformat())

    # Same active value: toggle date unchanged; other fields updated.
    updated = manager.update_storage_scope(b, active=False,
                                           collector='prometheus',
                                           scope_key='')
    assert updated.scope_activation_toggle_date == (
        b.scope_activation_toggle_date)
    assert (updated.collector, updated.scope_key) == ('prometheus',
                                                      'project_id')
    updated = manager.update_storage_scope(b, active=True)
    assert updated.active is True
    assert updated.scope_activation_toggle_date >= (
        b.scope_activation_toggle_date)
    assert manager.is_storage_scope_active(
        'b', fetcher='keystone', collector='prometheus')
    # A change colliding with another row is refused clearly.
    manager.create_scope('a', _dt(2024, 1, 1), fetcher='source',
                         collector='gnocchi', scope_key='project_id')
    a, = manager.get_all(identifier='a', fetcher='keystone')
    with pytest.raises(storage_state.ScopeAlreadyExists):
        manager.update_storage_scope(a, fetcher='source')

    manager.delete_scope(a)
    with pytest.raises(storage_state.NoSuchScope):
        manager.get_scope(a.id)


def test_state_written_in_caller_transaction(state_db):
    manager = storage_state.StateManager()
    with pytest.raises(RuntimeError):
        with db.session_for_write() as session:
            manager.set_last_processed_timestamp('p4', _dt(2024, 1, 1),
                                                 session=session)
            assert manager.get_last_processed_timestamp(
                'p4', session=session) == _dt(2024, 1, 1)
            raise RuntimeError('storage push failed')
    assert manager.get_last_processed_timestamp('p4') is None
    with db.session_for_write() as session:
        manager.set_last_processed_timestamp('p4', _dt(2024, 1, 1),
                                             session=session)
    assert manager.get_last_processed_timestamp('p4') == _dt(2024, 1, 1)


def test_reprocessing_scheduler(state_db):
    scheduler = storage_state.ReprocessingSchedulerDb()
    first = scheduler.create('s1', _dt(2024, 1, 1), _dt(2024, 1, 1, 2),
                             'price fix')
    assert first.current_reprocess_time is None and not first.finished
    assert first.start_reprocess_time == _dt(2024, 1, 1)
    assert first.as_dict() == {
        'scope_id': 's1', 'reason': 'price fix',
        'start_reprocess_time': '2024-01-01T00:00:00',
        'end_reprocess_time': '2024-01-01T02:00:00',
        'current_reprocess_time': ''}

    class Schedule(object):
        identifier = 's2'
        start_reprocess_time = _dt(2024, 1, 2)
        end_reprocess_time = _dt(2024, 1, 2, 1)
        reason = 'other'

    second = scheduler.persist(Schedule())
    third = scheduler.create('s1', _dt(2024, 2, 1), _dt(2024, 2, 1),
                             'again')
    ids = lambda rows: [r.id for r in rows]  # noqa: E731
    assert ids(scheduler.get_all()) == [third.id, second.id, first.id]
    assert ids(scheduler.get_all(order='ASC')) == [first.id, second.id,
                                                   third.id]
    assert ids(scheduler.get_all(identifier='s1')) == [third.id, first.id]
    assert ids(scheduler.get_all(identifier=['s2'], order='asc')) == [
        second.id]
    assert ids(scheduler.get_all(order='asc', offset=1, limit=1)) == [
        second.id]
    with pytest.raises(ValueError, match=r"The order \[up\] is not valid"):
        scheduler.get_all(order='up')

    found = scheduler.get_from_db('s1', _dt(2024, 1, 1), _dt(2024, 1, 1, 2))
    assert found.id == first.id
    assert scheduler.get_from_db('s1', _dt(2024, 1, 1),
                                 _dt(2024, 1, 1, 3)) is None

    updated = scheduler.update_reprocessing_time(
        's1', _dt(2024, 1, 1), _dt(2024, 1, 1, 2), _dt(2024, 1, 1, 1))
    assert updated.current_reprocess_time == _dt(2024, 1, 1, 1)
    assert updated.as_dict()['current_reprocess_time'] == (
        '2024-01-01T01:00:00')
    assert not updated.finished
    updated = scheduler.update_reprocessing_time(
        's1', _dt(2024, 1, 1), _dt(2024, 1, 1, 2), _dt(2024, 1, 1, 2))
    assert updated.finished
    # Finished: gone from the processor's view, kept in the API's.
    assert scheduler.get_from_db('s1', _dt(2024, 1, 1),
                                 _dt(2024, 1, 1, 2)) is None
    assert scheduler.update_reprocessing_time(
        's1', _dt(2024, 1, 1), _dt(2024, 1, 1, 2), _dt(2024, 1, 1, 3)) is None
    assert ids(scheduler.get_all()) == [third.id, second.id]
    assert ids(scheduler.get_all(remove_finished=False)) == [
        third.id, second.id, first.id]
