"""GET /v2/summary."""
import pytest

from cloudkitty.tests.api.data_fixtures import as_admin
from cloudkitty.tests.api.data_fixtures import as_member
from cloudkitty.tests.api.data_fixtures import PROJECT_A
from cloudkitty.tests.api.data_fixtures import PROJECT_B
from cloudkitty.tests.api import memory_storage

PATH = '/v2/summary'
PERIOD = {'begin': '2015-01-01T00:00:00+00:00',
          'end': '2015-02-01T00:00:00+00:00'}


@pytest.fixture
def client(data_client):
    return data_client


@pytest.fixture
def ks(data_keystone_client):
    return data_keystone_client


def _get(client, **query):
    resp = client.get(PATH, dict(PERIOD, **query))
    assert resp.status == 200, resp.text
    return resp.json()


def _objects(client, **query):
    body = _get(client, response_format='object', **query)
    assert body['format'] == 'object'
    return body['results']


def test_table_no_groupby(client, loaded_storage):
    body = _get(client)
    assert body == {
        'total': 1,
        'columns': ['begin', 'end', 'qty', 'rate'],
        'results': [['2015-01-01T00:00:00+00:00',
                     '2015-02-01T00:00:00+00:00', 27.0, 16.174]],
        'format': 'table',
    }


def test_object_format(client, loaded_storage):
    assert _objects(client) == [{
        'begin': '2015-01-01T00:00:00+00:00',
        'end': '2015-02-01T00:00:00+00:00', 'qty': 27.0, 'rate': 16.174}]


def test_groupby_type_and_project(client, loaded_storage):
    body = _get(client, groupby=['type', 'project_id'])
    assert body['columns'] == ['begin', 'end', 'qty', 'rate', 'type',
                               'project_id']
    rows = sorted((r[4], r[5], r[2], r[3]) for r in body['results'])
    assert rows == [
        ('image.size', PROJECT_A, 21.0, 0.5),
        ('instance', PROJECT_B, 2.0, 8.0),
        ('instance', PROJECT_A, 4.0, 7.674),
    ]
    assert body['total'] == 3


def test_groupby_comma_joined_like_the_client(client, loaded_storage):
    rows = _objects(client, groupby='project_id,type')
    assert sorted((r['project_id'], r['type']) for r in rows) == [
        (PROJECT_B, 'instance'), (PROJECT_A, 'image.size'),
        (PROJECT_A, 'instance')]
    assert list(rows[0]) == ['begin', 'end', 'qty', 'rate', 'project_id',
                             'type']


@pytest.mark.parametrize('option,attribute', [
    ('time-d', 'day_of_the_year'), ('time-w', 'week_of_the_year'),
    ('time-m', 'month'), ('time-y', 'year')])
def test_groupby_time_aliases(client, loaded_storage, option, attribute):
    rows = _objects(client, groupby=option)
    assert len(rows) == 1
    assert list(rows[0]) == ['begin', 'end', 'qty', 'rate', attribute]
    assert rows[0]['rate'] == 16.174


def test_groupby_time_buckets(client, loaded_storage):
    rows = _objects(client, groupby='time')
    assert [(r['begin'], r['end'], r['rate']) for r in rows] == [
        ('2015-01-01T00:00:00+00:00', '2015-01-01T01:00:00+00:00', 8.087),
        ('2015-01-01T01:00:00+00:00', '2015-01-01T02:00:00+00:00', 8.087),
    ]
    assert list(rows[0]) == ['begin', 'end', 'qty', 'rate']


def test_groupby_metadata_declared_in_metrics_conf(client, loaded_storage):
    rows = _objects(client, groupby='flavor_name',
                    filters='type:instance')
    assert sorted((r['flavor_name'], r['rate']) for r in rows) == [
        ('m1.large', 8.0), ('m1.small', 5.0), ('m1.tiny', 2.674)]


def test_groupby_attribute_of_the_data(client, data_storage):
    # Not declared in metrics.yml, but carried by the stored data.
    from cloudkitty import dataframe
    from cloudkitty.tests.api import data_fixtures
    frame = dataframe.DataFrame(data_fixtures.BEGIN,
                                data_fixtures.BEGIN + data_fixtures.HOUR)
    frame.add_point(dataframe.DataPoint(
        'u', 1, 2, {'project_id': 'p', 'zone': 'z1'}, {}), 'm')
    data_storage.push([frame])
    rows = _objects(client, groupby='zone')
    assert [(r['zone'], r['rate']) for r in rows] == [('z1', 2.0)]


