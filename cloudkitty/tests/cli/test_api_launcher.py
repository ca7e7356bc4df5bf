"""cloudkitty-api: host/port from [api], overridable on the command line."""
from oslo_config import cfg
import pytest
from werkzeug import serving

from cloudkitty.api import app as api_app
from cloudkitty.cli import api as api_cli


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
