"""The pyscripts REST API, through the whole WSGI application in-process."""
import datetime
import json
import logging

from oslo_config import cfg
import pytest
import sqlalchemy as sa
import webob

from cloudkitty import db
from cloudkitty.db import api as core_db_api
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import models
from cloudkitty import utils

P = '/v1/rating/module_config/pyscripts/scripts'
A0_SHA512 = (
    '4c612e33c0e40b7bf53cf95fad47dbfbeab9dd62f9bc181a9d1c6f40a0877822'
    '23c23f793e747b0466b9e6998c6ea54f4edbd20febd13edb13b55074b5ee1a5a')
KEYS = ['script_id', 'name', 'data', 'checksum', 'created_at', 'start',
        'end', 'description', 'deleted', 'created_by', 'updated_by',
        'deleted_by']
DAY = datetime.timedelta(days=1)


class Client(object):
    def __init__(self, app):
        self.app = app

    def request(self, method, path, body=None, headers=None, raw=None):
        req = webob.Request.blank(path, method=method,
                                  content_type='application/json',
                                  headers=headers or {})
        if raw is not None:
            req.body = raw
        elif body is not None:
            req.body = json.dumps(body).encode()
        resp = req.get_response(self.app)
        assert resp.status_int != 500, resp.text
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, body, **kw):
        return self.request('POST', path, body, **kw)

    def put(self, path, body, **kw):
        return self.request('PUT', path, body, **kw)

    def delete(self, path, body=None, **kw):
        return self.request('DELETE', path, body, **kw)


@pytest.fixture(scope='module')
def _app(tmp_path_factory):
    # One database and app for the module (migrations and app loading are
    # the slow part); ``api`` empties the table before each test.
    from cloudkitty.api import app as api_app
    from cloudkitty.api import modules
    import cloudkitty.common.config  # noqa: F401  (registers all options)
    cfg.CONF([], project='cloudkitty', default_config_files=[],
             default_config_dirs=[])
    path = tmp_path_factory.mktemp('pyscripts_api') / 'api.sqlite'
    cfg.CONF.set_override('connection', 'sqlite:///%s' % path, 'database')
    cfg.CONF.set_override('auth_strategy', 'noauth')
    db.reset()
    core_db_api.get_migration().upgrade('head')
    pyscripts_db.get_instance().get_migration().upgrade('head')
    modules.get_extensions(reload=True)
    yield api_app.load_app()
    db.reset()
    cfg.CONF.clear_override('auth_strategy')
    cfg.CONF.clear_override('connection', 'database')
    cfg.CONF.reset()


@pytest.fixture
def api(_app):
    with db.session_for_write() as session:
        session.execute(sa.delete(models.PyScriptsScript))
    return Client(_app)


def fault(resp):
    body = resp.json
    assert body['faultcode'] == 'Client' and body['debuginfo'] is None
    return body['faultstring']


def iso(dt):
    return dt.isoformat()


def future(days=1):
    return (utils.naive_utcnow() + days * DAY).replace(microsecond=0)


def create(api, name='policy1', data='a = 0', headers=None, **extra):
    body = {'name': name, 'data': data}
    body.update(extra)
    resp = api.post(P, body, headers=headers)
    assert resp.status_int == 201, resp.text
    return resp.json


def test_create_as_the_client_does(api):
    resp = api.post(P + '/', {'name': 'policy1', 'data': 'a = 0',
                              'start': None, 'end': None,
                              'description': None})
    assert resp.status_int == 201
    script = resp.json
    assert list(script) == KEYS
    assert resp.headers['Location'] == (
        'http://localhost%s/%s' % (P, script['script_id']))
    assert script['name'] == 'policy1'
    assert script['data'] == 'a = 0'
    assert script['checksum'] == A0_SHA512
    assert script['start'] == script['created_at']
    assert script['end'] is None and script['description'] is None
    assert script['deleted'] is None
    assert script['created_by'] == 'unknown'
    assert script['updated_by'] is None and script['deleted_by'] is None
    created = datetime.datetime.fromisoformat(script['created_at'])
    assert abs(created - utils.naive_utcnow()) < datetime.timedelta(
        seconds=30)
    assert api.get('%s/%s' % (P, script['script_id'])).json == script


