"""/v2/task/reprocesses through the v2 Flask application."""
import datetime

import pytest

from cloudkitty import storage_state

UTC = datetime.timezone.utc


@pytest.fixture
def app(conf, sqlite_url):
    conf.set_override('auth_strategy', 'noauth')
    storage_state.StateManager().init()
    manager = storage_state.StateManager()
    ts = datetime.datetime(2019, 1, 1, tzinfo=UTC)
    for scope in ('aaaa', 'bbbb'):
        manager.create_scope(scope, ts, 'keystone', 'gnocchi', 'project_id')
    manager.create_scope('cccc', ts, 'keystone', 'gnocchi', 'project_id',
                         active=False)
    from cloudkitty.api import v2
    return v2.get_app().test_client()


def _body(**kwargs):
    body = {'scope_ids': ['aaaa'], 'reason': 'new prices',
            'start_reprocess_time': '2018-12-31T00:00:00+00:00',
            'end_reprocess_time': '2018-12-31T02:00:00+00:00'}
    body.update(kwargs)
    return body


def test_create_and_list(app):
    resp = app.post('/task/reprocesses', json=_body())
    assert resp.status_code == 202 and resp.get_json() == {}
    resp = app.post('/task/reprocesses', json=_body(
        scope_ids='ALL', start_reprocess_time='2018-12-30T00:00:00Z',
        end_reprocess_time='2018-12-30T01:00:00Z'))
    assert resp.status_code == 202
    resp = app.get('/task/reprocesses')
    assert resp.status_code == 200
    results = resp.get_json()['results']
    assert [r['scope_id'] for r in results] == ['bbbb', 'aaaa', 'aaaa']
    assert results[-1] == {
        'scope_id': 'aaaa', 'reason': 'new prices',
        'start_reprocess_time': '2018-12-31T00:00:00',
        'end_reprocess_time': '2018-12-31T02:00:00',
        'current_reprocess_time': ''}
    resp = app.get('/task/reprocesses?order=ASC&limit=1&offset=2')
    assert [r['scope_id'] for r in resp.get_json()['results']] == ['bbbb']
    resp = app.get('/task/reprocesses?scope_ids=bbbb')
    assert [r['scope_id'] for r in resp.get_json()['results']] == ['bbbb']
    resp = app.get('/task/reprocesses/aaaa')
    assert len(resp.get_json()['results']) == 2
    resp = app.get('/task/reprocesses/unknown')
    assert resp.status_code == 200 and resp.get_json() == {'results': []}
    resp = app.get('/task/reprocesses?order=up')
    assert resp.status_code == 400
    assert resp.get_json()['message'] == (
        "The order [up] is not valid. Accepted values are ['asc', 'desc'].")


@pytest.mark.parametrize('changes, message', [
    ({'scope_ids': ['ALL', 'aaaa']},
     "Cannot use 'ALL' with scope ID [['ALL', 'aaaa']]. Either schedule a "
     "reprocessing for all active scopes using 'ALL' option, or inform only "
     "the scopes you desire to schedule a reprocessing."),
    ({'reason': '  '},
     'Empty or blank reason text is not allowed. Please, do inform/register '
     'the reason for the reprocessing of a previously processed timestamp.'),
    ({'end_reprocess_time': '2018-12-30T00:00:00Z'},
     'End reprocessing timestamp [2018-12-31 00:00:00+00:00] cannot be less '
     'than start reprocessing timestamp [2018-12-30 00:00:00+00:00].'),
    ({'start_reprocess_time': '2018-12-31T00:10:00Z',
      'end_reprocess_time': '2018-12-31T00:20:00Z'},
     "The provided reprocess time window does not comply with the "
     "configured collector period. A valid time window near the provided "
     "one is ['2018-12-31 00:00:00+00:00', '2018-12-31 01:00:00+00:00']"),
    ({'scope_ids': ['aaaa', 'cccc', 'zzzz']},
     "Scopes [['cccc', 'zzzz']] scheduled to reprocess "
     "[start=2018-12-31 00:00:00+00:00, end=2018-12-31 02:00:00+00:00] do "
     "not exist."),
    ({'start_reprocess_time': '2019-01-01T01:00:00Z',
      'end_reprocess_time': '2019-01-01T02:00:00Z'},
     "Cannot execute a reprocessing [start=2019-01-01 01:00:00+00:00] for "
     "scope [{'id': 1, 'identifier': 'aaaa', 'active': True}] starting "
     "after the last possible timestamp [2019-01-01 00:00:00+00:00]."),
    ({'end_reprocess_time': '2019-01-01T02:00:00Z'},
     "Cannot execute a reprocessing [end=2019-01-01 02:00:00+00:00] for "
     "scope [{'id': 1, 'identifier': 'aaaa', 'active': True}] ending after "
     "the last possible timestamp [2019-01-01 00:00:00+00:00]."),
])
def test_create_errors(app, changes, message):
    resp = app.post('/task/reprocesses', json=_body(**changes))
    assert resp.status_code == 400
    assert resp.get_json() == {'message': message}


def test_create_validation(app):
    body = _body()
    del body['reason']
    assert app.post('/task/reprocesses', json=body).status_code == 400
    resp = app.post('/task/reprocesses',
                    json=_body(start_reprocess_time='yesterday'))
    assert resp.status_code == 400
    assert app.post('/task/reprocesses', data='x').status_code == 415


def test_overlap(app):
    assert app.post('/task/reprocesses', json=_body()).status_code == 202
    # Touching ranges intersect.
    resp = app.post('/task/reprocesses', json=_body(
        start_reprocess_time='2018-12-31T02:00:00Z',
        end_reprocess_time='2018-12-31T03:00:00Z'))
    assert resp.status_code == 400
    assert resp.get_json()['message'] == (
        "Cannot schedule a reprocessing for scope [{'id': 1, 'identifier': "
        "'aaaa', 'active': True}] for reprocessing time "
        "[2018-12-31T02:00:00+0000 - 2018-12-31T03:00:00+0000], because it "
        "already has a schedule for a similar time range "
        "[2018-12-31T00:00:00+0000 - 2018-12-31T02:00:00+0000].")
    resp = app.post('/task/reprocesses', json=_body(
        start_reprocess_time='2018-12-31T03:00:00Z',
        end_reprocess_time='2018-12-31T04:00:00Z'))
    assert resp.status_code == 202
