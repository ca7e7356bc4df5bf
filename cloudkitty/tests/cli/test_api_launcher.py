"""cloudkitty-api: host/port from [api], overridable on the command line."""
from oslo_config import cfg
import pytest
from werkzeug import serving

from cloudkitty.api import app as api_app
from cloudkitty.cli import api as api_cli
from cloudkitty.tests.cli import scripts


@pytest.fixture
def fresh_conf():
    # main() parses the command line itself (and registers CLI options).
    cfg.CONF.clear()
    yield cfg.CONF
    cfg.CONF.reset()
    cfg.CONF.clear()


def _run(monkeypatch, tmp_path, *args):
    conf = tmp_path / 'ck.conf'
    conf.write_text('[DEFAULT]\nauth_strategy = noauth\n'
                    '[storage]\nbackend = sqlalchemy\n'
                    '[api]\nhost_ip = 127.0.0.5\nport = 9999\n')
    calls = []
    cfg.CONF.clear()
    monkeypatch.setattr(api_app, 'load_app', lambda: 'app')
    monkeypatch.setattr(serving, 'run_simple',
                        lambda *a, **k: calls.append((a, k)))
    assert api_cli.main(['cloudkitty-api', '--config-file', str(conf)]
                        + list(args)) == 0
    return calls[0]


def test_config_host_port(fresh_conf, monkeypatch, tmp_path):
    args, kwargs = _run(monkeypatch, tmp_path)
    assert args == ('127.0.0.5', 9999, 'app')
    assert kwargs['threaded'] is True


def test_command_line_overrides(fresh_conf, monkeypatch, tmp_path):
    args, _ = _run(monkeypatch, tmp_path, '-b', '127.0.0.7', '--port',
                   '1234')
    assert args == ('127.0.0.7', 1234, 'app')
    args, _ = _run(monkeypatch, tmp_path, '--host', '::1', '-p', '80')
    assert args == ('::1', 80, 'app')


def test_help_lists_host_and_port():
    result = scripts.run('cloudkitty-api', '--help', timeout=60)
    assert result.returncode == 0, result.stderr
    assert '--host HOST, -b HOST' in result.stdout or \
        '-b HOST, --host HOST' in result.stdout, result.stdout
    assert '--port PORT' in result.stdout
    assert 'Address to listen on' in result.stdout
    assert '--config-file' in result.stdout


def test_bad_port_is_one_line(tmp_path):
    result = scripts.run('cloudkitty-api', '--port', 'http', timeout=60)
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert '--port' in result.stderr