def test_create_with_period_and_description(api):
    start = future(2)
    end_day = iso(future(3))[:10]
    script = create(api, start=iso(start), end=end_day,
                    description='Flavors')
    assert script['start'] == iso(start)
    # A date-only end means the end of that day.
    assert script['end'] == end_day + 'T23:59:59'
    assert script['description'] == 'Flavors'


def test_audit_user_comes_from_the_token(api):
    script = create(api, headers={'X-Auth-Token': 't',
                                  'X-User-Id': 'u' * 32})
    assert script['created_by'] == 'u' * 32


def test_aware_datetimes_are_stored_in_utc(api):
    start = future(2)
    tz = datetime.timezone(datetime.timedelta(hours=2))
    script = create(api, start=start.replace(tzinfo=datetime.timezone.utc)
                    .astimezone(tz).isoformat())
    assert script['start'] == iso(start)


def test_duplicate_name_conflicts(api):
    first = create(api)
    resp = api.post(P, {'name': 'policy1', 'data': 'a = 1'})
    assert resp.status_int == 409
    assert fault(resp) == ('Script policy1 already exists (UUID: %s)'
                           % first['script_id'])
    assert api.delete('%s/%s' % (P, first['script_id'])).status_int == 204
    second = create(api, data='a = 1')
    assert second['script_id'] != first['script_id']


@pytest.mark.parametrize('body,status,message', [
    ({'data': 'a = 0'}, 400, "Invalid input for field/attribute name. "
     "Value: 'None'. Mandatory field missing."),
    ({'name': 'x'}, 400, "Invalid input for field/attribute data. "
     "Value: 'None'. Mandatory field missing."),
    ({'name': 'x', 'data': None}, 400,
     'Invalid input for field/attribute data.'),
    ({'name': 'x', 'data': 'a = 0', 'checksum': 'abc'}, 400,
     "Invalid input for field/attribute checksum. Value: 'abc'. "
     "Cannot set read only field."),
    ({'name': 'x', 'data': 'a = 0', 'foo': 1}, 400,
     'Unknown attribute for argument script_data: foo'),
    ({'name': 'x', 'data': 'a = 0', 'script_id': 'abc'}, 400,
     "Invalid input for field/attribute script_id. Value: 'abc'. "
     "Invalid UUID, got 'abc'"),
    ({'name': 'x', 'data': 'a = 0', 'start': 'garbage'}, 400,
     "Invalid input for field/attribute start. Value: 'garbage'. "
     "unable to convert to datetime. Error: Unknown string format: "
     "garbage"),
    ({'name': 'x', 'data': 'a = 0', 'end': 12}, 400,
     'Invalid input for field/attribute end.'),
    ({'name': 'x', 'data': 'a = 0', 'start': '2000-01-01'}, 400,
     'Cannot create a rule with start in the past. '
     'start=[2000-01-01 00:00:00] current time=['),
    ({'name': 'x', 'data': 'a = 0', 'start': '3000-01-02',
      'end': '3000-01-01T00:00:00'}, 400,
     'Cannot create a rule with start after end. '
     'start=[3000-01-02 00:00:00] end=[3000-01-01 00:00:00].'),
    # end without start: compared with the creation time (was a 500).
    ({'name': 'x', 'data': 'a = 0', 'end': '2001-01-01T00:00:00'}, 400,
     'Cannot create a rule with start after end.'),
    ({'name': 'x', 'data': 5}, 400, 'Invalid input for field/attribute data'),
    ({'name': 'x' * 256, 'data': 'a = 0'}, 400,
     'Invalid input for field/attribute name.'),
    ({'name': 'x', 'data': 'a = 0', 'description': 'd' * 257}, 400,
     'Invalid input for field/attribute description.'),
    ({'name': 'x\x00', 'data': 'a = 0'}, 400,
     'Invalid input for field/attribute name.'),
    ({'name': 'x', 'data': '\ud800'}, 400,
     'Invalid input for field/attribute data.'),
    ([1, 2], 400, 'Invalid request body: a JSON object is expected, got '
     'an array.'),
])
def test_create_refusals(api, body, status, message):
    resp = api.post(P, body)
    assert resp.status_int == status
    assert fault(resp).startswith(message)
    assert api.get(P).json == {'scripts': []}