def test_unknown_groupby_is_400(client, loaded_storage):
    resp = client.get(PATH, dict(PERIOD, groupby='type,nonexistent'))
    assert resp.status == 400
    assert 'nonexistent' in resp.json()['message']
    assert 'groupby' in resp.json()['message']


def test_unknown_groupby_without_data_is_not_an_error(client, data_storage):
    body = _get(client, groupby='nonexistent')
    assert body['total'] == 0


def test_invalid_time_option_is_400(client, loaded_storage):
    resp = client.get(PATH, dict(PERIOD, groupby='time-x'))
    assert resp.status == 400
    assert resp.json()['message'] == (
        'Invalid groupby time option. There is no groupby processing for '
        '[time-x].')


def test_filters_several_values_are_ored(client, loaded_storage):
    rows = _objects(client, groupby='project_id',
                    filters=['project_id:%s' % PROJECT_A,
                             'project_id:%s' % PROJECT_B])
    assert len(rows) == 2
    rows = _objects(client, groupby='project_id',
                    filters='project_id:%s,project_id:nope' % PROJECT_B)
    assert [(r['project_id'], r['rate']) for r in rows] == [(PROJECT_B, 8.0)]


def test_filters_and_between_keys(client, loaded_storage):
    rows = _objects(client, filters='project_id:%s,id:vm2' % PROJECT_A)
    assert rows[0]['rate'] == 5.0


def test_filter_type(client, loaded_storage):
    rows = _objects(client, filters='type:image.size')
    assert rows[0]['rate'] == 0.5
    assert rows[0]['qty'] == 21.0
    assert loaded_storage.calls[-1][1]['metric_types'] == ['image.size']
    assert 'type' not in loaded_storage.calls[-1][1]['filters']


def test_filter_several_types(client, loaded_storage):
    rows = _objects(client, filters='type:image.size,type:instance',
                    groupby='type')
    assert len(rows) == 2


def test_pagination(client, loaded_storage):
    body = _get(client, groupby='type,project_id', limit='1', offset='1')
    assert body['total'] == 3
    assert len(body['results']) == 1
    full = _get(client, groupby='type,project_id')
    assert body['results'][0] == full['results'][1]
    call = loaded_storage.calls[-1][1]
    assert call['offset'] == 0 and call['limit'] == 100
    assert call['paginate'] is True


def test_offset_beyond_results(client, loaded_storage):
    body = _get(client, groupby='type', offset='10')
    assert body['total'] == 2
    assert body['results'] == [] and body['columns'] == []


def test_no_data(client, loaded_storage):
    body = _get(client, begin='2016-01-01', end='2016-02-01',
                groupby='type')
    assert body == {'total': 0, 'columns': [], 'results': [],
                    'format': 'table'}


def test_client_datetime_format(client, loaded_storage):
    body = _get(client, begin='2015-01-01 00:00:00+00:00',
                end='2015-01-01 01:00:00+00:00')
    assert body['results'][0][3] == 8.087


def test_default_period_is_current_month(client, loaded_storage):
    resp = client.get(PATH)
    assert resp.status == 200
    call = loaded_storage.calls[-1][1]
    assert call['begin'].day == 1 and call['begin'].hour == 0
    assert (call['end'] - call['begin']).days in (28, 29, 30, 31)


@pytest.mark.parametrize('query,fragment', [
    ({'limit': '-1'}, 'limit'),
    ({'limit': '0'}, 'limit'),
    ({'offset': '-1'}, 'offset'),
    ({'limit': 'abc'}, 'limit'),
    ({'limit': ['1', '2']}, 'limit'),
    ({'begin': 'garbage'}, 'begin'),
    ({'end': '2015-13-45'}, 'end'),
    ({'foo': 'bar'}, 'foo'),
    ({'filters': 'nocolon'}, 'filters'),
    ({'response_format': 'xml'}, 'response_format'),
])
def test_bad_input_is_400(client, loaded_storage, query, fragment):
    resp = client.get(PATH, query)
    assert resp.status == 400, resp.text
    assert fragment in resp.json()['message']


