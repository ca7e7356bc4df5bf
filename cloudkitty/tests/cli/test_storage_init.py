"""cloudkitty-storage-init and the API on storage options that fail."""
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


API_CASES = ('unset', 'elasticsearch')


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
        if name in API_CASES:
            commands.append(['cloudkitty-api', '--config-file', conf,
                             '--port', '1'])
    names = [(script, case) for case in CASES
             for script in ('storage-init', 'api')
             if script == 'storage-init' or case in API_CASES]
    return dict(zip(names, scripts.run_all(commands, timeout=60)))


@pytest.mark.parametrize('case', sorted(CASES))
def test_one_line_naming_option_and_fix(results, case):
    result = results[('storage-init', case)]
    assert result.returncode == 1, result.stderr
    assert 'Traceback' not in result.stderr
    line = scripts.last_line(result.stderr)
    assert line.startswith('cloudkitty-storage-init: error: ' +
                           CASES[case][1]), line
    assert 'set [storage' in line


@pytest.mark.parametrize('case', API_CASES)
def test_api_does_not_start(results, case):
    result = results[('api', case)]
    assert result.returncode == 1, result.stderr
    # Nothing but the error line: no traceback, no log.
    assert result.stderr.strip() == (
        'cloudkitty-api: error: ' + scripts.last_line(result.stderr)
        .split('cloudkitty-api: error: ', 1)[-1])
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert CASES[case][1] in result.stderr
