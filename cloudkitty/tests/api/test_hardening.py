"""Hostile input refused before it reaches a handler or the storage."""
import copy
import json

import pytest

from cloudkitty.api import hardening

FRAME = {
    'period': {'begin': '2019-07-23T12:00:00Z', 'end': '2019-07-23T13:00:00Z'},
    'usage': {
        'cpu': [
            {'vol': {'unit': 'instance', 'qty': 1},
             'rating': {'price': '0.5'},
             'groupby': {'project_id': 'p1', 'id': 'vm1'},
             'metadata': {'flavor': 'm1.tiny'}},
            {'vol': {'unit': 'instance', 'qty': 2},
             'groupby': {'project_id': 'p1', 'id': 'vm2'},
             'metadata': {}},
        ],
    },
}
PERIOD = {'begin': '2019-07-01T00:00:00Z', 'end': '2019-08-01T00:00:00Z'}
DEEP = '{"a": ' * 5000 + '1' + '}' * 5000


@pytest.fixture
def client(data_client):
    return data_client


def _frames(change=None):
    good = copy.deepcopy(FRAME)
    bad = copy.deepcopy(FRAME)
    bad['period'] = {'begin': '2019-07-23T13:00:00Z',
                     'end': '2019-07-23T14:00:00Z'}
    if change is not None:
        change(bad)
    # The hostile value is in the second frame: the first, valid one
    # must not be stored either.
    return {'dataframes': [good, bad]}


def _point(frame, index=1):
    return frame['usage']['cpu'][index]


def _set_qty(value):
    return lambda f: _point(f)['vol'].__setitem__('qty', value)


def _set_price(value):
    return lambda f: _point(f).__setitem__('rating', {'price': value})


def _set_groupby(key, value):
    return lambda f: _point(f)['groupby'].__setitem__(key, value)


def _set_metadata(key, value):
    return lambda f: _point(f)['metadata'].__setitem__(key, value)


def _rename_metric(name):
    def change(frame):
        frame['usage'] = {name: frame['usage']['cpu']}
    return change


def _reads_succeed(client):
    for path, query in (('/v2/summary', PERIOD), ('/v2/dataframes', PERIOD),
                        ('/v1/report/total', PERIOD),
                        ('/v1/report/summary', PERIOD),
                        ('/v1/storage/dataframes', PERIOD)):
        resp = client.get(path, query=query)
        assert resp.status in (200, 404), (path, resp.status, resp.text)
        # Standard JSON only (no NaN or Infinity tokens).
        json.loads(resp.text, parse_constant=pytest.fail)


@pytest.mark.parametrize('change, field', [
    (_set_qty('NaN'), 'dataframes[1].usage.cpu[1].vol.qty'),
    (_set_qty('Infinity'), 'dataframes[1].usage.cpu[1].vol.qty'),
    (_set_qty('-inf'), 'dataframes[1].usage.cpu[1].vol.qty'),
    (_set_qty('1e999'), 'dataframes[1].usage.cpu[1].vol.qty'),
    (_set_qty('1e15'), 'dataframes[1].usage.cpu[1].vol.qty'),
    (_set_qty(10 ** 30), 'dataframes[1].usage.cpu[1].vol.qty'),
    (_set_price('sNaN'), 'dataframes[1].usage.cpu[1].rating.price'),
    (_set_price('-1E+25'), 'dataframes[1].usage.cpu[1].rating.price'),
    (_rename_metric('x' * 256), 'dataframes[1].usage (metric type'),
    (_rename_metric('a\x00b'), 'dataframes[1].usage'),
    (_set_groupby('project_id', ['p1']),
     'dataframes[1].usage.cpu[1].groupby.project_id'),
    (_set_groupby('project_id', {'a': 'b'}),
     'dataframes[1].usage.cpu[1].groupby.project_id'),
    (_set_groupby('project_id', 'p' * 256),
     'dataframes[1].usage.cpu[1].groupby.project_id'),
    (_set_groupby('month', 'm' * 65),
     'dataframes[1].usage.cpu[1].groupby.month'),
    (_set_groupby('id', 2 ** 64), 'dataframes[1].usage.cpu[1].groupby.id'),
    (_set_groupby('k' * 256, 'v'), 'dataframes[1].usage.cpu[1].groupby.'),
    (_set_metadata('project_id', {'nested': 1}),
     'dataframes[1].usage.cpu[1].metadata.project_id'),
    (_set_metadata('flavor', 'a\x00'),
     'dataframes[1].usage.cpu[1].metadata.flavor'),
    (_set_metadata('flavor', {'deep': [1, 2 ** 70]}),
     'dataframes[1].usage.cpu[1].metadata.flavor.deep[1]'),
])
def test_post_dataframes_refuses_unstorable_values(client, data_storage,
                                                   change, field):
    resp = client.post('/v2/dataframes', _frames(change))
    assert resp.status == 400, resp.text
    assert field in resp.json()['message']
    assert data_storage.points == []
    _reads_succeed(client)


