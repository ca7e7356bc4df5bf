"""The whole WSGI application in-process (paste pipeline, noauth).

Error formats of the framework: v1 typed faults and router-level errors,
v2 JSON errors; every bad input is a 4xx naming the field.
"""

from oslo_config import cfg
import pytest

from cloudkitty.api import app as api_app
from cloudkitty.db import api as db_api
from cloudkitty.tests.api import wsgi_client


@pytest.fixture
def client(conf, sqlite_url):
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    db_api.get_migration().upgrade()
    return wsgi_client.Client(api_app.load_app())


def _fault(resp, status, text):
    assert resp.status == status, resp.text
    assert resp.json() == {'faultcode': 'Client', 'faultstring': text,
                           'debuginfo': None}


def test_root_document(client):
    resp = client.get('/', headers={'Host': 'ck.example:8889'})
    assert resp.status == 200
    assert resp.headers['Content-Type'] == 'application/json'
    assert resp.json() == {'versions': [
        {'id': 'v1', 'links': [{'href': 'http://ck.example:8889/v1',
                                'rel': 'self'}], 'status': 'CURRENT'},
        {'id': 'v2', 'links': [{'href': 'http://ck.example:8889/v2',
                                'rel': 'self'}], 'status': 'EXPERIMENTAL'},
    ]}
    assert resp.headers['x-openstack-request-id'].startswith('req-')
    assert client.request('HEAD', '/').status == 200


def test_storage_v1_disables_v2(conf, sqlite_url):
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('version', 1, 'storage')
    client = wsgi_client.Client(api_app.load_app())
    versions = client.get('/').json()['versions']
    assert [v['id'] for v in versions] == ['v1']
    assert client.get('/v2/rating/modules').status == 404


def _app_with_config(conf, tmp_path, url, text):
    # The CORS and proxy filters read the configuration file themselves.
    path = tmp_path / 'cloudkitty.conf'
    path.write_text('[DEFAULT]\nauth_strategy = noauth\n'
                    '[database]\nconnection = %s\n%s' % (url, text))
    conf(['--config-file', str(path)], project='cloudkitty',
         default_config_files=[], default_config_dirs=[])
    return wsgi_client.Client(api_app.load_app())


def test_proxy_headers(conf, sqlite_url, tmp_path):
    client = _app_with_config(
        conf, tmp_path, sqlite_url,
        '[oslo_middleware]\nenable_proxy_headers_parsing = true\n')
    resp = client.get('/', headers={'X-Forwarded-Proto': 'https',
                                    'Host': 'ck.example'})
    assert resp.json()['versions'][0]['links'][0]['href'] == (
        'https://ck.example/v1')


def test_cors(conf, sqlite_url, tmp_path):
    client = _app_with_config(
        conf, tmp_path, sqlite_url,
        '[cors]\nallowed_origin = http://valid.example.com\n')
    for method in ('GET', 'OPTIONS'):
        resp = client.request(method, '/', headers={
            'Origin': 'http://valid.example.com',
            'Access-Control-Request-Method': 'GET'})
        assert resp.status == 200
        assert resp.headers['Access-Control-Allow-Origin'] == (
            'http://valid.example.com')
        resp = client.request(method, '/', headers={
            'Origin': 'http://invalid.example.com',
            'Access-Control-Request-Method': 'GET'})
        assert resp.status == 200
        assert 'Access-Control-Allow-Origin' not in resp.headers


def test_healthcheck(client):
    resp = client.get('/healthcheck')
    assert resp.status == 200


def test_paste_lookup(conf, tmp_path):
    # The copy shipped in the package is the last resort.
    assert api_app._find_paste_config().endswith('api_paste.ini')
    conf.set_override('api_paste_config', str(tmp_path / 'missing.ini'))
    with pytest.raises(cfg.ConfigFilesNotFoundError):
        api_app._find_paste_config()
    conf.set_override('api_paste_config', 'missing.ini')
    with pytest.raises(cfg.ConfigFilesNotFoundError):
        api_app._find_paste_config()
    local = tmp_path / 'paste.ini'
    local.write_text(open(api_app._PACKAGED_PASTE).read())
    conf.set_override('api_paste_config', str(local))
    assert api_app._find_paste_config() == str(local)


# v1 ------------------------------------------------------------------------
def test_v1_root_is_405(client):
    for path in ('/v1', '/v1/', '/v1/info', '/v1/rating'):
        assert client.get(path).status == 405
    resp = client.get('/v1/collector')
    assert resp.status == 204 and resp.text == ''


def test_v1_router_error_body_follows_accept(client):
    resp = client.get('/v1', headers={'Accept': 'application/json'})
    assert resp.status == 405
    assert resp.json()['code'] == 405
    assert resp.json()['title'] == 'Method Not Allowed'
    resp = client.get('/v1/rating/module_config/noop/deeper',
                      headers={'Accept': 'application/json'})
    assert resp.status == 404
    assert resp.json()['code'] == 404


