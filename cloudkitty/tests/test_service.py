"""Configuration values are all checked at start-up (one-line exit)."""
from oslo_config import cfg
import pytest

from cloudkitty import service


@pytest.fixture
def local_conf(tmp_path):
    conf = cfg.ConfigOpts()
    conf.register_opts([
        cfg.IntOpt('period', default=3600),
        cfg.IntOpt('version', min=1, max=2, default=2),
        cfg.StrOpt('auth_strategy', choices=['noauth', 'keystone'],
                   default='keystone'),
        cfg.BoolOpt('insecure', default=False),
    ], group='collect')
    return conf


@pytest.mark.parametrize('option,value,detail', [
    ('period', 'abc', "invalid literal for int() with base 10: 'abc'"),
    ('version', '7', 'Should be less than or equal to 2'),
    ('auth_strategy', 'nope', 'Valid values are'),
    ('insecure', 'maybe', 'Unexpected boolean value'),
])
def test_bad_value_exits_with_one_line(local_conf, tmp_path, option, value,
                                       detail):
    path = tmp_path / 'cloudkitty.conf'
    path.write_text('[collect]\n%s = %s\n' % (option, value))
    with pytest.raises(SystemExit) as exc:
        service.parse_config(['cloudkitty-test', '--config-file',
                              str(path)], local_conf)
    message = str(exc.value.code)
    assert '\n' not in message
    assert message.startswith(
        'cloudkitty-test: error: invalid value for option [collect] %s: '
        % option)
    assert detail in message


def test_good_values_pass(local_conf, tmp_path):
    path = tmp_path / 'cloudkitty.conf'
    path.write_text('[collect]\nperiod = 60\nversion = 1\n'
                    'auth_strategy = noauth\ninsecure = true\n'
                    '[unknown]\nwhatever = 1\n')
    service.parse_config(['cloudkitty-test', '--config-file', str(path)],
                         local_conf)
    assert local_conf.collect.period == 60
    assert local_conf.collect.auth_strategy == 'noauth'


def test_missing_config_file_is_one_line(local_conf, tmp_path):
    with pytest.raises(SystemExit) as exc:
        service.parse_config(['cloudkitty-test', '--config-file',
                              str(tmp_path / 'missing.conf')], local_conf)
    assert str(exc.value.code).startswith('cloudkitty-test: error: ')
    assert '\n' not in str(exc.value.code)


def test_host_unset_is_the_fqdn(monkeypatch):
    conf = cfg.ConfigOpts()
    conf.register_opts(service.service_opts)
    conf([])
    monkeypatch.setattr(service.socket, 'getfqdn', lambda: 'node.example')
    assert conf.host is None
    assert service.get_host(conf) == 'node.example'
    conf.set_override('host', 'worker-1')
    assert service.get_host(conf) == 'worker-1'
