"""Bad input that used to be a 500: each one is a 400 naming the field."""
import pytest

from cloudkitty.tests.api import full_app

HM = '/v1/rating/module_config/hashmap'


@pytest.fixture
def client(conf, sqlite_url, tmp_path):
    yield full_app.make_client(conf, tmp_path, sqlite_url)
    full_app.reset_caches()


@pytest.fixture
def rules(client):
    service = client.post(HM + '/services', {'name': 'compute'}).json()
    threshold = client.post(HM + '/thresholds', {
        'service_id': service['service_id'], 'level': '1', 'cost': '1',
        'type': 'flat'}).json()
    mapping = client.post(HM + '/mappings', {
        'service_id': service['service_id'], 'cost': '1',
        'type': 'flat'}).json()
    return service, threshold, mapping


def _fault(resp):
    assert resp.status == 400, resp.text
    body = resp.json()
    assert body['faultcode'] == 'Client'
    return body['faultstring']


@pytest.mark.parametrize('method, path, body, field', [
    ('POST', '/v1/collector/mappings', {'collector': 1, 'service': [1]},
     'service'),
    ('POST', '/v1/collector/mappings', {'collector': {}, 'service': 's'},
     'collector'),
    ('POST', '/v1/collector/mappings',
     {'collector': 'c', 'service': 's' * 256}, 'service'),
    ('POST', '/v1/collector/mappings', {'collector': 'c', 'service': None},
     'service'),
    ('DELETE', '/v1/collector/mappings', {'service': [1]}, 'service'),
    ('GET', '/v1/collector/mappings', {'collector': {}}, 'collector'),
    ('PUT', '/v1/collector/states/', {'name': 'n' * 250, 'enabled': True},
     'name'),
    ('PUT', '/v1/rating/modules/hashmap',
     {'module_id': 'hashmap', 'priority': {}}, 'module'),
    ('PUT', '/v1/rating/modules/hashmap',
     {'module_id': 'hashmap', 'priority': []}, 'module'),
    ('PUT', '/v1/rating/modules/hashmap',
     {'module_id': 'hashmap', 'priority': 10 ** 30}, 'module'),
    ('PUT', '/v1/rating/modules/hashmap', '{"priority": 1e999}',
     'priority'),
    ('POST', '/v1/rating/quote',
     {'resources': [{'service': 'x', 'volume': 1,
                     'desc': {'groupby': {'a': 'b'}, 'metadata': 3}}]},
     'desc.metadata'),
    ('POST', '/v1/rating/quote',
     {'resources': [{'service': 'x', 'volume': 1,
                     'desc': {'groupby': 'ab'}}]}, 'desc.groupby'),
    ('POST', '/v1/rating/quote', {'resources': [1]}, 'res_data.resources'),
    ('POST', '/v1/rating/quote', {'resources': [None]}, 'service'),
    ('POST', '/v1/rating/quote', {'resources': {}}, 'res_data.resources'),
    ('POST', '/v1/rating/quote',
     {'resources': [{'service': 'x', 'volume': 1, 'desc': 'x'}]},
     'res_data.resources.desc'),
    ('GET', HM + '/mappings?start=9999-12-31T23:59:59-12:00', None,
     'start'),
    ('POST', HM + '/services', {'name': None}, 'attribute name'),
    ('POST', HM + '/groups', {'name': None}, 'attribute name'),
    ('POST', '/v1/rating/module_config/pyscripts/scripts',
     {'name': None, 'data': 'a = 1'}, 'attribute name'),
])
def test_v1_wrong_types_are_400(client, method, path, body, field):
    resp = client.request(method, path, body=body)
    assert field in _fault(resp)


def test_priority_keeps_the_python_message(client):
    resp = client.put('/v1/rating/modules/hashmap',
                      {'module_id': 'hashmap', 'priority': 'abc'})
    assert "invalid literal for int() with base 10: 'abc'" in _fault(resp)
    resp = client.put('/v1/rating/modules/hashmap',
                      {'module_id': 'hashmap', 'priority': 7})
    assert resp.status == 302
    assert client.get('/v1/rating/modules/hashmap').json()['priority'] == 7


@pytest.mark.parametrize('priority', [{}, 10 ** 30, 2 ** 31, None])
def test_v2_module_priority_out_of_range(client, priority):
    resp = client.put('/v2/rating/modules/hashmap', {'priority': priority})
    assert resp.status == 400
    assert 'priority' in resp.json()['message']


