"""``cloudkitty-storage-migrate`` between real storages: v1 sqlalchemy to
v2 sqlalchemy, InfluxDB to v2 sqlalchemy and back, an interrupted
migration resumed, the verification and its report."""
import decimal
import io
import os
import signal
import subprocess
import time
import uuid

import pytest

from cloudkitty.cli import storage_migrate
from cloudkitty import dataframe
from cloudkitty import db
from cloudkitty import storage
from cloudkitty.storage import migrate
from cloudkitty.tests.cli import scripts
from cloudkitty.tests.functional.fixtures import influxdb as influx_fixture
from cloudkitty.tests import services
from cloudkitty.tests.storage.v1 import helpers
from cloudkitty.utils import tz as tzutils

D = decimal.Decimal
HOUR = helpers.HOUR
SCRIPT = 'cloudkitty-storage-migrate'


# -- storages described by configuration sections ---------------------------

def sql_sections(url, version=2):
    return {'database': {'connection': url},
            'storage': {'version': version, 'backend': 'sqlalchemy'}}


def influx_sections(server, database):
    return {'database': {'connection': 'sqlite://'},
            'storage': {'version': 2, 'backend': 'influxdb'},
            'storage_influxdb': {'host': server.host, 'port': server.port,
                                 'database': database}}


def use(conf, sections):
    """Point the in-process configuration to a storage; its driver."""
    for group, options in sections.items():
        for name, value in options.items():
            conf.set_override(name, value,
                              None if group == 'DEFAULT' else group)
    db.reset()
    driver = storage.get_storage()
    driver.init()
    return driver


def write_conf(tmp_path, name, sections):
    sections = dict(sections, DEFAULT={'debug': 'false'})
    return scripts.write_conf(tmp_path / name, sections)


def frames_of(scope, starts):
    """The frames the test processor would rate for ``scope``."""
    collector = helpers.Collector()
    pricing = helpers.Pricing()
    frames = []
    for start in starts:
        frame = dataframe.DataFrame(start, start + HOUR)
        for metric in sorted(collector.conf):
            _name, points = collector.retrieve(metric, start, None, scope)
            frame.add_points(points, metric)
        frames.append(pricing.process(frame))
    return frames


def expected(scopes, starts):
    return sorted((scope, metric, tzutils.local_to_utc(frame.start),
                   point.qty, point.price)
                  for scope in scopes
                  for frame in frames_of(scope, starts)
                  for metric, point in frame.iterpoints())


def stored(conf, sections, begin, end):
    """(scope, type, start, qty, price) of every point stored."""
    driver = use(conf, sections)
    try:
        frames = driver.retrieve(begin=begin, end=end,
                                 paginate=False)['dataframes']
    except storage.NoTimeFrame:
        return []
    return sorted((point.groupby['project_id'], metric,
                   tzutils.local_to_utc(frame.start), point.qty,
                   point.price)
                  for frame in frames for metric, point in frame.iterpoints())


def run(*args, timeout=180):
    return scripts.run(SCRIPT, '--progress', 'lines', *args,
                       timeout=timeout)


def days(count, hour=10):
    base = (migrate.day_start(tzutils.aware_utcnow())
            - migrate.DAY * (count + 1))
    return [base + migrate.DAY * i + HOUR * hour for i in range(count)]


@pytest.fixture
def postgresql(request):
    database = services.TemporaryDatabase('postgresql')
    url = database.create()
    request.addfinalizer(database.drop)
    return url


@pytest.fixture
def mysql(request):
    database = services.TemporaryDatabase('mysql')
    url = database.create()
    request.addfinalizer(database.drop)
    return url


@pytest.fixture
def influx(request):
    server = influx_fixture.require_server()
    names = []

    def create():
        name = 'ck_migrate_%s' % uuid.uuid4().hex[:10]
        server.create_database(name)
        names.append(name)
        return name

    yield server, create
    for name in names:
        server.drop_database(name)


# -- migrations --------------------------------------------------------------

