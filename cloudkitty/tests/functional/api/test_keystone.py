"""The API in keystone mode against a real Keystone: auth and policies."""
from concurrent import futures

import pytest
import requests

from cloudkitty.tests.functional.api import policy_table
from cloudkitty.tests.functional import api_server as api_server_mod

PASSWORD = 'ck-user-secret'


@pytest.fixture(scope='module')
def keystone_api():
    from cloudkitty.tests.functional.fixtures import keystone
    ks = keystone.get_server()
    api = api_server_mod.APIServer(auth_strategy='keystone', overrides={
        'keystone_authtoken': {
            'auth_type': 'password',
            'auth_url': ks.url,
            'www_authenticate_uri': ks.url,
            'username': 'admin',
            'password': ks.admin_password,
            'project_name': 'admin',
            'user_domain_id': 'default',
            'project_domain_id': 'default',
            'region_name': ks.region,
        },
    })
    # The API starts while the users are created.
    pool = futures.ThreadPoolExecutor(1)
    started = pool.submit(api.start)
    try:
        project_a = ks.create_project()
        project_b = ks.create_project()
        roles = {
            policy_table.ADMIN: (project_a, ('admin',)),
            policy_table.MEMBER: (project_a, ('member',)),
            policy_table.READER: (project_a, ('reader',)),
            policy_table.OTHER_MEMBER: (project_b, ('member',)),
            policy_table.OTHER_READER: (project_b, ('reader',)),
        }
        sessions = {}
        for persona, (project, role_names) in roles.items():
            user = ks.create_user(project_id=project.id, roles=role_names,
                                  password=PASSWORD)
            sessions[persona] = ks.session(user.name, PASSWORD,
                                           project_id=project.id)
        started.result()
        yield api, sessions, project_a.id
    finally:
        pool.shutdown(wait=True)
        api.cleanup()


def _request(api, session, case, project_id):
    path = case.path.replace('{project}', project_id)
    kwargs = {'raise_exc': False, 'redirect': False,
              'headers': {'Accept': 'application/json'}}
    if case.body is not None:
        kwargs['json'] = case.body
    return session.request(api.url + path, case.method, **kwargs)


@pytest.mark.parametrize('case', policy_table.ALL_CASES,
                         ids=[c.id for c in policy_table.ALL_CASES])
def test_policy(keystone_api, case):
    api, sessions, project_id = keystone_api
    if '/module_config/' in case.path:
        # Only meaningful when that module is installed.
        module = case.path.split('/module_config/')[1].split('/')[0]
        modules = _request(api, sessions['admin'], policy_table.case(
            'list', 'GET', '/v2/rating/modules', (), 200), project_id)
        names = [m['module_id'] for m in modules.json()['modules']]
        if module not in names:
            pytest.skip('%s module not installed' % module)
    for persona in policy_table.PERSONAS:
        resp = _request(api, sessions[persona], case, project_id)
        if persona in case.allowed:
            assert resp.status_code == case.ok_status, (
                persona, resp.status_code, resp.text)
        else:
            assert resp.status_code == 403, (persona, resp.status_code,
                                             resp.text)


def test_refusal_bodies(keystone_api):
    api, sessions, project_id = keystone_api
    member = sessions[policy_table.MEMBER]
    # Inside a v1 handler: typed fault body.
    resp = member.get(api.url + '/v1/rating/modules', raise_exc=False)
    assert resp.status_code == 403
    assert resp.json() == {
        'faultcode': 'Client',
        'faultstring': "Policy doesn't allow rating:list_modules to be "
                       "performed.",
        'debuginfo': None}
    # v2 handler.
    resp = member.get(api.url + '/v2/rating/modules/noop', raise_exc=False)
    assert resp.status_code == 403
    assert resp.json() == {
        'message': 'You are not authorized to perform this action'}


def test_tokens_required(keystone_api):
    api, sessions, project_id = keystone_api
    for path in ('/v1/rating/modules', '/v2/rating/modules',
                 '/v1/collector/mappings', '/v1/rating/quote'):
        resp = requests.get(api.url + path, timeout=30)
        assert resp.status_code == 401, path
    resp = requests.get(api.url + '/v1/rating/modules', timeout=30,
                        headers={'X-Auth-Token': 'not-a-token'})
    assert resp.status_code == 401
    # Public routes, trailing slash ignored.
    assert requests.get(api.url + '/', timeout=30).status_code == 200
    for path in ('/v1', '/v1/'):
        assert requests.get(api.url + path, timeout=30).status_code == 405
    for path in ('/v2', '/v2/'):
        assert requests.get(api.url + path, timeout=30).status_code == 404
    assert requests.get(api.url + '/healthcheck',
                        timeout=30).status_code == 200


def test_request_context(keystone_api):
    """The caller's identity reaches the handlers (quote as reader)."""
    api, sessions, project_id = keystone_api
    reader = sessions[policy_table.READER]
    resp = reader.post(api.url + '/v1/rating/quote',
                       json=policy_table.QUOTE_BODY, raise_exc=False)
    assert resp.status_code == 200
    assert resp.json() == '0'
    assert resp.headers['x-openstack-request-id'].startswith('req-')