def test_v1_modules(client):
    resp = client.get('/v1/rating/modules')
    assert resp.status == 200
    modules = resp.json()['modules']
    assert [m['module_id'] for m in modules] == sorted(
        m['module_id'] for m in modules)
    noop = [m for m in modules if m['module_id'] == 'noop'][0]
    assert noop == {'module_id': 'noop', 'description': 'Dummy test module.',
                    'enabled': True, 'hot-config': False, 'priority': 1}
    assert client.get('/v1/rating/modules/noop?module_id=noop').json() == (
        noop)
    assert client.get('/v1/billing/modules/noop').json() == noop
    _fault(client.get('/v1/rating/modules/nope'), 404, 'Module not found.')


def test_v1_module_put(client):
    body = {'module_id': 'noop', 'enabled': False, 'priority': 5}
    resp = client.put('/v1/rating/modules/noop/', body,
                      headers={'Host': 'ck.example'})
    assert resp.status == 302
    assert resp.headers['Location'] == (
        'http://ck.example/v1/rating/modules/noop/')
    assert resp.text == 'null'
    # noop always reads back enabled with priority 1.
    assert client.get('/v1/rating/modules/noop').json()['enabled'] is True
    _fault(client.put('/v1/rating/modules/nope', body), 404,
           'Module not found.')
    _fault(client.put('/v1/rating/modules/noop', {'enabled': True}), 400,
           "Invalid input for field/attribute module_id. Value: 'None'. "
           "Mandatory field missing.")
    _fault(client.put('/v1/rating/modules/noop',
                      {'module_id': 'noop', 'foo': 1}), 400,
           'Unknown attribute for argument module: foo')
    resp = client.put('/v1/rating/modules/noop',
                      {'module_id': 'noop', 'priority': 'abc'})
    assert resp.status == 400
    assert 'priority' in resp.json()['faultstring']
    resp = client.put('/v1/rating/modules/noop',
                      {'module_id': 'noop', 'enabled': 'maybe'})
    assert resp.status == 400
    assert 'enabled' in resp.json()['faultstring']


def test_v1_module_config(client):
    for method in ('GET', 'POST', 'PUT', 'DELETE'):
        _fault(client.request(method, '/v1/rating/module_config/noop'), 409,
               'Module is not configurable')
    assert client.get('/v1/rating/module_config/noop/x').status == 404
    assert client.get('/v1/rating/module_config/nope').status == 405
    assert client.get('/v1/rating/module_config').status == 405


def test_v1_quote_in_process(client):
    body = {'resources': [{'service': 'instance', 'volume': '2.5',
                           'desc': {'metadata': {'flavor_id': '42'},
                                    'groupby': {'id': 'x'}}}]}
    for path in ('/v1/rating/quote', '/v1/rating/quote/',
                 '/v1/billing/quote'):
        resp = client.post(path, body)
        assert resp.status == 200, resp.text
        assert resp.json() == '0'


@pytest.mark.parametrize('body, field', [
    ({}, 'resources'),
    ({'resources': [{'volume': 1}]}, 'service'),
    ({'resources': [{'service': 'a'}]}, 'volume'),
    ({'resources': [{'service': 'a', 'volume': 'abc'}]}, 'volume'),
    ({'resources': [{'service': 'a', 'volume': 'NaN'}]}, 'volume'),
    ({'resources': [{'service': 'a', 'volume': 1, 'desc': {'l': [1]}}]},
     'desc'),
    ({'resources': [{'service': 'a', 'volume': 1, 'extra': 1}]}, 'extra'),
    ({'resources': 'x'}, 'resources'),
])
def test_v1_quote_bad_input(client, body, field):
    resp = client.post('/v1/rating/quote', body)
    assert resp.status == 400, resp.text
    assert field in resp.json()['faultstring']


def test_v1_bad_bodies(client):
    resp = client.post('/v1/rating/quote', body='{not json')
    assert resp.status == 400
    resp = client.post('/v1/rating/quote', body='a=b',
                       content_type='text/csv')
    assert resp.status == 415
    resp = client.get('/v1/collector/mappings', body='[1, 2]')
    _fault(resp, 400, 'Request must be a JSON dict')
    resp = client.get('/v1/collector/mappings?foo=1')
    _fault(resp, 400, 'Unknown argument: "foo"')


def test_v1_collector_errors(client):
    _fault(client.get('/v1/collector/mappings/nope'), 404,
           'No mapping for service: nope')
    _fault(client.request('DELETE', '/v1/collector/mappings/nope'), 404,
           'No mapping for service: nope')
    resp = client.post('/v1/collector/mappings', {'collector': 'x'})
    _fault(resp, 400, 'Missing argument: "service"')
    resp = client.put('/v1/collector/states/gnocchi', {'name': 'gnocchi'})
    _fault(resp, 400, "Invalid input for field/attribute enabled. Value: "
                      "'None'. Mandatory field missing.")
    resp = client.get('/v1/collector/states/')
    assert resp.status == 400
    assert 'name' in resp.json()['faultstring']