def test_create_refusals_raw_bodies(api):
    resp = api.post(P, None, raw=b'{"name": ')
    assert resp.status_int == 400
    assert fault(resp) == 'Request is not in valid JSON format'


def test_force_allows_a_start_in_the_past(api):
    resp = api.post(P + '?force=true', {'name': 'x', 'data': 'a = 0',
                                        'start': '2014-01-01'})
    assert resp.status_int == 201
    assert resp.json['start'] == '2014-01-01T00:00:00'
    assert resp.headers['Location'] == (
        'http://localhost%s/%s' % (P, resp.json['script_id']))
    # The query string bool is strict: false means false.
    resp = api.post(P + '?force=false', {'name': 'y', 'data': 'a = 0',
                                         'start': '2014-01-01'})
    assert resp.status_int == 400


def test_get_unknown_deleted_or_malformed(api):
    script = create(api)
    api.delete('%s/%s' % (P, script['script_id']))
    for script_id in (script['script_id'], 'not-a-uuid',
                      '6c1b8a30-797f-4b7e-ad66-000000000001'):
        resp = api.get('%s/%s' % (P, script_id))
        assert resp.status_int == 404
        assert fault(resp) == 'No such script: None (UUID: %s)' % script_id


def test_odd_ids_and_filters(api):
    assert api.get(P + '/%00').status_int == 404
    assert api.delete(P, {'script_id': 5}).status_int == 404
    resp = api.request('GET', P, {'created_by': 5})
    assert resp.status_int == 400
    assert fault(resp).startswith(
        'Invalid input for field/attribute created_by.')
    assert api.post(P + '/x', {'name': 'x', 'data': 'a = 1'}
                    ).status_int == 400


def test_router_level_errors(api):
    assert api.get('/v1/rating/module_config/pyscripts').status_int == 405
    assert api.get('/v1/rating/module_config/pyscripts/script'
                   ).status_int == 405


def test_list_and_filters(api):
    one = create(api, 'one', description='Flavor PRICES')
    two = create(api, 'two', 'b = 2', start=iso(future(1)),
                 end=iso(future(3)))
    three = create(api, 'three', 'c = 3')
    api.delete(P, {'script_id': three['script_id']})

    def names(query=''):
        resp = api.get(P + query)
        assert resp.status_int == 200, resp.text
        return [s['name'] for s in resp.json['scripts']]

    assert names() == ['one', 'two']
    assert names('/') == ['one', 'two']
    assert names('?deleted=True') == ['one', 'two', 'three']
    assert names('?deleted=false') == ['one', 'two']
    assert names('?is_active=True') == ['one']
    assert names('?description=prices') == ['one']
    assert names('?created_by=unknown') == ['one', 'two']
    assert names('?deleted_by=unknown&deleted=1') == ['three']
    start = two['start'].replace('T', '+')
    assert names('?start=' + start) == ['two']
    assert names('?end=3000-01-01') == ['two']
    scripts = api.get(P + '?no_data=True').json['scripts']
    assert all('data' not in s for s in scripts)
    assert [s['checksum'] for s in scripts] == [one['checksum'],
                                                two['checksum']]
    assert api.get(P + '?no_data=False').json['scripts'][0]['data'] == 'a = 0'
    # Filters may also come in a JSON body (GET).
    resp = api.request('GET', P, {'deleted': True, 'no_data': True})
    assert [s['name'] for s in resp.json['scripts']] == [
        'one', 'two', 'three']


