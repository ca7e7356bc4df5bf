"""cloudkitty-dbsync, run as an operator runs it."""
import pytest
import sqlalchemy as sa

from cloudkitty.tests.cli import scripts
from cloudkitty.tests import conftest
from cloudkitty.tests import services


def _conf(tmp_path, url):
    return scripts.write_conf(tmp_path / 'cloudkitty.conf',
                              {'database': {'connection': url}})


@pytest.fixture(scope='module')
def migrated(tmp_path_factory):
    """``{backend: (url, upgrade result, version result) or exception}``.

    The three backends are migrated concurrently to keep the suite fast.
    """
    outcomes, databases, commands = {}, [], {}
    for backend in conftest.SQL_BACKENDS:
        tmp = tmp_path_factory.mktemp(backend)
        database = services.TemporaryDatabase(backend, tmp)
        try:
            url = database.create()
        except (pytest.skip.Exception, pytest.fail.Exception) as exc:
            outcomes[backend] = exc
            continue
        databases.append(database)
        commands[backend] = (url, _conf(tmp, url))
    try:
        upgrades = scripts.run_all([
            ['cloudkitty-dbsync', '--config-file', conf, 'upgrade']
            for url, conf in commands.values()])
        versions = scripts.run_all([
            ['cloudkitty-dbsync', '--config-file', conf, 'version',
             '--module', 'cloudkitty']
            for url, conf in commands.values()])
        for backend, upgrade, version in zip(commands, upgrades, versions):
            outcomes[backend] = (commands[backend][0], upgrade, version)
        yield outcomes
    finally:
        for database in databases:
            database.drop()


@pytest.mark.parametrize('backend', conftest.SQL_BACKENDS)
def test_upgrade_then_version(migrated, backend):
    outcome = migrated[backend]
    if isinstance(outcome, BaseException):
        raise outcome
    url, upgrade, version = outcome
    assert upgrade.returncode == 0, upgrade.stderr
    assert 'Traceback' not in upgrade.stderr + upgrade.stdout
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == 'fd77fd4e38c6 (head)'
    engine = sa.create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {'states', 'modules_state', 'service_to_collector_mappings',
            'cloudkitty_alembic'} <= tables
    # Scope state tables belong to cloudkitty-storage-init.
    assert 'cloudkitty_storage_states' not in tables


def test_module_revision_and_errors(sqlite_url, tmp_path):
    conf = _conf(tmp_path, sqlite_url)
    dbsync = ['cloudkitty-dbsync', '--config-file', conf]
    partial, unknown, multiple = scripts.run_all([
        dbsync + ['upgrade', '--module', 'cloudkitty',
                  '--revision', '2ac2217dcbd9'],
        dbsync + ['version', '--module', 'nope'],
        dbsync + ['upgrade', '--revision', '2ac2217dcbd9'],
    ])
    assert partial.returncode == 0, partial.stderr
    assert unknown.returncode != 0
    assert scripts.last_line(unknown.stderr) == (
        'cloudkitty-dbsync: error: Module nope not found')
    assert multiple.returncode != 0
    assert scripts.last_line(multiple.stderr) == (
        "cloudkitty-dbsync: error: Can't apply revision 2ac2217dcbd9 to "
        "multiple modules.")

    version, failed = scripts.run_all([
        dbsync + ['version', '--module', 'cloudkitty'],
        dbsync + ['stamp', '--module', 'cloudkitty', '--revision',
                  'unknownrev'],
    ])
    assert version.stdout.strip() == '2ac2217dcbd9'
    assert failed.returncode != 0
    assert scripts.last_line(failed.stderr).startswith(
        'cloudkitty-dbsync: error: ')
    assert 'unknownrev' in scripts.last_line(failed.stderr)
    for result in (partial, unknown, multiple, version, failed):
        assert 'Traceback' not in result.stderr + result.stdout
