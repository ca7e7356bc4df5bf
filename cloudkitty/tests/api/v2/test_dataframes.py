"""POST and GET /v2/dataframes."""
import copy
import decimal

import pytest

from cloudkitty.tests.api.data_fixtures import as_admin
from cloudkitty.tests.api.data_fixtures import as_member
from cloudkitty.tests.api.data_fixtures import PROJECT_A
from cloudkitty.tests.api.data_fixtures import PROJECT_B

PATH = '/v2/dataframes'
PERIOD = {'begin': '2015-01-01T00:00:00+00:00',
          'end': '2015-02-01T00:00:00+00:00'}

FRAME = {
    'period': {'begin': '20190723T122810Z', 'end': '20190723T132810Z'},
    'usage': {
        'metric_one': [{
            'vol': {'unit': 'GiB', 'qty': 1.2},
            'rating': {'price': 0.04},
            'groupby': {'group_one': 'one', 'project_id': 'p1'},
            'metadata': {'attr_one': 'one'},
        }],
        'metric_two': [{
            'vol': {'unit': 'MB', 'qty': '200'},
            'groupby': {'project_id': 'p1'},
            'metadata': {},
        }],
    },
}


@pytest.fixture
def client(data_client):
    return data_client


@pytest.fixture
def ks(data_keystone_client):
    return data_keystone_client


def _bad(body_change):
    body = {'dataframes': [copy.deepcopy(FRAME)]}
    body_change(body)
    return body


# --- POST --------------------------------------------------------------

def test_post_stores_frames(client, data_storage):
    resp = client.post(PATH, {'dataframes': [FRAME]})
    assert resp.status == 204
    assert resp.text == ''
    assert 'Content-Type' not in resp.headers
    points = data_storage.points
    assert len(points) == 2
    start, end, metric_type, point = points[0]
    assert start.isoformat() == '2019-07-23T12:28:10+00:00'
    assert end.isoformat() == '2019-07-23T13:28:10+00:00'
    assert metric_type == 'metric_one'
    assert point.qty == decimal.Decimal('1.2')
    assert point.price == decimal.Decimal('0.04')
    assert dict(point.groupby) == {'group_one': 'one', 'project_id': 'p1'}
    assert dict(point.metadata) == {'attr_one': 'one'}
    # rating is optional, price defaults to 0.
    assert points[1][3].price == 0
    assert points[1][3].qty == decimal.Decimal('200')


def test_post_then_get_round_trip(client, data_storage):
    assert client.post(PATH, {'dataframes': [FRAME]}).status == 204
    resp = client.get(PATH, {'begin': '2019-07-01', 'end': '2019-08-01'})
    assert resp.status == 200, resp.text
    body = resp.json()
    assert body['total'] == 2
    assert body['dataframes'] == [{
        'period': {'begin': '2019-07-23T12:28:10+00:00',
                   'end': '2019-07-23T13:28:10+00:00'},
        'usage': {
            'metric_one': [{
                'vol': {'unit': 'GiB', 'qty': 1.2},
                'rating': {'price': 0.04},
                'groupby': {'group_one': 'one', 'project_id': 'p1'},
                'metadata': {'attr_one': 'one'}}],
            'metric_two': [{
                'vol': {'unit': 'MB', 'qty': 200.0},
                'rating': {'price': 0.0},
                'groupby': {'project_id': 'p1'},
                'metadata': {}}],
        },
    }]


def test_post_empty_list_is_400(client, data_storage):
    resp = client.post(PATH, {'dataframes': []})
    assert resp.status == 400
    assert resp.json()['message'] == 'Parameter dataframes must not be empty.'


