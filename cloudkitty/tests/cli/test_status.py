"""cloudkitty-status upgrade check: it loads and opens what services use."""
import pytest

from cloudkitty.tests.cli import scripts
from cloudkitty.tests import services

METRICS = 'metrics:\n  cpu:\n    unit: instance\n'


def _sections(tmp_path, url, **extra):
    metrics = tmp_path / 'metrics.yml'
    metrics.write_text(METRICS)
    sections = {
        'database': {'connection': url},
        'collect': {'collector': 'synthetic', 'metrics_conf': str(metrics)},
        'fetcher': {'backend': 'source'},
        'storage': {'backend': 'sqlalchemy'},
    }
    for section, options in extra.items():
        sections.setdefault(section, {}).update(options)
    return sections


def _check(conf):
    return scripts.run('cloudkitty-status', '--config-file', conf,
                       'upgrade', 'check', '--json', timeout=60)


def _results(result):
    import json
    checks = json.loads(result.stdout)['checks']
    return {check['check']: check for check in checks}


def test_deployed_database_passes(tmp_path):
    # PostgreSQL through the plain postgresql:// URL DevStack writes.
    database = services.TemporaryDatabase('postgresql', tmp_path)
    url = 'postgresql://' + database.create().split('://', 1)[1]
    try:
        _deploy_and_check(tmp_path, url)
    finally:
        database.drop()


def _deploy_and_check(tmp_path, url):
    conf = scripts.write_conf(tmp_path / 'ck.conf', _sections(tmp_path, url))
    before = _check(conf)
    assert before.returncode == 2, before.stdout + before.stderr
    schema = _results(before)['Database schema']['details']
    assert 'cloudkitty: not created (run cloudkitty-dbsync upgrade)' in schema
    assert 'scope states: not created (run cloudkitty-storage-init)' in schema
    assert 'storage sqlalchemy: not created' in schema
    for command in ('cloudkitty-dbsync', 'cloudkitty-storage-init'):
        args = ['upgrade'] if command == 'cloudkitty-dbsync' else []
        setup = scripts.run(command, '--config-file', conf, *args)
        assert setup.returncode == 0, setup.stderr
    after = _check(conf)
    assert after.returncode == 0, after.stdout + after.stderr
    assert all(r['result'] == 0 for r in _results(after).values())


@pytest.mark.parametrize('overrides,check,expected', [
    ({'storage': {'backend': 'opensearch'}}, '_storage_options',
     '[storage] backend = opensearch is not available'),
    ({'storage': {'backend': 'influxdb'}}, '_storage_options',
     '[storage_influxdb] database is not set'),
    ({'fetcher': {'backend': 'nova'}}, '_fetcher',
     '[fetcher] backend = nova is not a scope fetcher'),
    ({'collect': {'metrics_conf': 'BROKEN'}}, '_collector', 'bogus'),
    ({'database': {'connection': 'postgresql+pg8000://ck:pw@127.0.0.1/ck'}},
     '_database', 'pip install "pg8000"'),
    ({'database': {'connection': 'postgresql+pg8000://ck:pw@127.0.0.1/ck'}},
     '_schema', 'pip install "pg8000"'),
])
def test_mistakes_are_failures(conf, tmp_path, overrides, check, expected):
    from oslo_upgradecheck import upgradecheck

    from cloudkitty.cli import status
    from cloudkitty import db
    broken = tmp_path / 'broken.yml'
    broken.write_text('metrics:\n  cpu:\n    unit: x\n    bogus: 1\n')
    sections = _sections(tmp_path, 'sqlite:///%s/ck.sqlite' % tmp_path)
    for section, options in overrides.items():
        sections[section].update(options)
    for section, options in sections.items():
        for name, value in options.items():
            if value == 'BROKEN':
                value = str(broken)
            conf.set_override(name, value, section)
    db.reset()
    try:
        result = getattr(status.CloudkittyUpgradeChecks(), check)()
    finally:
        db.reset()
    assert result.code == upgradecheck.Code.FAILURE, result.details
    assert expected in result.details
    assert 'pw@' not in result.details


def test_scopes_table(conf, sqlite_url, tmp_path):
    import datetime
    import json

    from cloudkitty import storage_state
    from cloudkitty.utils import tz as tzutils
    hour = datetime.timedelta(hours=1)
    states = storage_state.StateManager()
    states.init()
    aligned = tzutils.align(tzutils.localized_now(), 3600)
    # wait_periods 2: the last period due starts 2 hours before the
    # current one.
    states.set_last_processed_timestamp('up-to-date', aligned - 2 * hour)
    states.set_last_processed_timestamp('late', aligned - 12 * hour)
    scheduler = storage_state.ReprocessingSchedulerDb()
    scheduler.create('late', aligned - 20 * hour, aligned - 16 * hour,
                     'prices fixed')
    conf_file = scripts.write_conf(tmp_path / 'ck.conf', {
        'database': {'connection': sqlite_url},
        'collect': {'period': '3600', 'wait_periods': '2'}})
    result = scripts.run('cloudkitty-status', '--config-file', conf_file,
                         'scopes', '--json', timeout=60)
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert [(s['scope_id'], s['periods_behind'], s['lag'])
            for s in output['scopes']] == [
        ('late', 10, '10h 0m'), ('up-to-date', 0, '0m')]
    assert [(t['scope_id'], t['periods_left'])
            for t in output['reprocessing']] == [('late', 5)]
    table = scripts.run('cloudkitty-status', '--config-file', conf_file,
                        'scopes', timeout=60)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[1].split('|')[1:5] == [
        ' scope_id   ', ' active ', ' last_processed_timestamp  ',
        ' periods_behind ']
    assert lines[3].startswith('| late ')
    assert ('2 scope(s): 1 up to date, 1 behind (most: late by 10 '
            'period(s))') in table.stdout
    assert 'Reprocessing tasks:' in table.stdout