def test_hashmap_null_cost_and_level(client, rules):
    service, threshold, mapping = rules
    resp = client.post(HM + '/thresholds', {
        'service_id': service['service_id'], 'level': '2', 'cost': None})
    assert _fault(resp) == ("Invalid input for field/attribute cost. "
                            "Value: 'None'. Mandatory field missing.")
    resp = client.post(HM + '/thresholds', {
        'service_id': service['service_id'], 'level': None, 'cost': '1'})
    assert 'attribute level' in _fault(resp)
    resp = client.put(HM + '/thresholds/' + threshold['threshold_id'],
                      {'level': '1', 'cost': None})
    assert 'attribute cost' in _fault(resp)
    listed = client.get(HM + '/thresholds', query={
        'service_id': service['service_id']}).json()['thresholds']
    assert [t['cost'] for t in listed] == [threshold['cost']]


@pytest.mark.parametrize('kind', ['thresholds', 'mappings'])
@pytest.mark.parametrize('with_id', [True, False])
def test_hashmap_put_without_body(client, rules, kind, with_id):
    _, threshold, mapping = rules
    rule_id = (threshold['threshold_id'] if kind == 'thresholds'
               else mapping['mapping_id'])
    path = HM + '/%s/' % kind + (rule_id if with_id else '')
    resp = client.request('PUT', path, body='')
    assert 'Missing argument' in _fault(resp)


SCOPE = {'scope_id': 's1', 'scope_key': 'project_id', 'fetcher': 'keystone',
         'collector': 'gnocchi',
         'last_processed_timestamp': '2019-01-01T00:00:00Z'}


@pytest.mark.parametrize('change, field', [
    ({'scope_id': ''}, 'scope_id'),
    ({'scope_id': 'x' * 257}, 'scope_id'),
    ({'scope_key': 'k' * 41}, 'scope_key'),
    ({'fetcher': 'f' * 41}, 'fetcher'),
    ({'collector': 'c' * 41}, 'collector'),
])
def test_v2_scope_create_refusals(client, change, field):
    resp = client.post('/v2/scope', dict(SCOPE, **change))
    assert resp.status == 400, resp.text
    assert field in resp.json()['message']
    assert client.get('/v2/scope').status == 404   # nothing stored


def test_v2_scope_boundaries(client):
    body = dict(SCOPE, scope_id='x' * 256, collector='c' * 40)
    resp = client.post('/v2/scope', body)
    assert resp.status == 200, resp.text
    resp = client.request('PATCH', '/v2/scope', body={
        'scope_id': 'x' * 256, 'collector': 'c' * 41})
    assert resp.status == 400
    assert client.get('/v2/scope').json()['results'][0]['collector'] == (
        'c' * 40)


@pytest.fixture
def any_db_client(conf, sql_backend_url, tmp_path):
    yield full_app.make_client(conf, tmp_path, sql_backend_url)
    full_app.reset_caches()


def test_largest_accepted_values_can_be_summed(any_db_client):
    # The storage sums points by day and month in NUMERIC(40, 18): the
    # largest value accepted leaves room for many of them (1e22 overflowed
    # those sums on MariaDB and PostgreSQL: a 500).
    client = any_db_client
    big = '999999999999999.99'
    points = [{'vol': {'unit': 'u', 'qty': big}, 'rating': {'price': big},
               'groupby': {'project_id': 'p'}, 'metadata': {}}] * 3
    for hour in range(3):
        frame = {'period': {'begin': '2019-07-01T%02d:00:00Z' % hour,
                            'end': '2019-07-01T%02d:00:00Z' % (hour + 1)},
                 'usage': {'cpu': points}}
        resp = client.post('/v2/dataframes', {'dataframes': [frame]})
        assert resp.status == 204, resp.text
    resp = client.post('/v2/dataframes', {'dataframes': [dict(
        frame, usage={'cpu': [dict(points[0], vol={'unit': 'u',
                                                   'qty': '1e15'})]})]})
    assert resp.status == 400
    resp = client.get('/v1/report/total', query={
        'begin': '2019-07-01', 'end': '2019-08-01', 'all_tenants': '1'})
    assert resp.status == 200
    assert resp.json() == '8999999999999999.91'
    for query in ('', '&groupby=time', '&groupby=type,project_id'):
        resp = client.get('/v2/summary', query='begin=2019-07-01T00:00:00Z'
                          '&end=2019-08-01T00:00:00Z' + query)
        assert resp.status == 200, resp.text


def test_reset_of_a_non_ascii_scope(client):
    # The lock name of a scope was derived from its id encoded in ASCII.
    scope_id = '\u00b2\u0115\U00049f41'
    resp = client.post('/v2/scope', dict(SCOPE, scope_id=scope_id))
    assert resp.status == 200, resp.text
    resp = client.put('/v2/scope', {'scope_id': scope_id,
                                    'last_processed_timestamp': '2019-01-01'})
    assert resp.status == 202, resp.text