@pytest.mark.parametrize('query,message', [
    ('?deleted=maybe', "Invalid input for field/attribute deleted. Value: "
     "'maybe'. unable to convert to bool. Error: Value not an unambiguous "
     "boolean: maybe"),
    ('?start=garbage', "Invalid input for field/attribute start. Value: "
     "'garbage'. unable to convert to datetime. Error: Unknown string "
     "format: garbage"),
    ('?foo=1', 'Unknown argument: "foo"'),
    ('?created_by=a%00b', 'Invalid input for field/attribute created_by.'),
])
def test_list_refusals(api, query, message):
    resp = api.get(P + query)
    assert resp.status_int == 400
    assert fault(resp) == message or fault(resp).startswith(message)


def test_update_not_started_script(api):
    script = create(api, start=iso(future(2)), description='d1')
    url = '%s/%s' % (P, script['script_id'])
    new_start = future(3)
    resp = api.put(url, {'name': 'policy1', 'data': 'a = 1',
                         'start': iso(new_start), 'end': '3000-01-01'})
    assert resp.status_int == 201
    assert resp.headers['Location'] == 'http://localhost' + url
    updated = resp.json
    assert list(updated) == KEYS
    assert updated['data'] == 'a = 1'
    assert updated['checksum'] == pyscripts_db.checksum('a = 1')
    assert updated['start'] == iso(new_start)
    assert updated['end'] == '3000-01-01T23:59:59'
    # Omitted description is cleared, as the reference does.
    assert updated['description'] is None
    assert updated['updated_by'] == 'unknown'
    assert updated['created_at'] == script['created_at']
    assert api.get(url).json == updated

    # The name is never changed; omitted data keeps the source.
    resp = api.put(url + '/', {'name': 'other', 'description': 'd2'})
    assert resp.status_int == 201
    assert resp.json['name'] == 'policy1'
    assert resp.json['data'] == 'a = 1'
    assert resp.json['description'] == 'd2'
    assert resp.json['end'] is None
    assert resp.json['start'] == iso(new_start)


@pytest.mark.parametrize('body,message', [
    ({'start': '2001-01-01T00:00:00'},
     'Cannot create a rule with start in the past. '
     'start=[2001-01-01 00:00:00] current time=['),
    ({'end': '2001-01-01T00:00:00'},
     'Cannot create a rule with start after end.'),
    ({'checksum': 'x'}, 'Invalid input for field/attribute checksum.'),
])
def test_update_not_started_refusals(api, body, message):
    script = create(api, start=iso(future(2)))
    url = '%s/%s' % (P, script['script_id'])
    body = dict(body, name='policy1')
    resp = api.put(url, body)
    assert resp.status_int == 400
    assert fault(resp).startswith(message)
    assert api.get(url).json == script


def test_update_running_script_end_only(api):
    script = create(api)
    url = '%s/%s' % (P, script['script_id'])
    # What python-cloudkittyclient sends: the whole object it read (minus
    # the checksum) with the edited keys, id in the URL and in the body.
    body = dict(script)
    del body['checksum']
    body['end'] = end = iso(future(5))
    resp = api.put(url, body)
    assert resp.status_int == 201, resp.text
    assert resp.json['end'] == end
    assert resp.json['data'] == 'a = 0'
    assert resp.json['updated_by'] == 'unknown'
    # Once an end is set, a running script is frozen.
    resp = api.put(url, dict(body, end=iso(future(6))))
    assert resp.status_int == 400
    assert fault(resp) == ('Cannot update a rule that was already processed '
                           'and has a defined end date.')


def test_update_running_script_id_in_body(api):
    script = create(api)
    end = iso(future(1))
    resp = api.put(P + '/', {'script_id': script['script_id'],
                             'name': 'policy1', 'end': end})
    assert resp.status_int == 201
    assert resp.headers['Location'] == (
        'http://localhost%s/%s' % (P, script['script_id']))
    assert resp.json['end'] == end


@pytest.mark.parametrize('change,names', [
    ({'data': 'a = 1'}, 'data'), ({'name': 'renamed'}, 'name'),
    ({'description': 'new'}, 'description'),
    ({'start': '3000-01-01T00:00:00'}, 'start'),
    ({'data': 'a = 1', 'description': 'new'}, 'data, description')])
