"""Credentials shared through ``auth_section``, as the reference's
sample configuration writes them."""
from keystoneauth1.identity import generic
from keystoneauth1 import loading as ks_loading
import pytest

from cloudkitty.collector import gnocchi  # noqa: F401  (registers options)
from cloudkitty.common import keystoneauth
from cloudkitty.fetcher import keystone

CONF_TEXT = """\
[fetcher_keystone]
auth_section = authinfos
keystone_version = 3

[collector_gnocchi]
auth_section = authinfos

[authinfos]
auth_type = password
auth_url = http://keystone.example:5000/v3
username = cloudkitty
password = secret
project_name = service
user_domain_name = Default
project_domain_name = Default
"""


@pytest.fixture(autouse=True)
def forget_section(conf):
    yield
    conf.reset()
    # keystoneauth registers the plugin's options (auth_url is required)
    # in the section: later tests load configurations without it.
    for opt in (ks_loading.get_auth_plugin_conf_options('password')
                + ks_loading.get_auth_common_conf_options()):
        conf.unregister_opt(opt, group='authinfos')


def _load(conf, tmp_path):
    path = tmp_path / 'cloudkitty.conf'
    path.write_text(CONF_TEXT)
    conf([], project='cloudkitty', default_config_files=[str(path)],
         default_config_dirs=[])


def test_fetcher_reads_credentials_from_auth_section(conf, tmp_path):
    _load(conf, tmp_path)
    fetcher = keystone.KeystoneFetcher()
    assert isinstance(fetcher.auth, generic.Password)
    assert fetcher.auth.auth_url == 'http://keystone.example:5000/v3'
    assert fetcher.auth._username == 'cloudkitty'


def test_collector_group_reads_the_same_section(conf, tmp_path):
    _load(conf, tmp_path)
    auth = keystoneauth.load_auth('collector_gnocchi')
    assert isinstance(auth, generic.Password)
    assert auth.auth_url == 'http://keystone.example:5000/v3'
