"""The PyScripts rating module: loading, compiling and running scripts."""
import builtins
import datetime
import decimal

import pytest

from cloudkitty import dataframe
from cloudkitty.rating import pyscripts
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import engine
from cloudkitty import utils

D = decimal.Decimal
UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
DOUBLE = ('for points in data["usage"].values():\n'
          '    for p in points:\n'
          '        p["rating"]["price"] = p["rating"]["price"] * 2\n')
ADD_ONE = ('for points in data["usage"].values():\n'
           '    for p in points:\n'
           '        p["rating"]["price"] += 1\n')


def frame(start=None, price='1'):
    # Now, after the scripts created by the test (they start at their
    # creation time, microseconds included).
    start = start or datetime.datetime.now(UTC)
    result = dataframe.DataFrame(start, start + datetime.timedelta(hours=1))
    result.add_point(dataframe.DataPoint('instance', '2', price,
                                         {'project_id': 'p1'}, {}),
                     'instance')
    return result


def prices(result):
    return [p.price for _, p in result.iterpoints()]


def test_identity():
    assert pyscripts.PyScripts.module_name == 'pyscripts'
    assert pyscripts.PyScripts.description == 'PyScripts rating module.'
    assert pyscripts.PyScripts.hot_config is True
    assert pyscripts.PyScripts.config_controller is not None
    chain = pyscripts.PyScripts.db_api.get_migration()
    assert chain.version_table == 'pyscripts_alembic'


def test_no_script_leaves_frame_unchanged(scripts_db):
    module = pyscripts.PyScripts()
    data = frame()
    assert module.process(data) is data
    assert module.quote(data) is data


def test_scripts_run_in_storage_order(scripts_db):
    scripts_db.create_script('double', DOUBLE)
    scripts_db.create_script('add', ADD_ONE)
    module = pyscripts.PyScripts()
    assert [s.name for s in module.scripts] == ['double', 'add']
    assert prices(module.process(frame())) == [D(3)]


def test_new_scripts_need_a_reload(scripts_db):
    module = pyscripts.PyScripts()
    scripts_db.create_script('double', DOUBLE)
    assert prices(module.process(frame())) == [D(1)]
    module.reload_config()
    assert prices(module.process(frame())) == [D(2)]


def test_reload_uses_the_period_start(scripts_db):
    now = utils.naive_utcnow().replace(microsecond=0)
    scripts_db.create_script('old', DOUBLE, start=now - 10 * DAY,
                             end=now - 5 * DAY)
    scripts_db.create_script('new', ADD_ONE, start=now + 5 * DAY)
    module = pyscripts.PyScripts()
    assert module.scripts == []
    old_period = (now - 7 * DAY).replace(tzinfo=UTC)
    module.reload_config(old_period)
    assert [s.name for s in module.scripts] == ['old']
    assert prices(module.process(frame(old_period))) == [D(2)]
    # Aware datetimes in any zone are compared in UTC.
    tz = datetime.timezone(datetime.timedelta(hours=5))
    module.reload_config((now + 6 * DAY).replace(tzinfo=UTC).astimezone(tz))
    assert [s.name for s in module.scripts] == ['new']
    module.reload_config(now.replace(tzinfo=UTC))
    assert module.scripts == []


def test_one_reload_rates_every_period(scripts_db, monkeypatch):
    now = utils.naive_utcnow().replace(microsecond=0)
    scripts_db.create_script('old', DOUBLE, start=now - 10 * DAY,
                             end=now - 5 * DAY)
    scripts_db.create_script('always', ADD_ONE, start=now - 20 * DAY)
    scripts_db.create_script('new', DOUBLE, start=now + 5 * DAY)
    assert pyscripts.PyScripts.reload_per_period is False
    module = pyscripts.PyScripts()
    module.reload_config((now - 15 * DAY).replace(tzinfo=UTC))
    assert [s.name for s in module.scripts] == ['always']
    reads = []
    monkeypatch.setattr(module.db_api, 'list_scripts',
                        lambda **kw: reads.append(kw) or [])
    monkeypatch.setattr(module.db_api, 'get_active_scripts',
                        lambda at: reads.append(at) or [])
    # Each frame runs the scripts valid at its start, without a read.
    for days, expected in ((-15, 2), (-7, 3), (-5, 2), (6, 4)):
        start = (now + days * DAY).replace(tzinfo=UTC)
        assert prices(module.process(frame(start))) == [D(expected)]
    # Bounds: start included, end excluded.
    assert prices(module.process(frame(
        (now - 10 * DAY).replace(tzinfo=UTC)))) == [D(3)]
    assert reads == []
    # A quote runs the scripts of the last reload, whatever the frame.
    assert prices(module.quote(frame(
        (now - 7 * DAY).replace(tzinfo=UTC)))) == [D(2)]


def test_scripts_changed_after_the_reload_wait_for_the_next(scripts_db):
    module = pyscripts.PyScripts()
    script = scripts_db.create_script('double', DOUBLE)
    assert prices(module.process(frame())) == [D(1)]
    module.reload_config()
    assert prices(module.process(frame())) == [D(2)]
    scripts_db.update_script(script.script_id,
                             lambda cur: {'data': ADD_ONE})
    assert prices(module.process(frame())) == [D(2)]
    module.reload_config()
    assert prices(module.process(frame())) == [D(2)]
    assert prices(module.process(frame(price='5'))) == [D(6)]


