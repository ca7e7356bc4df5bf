"""cloudkitty-storage-rollups: rollups verified against the points, rebuilt.
"""
import io
import subprocess

import pytest
import sqlalchemy as sa

from cloudkitty.cli import storage_rollups
from cloudkitty import db
from cloudkitty.tests.cli import scripts
from cloudkitty.tests.storage.v2 import workload


@pytest.fixture
def driver(sql_driver):
    for writer in range(3):
        workload.run(sql_driver, writer)
    return sql_driver


def _drift(engine):
    """Three kinds of drift, as lost updates and duplicates left them."""
    with engine.begin() as conn:
        ids = conn.execute(sa.text(
            'SELECT id FROM rated_rollups_v2 ORDER BY id')).scalars().all()
        # A lost update: the count and price of a day are low.
        conn.execute(sa.text(
            'UPDATE rated_rollups_v2 SET count = count - 1, price = '
            '0.5 WHERE id = :i'), {'i': ids[0]})
        # A lost insert: a month row is missing.
        conn.execute(sa.text(
            'DELETE FROM rated_rollups_v2 WHERE id = :i'), {'i': ids[-1]})
        # A row without points.
        conn.execute(sa.text(
            "INSERT INTO rated_rollups_v2 (digest, kind, begin_ts, end_ts, "
            "owner, scope_id, type, day_of_the_year, week_of_the_year, "
            "month, year, count, qty, price) VALUES ('x', 1, 0, 86400, "
            "'ghost', 'ghost', 'cpu', '1', '00', '1', '1970', 2, 1, 1)"))


def _run(command):
    out = io.StringIO()
    code = storage_rollups.run(command, out)
    return code, out.getvalue()


def test_verify_reports_drift_and_rebuild_fixes_it(driver):
    before = driver.total(groupby=['project_id'], paginate=False,
                          begin=workload.hour(-24),
                          end=workload.hour(workload.HOURS + 24))
    assert _run('verify') == (0, 'Rollups match the points.\n')
    _drift(db.get_engine())
    code, out = _run('verify')
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 4, out
    assert lines[-1].startswith('3 rollup row(s) differ')
    assert any('owner=ghost' in line and 'expected no row' in line
               for line in lines)
    assert any('stored no row' in line for line in lines)
    assert any('price=0.5' in line for line in lines)
    code, out = _run('rebuild')
    assert code == 0
    assert out.splitlines()[-1] == 'Rebuilt 3 rollup row(s).'
    assert _run('verify') == (0, 'Rollups match the points.\n')
    after = driver.total(groupby=['project_id'], paginate=False,
                         begin=workload.hour(-24),
                         end=workload.hour(workload.HOURS + 24))
    assert after == before


@pytest.mark.parametrize('sql_backend_url', ['sqlite'], indirect=True)
def test_console_script_exit_codes(driver, sql_backend_url, tmp_path):
    conf = scripts.write_conf(tmp_path / 'ck.conf', {
        'database': {'connection': sql_backend_url},
        'storage': {'backend': 'sqlalchemy', 'version': 2}})
    _drift(db.get_engine())
    verify, rebuild = 'cloudkitty-storage-rollups', '--config-file'
    result = scripts.run(verify, rebuild, conf, 'verify')
    assert result.returncode == 1, result.stderr
    assert 'owner=ghost' in result.stdout
    result = scripts.run(verify, rebuild, conf, 'rebuild')
    assert result.returncode == 0, result.stderr
    assert 'Rebuilt 3 rollup row(s).' in result.stdout
    result = scripts.run(verify, rebuild, conf, 'verify')
    assert (result.returncode, result.stdout) == (
        0, 'Rollups match the points.\n')
    result = subprocess.run([scripts.script(verify), '--config-file', conf],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert 'required: command' in result.stderr
