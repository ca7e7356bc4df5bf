"""Requests the reference accepts are accepted (2xx/3xx), not refused.

Boundary forms clients send: repeated query parameters (the last value
wins, as WSME reads webob's parameters), booleans in a JSON body, the
objects python-cloudkittyclient sends back, rules that have not started.
"""
import datetime

import pytest

from cloudkitty.tests.api import full_app

HM = '/v1/rating/module_config/hashmap'
P = '/v1/rating/module_config/pyscripts/scripts'


@pytest.fixture
def client(conf, sqlite_url, tmp_path):
    yield full_app.make_client(conf, tmp_path, sqlite_url)
    full_app.reset_caches()


def _future(days=10):
    return (datetime.datetime.utcnow() + datetime.timedelta(days=days)
            ).replace(microsecond=0)


def _ok(resp, status=200):
    assert resp.status == status, resp.text
    return resp


def test_repeated_query_parameters_last_value_wins(client):
    svc = client.post(HM + '/services', {'name': 'compute'}).json()
    sid = svc['service_id']
    grouped = client.post(HM + '/groups', {'name': 'g'}).json()['group_id']
    in_group = client.post(HM + '/mappings', {
        'service_id': sid, 'cost': '1', 'group_id': grouped}).json()
    alone = client.post(HM + '/mappings', {
        'service_id': sid, 'cost': '2', 'start': _future().isoformat()}
    ).json()

    def mapping_ids(query):
        resp = _ok(client.get(HM + '/mappings', query))
        return [m['mapping_id'] for m in resp.json()['mappings']]

    both = [in_group['mapping_id'], alone['mapping_id']]
    assert mapping_ids('service_id=%s&no_group=true&no_group=false'
                       % sid) == both
    assert mapping_ids('service_id=%s&no_group=false&no_group=true'
                       % sid) == [alone['mapping_id']]
    assert mapping_ids('service_id=x&service_id=%s' % sid) == both
    _ok(client.get(HM + '/thresholds',
                   'service_id=%s&filter_tenant=1&filter_tenant=1' % sid))
    client.post(P, {'name': 's1', 'data': 'a = 0'})
    resp = _ok(client.get(P, 'no_data=false&no_data=true'))
    assert 'data' not in resp.json()['scripts'][0]
    _ok(client.get(P, 'deleted=true&deleted=true&is_active=0&is_active=1'))
    _ok(client.post(P + '?force=yes&force=true', {
        'name': 's2', 'data': 'a = 0', 'start': '2015-01-01'}), 201)
    for path in ('/v1/report/total', '/v1/report/summary'):
        _ok(client.get(path, 'all_tenants=true&all_tenants=true'
                             '&tenant_id=a&tenant_id=b'))
    _ok(client.get('/v1/collector/states', 'name=a&name=b'))
    _ok(client.get('/v1/rating/modules/noop',
                   'module_id=noop&module_id=noop'))


def test_json_booleans_of_arguments(client):
    svc = client.post(HM + '/services', {'name': 'compute'}).json()
    # What python-cloudkittyclient sends to delete a group.
    for recursive in (False, True, 'true', 0):
        group = client.post(HM + '/groups', {'name': 'g'}).json()
        _ok(client.request('DELETE', HM + '/groups/', body={
            'group_id': group['group_id'], 'recursive': recursive}), 204)
    # List filters in a JSON body, booleans included.
    _ok(client.request('GET', HM + '/mappings/', body={
        'service_id': svc['service_id'], 'no_group': True,
        'filter_tenant': False, 'deleted': True}))
    _ok(client.request('GET', HM + '/thresholds/', body={
        'service_id': svc['service_id'], 'no_group': False}))
    _ok(client.request('GET', '/v1/report/total', body={
        'all_tenants': True}))
    resp = client.request('GET', HM + '/mappings/', body={
        'service_id': svc['service_id'], 'no_group': 'maybe'})
    assert resp.status == 400 and 'no_group' in resp.json()['faultstring']


def test_updates_of_rules_not_started_ignore_what_put_never_changes(client):
    svc = client.post(HM + '/services', {'name': 'compute'}).json()
    field = client.post(HM + '/fields', {
        'service_id': svc['service_id'], 'name': 'flavor'}).json()
    mapping = client.post(HM + '/mappings', {
        'field_id': field['field_id'], 'value': 'm1', 'cost': '1',
        'start': _future().isoformat()}).json()
    # The whole object as the client sends it, with other "immutable"
    # values: 302, and only cost/start/end/description change.
    body = dict(mapping, cost='2', value='m2', type='rate', tenant_id='t',
                name='other', service_id=svc['service_id'],
                created_by='someone', created_at='2015-01-01T00:00:00')
    _ok(client.put(HM + '/mappings/', body), 302)
    got = client.get(HM + '/mappings/' + mapping['mapping_id']).json()
    assert got == dict(mapping, cost='2.0000000000000000000000000000',
                       updated_by='unknown')
    # A script that has not started: the name is never changed, the
    # audit keys the client sends back are ignored.
    script = client.post(P, {'name': 'later', 'data': 'a = 0',
                             'start': _future().isoformat()}).json()
    body = dict(script, name='renamed', data='a = 1',
                created_by='someone', deleted=None)
    del body['checksum']
    resp = _ok(client.put(P + '/' + script['script_id'], body), 201)
    assert (resp.json()['name'], resp.json()['data']) == ('later', 'a = 1')


def test_module_priority_zero_and_loose_booleans(client):
    _ok(client.put('/v1/rating/modules/hashmap', {
        'module_id': 'hashmap', 'priority': 0, 'enabled': 'yes'}), 302)
    _ok(client.put('/v2/rating/modules/hashmap', {
        'priority': 0, 'enabled': 'off'}), 204)
    module = client.get('/v2/rating/modules/hashmap').json()
    assert (module['priority'], module['enabled']) == (1, False)


def test_empty_names_are_stored(client):
    # The reference only requires the key: "" is a name like another.
    svc = _ok(client.post(HM + '/services', {'name': ''}), 201).json()
    assert svc['name'] == ''
    _ok(client.post(HM + '/fields', {
        'name': ' ', 'service_id': svc['service_id']}), 201)
    _ok(client.post(HM + '/groups', {'name': ''}), 201)
    resp = client.post(HM + '/services', {'name': ''})
    assert resp.status == 409
    resp = client.post(HM + '/services', {})
    assert resp.status == 400 and 'name' in resp.json()['faultstring']