def test_deleted_scripts_stop_running(scripts_db):
    script = scripts_db.create_script('double', DOUBLE)
    module = pyscripts.PyScripts()
    scripts_db.delete_script(script.script_id)
    module.reload_config()
    assert prices(module.process(frame())) == [D(1)]


def test_compiled_once_per_reload(scripts_db, monkeypatch):
    scripts_db.create_script('double', DOUBLE)
    scripts_db.create_script('add', ADD_ONE)
    calls = []
    real_compile = builtins.compile

    def counting_compile(source, filename, *args, **kwargs):
        calls.append(filename)
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(builtins, 'compile', counting_compile)
    module = pyscripts.PyScripts()
    assert len(calls) == 2
    for _ in range(5):
        module.process(frame())
    assert len(calls) == 2
    # Unchanged scripts keep their code over reloads and instances; a new
    # or changed one is compiled.
    module.reload_config()
    assert len(calls) == 2
    pyscripts.PyScripts().process(frame())
    assert len(calls) == 2
    scripts_db.create_script('third', 'pass')
    module.reload_config()
    assert len(calls) == 3


def test_changed_source_is_recompiled(scripts_db):
    now = utils.naive_utcnow()
    script = scripts_db.create_script('s', DOUBLE, start=now + DAY)
    module = pyscripts.PyScripts()
    at = (now + 2 * DAY).replace(tzinfo=UTC)
    module.reload_config(at)
    assert prices(module.process(frame(at))) == [D(2)]
    scripts_db.update_script(script.script_id,
                             lambda cur: {'data': ADD_ONE})
    module.reload_config(at)
    assert prices(module.process(frame(at))) == [D(2)]
    assert module.scripts[0].checksum == pyscripts_db.checksum(ADD_ONE)


def test_failing_script_aborts_with_a_clear_error(scripts_db):
    scripts_db.create_script('broken', 'data["usage"]["x"] = 1\n')
    module = pyscripts.PyScripts()
    with pytest.raises(engine.ScriptError) as excinfo:
        module.process(frame())
    assert "'broken'" in str(excinfo.value)
    assert "isn't a valid DataFrame" in str(excinfo.value)


def test_script_that_does_not_compile_fails_when_run(scripts_db):
    # Stored (as the reference does): loading works, rating fails with an
    # error naming the script and the line.
    scripts_db.create_script('bad', 'a = 0\nreturn 0\n')
    module = pyscripts.PyScripts()
    for method in (module.process, module.quote):
        with pytest.raises(engine.ScriptError) as excinfo:
            method(frame())
        assert "'bad'" in str(excinfo.value)
        assert 'line 2' in str(excinfo.value)


def test_construction_fails_without_table(sqlite_url):
    # The API skips modules whose construction fails.
    with pytest.raises(Exception):
        pyscripts.PyScripts()


class _PerScope(object):
    """The orchestrator's module registry: one PyScripts per scope."""

    def for_scope(self, scope_id):
        return [pyscripts.PyScripts(tenant_id=scope_id)]

    def invalidate(self):
        pass


def test_processor_skips_the_failing_scope_only(conf, scripts_db, tmp_path,
                                                caplog):
    """A failing script leaves its scope unprocessed, the others go on."""
    import logging

    from cloudkitty import storage_state
    from cloudkitty.tests import test_orchestrator as helpers

    state = storage_state.StateManager()
    state.init()
    last = helpers._recent(conf, 1)
    for scope in ('s1', 's2', 's3'):
        state.set_last_processed_timestamp(scope, last)
    # Valid from before the period: created, then moved back in time.
    scripts_db.create_script('fails-for-s2', (
        'for points in data["usage"].values():\n'
        '    for p in points:\n'
        '        if p["groupby"]["project_id"] == "s2":\n'
        '            raise ValueError("no price for s2")\n'),
        start=datetime.datetime(2000, 1, 1))
    service = helpers._service(conf, tmp_path, state,
                               helpers.FakeCollector(), ['s1', 's2', 's3'])
    service._modules = _PerScope()
    try:
        with caplog.at_level(logging.ERROR):
            assert service.internal_run() == (2, 0, 1)
        assert state.get_last_processed_timestamp('s2') == last
        for scope in ('s1', 's3'):
            assert state.get_last_processed_timestamp(scope) == (
                last + helpers.HOUR)
        assert ("'fails-for-s2'" in caplog.text
                and 'ValueError at line 4' in caplog.text)

        # A script that does not compile: every scope waits, each failure
        # names the script and the line; the processor keeps running.
        scripts_db.create_script('bad', 'return 0\n',
                                 start=datetime.datetime(2000, 1, 1))
        for scope in ('s1', 's3'):
            state.set_last_processed_timestamp(scope, last)
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            assert service.internal_run() == (0, 0, 3)
        assert caplog.text.count(
            "'bad'") >= 3 and 'cannot be compiled: line 1:' in caplog.text
        for scope in ('s1', 's2', 's3'):
            assert state.get_last_processed_timestamp(scope) == last
    finally:
        service.coord.stop()
