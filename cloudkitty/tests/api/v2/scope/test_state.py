"""/v2/scope through the v2 Flask application."""
import datetime

import pytest

from cloudkitty import storage_state
from cloudkitty.utils import tz as tzutils

UTC = datetime.timezone.utc


@pytest.fixture
def app(conf, sqlite_url, tmp_path):
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('coordination_url', 'file://%s' % tmp_path,
                      'orchestrator')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    storage_state.StateManager().init()
    from cloudkitty.api import v2
    return v2.get_app().test_client()


@pytest.fixture
def scopes(app):
    manager = storage_state.StateManager()
    ts = datetime.datetime(2019, 5, 9, 10, tzinfo=UTC)
    manager.create_scope('aaaa', ts, 'keystone', 'gnocchi', 'project_id')
    manager.create_scope('bbbb', ts, 'source', 'prometheus', 'project_id')
    inactive = manager.create_scope('cccc', ts, 'keystone', 'gnocchi',
                                    'project_id', active=False)
    return manager, inactive


def test_list(app, scopes):
    resp = app.get('/scope')
    assert resp.status_code == 200
    results = resp.get_json()['results']
    assert [r['scope_id'] for r in results] == ['aaaa', 'bbbb', 'cccc']
    first = results[0]
    assert first['last_processed_timestamp'] == tzutils.utc_to_local(
        datetime.datetime(2019, 5, 9, 10)).isoformat()
    assert first['state'] == first['last_processed_timestamp']
    assert first['active'] is True
    assert set(first) == {'scope_id', 'scope_key', 'fetcher', 'collector',
                          'last_processed_timestamp', 'active',
                          'scope_activation_toggle_date', 'state'}


@pytest.mark.parametrize('query, expected', [
    ('scope_id=aaaa,cccc', ['aaaa', 'cccc']),
    ('scope_id=aaaa&scope_id=bbbb', ['aaaa', 'bbbb']),
    ('fetcher=source', ['bbbb']),
    ('collector=gnocchi&active=0', ['cccc']),
    ('active=1', ['aaaa', 'bbbb']),
    ('offset=1&limit=1', ['bbbb']),
])
def test_list_filters(app, scopes, query, expected):
    resp = app.get('/scope?' + query)
    assert [r['scope_id'] for r in resp.get_json()['results']] == expected


@pytest.mark.parametrize('query, status', [
    ('scope_id=zzzz', 404), ('offset=10', 404), ('foo=bar', 400),
    ('active=true', 400), ('limit=0', 400)])
def test_list_errors(app, scopes, query, status):
    resp = app.get('/scope?' + query)
    assert resp.status_code == status
    if status == 404:
        assert resp.get_json() == {
            'message': 'No resource found for provided filters.'}


class RecordingStorage(object):
    def __init__(self):
        self.deletes = []

    def delete(self, begin=None, end=None, filters=None):
        self.deletes.append((begin, end, filters))


def test_reset_without_rpc(app, scopes, monkeypatch):
    from cloudkitty.api.v2 import base
    storage = RecordingStorage()
    monkeypatch.setattr(base.BaseResource, '_storage', storage)
    resp = app.put('/scope', json={'scope_id': 'aaaa',
                                   'state': '2019-05-09T08:00:00Z'})
    assert resp.status_code == 202 and resp.get_json() == {}
    manager, _ = scopes
    # The period starting at the date is processed again.
    assert manager.get_last_processed_timestamp(
        'aaaa', 'keystone', 'gnocchi', 'project_id') == datetime.datetime(
            2019, 5, 9, 7, tzinfo=UTC)
    resp = app.put('/scope', json={'all_scopes': True,
                                   'last_processed_timestamp': '2019-05-01'})
    assert resp.status_code == 202
    states = {s.identifier: s.last_processed_timestamp
              for s in manager.get_all(active=None)}
    assert states['bbbb'] == datetime.datetime(2019, 4, 30, 23, tzinfo=UTC)
    assert storage.deletes[0] == (
        datetime.datetime(2019, 5, 9, 8, tzinfo=UTC), None,
        {'project_id': 'aaaa'})
    assert len(storage.deletes) == 3
    # Inactive scopes are not reset.
    assert states['cccc'] == datetime.datetime(2019, 5, 9, 10, tzinfo=UTC)


@pytest.mark.parametrize('body, status, message', [
    ({'last_processed_timestamp': '2019-05-01'}, 400,
     'Either all_scopes or a scope_id should be specified.'),
    ({'scope_id': 'aaaa'}, 400,
     "Variable 'last_processed_timestamp' cannot be empty/None."),
    ({'scope_id': 'zzzz', 'last_processed_timestamp': '2019-05-01'}, 404,
     'No resource found for provided filters.'),
    ({'scope_id': 'cccc', 'last_processed_timestamp': '2019-05-01'}, 404,
     'No resource found for provided filters.'),
    ({'scope_id': 'aaaa', 'all_scopes': True,
      'last_processed_timestamp': '2019-05-01'}, 400, None),
    ({'scope_id': 'aaaa', 'last_processed_timestamp': 'nope'}, 400, None),
    ({'scope_id': 'aaaa', 'last_processed_timestamp': '2019-05-01',
      'bogus': 1}, 400, None),
])
def test_reset_errors(app, scopes, body, status, message):
    resp = app.put('/scope', json=body)
    assert resp.status_code == status
    if message:
        assert resp.get_json() == {'message': message}


def test_patch(app, scopes):
    resp = app.patch('/scope', json={'scope_id': 'aaaa', 'active': False,
                                     'collector': 'prometheus'})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body['active'] is False and body['collector'] == 'prometheus'
    assert body['fetcher'] == 'keystone'
    assert app.patch('/scope', json={'scope_id': 'zzzz'}).status_code == 404
    assert app.patch('/scope', json={'active': True}).status_code == 400


def test_post(app, scopes):
    resp = app.post('/scope', json={
        'scope_id': 'dddd', 'scope_key': 'project_id', 'fetcher': 'source',
        'collector': 'synthetic', 'last_processed_timestamp':
            '2019-07-16T08:00:00Z'})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body['scope_id'] == 'dddd' and body['active'] is True
    assert body['last_processed_timestamp'] == tzutils.utc_to_local(
        datetime.datetime(2019, 7, 16, 8)).isoformat()
    resp = app.post('/scope', json={'scope_id': 'dddd',
                                    'last_processed_timestamp': '2019-07-16'})
    assert resp.status_code == 404
    assert resp.get_json()['message'] == (
        'Cannot create a scope with an already existing scope_id: dddd.')
    # Omitted columns take the configured values (no NULL row, no 500).
    resp = app.post('/scope', json={'scope_id': 'eeee',
                                    'last_processed_timestamp': '2019-07-16'})
    assert resp.status_code == 200
    assert resp.get_json()['scope_key'] == 'project_id'
    assert app.get('/scope').status_code == 200
    assert app.post('/scope', json={'scope_id': 'ffff'}).status_code == 400


@pytest.mark.parametrize('value, expected', [
    (False, False), ('false', False), ('no', False), ('0', False),
    (True, True), ('true', True)])
def test_patch_active_values(app, scopes, value, expected):
    resp = app.patch('/scope', json={'scope_id': 'aaaa', 'active': value})
    assert resp.status_code == 200
    assert resp.get_json()['active'] is expected


def test_patch_active_invalid(app, scopes):
    resp = app.patch('/scope', json={'scope_id': 'aaaa', 'active': 'maybe'})
    assert resp.status_code == 400
