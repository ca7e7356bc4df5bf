"""cloudkitty-storage-init on storage options that cannot work."""
import pytest

from cloudkitty.tests.cli import scripts

CASES = {
    # Only [database] set, as a first configuration often is: the
    # default backend is influxdb.
    'unset': ({}, '[storage_influxdb] database is not set'),
    'influx_v2': ({'storage_influxdb': {'version': '2', 'database': 'ck'}},
                  '[storage_influxdb] version = 2 is not supported'),
    'elasticsearch': ({'storage': {'backend': 'elasticsearch'}},
                      '[storage] backend = elasticsearch is not available '
                      'in this CloudKitty'),
    'v1_influxdb': ({'storage': {'version': '1'}},
                    '[storage] backend = influxdb is not a v1 storage '
                    'driver'),
}


@pytest.fixture(scope='module')
def results(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp('storage-init')
    commands = []
    for name, (options, _expected) in CASES.items():
        sections = {'database': {
            'connection': 'sqlite:///%s/ck.sqlite' % tmp_path}}
        sections.update(options)
        conf = scripts.write_conf(tmp_path / ('%s.conf' % name), sections)
        commands.append(['cloudkitty-storage-init', '--config-file', conf])
    return dict(zip(CASES, scripts.run_all(commands, timeout=60)))


@pytest.mark.parametrize('case', sorted(CASES))
def test_one_line_naming_option_and_fix(results, case):
    result = results[case]
    assert result.returncode == 1, result.stderr
    assert 'Traceback' not in result.stderr
    line = scripts.last_line(result.stderr)
    assert line.startswith('cloudkitty-storage-init: error: ' +
                           CASES[case][1]), line
    assert 'set [storage' in line
