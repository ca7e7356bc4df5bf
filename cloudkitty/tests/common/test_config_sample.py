"""The generated sample lists every option of the reference with its
default value."""
import collections
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
GENERATOR = os.path.join(os.path.dirname(sys.executable),
                         'oslo-config-generator')

UNSET = '<None>'
_GNOCCHI_AUTH = {
    'gnocchi_auth_type': 'keystone',
    'gnocchi_user': '',
    'gnocchi_endpoint': '',
    'interface': 'internalURL',
    'region_name': 'RegionOne',
    'http_pool_maxsize': '10',
}
_KEYSTONEAUTH = {
    'cafile': UNSET,
    'certfile': UNSET,
    'keyfile': UNSET,
    'insecure': 'false',
    'timeout': UNSET,
    'collect_timing': 'false',
    'split_loggers': 'false',
    'auth_type': UNSET,
    'auth_section': UNSET,
}
_SEARCH = {
    'host': 'http://localhost:9200',
    'index_name': 'cloudkitty',
    'insecure': 'false',
    'cafile': UNSET,
    'scroll_duration': '30',
    'use_datastream': 'false',
}

# The reference's options (and keystoneauth's), listed groups.
EXPECTED = {
    'DEFAULT': {
        'api_paste_config': 'api_paste.ini',
        'auth_strategy': 'keystone',
        'host': '<server-hostname.example.com>',
    },
    'api': {'port': '8889'},
    'collect': {
        'collector': 'gnocchi',
        'period': '3600',
        'wait_periods': '2',
        'metrics_conf': '/etc/cloudkitty/metrics.yml',
        'scope_key': 'project_id',
    },
    'collector_gnocchi': dict(_GNOCCHI_AUTH, **_KEYSTONEAUTH),
    'collector_prometheus': {
        'prometheus_url': '',
        'prometheus_user': UNSET,
        'prometheus_password': UNSET,
        'cafile': UNSET,
        'insecure': 'false',
        'timeout': '60',
    },
    'collector_aetos': dict(_KEYSTONEAUTH, interface='public',
                            region_name=UNSET),
    'fetcher': {'backend': 'keystone'},
    'fetcher_gnocchi': dict(_GNOCCHI_AUTH, scope_attribute='project_id',
                            resource_types='generic', **_KEYSTONEAUTH),
    'fetcher_keystone': dict(_KEYSTONEAUTH, keystone_version='3',
                             ignore_rating_role='false',
                             ignore_disabled_tenants='false'),
    'fetcher_prometheus': {
        'metric': UNSET,
        'scope_attribute': 'project_id',
        'prometheus_url': UNSET,
        'prometheus_user': UNSET,
        'prometheus_password': UNSET,
        'cafile': UNSET,
        'insecure': 'false',
        'timeout': '60',
        'filters': '',
    },
    'fetcher_source': {'sources': ''},
    'orchestrator': {
        'coordination_url': 'file:///var/lib/cloudkitty/locks',
        'max_workers': '4',
        'max_workers_reprocessing': '4',
        'max_threads': '16',
        'skip_datapoints_expression': 'False',
        'collector_request_timeout': '300',
    },
    'storage': {'backend': 'influxdb', 'version': '2'},
    'storage_influxdb': {
        'username': UNSET,
        'password': UNSET,
        'database': UNSET,
        'retention_policy': 'autogen',
        'host': 'localhost',
        'port': '8086',
        'use_ssl': 'false',
        'insecure': 'false',
        'cafile': UNSET,
        'version': '1',
        'query_timeout': '3600000',
        'token': UNSET,
        'org': 'openstack',
        'bucket': 'cloudkitty',
        'url': UNSET,
        'timeout': '60',
    },
    'storage_elasticsearch': _SEARCH,
    'storage_opensearch': _SEARCH,
    'storage_loki': {
        'url': 'http://localhost:3100/loki/api/v1',
        'tenant': 'cloudkitty',
        'stream': 'service:cloudkitty',
        'buffer_size': '1',
        'content_type': 'application/json',
        'shard_days': '7',
        'insecure': 'false',
        'ca_file': UNSET,
        'cert_file': UNSET,
        'key_file': UNSET,
        'timeout': '60',
        'use_structured_metadata': 'false',
    },
    'storage_gnocchi': dict(
        _KEYSTONEAUTH,
        interface='internalURL',
        archive_policy_name='rating',
        archive_policy_definition=(
            '[{"granularity": 3600, "timespan": "90 days"}, '
            '{"granularity": 86400, "timespan": "360 days"}, '
            '{"granularity": 2592000, "timespan": "1800 days"}]')),
    # Library options whose CloudKitty default differs from the library's.
    'database': {
        'connection': 'sqlite:////var/lib/cloudkitty/cloudkitty.sqlite'},
}