@pytest.mark.parametrize('change,fragments', [
    (lambda b: b['dataframes'][0]['usage']['metric_one'][0]['vol'].update(
        qty='abc'), ['usage.metric_one[0]', 'vol.qty']),
    (lambda b: b['dataframes'][0]['usage']['metric_one'][0].pop('vol'),
     ['usage.metric_one[0]', 'vol']),
    (lambda b: b['dataframes'][0]['usage']['metric_two'][0].pop('groupby'),
     ['usage.metric_two[0]', 'groupby']),
    (lambda b: b['dataframes'][0]['usage']['metric_one'][0].update(
        extra=1), ['usage.metric_one[0]', 'extra']),
    (lambda b: b['dataframes'][0]['usage']['metric_one'][0]['rating'].update(
        price='cheap'), ['rating.price']),
    (lambda b: b['dataframes'][0]['period'].update(begin='yesterday'),
     ['period.begin']),
    (lambda b: b['dataframes'][0]['period'].pop('end'), ['end']),
    (lambda b: b['dataframes'][0].pop('usage'), ['usage']),
    (lambda b: b['dataframes'][0].update(foo='bar'), ['foo']),
    (lambda b: b['dataframes'].append('a string'), ['dataframe']),
    (lambda b: b.update(extra_key=1), ['extra_key']),
    (lambda b: b.pop('dataframes'), ['dataframes']),
    (lambda b: b.update(dataframes={'not': 'a list'}), ['dataframes']),
])
def test_post_bad_frame_is_400_and_stores_nothing(client, data_storage,
                                                  change, fragments):
    resp = client.post(PATH, _bad(change))
    assert resp.status == 400, resp.text
    message = resp.json()['message']
    for fragment in fragments:
        assert fragment in message
    assert data_storage.points == []
    assert data_storage.calls == []


def test_post_one_bad_frame_among_good_ones_stores_nothing(client,
                                                           data_storage):
    bad = copy.deepcopy(FRAME)
    bad['usage']['metric_one'][0]['vol']['unit'] = 12
    resp = client.post(PATH, {'dataframes': [FRAME, FRAME, bad]})
    assert resp.status == 400
    assert "'dataframes', 2" in resp.json()['message']
    assert data_storage.points == []


def test_post_not_json_is_415(client, data_storage):
    resp = client.post(PATH, 'dataframes=1',
                       content_type='application/x-www-form-urlencoded')
    assert resp.status == 415


def test_post_invalid_json_is_400(client, data_storage):
    resp = client.post(PATH, '{"dataframes": [')
    assert resp.status == 400


def test_post_is_idempotent_per_period(client, data_storage):
    for _ in range(2):
        assert client.post(PATH, {'dataframes': [FRAME]}).status == 204
    resp = client.get(PATH, {'begin': '2019-07-01', 'end': '2019-08-01'})
    assert resp.json()['total'] == 2


# --- GET ---------------------------------------------------------------

def _get(client, **query):
    resp = client.get(PATH, dict(PERIOD, **query))
    assert resp.status == 200, resp.text
    return resp.json()


def _points(body):
    return [(metric, p['groupby']['project_id'], p['groupby']['id'])
            for frame in body['dataframes']
            for metric, points in frame['usage'].items() for p in points]


def test_get_all(client, loaded_storage):
    body = _get(client)
    assert body['total'] == 8
    assert [f['period']['begin'] for f in body['dataframes']] == [
        '2015-01-01T00:00:00+00:00', '2015-01-01T01:00:00+00:00']
    point = body['dataframes'][0]['usage']['instance'][0]
    assert point == {
        'vol': {'unit': 'instance', 'qty': 1.0},
        'rating': {'price': 1.337},
        'groupby': {'project_id': PROJECT_A, 'id': 'vm1',
                    'user_id': 'u-' + PROJECT_A[:4], 'year': '2015',
                    'month': '1', 'day_of_the_year': '1',
                    'week_of_the_year': '00'},
        'metadata': {'flavor_name': 'm1.tiny'},
    }


def test_get_filters(client, loaded_storage):
    body = _get(client, filters='project_id:%s' % PROJECT_B)
    assert body['total'] == 2
    assert {p[1] for p in _points(body)} == {PROJECT_B}


def test_get_filters_several_keys_like_the_client(client, loaded_storage):
    body = _get(client, filters='project_id:%s,id:vm2' % PROJECT_A)
    assert body['total'] == 2
    assert {p[2] for p in _points(body)} == {'vm2'}


def test_get_filter_type(client, loaded_storage):
    body = _get(client, filters='type:image.size')
    assert body['total'] == 2
    assert {p[0] for p in _points(body)} == {'image.size'}
    call = loaded_storage.calls[-1][1]
    assert call['metric_types'] == ['image.size']


def test_get_pagination(client, loaded_storage):
    body = _get(client, limit='3')
    assert body['total'] == 8
    assert len(_points(body)) == 3
    body2 = _get(client, limit='3', offset='6')
    assert len(_points(body2)) == 2
    call = loaded_storage.calls[-1][1]
    assert (call['offset'], call['limit'], call['paginate']) == (6, 3, True)


