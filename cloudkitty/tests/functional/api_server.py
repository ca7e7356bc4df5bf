"""A real API process for functional tests, driven over HTTP and the CLI.

``APIServer`` writes a configuration in a temporary directory, migrates a
fresh SQLite database with the real ``cloudkitty-dbsync upgrade`` and
``cloudkitty-storage-init`` commands, starts ``cloudkitty-api`` on a free
loopback port and offers helpers to call it: raw HTTP (``get``/``post``/
``put``/``delete``), the real ``cloudkitty`` CLI (``cli``) and a
python-cloudkittyclient client (``client``).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import requests

from cloudkitty.tests import services

BIN_DIR = os.path.dirname(os.path.abspath(sys.executable))
# A venv's bin directory holds the console scripts; fall back on PATH.


def _bin(name):
    path = os.path.join(BIN_DIR, name)
    if os.path.exists(path):
        return path
    return shutil.which(name) or path


DEFAULT_METRICS = """\
metrics:
  cpu:
    unit: instance
    alt_name: instance
    groupby:
      - id
      - user_id
      - project_id
    metadata:
      - flavor_name
      - flavor_id
      - vcpus
    mutate: NUMBOOL
    extra_args:
      aggregation_method: mean
      resource_type: instance
  image.size:
    unit: MiB
    factor: 1/1048576
    groupby:
      - id
      - user_id
      - project_id
    metadata:
      - container_format
      - disk_format
    extra_args:
      aggregation_method: mean
      resource_type: image
  volume.size:
    unit: GiB
    groupby:
      - id
      - user_id
      - project_id
    metadata:
      - volume_type
    extra_args:
      aggregation_method: mean
      resource_type: volume