def test_v1_collector_forms(client):
    resp = client.post('/v1/collector/mappings/fake1/metric1')
    assert resp.status == 200
    assert resp.json() == {'service': 'metric1', 'collector': 'fake1'}
    resp = client.get('/v1/collector/mappings?collector=fake1')
    assert resp.json() == {'mappings': [{'service': 'metric1',
                                         'collector': 'fake1'}]}
    resp = client.get('/v1/collector/mappings?collector=other')
    assert resp.json() == {'mappings': []}
    resp = client.put('/v1/collector/fake1/states',
                      {'name': 'fake1', 'enabled': True})
    assert resp.json() == {'name': 'fake1', 'enabled': True}
    for path in ('/v1/collector/states/fake1', '/v1/collector/fake1/states',
                 '/v1/collector/states?name=fake1'):
        assert client.get(path).json() == {'name': 'fake1', 'enabled': True}
    resp = client.get('/v1/collector/states/', body={'name': 'fake1'})
    assert resp.json() == {'name': 'fake1', 'enabled': True}
    resp = client.request('DELETE', '/v1/collector/mappings',
                          body={'service': 'metric1'})
    assert resp.status == 204


# v2 ------------------------------------------------------------------------
def _message(resp, status):
    assert resp.status == status, resp.text
    assert resp.headers['Content-Type'] == 'application/json'
    return resp.json()['message']


def test_v2_modules(client):
    modules = client.get('/v2/rating/modules').json()['modules']
    noop = [m for m in modules if m['module_id'] == 'noop'][0]
    assert noop == {'module_id': 'noop', 'description': 'Dummy test module.',
                    'enabled': True, 'hot_config': False, 'priority': 1}
    assert client.get('/v2/rating/modules/noop').json() == noop
    assert _message(client.get('/v2/rating/modules/nope'), 404) == (
        "Module 'nope' not found")
    resp = client.put('/v2/rating/modules/noop', {'enabled': True})
    assert resp.status == 204 and resp.text == ''
    assert _message(client.put('/v2/rating/modules/nope',
                               {'enabled': True}), 404) == (
        "Module 'nope' not found")


@pytest.mark.parametrize('body, text', [
    ({'priority': '3'}, 'expected int'),
    ({'priority': True}, 'expected int'),
    ({'enabled': 'maybe'}, 'expected boolean'),
    ({'foo': 1}, 'extra keys not allowed'),
])
def test_v2_module_put_bad_input(client, body, text):
    message = _message(client.put('/v2/rating/modules/noop', body), 400)
    assert text in message
    assert list(body)[0] in message


@pytest.mark.parametrize('path,status', [
    ('/v2/rating/modules/hashmap', 204), ('/v1/rating/modules/hashmap', 302)])
def test_module_priority_zero_is_accepted(client, path, status):
    # As the reference: stored (its declared minimum of 1 is not enforced)
    # and read back as 1.
    body = {'priority': 0}
    if path.startswith('/v1'):
        body['module_id'] = 'hashmap'
    try:
        assert client.put(path, body).status == status
        assert client.get(path).json()['priority'] == 1
    finally:
        client.put('/v2/rating/modules/hashmap', {'priority': 1})


def test_v2_bad_bodies(client):
    resp = client.put('/v2/rating/modules/noop', body='x=1',
                      content_type='text/plain')
    assert 'Content-Type' in _message(resp, 415)
    resp = client.put('/v2/rating/modules/noop', body='{bad')
    assert resp.status == 400
    resp = client.put('/v2/rating/modules/noop', body='[1]')
    assert resp.status == 400
    resp = client.post('/v2/rating/modules', {})
    assert _message(resp, 405) == (
        'The method is not allowed for the requested URL.')
    assert client.get('/v2/rating/modules/').status == 404


@pytest.mark.parametrize('method,path', [
    ('POST', '/v1/rating/quote'),
    ('PUT', '/v1/rating/modules/noop'),
    ('PUT', '/v1/collector/states'),
    ('POST', '/v1/collector/mappings'),
    ('POST', '/v1/rating/module_config/hashmap/services'),
])
@pytest.mark.parametrize('body,kind', [
    ('[1]', 'an array'), ('"x"', 'a string'), ('12', 'a number'),
    ('null', 'null'), ('true', 'a boolean'),
])
def test_v1_body_must_be_an_object(client, method, path, body, kind):
    _fault(client.request(method, path, body=body), 400,
           'Invalid request body: a JSON object is expected, got %s.'
           % kind)
