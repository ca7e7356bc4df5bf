"""The keystone fetcher against a real Keystone."""
import uuid

from keystoneauth1 import loading as ks_loading
import pytest

from cloudkitty.fetcher import keystone
from cloudkitty.tests.functional.fixtures import keystone as fixture

GROUP = 'fetcher_keystone'


@pytest.fixture(scope='module')
def projects():
    server = fixture.get_server()
    client = server.client()
    rating = server.ensure_role('rating')
    # The service user: a dedicated admin with the rating role where it
    # must rate.
    user = server.create_user(
        name='ck-rating-%s' % uuid.uuid4().hex[:8],
        project_id=client.projects.list(name='admin')[0].id,
        roles=('admin',), password='rating-secret')
    made = {}
    for name, enabled, has_role in (('rated', True, True),
                                    ('unrated', True, False),
                                    ('disabled', False, True)):
        project = server.create_project(enabled=enabled)
        if has_role:
            client.roles.grant(rating, user=user, project=project)
        made[name] = project.id
    return server, user, made


@pytest.fixture
def fetcher_conf(conf, projects):
    server, user, _ = projects
    plugin_opts = ks_loading.get_auth_plugin_conf_options('password')
    conf.register_opts(plugin_opts, GROUP)
    for key, value in (('auth_type', 'password'),
                       ('auth_url', server.url),
                       ('username', user.name),
                       ('password', 'rating-secret'),
                       ('project_name', 'admin'),
                       ('user_domain_name', 'Default'),
                       ('project_domain_name', 'Default')):
        conf.set_override(key, value, GROUP)
    yield conf
    # keystoneauth registered required plugin options (auth_url...): they
    # would make the next parse of the global configuration fail.
    conf.reset()
    conf.unregister_opts(plugin_opts, GROUP)


def test_rating_role(fetcher_conf, projects):
    _, _, made = projects
    scopes = keystone.KeystoneFetcher().get_tenants()
    assert made['rated'] in scopes
    assert made['disabled'] in scopes
    assert made['unrated'] not in scopes
    assert len(scopes) == len(set(scopes))


def test_ignore_disabled_tenants(fetcher_conf, projects):
    _, _, made = projects
    fetcher_conf.set_override('ignore_disabled_tenants', True, GROUP)
    scopes = keystone.KeystoneFetcher().get_tenants()
    assert made['rated'] in scopes
    assert made['disabled'] not in scopes
    assert made['unrated'] not in scopes


def test_ignore_rating_role(fetcher_conf, projects):
    server, _, made = projects
    fetcher_conf.set_override('ignore_rating_role', True, GROUP)
    scopes = keystone.KeystoneFetcher().get_tenants()
    admin = server.client().projects.list(name='admin')[0].id
    assert {made['rated'], made['unrated'], made['disabled'],
            admin} <= set(scopes)
    fetcher_conf.set_override('ignore_disabled_tenants', True, GROUP)
    scopes = keystone.KeystoneFetcher().get_tenants()
    assert made['unrated'] in scopes
    assert made['disabled'] not in scopes


def test_unsupported_version(fetcher_conf):
    fetcher_conf.set_override('keystone_version', '4', GROUP)
    with pytest.raises(keystone.VersionNotAvailable) as exc:
        keystone.KeystoneFetcher()
    assert str(exc.value) == 'Keystone version 4 is not available.'
