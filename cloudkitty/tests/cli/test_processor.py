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
    ('collector', 'unknown collector [collect] collector = nope'),
    ('metric', "metric 'cpu': bogus: extra keys not allowed"),
])
def test_exits_with_one_line(runs, case, expected):
    result = runs[case]
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert expected in scripts.last_line(result.stderr)
    assert scripts.last_line(result.stderr).startswith(
        'cloudkitty-processor: error: ')
