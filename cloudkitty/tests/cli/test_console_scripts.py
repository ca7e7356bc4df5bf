"""Every console script: one-line error on a bad configuration value;
cloudkitty-status exit codes; cloudkitty-storage-init."""
import importlib.util

import pytest
import sqlalchemy as sa

from cloudkitty.tests.cli import scripts

# script -> (cloudkitty.cli module, arguments after the config file)
SCRIPTS = {
    'cloudkitty-dbsync': ('dbsync', ['upgrade']),
    'cloudkitty-storage-init': ('storage', []),
    'cloudkitty-status': ('status', ['upgrade', 'check']),
    'cloudkitty-processor': ('processor', []),
    'cloudkitty-api': ('api', []),
}
BAD_VALUES = {
    'period': ('collect', 'abc'),          # wrong type
    'auth_strategy': ('DEFAULT', 'nope'),  # not a choice
    'version': ('storage', '7'),           # out of range
}
# Every script gets the wrong type; the other checks share the same code
# path, so one script is enough for them.
# (cloudkitty/tests/test_service.py covers them all in-process.)
CASES = [(script, 'period') for script in sorted(SCRIPTS)] + [
    ('cloudkitty-dbsync', 'auth_strategy')]


def _available(script):
    return importlib.util.find_spec(
        'cloudkitty.cli.' + SCRIPTS[script][0]) is not None


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """Run every scenario at once (a console script starts slowly)."""
    tmp = tmp_path_factory.mktemp('scripts')
    db_url = 'sqlite:///%s' % (tmp / 'ck.sqlite')
    commands, keys = [], []
    for script, option in CASES:
        if not _available(script):
            continue
        section, value = BAD_VALUES[option]
        conf = scripts.write_conf(
            tmp / ('%s-%s.conf' % (script, option)),
            {'database': {'connection': db_url}, section: {option: value}})
        keys.append(('bad', script, option))
        commands.append([script, '--config-file', conf] + SCRIPTS[script][1])
    policy = tmp / 'policy.json'
    policy.write_text('{"context_is_admin": "role:admin"}')
    for name, sections in (
            ('success', {}),
            ('v1', {'storage': {'version': '1'}}),
            ('json', {'oslo_policy': {'policy_file': str(policy)}})):
        conf = scripts.write_conf(tmp / ('status-%s.conf' % name),
                                  dict({'DEFAULT': {}}, **sections))
        keys.append(('status', name))
        commands.append(['cloudkitty-status', '--config-file', conf,
                         'upgrade', 'check'])
    storage_db = 'sqlite:///%s' % (tmp / 'storage.sqlite')
    conf = scripts.write_conf(tmp / 'storage.conf', {
        'database': {'connection': storage_db},
        'storage': {'backend': 'sqlalchemy'}})
    keys.append(('storage-init', storage_db))
    commands.append(['cloudkitty-storage-init', '--config-file', conf])
    return dict(zip(keys, scripts.run_all(commands, timeout=180)))


@pytest.mark.parametrize('script,option', CASES)
def test_bad_value_is_one_line(runs, script, option):
    if not _available(script):
        pytest.skip('cloudkitty.cli.%s does not exist' % SCRIPTS[script][0])
    result = runs[('bad', script, option)]
    assert result.returncode not in (0, None), result
    assert 'Traceback' not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert option in lines[0]
    assert lines[0].startswith(script + ': error: ')


def test_status_checks(runs):
    # Nothing deployed (no metrics.yml, no schema, no InfluxDB database):
    # failures (test_status.py covers a deployment that passes).
    result = runs[('status', 'success')]
    assert result.returncode == 2, result.stdout + result.stderr
    # The default database may not even open (its directory missing):
    # a failed check, never a traceback.
    assert 'Traceback' not in result.stdout + result.stderr
    assert 'Check: Database schema' in result.stdout
    assert 'Upgrade Check Results' in result.stdout
    assert 'Check: Storage version' in result.stdout
    assert 'Check: Policy File JSON to YAML Migration' in result.stdout


def test_status_v1_storage_warns(runs):
    result = runs[('status', 'v1')]
    # A warning, besides the failures of the undeployed configuration.
    assert result.returncode == 2, result.stdout + result.stderr
    text = ' '.join(result.stdout.replace('|', ' ').split())
    assert ('Result: Warning Details: Storage version is inferior to 2. '
            'Support for v1 storage will be dropped in a future release.'
            in text)


def test_status_json_policy_fails(runs):
    result = runs[('status', 'json')]
    assert result.returncode == 2, result.stdout + result.stderr
    assert 'Result: Failure' in result.stdout
    assert 'JSON-formatted' in result.stdout


def test_storage_init(runs):
    (db_url, result), = [(key[1], value) for key, value in runs.items()
                         if key[0] == 'storage-init']
    assert result.returncode == 0, result.stdout + result.stderr
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text(
                'SELECT version_num FROM storage_states_alembic')).scalar()
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert version == '238032e480a2'
    assert {'cloudkitty_storage_states',
            'storage_scope_reprocessing_schedule'} <= tables