@pytest.mark.parametrize('raw, text', [
    ('{"dataframes": [%s]}' % json.dumps(FRAME).replace(
        '"qty": 1', '"qty": 1e999'), '1e999'),
    ('{"dataframes": [%s]}' % json.dumps(FRAME).replace(
        '"qty": 1', '"qty": NaN'), 'NaN'),
    (json.dumps({'dataframes': [FRAME]}).replace('vm1', '\\ud800'),
     'lone surrogate'),
    (DEEP, 'nested deeper'),
])
def test_post_dataframes_refuses_hostile_json(client, data_storage, raw,
                                              text):
    resp = client.post('/v2/dataframes', raw)
    assert resp.status == 400, resp.text
    assert text in resp.json()['message']
    assert data_storage.points == []
    _reads_succeed(client)


def test_post_dataframes_accepts_boundary_values(client, data_storage):
    def change(frame):
        _point(frame)['vol']['qty'] = '999999999999999.999999'
        _point(frame)['rating'] = {'price': -1e14}
        _point(frame)['groupby'].update({'n': 2 ** 63 - 1, 'b': True,
                                         'none': None, 'u': '\U0001f600'})
        _point(frame)['metadata'].update({'nested': {'a': [1, {'b': 2}]}})
    resp = client.post('/v2/dataframes', _frames(change))
    assert resp.status == 204, resp.text
    assert len(data_storage.points) == 4
    _reads_succeed(client)


# --- the guard on every endpoint --------------------------------------

@pytest.mark.parametrize('path', [
    '/v1/rating/quote', '/v1/collector/mappings',
    '/v1/rating/module_config/hashmap/services', '/v2/scope',
    '/v2/task/reprocesses'])
def test_deep_json_is_a_400_on_every_endpoint(client, path):
    resp = client.post(path, DEEP)
    assert resp.status == 400
    body = resp.json()
    message = body['faultstring' if path.startswith('/v1') else 'message']
    assert 'nested deeper than %d levels' % hardening.MAX_DEPTH in message


@pytest.mark.parametrize('raw, text', [
    (b'{"service": "\xff\xfe"}', 'not valid UTF-8'),
    ('{"service": "\\udc00", "collector": "c"}', 'attribute service'),
    ('{"service": "s", "collector": "a\\u0000"}', 'NUL'),
    ('{"service": "s", "collector": Infinity}', 'Infinity'),
    ('{"service": "s", "collector": -1e400}', '-1e400'),
])
def test_unstorable_json_strings_and_numbers(client, raw, text):
    resp = client.post('/v1/collector/mappings', raw)
    assert resp.status == 400, resp.text
    assert resp.json()['faultcode'] == 'Client'
    assert text in resp.json()['faultstring']


def test_nul_in_query_and_path(client):
    resp = client.get('/v2/summary', query='groupby=a%00b')
    assert resp.status == 400
    assert 'groupby' in resp.json()['message']
    # Nothing stored holds a NUL: such a path names nothing (it was a 500
    # on PostgreSQL).
    resp = client.request('PUT', '/v1/rating/module_config/hashmap/'
                          'mappings/a%00b', body={'cost': '1'})
    assert resp.status == 404
    assert resp.json()['faultcode'] == 'Client'
    resp = client.get('/v2/task/reprocesses/%00')
    assert resp.status == 404
    assert 'NUL' in resp.json()['message']


def test_body_is_passed_on_unchanged(client):
    frame = copy.deepcopy(FRAME)
    text = 'c\u00e9\U0001f600\t"\\'
    _point(frame)['metadata']['flavor'] = text
    resp = client.post('/v2/dataframes', {'dataframes': [frame]})
    assert resp.status == 204, resp.text
    resp = client.get('/v2/dataframes', query=PERIOD)
    points = resp.json()['dataframes'][0]['usage']['cpu']
    assert points[1]['metadata'] == {'flavor': text}


def test_v2_body_is_decoded_once(client, monkeypatch):
    # v2 handlers read the body the guard decoded, not a second decode.
    import flask

    def refuse(*args, **kwargs):
        raise AssertionError('the body was decoded twice')

    monkeypatch.setattr(flask.Request, 'get_json', refuse)
    resp = client.post('/v2/dataframes', {'dataframes': [FRAME]})
    assert resp.status == 204, resp.text


def test_not_json_keeps_the_framework_answer(client):
    resp = client.post('/v2/dataframes', '{not json')
    assert resp.status == 400


# (Infinity: the sqlalchemy backend itself cannot read it back yet.)
@pytest.mark.parametrize('stored', ['NaN', '1E+30',
                                    '12345678901234567890123456789.5'])
def test_v1_storage_renders_legacy_values(client, data_storage, stored):
    # Written before pushes were validated (or by another writer).
    import datetime

    from cloudkitty import dataframe
    from cloudkitty.utils import tz as tzutils
    start = datetime.datetime(2019, 7, 1, tzinfo=tzutils.UTC)
    frame = dataframe.DataFrame(start, start + datetime.timedelta(hours=1))
    frame.add_point(dataframe.DataPoint('u', stored, stored,
                                        {'project_id': 'p'}, {}), 'cpu')
    data_storage.push([frame])
    resp = client.get('/v1/storage/dataframes', query=PERIOD)
    assert resp.status == 200, resp.text
    resource = resp.json()['dataframes'][0]['resources'][0]
    assert resource['volume'] == resource['rating']
