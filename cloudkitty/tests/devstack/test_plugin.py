"""The DevStack plugin, run phase by phase with stubbed DevStack functions.

DevStack itself cannot run here: ``harness.sh`` sources
``devstack/settings`` and ``devstack/plugin.sh`` with stubs that record
each DevStack call and write the ini files, so that the configuration and
the calls of every phase can be checked.
"""
import configparser
import os
import shutil
import subprocess
import sys

import pytest

from cloudkitty.tests import services

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'harness.sh')
SCRIPTS = ['devstack/plugin.sh', 'devstack/settings',
           'devstack/upgrade/settings', 'devstack/upgrade/shutdown.sh',
           'devstack/upgrade/upgrade.sh']


class Stack(object):
    """A fake DevStack host in a temporary directory."""

    def __init__(self, tmp_path, **env):
        self.tmp = tmp_path
        self.calls_file = tmp_path / 'calls.log'
        self.iniset_log = tmp_path / 'iniset.log'
        self.bin = tmp_path / 'bin'
        self.bin.mkdir()
        # Console scripts the plugin runs: they log their command line.
        for name in ('cloudkitty-dbsync', 'cloudkitty-storage-init',
                     'cloudkitty-processor', 'cloudkitty-api', 'uwsgi'):
            self._script(name, 'echo "%s $*" >> "$CALLS"\n' % name)
        self._script('oslopolicy-sample-generator',
                     'echo "oslopolicy-sample-generator $*" >> "$CALLS"\n'
                     'while [ $# -gt 0 ]; do\n'
                     '  [ "$1" = --output-file ] && echo "# sample" > "$2"\n'
                     '  shift\ndone\n')
        self.conf_dir = tmp_path / 'etc'
        self.data_dir = tmp_path / 'lib'
        self.env = {
            'PATH': '%s:%s' % (self.bin, os.environ.get('PATH', '')),
            'CALLS': str(self.calls_file),
            'INISET_LOG': str(self.iniset_log),
            'FAKE_BIN': str(self.bin),
            'DEST': str(tmp_path / 'opt'),
            'GIT_BASE': 'https://git.example.org',
            'HORIZON_DIR': str(tmp_path / 'horizon'),
            'STACK_USER': os.environ.get('USER') or 'root',
            'SERVICE_HOST': '10.0.0.5',
            'SERVICE_PROTOCOL': 'http',
            'SERVICE_PASSWORD': 'secret',
            'SERVICE_PROJECT_NAME': 'service',
            'SERVICE_DOMAIN_NAME': 'Default',
            'SERVICE_TIMEOUT': '60',
            'REGION_NAME': 'RegionOne',
            'KEYSTONE_SERVICE_URI': 'http://10.0.0.5/identity',
            'ENABLE_DEBUG_LOG_LEVEL': 'True',
            'ENABLED_SERVICES': 'key,mysql,rabbit,ck-api,ck-proc',
            'CLOUDKITTY_DIR': ROOT,
            'CLOUDKITTY_CONF_DIR': str(self.conf_dir),
            'CLOUDKITTY_DATA_DIR': str(self.data_dir),
            'CLOUDKITTY_AUTH_CACHE_DIR': str(tmp_path / 'cache'),
            'HOME': str(tmp_path),
        }
        self.env['ENABLED_SERVICES'] += ',keystone'
        self.env.update(env)

    def _script(self, name, body):
        path = self.bin / name
        path.write_text('#!/bin/bash\n' + body)
        path.chmod(0o755)

    def run(self, *phase, check=True):
        self.calls_file.write_text('')
        self.iniset_log.write_text('')
        proc = subprocess.run(['bash', HARNESS, ROOT] + list(phase),
                              env=self.env, capture_output=True, text=True,
                              timeout=60)
        if check:
            assert proc.returncode == 0, proc.stderr[-3000:]
        return proc

    @property
    def calls(self):
        return self.calls_file.read_text().splitlines()

    def conf(self, name='cloudkitty.conf'):
        """The ini file as the iniset calls of the last phase wrote it."""
        path = str(self.conf_dir / name)
        assert os.path.exists(path)
        parser = configparser.RawConfigParser()
        for line in self.iniset_log.read_text().splitlines():
            target, section, option, value = line.split('\t')
            if target != path:
                continue
            if section != 'DEFAULT' and not parser.has_section(section):
                parser.add_section(section)
            parser.set(section, option, value)
        return parser