"""


class Result(subprocess.CompletedProcess):
    """A finished CLI run; ``json()`` parses its standard output."""

    def json(self):
        return json.loads(self.stdout)

    def check(self):
        if self.returncode != 0:
            raise AssertionError(
                'command %s failed (%s):\nstdout: %s\nstderr: %s'
                % (' '.join(self.args), self.returncode, self.stdout,
                   self.stderr))
        return self


class APIServer(object):
    """A ``cloudkitty-api`` process with its own config and database.

    :param overrides: ``{section: {option: value}}`` added to the
        generated configuration (they win over the defaults below).
    :param auth_strategy: ``noauth`` (default) or ``keystone``.
    :param metrics_conf: text of the metrics.yml to use.
    :param env: extra environment variables of the API process.
    """

    START_TIMEOUT = 60

    def __init__(self, overrides=None, auth_strategy='noauth',
                 metrics_conf=None, env=None, tmp_dir=None,
                 wsgi_server=None):
        self.overrides = overrides or {}
        self.auth_strategy = auth_strategy
        self.metrics_conf = metrics_conf or DEFAULT_METRICS
        self.extra_env = dict(env or {})
        self._own_tmp = tmp_dir is None
        self.tmp_dir = tmp_dir or tempfile.mkdtemp(prefix='ck-api-')
        self.port = None
        self.url = None
        self.conf_file = os.path.join(self.tmp_dir, 'cloudkitty.conf')
        self.log_file = os.path.join(self.tmp_dir, 'api.log')
        self.db_url = 'sqlite:///' + os.path.join(self.tmp_dir,
                                                  'cloudkitty.sqlite')
        self.process = None
        self.setup_output = []
        # None: the cloudkitty-api launcher; 'gunicorn': the production
        # entry point (cloudkitty.wsgi.api:application) under gunicorn.
        self.wsgi_server = wsgi_server

    # configuration -----------------------------------------------------
    def config(self):
        """The configuration as ``{section: {option: value}}``."""
        metrics_path = os.path.join(self.tmp_dir, 'metrics.yml')
        sections = {
            'DEFAULT': {
                'auth_strategy': self.auth_strategy,
                'debug': 'true',
            },
            'api': {'host_ip': '127.0.0.1', 'port': str(self.port)},
            'database': {'connection': self.db_url},
            'storage': {'backend': 'sqlalchemy', 'version': '2'},
            'collect': {'metrics_conf': metrics_path},
            'oslo_concurrency': {
                'lock_path': os.path.join(self.tmp_dir, 'locks')},
        }
        for section, options in self.overrides.items():
            sections.setdefault(section, {}).update(
                {k: str(v) for k, v in options.items()})
        return sections

    def write_config(self):
        with open(os.path.join(self.tmp_dir, 'metrics.yml'), 'w') as f:
            f.write(self.metrics_conf)
        with open(self.conf_file, 'w') as f:
            for section, options in self.config().items():
                f.write('[%s]\n' % section)
                for key, value in options.items():
                    f.write('%s = %s\n' % (key, value))
                f.write('\n')

    def _env(self):
        env = dict(os.environ)
        env.pop('OS_CLOUDKITTY_CONFIG_FILES', None)
        env.pop('OS_CLOUDKITTY_CONFIG_DIR', None)
        env.update(self.extra_env)
        return env

    def _setup_command(self, args, required=True):
        proc = subprocess.run(args, capture_output=True, text=True,
                              env=self._env(), timeout=120)
        self.setup_output.append((args, proc.returncode, proc.stdout,
                                  proc.stderr))
        if proc.returncode != 0 and required:
            raise RuntimeError('%s failed: %s' % (' '.join(args),
                                                  proc.stderr[-2000:]))
        return proc

    def migrate(self):
        """Create every table with the real console scripts."""
        self._setup_command([_bin('cloudkitty-dbsync'), '--config-file',
                             self.conf_file, 'upgrade'])
        # The storage backend is owned by another component: a failure
        # here leaves the endpoints that do not touch storage usable.
        proc = self._setup_command([_bin('cloudkitty-storage-init'),
                                    '--config-file', self.conf_file],
                                   required=False)
        self.storage_ready = proc.returncode == 0

    # process -----------------------------------------------------------
    def start(self):
        self.port = services.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.write_config()
        self._log = open(self.log_file, 'ab')
        # The API needs no table to start: migrate while it imports.
        self.process = subprocess.Popen(
            self._server_command(), stdout=self._log,
            stderr=subprocess.STDOUT, env=self._server_env())
        try:
            self.migrate()
            self.wait_ready()
        except Exception:
            self.stop()
            raise
        return self

    def _server_command(self):
        if self.wsgi_server != 'gunicorn':
            return [_bin('cloudkitty-api'), '--config-file', self.conf_file]
        from cloudkitty.tests.functional.fixtures import process
        gunicorn = _bin('gunicorn')
        return ([gunicorn, '--bind', '127.0.0.1:%d' % self.port,
                 '--workers', '1', '--threads', '4', '--timeout', '120',
                 '--graceful-timeout', '5', '--chdir', self.tmp_dir]
                + process._no_control_socket(gunicorn)
                + ['cloudkitty.wsgi.api:application'])

    def _server_env(self):
        env = self._env()
        if self.wsgi_server == 'gunicorn':
            # gunicorn's own options are not the API's.
            env['OS_CLOUDKITTY_CONFIG_FILES'] = self.conf_file
        return env

    def wait_ready(self):
        deadline = time.time() + self.START_TIMEOUT
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('cloudkitty-api exited with %s:\n%s'
                                   % (self.process.returncode,
                                      self.log_tail()))
            try:
                if requests.get(self.url + '/', timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError('cloudkitty-api did not answer within %ss:\n%s'
                           % (self.START_TIMEOUT, self.log_tail()))

    def log_tail(self, size=4000):
        try:
            with open(self.log_file, 'rb') as f:
                return f.read()[-size:].decode('utf-8', 'replace')
        except OSError:
            return ''

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        if getattr(self, '_log', None) is not None:
            self._log.close()
            self._log = None

    def cleanup(self):
        self.stop()
        if self._own_tmp:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # clients -----------------------------------------------------------
    def cli(self, *args, version='1', env=None, timeout=120):
        """Run the real ``cloudkitty`` CLI against this server (noauth)."""
        cli_env = dict(os.environ)
        for key in list(cli_env):
            if key.startswith('OS_'):
                del cli_env[key]
        cli_env.update({'OS_AUTH_TYPE': 'cloudkitty-noauth',
                        'OS_ENDPOINT': self.url})
        cli_env.update(env or {})
        cmd = [_bin('cloudkitty'), '--os-rating-api-version', str(version)]
        cmd += [str(a) for a in args]
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              env=cli_env, timeout=timeout)
        return Result(proc.args, proc.returncode, proc.stdout, proc.stderr)

    def client(self, version='1'):
        """A python-cloudkittyclient client bound to this server."""
        from cloudkittyclient import auth as ck_auth
        from cloudkittyclient import client as ck_client
        from keystoneauth1 import session as ks_session

        auth = ck_auth.CloudKittyNoAuthPlugin(endpoint=self.url)
        session = ks_session.Session(auth=auth)
        return ck_client.Client(str(version), session=session)

    def request(self, method, path, **kwargs):
        kwargs.setdefault('timeout', 60)
        return requests.request(method, self.url + path, **kwargs)

    def get(self, path, headers=None, **params):
        return self.request('GET', path, params=params or None,
                            headers=headers)

    def post(self, path, json=None, **kwargs):
        return self.request('POST', path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.request('PUT', path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.request('PATCH', path, json=json, **kwargs)

    def delete(self, path, json=None, **kwargs):
        return self.request('DELETE', path, json=json, **kwargs)