_OPTION = re.compile(r'^#([A-Za-z0-9_]+) =(.*)$')


def parse_sample(text):
    """``{group: {option: default text}}`` of a generated sample."""
    options = collections.defaultdict(dict)
    group = None
    for line in text.splitlines():
        if line.startswith('['):
            group = line.strip()[1:-1]
            continue
        match = _OPTION.match(line)
        if match and group is not None:
            options[group].setdefault(match.group(1), match.group(2).strip())
    return options


def _same(expected, found):
    if expected == found:
        return True
    try:
        # A float option renders 60 or 60.0 depending on its default.
        return float(expected) == float(found)
    except ValueError:
        return False


@pytest.fixture(scope='module')
def sample(tmp_path_factory):
    output = tmp_path_factory.mktemp('sample') / 'cloudkitty.conf.sample'
    result = subprocess.run(
        [GENERATOR, '--config-file',
         os.path.join(ROOT, 'etc', 'oslo-config-generator',
                      'cloudkitty.conf'),
         '--output-file', str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return parse_sample(output.read_text())


def test_every_option_listed_with_its_default(sample):
    problems = []
    for group, options in EXPECTED.items():
        for name, default in options.items():
            if name not in sample.get(group, {}):
                problems.append('[%s] %s missing' % (group, name))
            elif not _same(default, sample[group][name]):
                problems.append('[%s] %s = %r, expected %r' % (
                    group, name, sample[group][name], default))
    assert not problems, '\n'.join(problems)


def test_library_namespaces_included(sample):
    for group in ('keystone_authtoken', 'oslo_policy', 'cors',
                  'oslo_messaging_rabbit', 'oslo_concurrency',
                  'oslo_middleware'):
        assert group in sample
    assert sample['DEFAULT']['transport_url'] == 'rabbit://'
    assert sample['DEFAULT']['graceful_shutdown_timeout'] == '60'


def _own_options():
    """``{group: [option]}`` declared by CloudKitty itself.

    Library options (keystoneauth's included) vary with the installed
    library versions, so the committed sample is only compared on these.
    """
    from cloudkitty.common import config
    from cloudkitty.common import keystoneauth
    library = {opt.dest for opt in keystoneauth.list_opts()}
    return {group or 'DEFAULT': [opt.dest for opt in opts
                                 if opt.dest not in library]
            for group, opts in config.list_opts()}


def test_committed_sample_is_up_to_date(sample):
    path = os.path.join(ROOT, 'etc', 'cloudkitty', 'cloudkitty.conf.sample')
    with open(path) as committed:
        committed = parse_sample(committed.read())
    stale = []
    for group, names in _own_options().items():
        for name in names:
            if sample.get(group, {}).get(name) != committed.get(
                    group, {}).get(name):
                stale.append('[%s] %s' % (group, name))
    for group, options in EXPECTED.items():
        for name in options:
            if name not in committed.get(group, {}):
                stale.append('[%s] %s' % (group, name))
    assert not stale, (
        'etc/cloudkitty/cloudkitty.conf.sample is stale (run "make '
        'genconfig"): %s' % ', '.join(stale))


def test_parser_reads_defaults():
    text = '[a]\n# help\n#x = 1\n#y =\n[b]\n#z = <None>\n'
    assert parse_sample(text) == {'a': {'x': '1', 'y': ''},
                                  'b': {'z': '<None>'}}


def test_importing_the_config_module_registers_every_group():
    # Tools and test workers import only this module, then override
    # options of any group (the database one included).
    probe = ('import cloudkitty.common.config as c\n'
             'from oslo_config import cfg\n'
             'names = {g for g, _ in c.list_opts() if g} | {"database"}\n'
             'print(sorted(n for n in names if n not in cfg.CONF))\n')
    result = subprocess.run([sys.executable, '-c', probe],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == '[]'