@pytest.fixture
def stack(tmp_path):
    return Stack(tmp_path)


@pytest.mark.parametrize('script', SCRIPTS)
def test_syntax(script):
    subprocess.run(['bash', '-n', os.path.join(ROOT, script)], check=True)


def test_shellcheck():
    # tools/ci/install-shellcheck.sh installs it in CI.
    if shutil.which('shellcheck') is None:
        services.unavailable('shellcheck', 'not installed')
    proc = subprocess.run(['shellcheck', '-s', 'bash'] +
                          [os.path.join(ROOT, s) for s in SCRIPTS] +
                          [HARNESS], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_install(stack):
    stack.run('stack', 'install')
    assert 'setup_develop %s' % ROOT in stack.calls
    assert 'install_apache_uwsgi' in stack.calls
    assert 'pip_install python-cloudkittyclient' in stack.calls
    # No horizon, sqlalchemy storage: no dashboard, no storage server.
    assert not [c for c in stack.calls if 'dashboard' in c]
    assert not [c for c in stack.calls if c.startswith('install_package')]


def test_install_client_dashboard_and_influxdb(tmp_path):
    stack = Stack(tmp_path, ENABLED_SERVICES='keystone,ck-api,horizon',
                  LIBS_FROM_GIT='python-cloudkittyclient',
                  CLOUDKITTY_STORAGE_BACKEND='influxdb')
    stack.run('stack', 'install')
    assert 'git_clone_by_name python-cloudkittyclient' in stack.calls
    assert 'setup_dev_lib python-cloudkittyclient' in stack.calls
    assert ('git_clone https://git.example.org/openstack/'
            'cloudkitty-dashboard.git %s/opt/cloudkitty-dashboard master'
            % tmp_path) in stack.calls
    assert 'install_package influxdb influxdb-client' in stack.calls
    assert 'restart_service influxdb' in stack.calls


def test_post_config(stack):
    stack.run('stack', 'post-config')
    conf = stack.conf()
    etc = stack.conf_dir
    assert conf['DEFAULT']['auth_strategy'] == 'keystone'
    assert conf['DEFAULT']['transport_url'].startswith('rabbit://')
    assert conf['DEFAULT']['api_paste_config'] == str(etc / 'api_paste.ini')
    assert conf['database']['connection'].startswith(
        'mysql+pymysql://root:secret@127.0.0.1/cloudkitty')
    for section in ('fetcher_gnocchi', 'collector_gnocchi'):
        assert conf[section]['auth_type'] == 'password'
        assert conf[section]['auth_url'] == 'http://10.0.0.5/identity'
        assert conf[section]['username'] == 'cloudkitty'
        assert conf[section]['password'] == 'secret'
        assert conf[section]['project_name'] == 'service'
        assert conf[section]['user_domain_name'] == 'Default'
    assert conf['keystone_authtoken']['username'] == 'cloudkitty'
    assert conf['fetcher']['backend'] == 'gnocchi'
    assert conf['collect']['collector'] == 'gnocchi'
    assert conf['collect']['wait_periods'] == '0'
    assert conf['collect']['metrics_conf'] == str(etc / 'metrics.yml')
    assert conf['storage']['version'] == '2'
    assert conf['storage']['backend'] == 'sqlalchemy'
    assert not conf.has_section('storage_influxdb')
    assert conf['orchestrator']['coordination_url'] == \
        'file://%s/locks' % stack.data_dir
    assert conf['oslo_policy']['policy_file'] == str(etc / 'policy.yaml')
    # Files next to the configuration.
    with open(os.path.join(ROOT, 'etc/cloudkitty/metrics.yml')) as sample:
        assert (etc / 'metrics.yml').read_text() == sample.read()
    assert (etc / 'api_paste.ini').exists()
    assert (etc / 'policy.yaml').read_text() == '# sample\n'
    assert (stack.data_dir / 'locks').is_dir()
    # uWSGI serves the API at /rating; Keystone knows it there.
    assert ('write_uwsgi_config %s/cloudkitty-api-uwsgi.ini '
            'cloudkitty.wsgi.api:application /rating  cloudkitty-api'
            % etc) in stack.calls
    assert 'create_service_user cloudkitty admin' in stack.calls
    assert 'get_or_create_service cloudkitty rating OpenStack Rating' in \
        stack.calls
    assert ('get_or_create_endpoint rating RegionOne '
            'http://10.0.0.5/rating') in stack.calls
    assert 'get_or_create_role rating' in stack.calls
    assert 'get_or_add_user_project_role rating cloudkitty demo' in \
        stack.calls
    # The database: recreated, then the schema, storage first.
    calls = stack.calls
    conf_file = str(etc / 'cloudkitty.conf')
    recreate = calls.index('recreate_database cloudkitty')
    storage = calls.index('cloudkitty-storage-init --config-file %s'
                          % conf_file)
    dbsync = calls.index('cloudkitty-dbsync --config-file %s upgrade'
                         % conf_file)
    assert recreate < storage < dbsync


def test_post_config_prometheus_influxdb_standalone(tmp_path):
    metrics = tmp_path / 'custom' / 'rating-metrics.yml'
    stack = Stack(tmp_path, CLOUDKITTY_COLLECTOR='prometheus',
                  CLOUDKITTY_FETCHER='prometheus',
                  CLOUDKITTY_STORAGE_BACKEND='influxdb',
                  CLOUDKITTY_USE_UWSGI='False',
                  CLOUDKITTY_METRICS_CONF=str(metrics))
    stack.run('stack', 'post-config')
    conf = stack.conf()
    assert conf['collect']['collector'] == 'prometheus'
    assert conf['collect']['scope_key'] == 'tenant_id'
    assert conf['collect']['metrics_conf'] == str(metrics)
    with open(os.path.join(ROOT, 'etc/cloudkitty/prom_metrics.yml')) as f:
        assert metrics.read_text() == f.read()
    assert conf['collector_prometheus']['prometheus_url'] == \
        'http://localhost:9090/api/v1'
    assert conf['fetcher_prometheus']['metric'] == \
        'openstack_identity_project_info'
    assert conf['fetcher_prometheus']['scope_attribute'] == 'id'
    assert conf['storage']['backend'] == 'influxdb'
    assert conf['storage_influxdb']['host'] == '10.0.0.5'
    assert conf['storage_influxdb']['database'] == 'cloudkitty'
    assert conf['api']['port'] == '8889'
    assert ('get_or_create_endpoint rating RegionOne '
            'http://10.0.0.5:8889') in stack.calls
    assert ('influx -host 10.0.0.5 -port 8086 -execute '
            'CREATE DATABASE cloudkitty') in stack.calls
    assert not [c for c in stack.calls if 'uwsgi' in c]


def test_existing_metrics_file_is_kept(tmp_path):
    metrics = tmp_path / 'mine.yml'
    metrics.write_text('metrics: {}\n')
    stack = Stack(tmp_path, CLOUDKITTY_METRICS_CONF=str(metrics))
    stack.run('stack', 'post-config')
    assert metrics.read_text() == 'metrics: {}\n'
    assert stack.conf()['collect']['metrics_conf'] == str(metrics)


def test_extra_starts_and_waits(stack):
    stack.run('stack', 'extra')
    etc = stack.conf_dir
    assert ('run_process ck-proc %s/cloudkitty-processor '
            '--config-file=%s/cloudkitty.conf' % (stack.bin, etc)) in \
        stack.calls
    assert ('run_process ck-api %s/uwsgi --procname-prefix cloudkitty '
            '--ini %s/cloudkitty-api-uwsgi.ini ' % (stack.bin, etc)) in \
        stack.calls
    assert 'wait_for_service 60 http://10.0.0.5/rating/' in stack.calls


def test_extra_standalone_api(tmp_path):
    stack = Stack(tmp_path, CLOUDKITTY_USE_UWSGI='False')
    stack.run('stack', 'extra')
    assert ('run_process ck-api %s/cloudkitty-api --config-file=%s/'
            'cloudkitty.conf --host 10.0.0.5 --port 8889'
            % (stack.bin, stack.conf_dir)) in stack.calls
    assert 'wait_for_service 60 http://10.0.0.5:8889/' in stack.calls


def test_unstack_and_clean(stack):
    stack.run('stack', 'post-config')
    stack.run('unstack')
    assert stack.calls == ['stop_process ck-api', 'stop_process ck-proc']
    stack.run('clean')
    assert ('remove_uwsgi_config %s/cloudkitty-api-uwsgi.ini cloudkitty-api'
            % stack.conf_dir) in stack.calls
    assert not stack.conf_dir.exists()
    assert not stack.data_dir.exists()


def test_unknown_storage_backend_stops_stack(tmp_path):
    stack = Stack(tmp_path, CLOUDKITTY_STORAGE_BACKEND='opensearch')
    proc = stack.run('stack', 'pre-install', check=False)
    assert proc.returncode != 0
    assert 'CLOUDKITTY_STORAGE_BACKEND=opensearch' in proc.stderr
    assert 'sqlalchemy influxdb' in proc.stderr


def test_disabled_services_do_nothing(tmp_path):
    stack = Stack(tmp_path, ENABLED_SERVICES='keystone,mysql')
    for phase in (('stack', 'install'), ('stack', 'post-config'),
                  ('stack', 'extra'), ('unstack',), ('clean',)):
        stack.run(*phase)
        assert stack.calls == [], phase


def test_keystone_fetcher_loads_the_written_credentials(tmp_path):
    stack = Stack(tmp_path, CLOUDKITTY_FETCHER='keystone')
    stack.run('stack', 'post-config')
    written = stack.conf()
    assert written['fetcher']['backend'] == 'keystone'
    assert written['fetcher_keystone']['keystone_version'] == '3'
    # The fetcher of the processor builds its Keystone session from them
    # (nothing is contacted before it lists projects). In another process:
    # loading registers the auth plugin's options in the global config.
    path = tmp_path / 'fetcher.conf'
    with open(path, 'w') as handle:
        only = configparser.RawConfigParser()
        only.add_section('fetcher_keystone')
        for key, value in written['fetcher_keystone'].items():
            only.set('fetcher_keystone', key, value)
        only.write(handle)
    code = (
        'import sys\n'
        'from oslo_config import cfg\n'
        'import cloudkitty.common.config\n'
        'cfg.CONF(["--config-file", sys.argv[1]], project="cloudkitty",\n'
        '         default_config_files=[], default_config_dirs=[])\n'
        'from cloudkitty.fetcher import keystone\n'
        'print(keystone.KeystoneFetcher().auth.auth_url)\n')
    proc = subprocess.run([sys.executable, '-c', code, str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == 'http://10.0.0.5/identity'


def _console(name, *args):
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), name)] + list(args),
        capture_output=True, text=True, timeout=120)


def test_written_configuration_passes_the_status_check(stack, tmp_path):
    stack.run('stack', 'post-config')
    conf = stack.conf()
    # DevStack's MySQL and RabbitMQ are not here: SQLite, no messaging.
    conf.set('database', 'connection',
             'sqlite:///%s' % (tmp_path / 'cloudkitty.sqlite'))
    conf.remove_option('DEFAULT', 'transport_url')
    path = tmp_path / 'checked.conf'
    with open(path, 'w') as handle:
        conf.write(handle)
    for command in (('cloudkitty-storage-init', '--config-file', str(path)),
                    ('cloudkitty-dbsync', '--config-file', str(path),
                     'upgrade')):
        proc = _console(*command)
        assert proc.returncode == 0, proc.stderr[-2000:]
    proc = _console('cloudkitty-status', '--config-file', str(path),
                    'upgrade', 'check')
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert 'Failure' not in proc.stdout, proc.stdout
    assert 'backend = gnocchi' in proc.stdout