@pytest.mark.parametrize('query', [
    {'begin': '2015-02-01', 'end': '2015-01-01'},
    {'end': '2015-01-01T02:00:00'},
    {'begin': '2015-02-01', 'end': '2015-01-01', 'groupby': 'type',
     'response_format': 'object'},
])
def test_end_before_begin_is_no_rows(client, loaded_storage, query):
    # As the reference: an empty answer (200), not a 400.
    resp = client.get(PATH, query)
    assert resp.status == 200, resp.text
    if query.get('response_format') == 'object':
        assert resp.json() == {'total': 0, 'results': [], 'format': 'object'}
    else:
        assert resp.json() == {'total': 0, 'columns': [], 'results': [],
                               'format': 'table'}


def test_custom_fields(client, loaded_storage):
    if isinstance(loaded_storage, memory_storage.MemoryStorage):
        resp = client.get(PATH, dict(PERIOD, custom_fields='SUM(qty) AS q'))
        assert resp.status == 400
        assert 'custom_fields' in resp.json()['message']
        return
    # The sqlalchemy backend supports SQL aggregates in custom_fields.
    rows = _objects(client, custom_fields='SUM(price) AS total, '
                    'COUNT(*) AS n', groupby='project_id')
    assert sorted((r['project_id'], r['total'], r['n']) for r in rows) == [
        (PROJECT_B, 8.0, 2), (PROJECT_A, 8.174, 6)]
    assert list(rows[0]) == ['begin', 'end', 'total', 'n', 'project_id']


def test_invalid_custom_fields_is_400(client, loaded_storage):
    resp = client.get(PATH, dict(PERIOD, custom_fields='DROP TABLE x'))
    assert resp.status == 400
    assert 'custom_fields' in resp.json()['message']


def test_custom_fields_passed_to_storage(client, loaded_storage,
                                         monkeypatch):
    seen = {}

    def total(**kwargs):
        seen.update(kwargs)
        return {'total': 1, 'results': [
            {'begin': kwargs['begin'], 'end': kwargs['end'], 'q': 1}]}
    monkeypatch.setattr(loaded_storage, 'total', total)
    body = _get(client, custom_fields='last(qty) AS q')
    assert seen['custom_fields'] == 'last(qty) AS q'
    assert body['columns'] == ['begin', 'end', 'q']


def test_storage_not_called_on_bad_input(client, loaded_storage):
    client.get(PATH, {'groupby': 'time-zz'})
    client.get(PATH, {'begin': '2015-02-01', 'end': '2015-01-01'})
    assert loaded_storage.calls == []


# --- policies ----------------------------------------------------------

def test_policy_member_sees_only_its_project(ks, loaded_storage):
    as_member(ks, PROJECT_B, role='reader')
    rows = _objects(ks, groupby='project_id')
    assert [(r['project_id'], r['rate']) for r in rows] == [(PROJECT_B, 8.0)]
    # Asking for another project's data gives its own data, not theirs.
    rows = _objects(ks, groupby='project_id',
                    filters='project_id:%s' % PROJECT_A)
    assert [(r['project_id'], r['rate']) for r in rows] == [(PROJECT_B, 8.0)]


def test_policy_member_role(ks, loaded_storage):
    as_member(ks, PROJECT_A, role='member,reader')
    assert _objects(ks)[0]['rate'] == 8.174


def test_policy_no_role_is_403(ks, loaded_storage):
    as_member(ks, PROJECT_A, role='observer')
    resp = ks.get(PATH, PERIOD)
    assert resp.status == 403
    assert resp.json() == {
        'message': 'You are not authorized to perform this action'}


def test_policy_unscoped_non_admin_gets_nothing(ks, loaded_storage):
    ks.headers = {'X-Roles': 'reader', 'X-User-Id': 'u'}
    body = _get(ks)
    assert body['total'] == 0 and body['results'] == []
    assert loaded_storage.calls == []


def test_policy_admin_sees_all(ks, loaded_storage):
    as_admin(ks)
    rows = _objects(ks, groupby='project_id')
    assert len(rows) == 2
