"""cloudkitty-processor refuses to start on a plugin it cannot load."""
import pytest

from cloudkitty.tests.cli import scripts

METRICS_BAD_KEY = 'metrics:\n  cpu:\n    unit: instance\n    bogus: 1\n'


@pytest.fixture
def runs(tmp_path):
    metrics = tmp_path / 'metrics.yml'
    metrics.write_text(METRICS_BAD_KEY)
    cases = {
        'missing': {'metrics_conf': str(tmp_path / 'absent.yml'),
                    'collector': 'synthetic'},
        'collector': {'metrics_conf': str(metrics), 'collector': 'nope'},
        'metric': {'metrics_conf': str(metrics), 'collector': 'synthetic'},
    }
    commands = []
    for name, collect in cases.items():
        conf = scripts.write_conf(tmp_path / ('%s.conf' % name), {
            'collect': collect,
            'database': {'connection': 'sqlite:///%s/ck.sqlite' % tmp_path},
        })
        commands.append(['cloudkitty-processor', '--config-file', conf])
    return dict(zip(cases, scripts.run_all(commands, timeout=60)))


@pytest.mark.parametrize('case,expected', [
    ('missing', 'cannot read [collect] metrics_conf'),
    ('collector', '[collect] collector = nope is not a collector'),
    ('metric', "metric 'cpu': bogus: extra keys not allowed"),
])
def test_exits_with_one_line(runs, case, expected):
    result = runs[case]
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert expected in scripts.last_line(result.stderr)
    assert scripts.last_line(result.stderr).startswith(
        'cloudkitty-processor: error: ')


METRICS_OK = 'metrics:\n  cpu:\n    unit: instance\n'

# name: (options, expected in the error line)
CONFIG_MISTAKES = {
    'fetcher': ({'fetcher': {'backend': 'nova'}},
                '[fetcher] backend = nova is not a scope fetcher '
                '(installed: gnocchi, keystone, prometheus, source)'),
    'yaml': ({'collect': {'metrics_conf': 'BROKEN'}},
             'is not valid YAML'),
    'storage_unset': ({},
                      '[storage_influxdb] database is not set'),
    'influx_v2': ({'storage_influxdb': {'version': '2',
                                        'database': 'ck'}},
                  '[storage_influxdb] version = 2 is not supported'),
    'opensearch': ({'storage': {'backend': 'opensearch'}},
                   '[storage] backend = opensearch is not available'),
    'loki': ({'storage': {'backend': 'loki'}},
             '[storage] backend = loki is not available'),
    'unknown_storage': ({'storage': {'backend': 'nope'}},
                        '[storage] backend = nope is not a v2 storage '
                        'driver'),
    'v1_unknown': ({'storage': {'version': '1', 'backend': 'elasticsearch'}},
                   '[storage] backend = elasticsearch is not a v1 storage '
                   'driver'),
    # A valid configuration on a database nobody migrated.
    'no_schema': ({'storage': {'backend': 'sqlalchemy'}},
                  'missing table(s) cloudkitty_storage_states, '
                  'storage_scope_reprocessing_schedule, modules_state in '
                  '[database] connection = sqlite:///'),
    'no_database': ({'storage': {'backend': 'sqlalchemy'},
                     'database': {'connection': 'postgresql://ck@127.0.0.1:'
                                  '1/ck'}},
                    'cannot connect to [database] connection = '
                    'postgresql://ck@127.0.0.1:1/ck'),
}


@pytest.fixture(scope='module')
def mistakes(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp('mistakes')
    good = tmp_path / 'metrics.yml'
    good.write_text(METRICS_OK)
    broken = tmp_path / 'broken.yml'
    broken.write_text('metrics:\n  cpu: [unit: x\n')
    commands = []
    for name, (options, _expected) in CONFIG_MISTAKES.items():
        sections = {
            'collect': {'collector': 'synthetic', 'metrics_conf': str(good)},
            'fetcher': {'backend': 'source'},
            'database': {'connection': 'sqlite:///%s/ck.sqlite' % tmp_path},
            'orchestrator': {'max_workers': '1',
                             'max_workers_reprocessing': '1'},
        }
        for section, values in options.items():
            sections.setdefault(section, {}).update(values)
        if sections['collect']['metrics_conf'] == 'BROKEN':
            sections['collect']['metrics_conf'] = str(broken)
        conf = scripts.write_conf(tmp_path / ('%s.conf' % name), sections)
        commands.append(['cloudkitty-processor', '--config-file', conf])
    # A processor that forked workers never exits by itself: the timeout
    # ends it (returncode -9).
    return dict(zip(CONFIG_MISTAKES, scripts.run_all(commands, timeout=30)))


@pytest.mark.parametrize('case', sorted(CONFIG_MISTAKES))
def test_config_mistake_exits_before_forking(mistakes, case):
    result = mistakes[case]
    line = scripts.last_line(result.stderr)
    assert result.returncode == 1, result.stderr[-2000:]
    assert 'Traceback' not in result.stderr + result.stdout
    assert line.startswith('cloudkitty-processor: error: '), line
    assert CONFIG_MISTAKES[case][1] in line
    # No worker was started.
    assert 'scopes [' not in result.stderr + result.stdout


def test_worker_count_unset_is_one_per_cpu(conf, monkeypatch):
    from cloudkitty.cli import processor
    monkeypatch.setattr(processor.multiprocessing, 'cpu_count', lambda: 6)
    assert conf.orchestrator.max_workers is None
    assert processor.worker_count('max_workers') == 6
    conf.set_override('max_workers_reprocessing', 0, 'orchestrator')
    assert processor.worker_count('max_workers_reprocessing') == 0
    conf.set_override('max_workers', 3, 'orchestrator')
    assert processor.worker_count('max_workers') == 3