def test_v1_sqlalchemy_to_v2_sqlalchemy(conf, tmp_path, postgresql):
    scopes = ['scope-a', 'scope-b']
    source = sql_sections('sqlite:///%s' % (tmp_path / 'v1.sqlite'),
                          version=1)
    first = helpers.process(conf, use(conf, source), scopes, 3)
    want = sorted((scope, metric, tzutils.local_to_utc(start), qty, price)
                  for scope, metric, start, qty, price in
                  helpers.expected_points(scopes, first, 3))
    target = sql_sections(postgresql)
    state = tmp_path / 'state'
    args = ['--from-config', write_conf(tmp_path, 'a.conf', source),
            '--to-config', write_conf(tmp_path, 'b.conf', target),
            '--state-file', str(state),
            '--begin', (first - migrate.DAY).isoformat()]
    result = run(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'verification passed' in result.stdout
    assert 'Traceback' not in result.stderr
    assert 'migrate: done:' in result.stderr
    window = (first - HOUR, first + HOUR * 4)
    assert stored(conf, target, *window) == want
    # A second run finds every unit done and copies nothing again.
    again = run(*args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert 'copied 0 points' in again.stdout
    assert stored(conf, target, *window) == want


def test_influxdb_to_sqlalchemy_and_back(conf, tmp_path, influx):
    server, create = influx
    scopes = ['p1', 'p2', 'p3']
    starts = days(3) + [days(3)[-1] + HOUR]
    source = influx_sections(server, create())
    driver = use(conf, source)
    for scope in scopes:
        driver.push(frames_of(scope, starts), scope)
    want = expected(scopes, starts)
    begin = starts[0] - migrate.DAY
    window = (starts[0], starts[-1] + HOUR)

    middle = sql_sections('sqlite:///%s' % (tmp_path / 'v2.sqlite'))
    conf_a = write_conf(tmp_path, 'influx.conf', source)
    conf_b = write_conf(tmp_path, 'sql.conf', middle)
    result = run('--from-config', conf_a, '--to-config', conf_b,
                 '--begin', begin.isoformat(),
                 '--state-file', str(tmp_path / 'state-1'))
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'verification passed: 18 totals' in result.stdout
    assert stored(conf, middle, *window) == want

    back = influx_sections(server, create())
    conf_c = write_conf(tmp_path, 'influx-back.conf', back)
    result = run('--from-config', conf_b, '--to-config', conf_c,
                 '--begin', begin.isoformat(),
                 '--state-file', str(tmp_path / 'state-2'))
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'verification passed: 18 totals' in result.stdout
    assert stored(conf, back, *window) == want


def _done_lines(path):
    try:
        with open(path) as handle:
            return sum(1 for line in handle if line.startswith('done\t'))
    except OSError:
        return 0


def test_interrupted_migration_resumes_to_exact_totals(conf, tmp_path,
                                                       mysql):
    scopes = ['s%02d' % i for i in range(8)]
    starts = days(12)
    source = sql_sections('sqlite:///%s' % (tmp_path / 'src.sqlite'))
    driver = use(conf, source)
    for scope in scopes:
        driver.push(frames_of(scope, starts), scope)
    units = len(scopes) * len(starts)
    target = sql_sections(mysql)
    state = tmp_path / 'state'
    args = [scripts.script(SCRIPT), '--progress', 'lines',
            '--from-config', write_conf(tmp_path, 'a.conf', source),
            '--to-config', write_conf(tmp_path, 'b.conf', target),
            '--state-file', str(state),
            '--begin', (starts[0] - migrate.DAY).isoformat()]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _done_lines(state) < 24 and time.monotonic() < deadline:
            assert proc.poll() is None, 'the migration ended early'
            time.sleep(0.01)
    finally:
        # The whole command, its readers and writers included.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = _done_lines(state)
    assert 24 <= done < units
    result = scripts.run(SCRIPT, *args[1:], timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '(%d already done)' % done in result.stderr
    assert 'verification passed' in result.stdout
    planned = int(result.stdout.split(' units (scope x day)')[0])
    assert planned >= units
    assert _done_lines(state) == planned
    window = (starts[0], starts[-1] + HOUR)
    assert stored(conf, target, *window) == expected(scopes, starts)


def test_verification_prints_differences_and_fails(conf, tmp_path):
    scopes = ['x', 'y']
    starts = days(2)
    source = sql_sections('sqlite:///%s' % (tmp_path / 'a.sqlite'))
    target = sql_sections('sqlite:///%s' % (tmp_path / 'b.sqlite'))
    driver = use(conf, source)
    for scope in scopes:
        driver.push(frames_of(scope, starts), scope)
    args = ['--from-config', write_conf(tmp_path, 'a.conf', source),
            '--to-config', write_conf(tmp_path, 'b.conf', target),
            '--state-file', str(tmp_path / 'state'),
            '--begin', (starts[0] - migrate.DAY).isoformat()]
    assert run(*args).returncode == 0
    # The target changes behind the tool's back: one cent more on one
    # point of scope y, first day.
    frame = frames_of('y', starts[:1])[0]
    changed = dataframe.DataFrame(frame.start, frame.end)
    for index, (metric, point) in enumerate(frame.iterpoints()):
        if index == 0:
            point = point.set_price(point.price + D('0.01'))
        changed.add_point(point, metric)
    use(conf, target).push([changed], 'y')
    result = run(*args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'verification FAILED: 1 of 8 totals' in result.stdout
    table = result.stdout.split('differ\n', 1)[1].splitlines()
    assert [c.strip() for c in table[0].split(' | ')][:3] == [
        'scope', 'type', 'day']
    row = [cell.strip() for cell in table[2].split(' | ')]
    assert row[:3] == ['y', 'cpu', starts[0].date().isoformat()]
    assert D(row[8]) - D(row[7]) == D('0.01')


def test_dry_run_writes_nothing(conf, tmp_path):
    starts = days(1)
    source = sql_sections('sqlite:///%s' % (tmp_path / 'a.sqlite'))
    driver = use(conf, source)
    driver.push(frames_of('x', starts), 'x')
    target_db = tmp_path / 'b.sqlite'
    result = run('--from-config', write_conf(tmp_path, 'a.conf', source),
                 '--to-config', write_conf(tmp_path, 'b.conf',
                                           sql_sections('sqlite:///%s'
                                                        % target_db)),
                 '--begin', (starts[0] - migrate.DAY).isoformat(),
                 '--state-file', str(tmp_path / 'state'), '--dry-run')
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'dry run: 3 points would be copied' in result.stdout
    assert not target_db.exists()
    assert not (tmp_path / 'state').exists()


def test_missing_configuration_is_one_line(tmp_path):
    result = run('--from-config', str(tmp_path / 'nope.conf'),
                 '--to-config', str(tmp_path / 'nope2.conf'))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        '%s: error: source configuration %s: no such file'
        % (SCRIPT, tmp_path / 'nope.conf')]


# -- progress ----------------------------------------------------------------

class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_lines_otherwise():
    unit = migrate.Unit('s', migrate.day_start(tzutils.aware_utcnow()), None)
    bar = storage_migrate.Progress('migrate', stream=_Tty())
    bar.start(4, 1)
    bar.advance(unit, 10)
    bar.advance(unit, 10)
    text = bar.stream.getvalue()
    assert '\rmigrate [' in text and '3/4 units' in text
    assert 'ETA 0:00:0' in text
    plain = storage_migrate.Progress('migrate', stream=io.StringIO(),
                                     interval=0)
    plain.start(2, 0)
    plain.advance(unit, 5)
    plain.advance(unit, 5)
    plain.finish()
    lines = plain.stream.getvalue().splitlines()
    assert '\r' not in plain.stream.getvalue()
    assert lines[0] == 'migrate: 2 units to do (0 already done)'
    assert lines[1].startswith('migrate: 1/2 units (50.0%), 5 points,')
    assert 'ETA' in lines[1]
    assert lines[-1].startswith('migrate: done: 2 units, 10 points')


def test_bad_configuration_value_is_one_line(tmp_path):
    bad = write_conf(tmp_path, 'bad.conf', {'collect': {'period': 'abc'}})
    good = write_conf(tmp_path, 'good.conf', sql_sections(
        'sqlite:///%s' % (tmp_path / 'a.sqlite')))
    result = run('--from-config', good, '--to-config', bad)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        '%s: error: target storage (%s): invalid value for option '
        '[collect] period' % (SCRIPT, bad))