def test_update_running_script_refuses_changes(api, caplog, change,
                                               names):
    script = create(api)
    url = '%s/%s' % (P, script['script_id'])
    body = {'name': 'policy1', 'data': 'a = 0'}
    body.update(change)
    with caplog.at_level(logging.INFO):
        resp = api.put(url, body)
    assert resp.status_int == 400
    start = script['start'].replace('T', ' ')
    # The reference's exact text (clients compare it whole); the changed
    # attributes are named in the log.
    assert fault(resp) == (
        'You are allowed to update only the attribute [end] as this rule is '
        'already running as it started on [%s]' % start)
    assert '[%s] cannot change' % names in caplog.text
    assert api.get(url).json == script


def test_update_running_script_end_in_past(api):
    script = create(api)
    resp = api.put('%s/%s' % (P, script['script_id']),
                   {'name': 'policy1', 'end': '2001-01-01T00:00:00'})
    assert resp.status_int == 400
    assert fault(resp).startswith(
        'End date must be in the future. end=[2001-01-01 00:00:00] '
        'current time=[')


def test_update_unknown_or_deleted(api):
    resp = api.put(P + '/nope', {'name': 'x'})
    assert resp.status_int == 404
    assert fault(resp) == 'No such script: None (UUID: nope)'
    script = create(api)
    api.delete('%s/%s' % (P, script['script_id']))
    resp = api.put('%s/%s' % (P, script['script_id']), {'name': 'policy1'})
    assert resp.status_int == 404
    resp = api.put(P, {'name': 'x'})
    assert resp.status_int == 400
    assert fault(resp) == 'Missing argument: "script_id"'


def test_delete(api):
    script = create(api)
    url = '%s/%s' % (P, script['script_id'])
    resp = api.delete(url)
    assert resp.status_int == 204
    assert resp.body == b''
    resp = api.delete(url)
    assert resp.status_int == 404
    assert fault(resp) == ('No such script: None (UUID: %s)'
                           % script['script_id'])
    (deleted,) = api.get(P + '?deleted=True').json['scripts']
    assert deleted['deleted'] is not None
    assert deleted['deleted_by'] == 'unknown'
    other = create(api, 'other')
    assert api.delete(P + '/', {'script_id': other['script_id']}
                      ).status_int == 204
    assert api.get(P).json == {'scripts': []}


def test_script_that_does_not_compile_is_stored(api):
    # As the reference: stored (201, the real client's own tests do it);
    # it fails when it runs, naming the script and its line.
    resp = api.post(P, {'name': 'bad', 'data': 'return 0'})
    assert resp.status_int == 201, resp.text
    assert resp.json['data'] == 'return 0'
    assert api.get('%s/%s' % (P, resp.json['script_id'])).json == resp.json
    # A script that has not started may be replaced by one that does not
    # compile either.
    script = create(api, 'later', start=iso(future(2)))
    resp = api.put('%s/%s' % (P, script['script_id']),
                   {'name': 'later', 'data': 'def (:'})
    assert resp.status_int == 201, resp.text
    assert resp.json['data'] == 'def (:'


def test_quote_with_a_failing_script_is_a_400_naming_it(api):
    script = api.post(P, {'name': 'bad', 'data': 'a = 1\nreturn 0'}).json
    resp = api.put('/v1/rating/modules/pyscripts',
                   {'module_id': 'pyscripts', 'enabled': True})
    assert resp.status_int == 302
    quote = {'resources': [{'service': 'instance', 'volume': '1', 'desc': {
        'metadata': {}, 'groupby': {'project_id': 'p1'}}}]}
    try:
        resp = api.post('/v1/rating/quote', quote)
        assert resp.status_int == 400
        assert fault(resp) == (
            "PyScripts script 'bad' (%s): cannot be compiled: line 2: "
            "'return' outside function" % script['script_id'])
        api.delete('%s/%s' % (P, script['script_id']))
        create(api, 'raises', 'a = 1\nraise KeyError("k")')
        resp = api.post('/v1/rating/quote', quote)
        assert resp.status_int == 400
        assert "'raises'" in fault(resp)
        assert 'raised KeyError at line 2' in fault(resp)
    finally:
        api.put('/v1/rating/modules/pyscripts',
                {'module_id': 'pyscripts', 'enabled': False})
