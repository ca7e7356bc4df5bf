"""A writer killed with SIGKILL in the middle of a push leaves the whole
push or none of it, and rollups that match the points."""
import multiprocessing
import os
import random
import signal
import time

import pytest

from cloudkitty.storage.v2.sqlalchemy import rollups
from cloudkitty.tests.storage.v2 import test_concurrency
from cloudkitty.tests.storage.v2 import workload


@pytest.fixture
def driver(sql_driver):
    return sql_driver


def _pushed(salt):
    """{(scope, type, period): sorted point tuples} of crash_push(salt)."""
    output = {}
    for index in range(workload.HOURS):
        for scope in workload.MAIN:
            for type_ in workload.TYPES:
                output[(scope, type_, index)] = sorted(
                    test_concurrency._point(p) for p in workload.points(
                        scope, type_, index, salt))
    return output


def _kill_writer(url, pause, delay=0.0):
    ctx = multiprocessing.get_context('spawn')
    ready = ctx.Event()
    process = ctx.Process(target=workload.crash_main,
                          args=(url, ready, pause))
    process.start()
    try:
        assert ready.wait(60), 'the writer did not start'
        time.sleep(delay)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.join(30)
    assert process.exitcode == -signal.SIGKILL


def test_killed_between_points_and_rollups(driver, sql_backend_url):
    """Killed after writing the blocks of a push, before its rollups."""
    _kill_writer(sql_backend_url, pause=True)
    stored, _ = test_concurrency.stored_points(driver)
    assert stored == _pushed(0)
    assert rollups.verify() == []
    # Nothing is left locked: the next push goes through.
    driver.push(workload.crash_push(1))
    assert test_concurrency.stored_points(driver)[0] == _pushed(1)
    assert rollups.verify() == []


def test_killed_at_any_time(driver, sql_backend_url):
    """Killed while pushing in a loop, at a random moment."""
    _kill_writer(sql_backend_url, pause=False,
                 delay=random.uniform(0.2, 1.0))
    stored, _ = test_concurrency.stored_points(driver)
    assert stored in (_pushed(0), _pushed(1))
    assert rollups.verify() == []
    assert not test_concurrency.check_totals(driver, stored)
