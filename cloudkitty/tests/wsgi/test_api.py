"""cloudkitty.wsgi.api: where the WSGI process takes its configuration."""
import os
import subprocess
import sys

from cloudkitty.wsgi import api as wsgi_api


def test_config_argv_from_server_argv(monkeypatch):
    monkeypatch.delenv('OS_CLOUDKITTY_CONFIG_FILES', raising=False)
    monkeypatch.delenv('OS_CLOUDKITTY_CONFIG_DIR', raising=False)
    argv = ['gunicorn', '--bind', '0.0.0.0:8889', '-w', '4',
            '--config-file', '/etc/ck/a.conf', '--config-dir=/etc/ck/d',
            'cloudkitty.wsgi.api:application']
    assert wsgi_api.config_argv(argv) == [
        'gunicorn', '--config-file', '/etc/ck/a.conf',
        '--config-dir=/etc/ck/d']
    assert wsgi_api.config_argv(['uwsgi', '--ini', 'x.ini']) == ['uwsgi']


def test_config_argv_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv('OS_CLOUDKITTY_CONFIG_DIR', str(tmp_path))
    monkeypatch.setenv('OS_CLOUDKITTY_CONFIG_FILES', 'a.conf;/abs/b.conf')
    assert wsgi_api.config_argv(['gunicorn', '--config-file', 'x']) == [
        'gunicorn', '--config-file', str(tmp_path / 'a.conf'),
        '--config-file', '/abs/b.conf']
    monkeypatch.delenv('OS_CLOUDKITTY_CONFIG_FILES')
    (tmp_path / 'cloudkitty.conf').write_text('')
    (tmp_path / 'cloudkitty.conf.d').mkdir()
    assert wsgi_api.config_argv(['uwsgi']) == [
        'uwsgi', '--config-file', str(tmp_path / 'cloudkitty.conf'),
        '--config-dir', str(tmp_path / 'cloudkitty.conf.d')]


SCRIPT = """
import sys
sys.argv = ['gunicorn', '--workers', '2', '-b', ':9', 'x:application']
from cloudkitty.wsgi import api
from werkzeug.test import Client
from oslo_config import cfg
resp = Client(api.application).get('/v2/rating/modules/noop')
print(resp.status_code, cfg.CONF.auth_strategy, cfg.CONF.database.connection)
"""


def test_application_with_server_options(tmp_path):
    conf = tmp_path / 'ck.conf'
    db = 'sqlite:///%s' % (tmp_path / 'ck.sqlite')
    conf.write_text('[DEFAULT]\nauth_strategy = noauth\n'
                    '[storage]\nbackend = sqlalchemy\n'
                    '[database]\nconnection = %s\n' % db)
    env = dict(os.environ, OS_CLOUDKITTY_CONFIG_FILES=str(conf))
    env.pop('OS_CLOUDKITTY_CONFIG_DIR', None)
    proc = subprocess.run([sys.executable, '-c', SCRIPT], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1].split() == [
        '200', 'noauth', db]