def test_get_default_limit(client, loaded_storage):
    _get(client)
    call = loaded_storage.calls[-1][1]
    assert (call['offset'], call['limit']) == (0, 100)


def test_get_empty_is_404(client, loaded_storage):
    resp = client.get(PATH, {'begin': '2016-01-01', 'end': '2016-02-01'})
    assert resp.status == 404
    assert resp.json()['message'].startswith(
        'No resource found for provided filters.')


def test_get_client_datetime_format(client, loaded_storage):
    body = _get(client, begin='2015-01-01 01:00:00+00:00',
                end='2015-01-01 02:00:00+00:00')
    assert body['total'] == 4


@pytest.mark.parametrize('query,fragment', [
    ({'limit': '-1'}, 'limit'),
    ({'offset': '-5'}, 'offset'),
    ({'limit': 'ten'}, 'limit'),
    ({'begin': 'garbage'}, 'begin'),
    ({'end': '2015-02-30'}, 'end'),
    ({'filters': 'project_id:a,project_id:b'}, 'project_id'),
    ({'filters': 'a:b:c'}, 'filters'),
    ({'bar': '1'}, 'bar'),
])
def test_get_bad_input_is_400(client, loaded_storage, query, fragment):
    resp = client.get(PATH, query)
    assert resp.status == 400, resp.text
    assert fragment in resp.json()['message']
    assert loaded_storage.calls == []


@pytest.mark.parametrize('query', [
    {'begin': '2015-02-01', 'end': '2015-01-01'},
    {'begin': '2015-01-01T01:00:00', 'end': '2015-01-01T01:00:00'},
    # Only an end, before the default begin (this month's start).
    {'end': '2015-01-01T02:00:00'},
    # Only a begin, after the default end (next month's start).
    {'begin': '2999-01-01'},
])
def test_get_empty_period_is_the_reference_404(client, loaded_storage,
                                               query):
    resp = client.get(PATH, query)
    assert resp.status == 404, resp.text
    assert resp.json() == {
        'message': 'No resource found for provided filters.'}


# --- policies ----------------------------------------------------------

def test_policy_post_admin_only(ks, data_storage):
    as_member(ks, PROJECT_A, role='member')
    resp = ks.post(PATH, {'dataframes': [FRAME]})
    assert resp.status == 403
    assert data_storage.points == []
    as_admin(ks)
    assert ks.post(PATH, {'dataframes': [FRAME]}).status == 204


def test_policy_member_reads_only_its_project(ks, loaded_storage):
    as_member(ks, PROJECT_A, role='reader')
    body = _get(ks)
    assert body['total'] == 6
    assert {p[1] for p in _points(body)} == {PROJECT_A}
    # A filter on another project is overridden by the caller's project.
    body = _get(ks, filters='project_id:%s' % PROJECT_B)
    assert {p[1] for p in _points(body)} == {PROJECT_A}


def test_policy_unscoped_non_admin_gets_nothing(ks, loaded_storage):
    ks.headers = {'X-Roles': 'reader', 'X-User-Id': 'u'}
    body = _get(ks)
    assert body == {'total': 0, 'dataframes': []}


def test_policy_no_role_is_403(ks, loaded_storage):
    as_member(ks, PROJECT_A, role='nobody')
    resp = ks.get(PATH, PERIOD)
    assert resp.status == 403


def test_policy_admin_reads_everything(ks, loaded_storage):
    as_admin(ks)
    assert _get(ks)['total'] == 8


@pytest.mark.parametrize('end', ['20190723T122810Z', '20190723T112810Z'])
def test_post_period_ending_at_or_before_its_start(client, data_storage,
                                                   end):
    # Stored, as by the reference; every read of the window still works.
    frame = copy.deepcopy(FRAME)
    frame['period']['end'] = end
    assert client.post(PATH, {'dataframes': [frame]}).status == 204
    window = {'begin': '2019-07-23T00:00:00Z', 'end': '2019-07-24T00:00:00Z'}
    assert client.get(PATH, window).json()['total'] == 2
    for path, query in (('/v2/summary', dict(window, groupby='time')),
                        ('/v2/summary', window),
                        ('/v1/report/summary', dict(
                            window, all_tenants='true')),
                        ('/v1/report/total', dict(
                            window, all_tenants='true')),
                        ('/v1/storage/dataframes', window)):
        resp = client.get(path, query)
        assert resp.status == 200, (path, resp.text)
