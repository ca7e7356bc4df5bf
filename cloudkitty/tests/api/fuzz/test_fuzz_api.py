"""Property-based run of every v1 and v2 endpoint with generated input.

On SQLite, MariaDB and PostgreSQL, in-process and under gunicorn: no 5xx;
a refused request leaves every table (the storage's included) unchanged;
an accepted write is followed by reads that succeed.
"""
from hypothesis import given
from hypothesis import strategies as st
import pytest

from cloudkitty import db
from cloudkitty.tests.api import full_app
from cloudkitty.tests.api.fuzz import conftest as fuzz_conf
from cloudkitty.tests.api.fuzz import harness
from cloudkitty.tests.api.fuzz import strategies

# Requests per example: a sequence lets one example create an object and
# then update, read or delete it.
STEPS = 4


def _operations(ids):
    return strategies.v1_operations(ids) + strategies.v2_operations(ids)


def _fuzz(checker, ids):
    @fuzz_conf.profile()
    @given(data=st.data())
    def run(data):
        for _ in range(data.draw(st.integers(1, STEPS), label='steps')):
            operation = data.draw(st.sampled_from(_operations(ids)),
                                  label='endpoint')
            checker.run(data.draw(operation, label='request'))
    run()


@pytest.fixture
def app_client(conf, sql_backend_url, tmp_path):
    yield full_app.make_client(conf, tmp_path, sql_backend_url)
    full_app.reset_caches()


def _run(transport, where, sql_backend_url):
    """Warm up, then fuzz every endpoint through ``transport``."""
    ids = strategies.Ids()
    stats = harness.Stats('%s on %s' % (where,
                                        sql_backend_url.split(':')[0]))
    checker = harness.Checker(transport, harness.Snapshot(db.get_engine()),
                              ids, stats)
    try:
        checker.warm_up()
        _fuzz(checker, ids)
    finally:
        stats.save()


def test_in_process(app_client, sql_backend_url):
    _run(harness.InProcess(app_client), 'in-process', sql_backend_url)


@pytest.fixture
def gunicorn_server(conf, sql_backend_url, tmp_path):
    from cloudkitty.tests.functional import api_server
    # Tables first (in this process), then the server on the same
    # database: its start-up migration finds them at head.
    full_app.make_client(conf, tmp_path, sql_backend_url)
    server = api_server.APIServer(
        overrides={'database': {'connection': sql_backend_url},
                   'collect': {'period': 3600}},
        metrics_conf=full_app.METRICS_YML, wsgi_server='gunicorn',
        tmp_dir=str(tmp_path / 'api'))
    (tmp_path / 'api').mkdir()
    server.start()
    yield server
    server.cleanup()
    full_app.reset_caches()


def test_under_gunicorn(gunicorn_server, sql_backend_url):
    _run(harness.OverHTTP(gunicorn_server), 'gunicorn', sql_backend_url)
