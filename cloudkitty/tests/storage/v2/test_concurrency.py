"""Concurrent writers of the sqlalchemy storage give exact totals.

Eight writers, as threads sharing a driver and as separate processes with
their own engines, push overlapping periods, days and months of the same
scopes, re-push the same (scope, period) and delete windows, all at once
(see ``workload``). Afterwards:

* the stored points are the input: each (scope, type, period) once (or,
  for deleted scopes, once or not at all), never twice nor half;
* every total, grouping and time bucket served by ``total`` (from the
  day/month rollups and the blocks' sums) equals the same computed from
  the stored points, to the last decimal.
"""
import collections
import datetime
import multiprocessing
import threading

import pytest

from cloudkitty.tests.storage.v2 import workload

UTC = datetime.timezone.utc
D = workload.D


@pytest.fixture
def driver(sql_driver):
    return sql_driver


def stored_points(driver):
    """{(scope, type, period index): sorted point tuples} as stored."""
    data = driver.retrieve(begin=workload.hour(-24),
                           end=workload.hour(workload.HOURS + 24),
                           paginate=False)
    output = collections.defaultdict(list)
    for frame in data['dataframes']:
        index = int((frame.start - workload.START).total_seconds()
                    // workload.HOUR)
        for type_, point in frame.iterpoints():
            output[(point.groupby['project_id'], type_, index)].append(
                _point(point))
    return {key: sorted(value) for key, value in output.items()}, data


def _point(point):
    return (point.unit, point.qty, point.price,
            tuple(sorted(point.groupby.items())),
            tuple(sorted(point.metadata.items())))


def input_points(key):
    scope, type_, index = key
    return sorted(_point(p) for p in workload.points(scope, type_, index))


WINDOWS = {
    # Whole months: month rollups.
    'months': (datetime.datetime(2026, 3, 1, tzinfo=UTC),
               datetime.datetime(2026, 5, 1, tzinfo=UTC)),
    # Whole days: day rollups.
    'days': (datetime.datetime(2026, 3, 31, tzinfo=UTC),
             datetime.datetime(2026, 4, 2, tzinfo=UTC)),
    # Day rollups and the sums of the blocks at the start.
    'edge': (workload.hour(3), datetime.datetime(2026, 4, 2, tzinfo=UTC)),
    # Blocks only.
    'hours': (workload.hour(1), workload.hour(9)),
}
GROUPBYS = [[], ['type'], ['project_id'], ['project_id', 'type'], ['time'],
            ['time-d'], ['time', 'project_id'], ['month', 'year']]
FIELDS = 'SUM(qty) AS qty, SUM(price) AS rate, COUNT(*) AS n'
TIME_NAMES = {'time-d': 'day_of_the_year', 'time-w': 'week_of_the_year'}


def computed_total(stored, groupby, begin, end):
    """What ``total`` must answer, computed from the stored points."""
    output = collections.defaultdict(lambda: [D(0), D(0), 0])
    for (scope, type_, index), points in stored.items():
        start = workload.hour(index)
        if not begin <= start < end:
            continue
        for unit, qty, price, attrs, _ in points:
            attrs = dict(attrs)
            key = []
            for name in groupby_list(groupby):
                if name == 'time':
                    key.append(start)
                elif name == 'type':
                    key.append(type_)
                else:
                    key.append(attrs[name])
            acc = output[tuple(key)]
            acc[0] += qty
            acc[1] += price
            acc[2] += 1
    return {k: tuple(v) for k, v in output.items()}


def groupby_list(groupby):
    return [TIME_NAMES.get(name, name) for name in groupby]


def served_total(driver, groupby, begin, end):
    result = driver.total(groupby=list(groupby), begin=begin, end=end,
                          custom_fields=FIELDS, paginate=False)
    output = {}
    for row in result['results']:
        key = []
        for name in groupby_list(groupby):
            key.append(row['begin'] if name == 'time' else row[name])
        output[tuple(key)] = (row['qty'], row['rate'], row['n'])
    return output


def check(driver):
    """[mismatch description] between input, points and summaries."""
    problems = []
    stored, raw = stored_points(driver)
    main = workload.expected_main()
    for key in sorted(main):
        want = input_points(key)
        got = stored.get(key, [])
        if got != want:
            problems.append('points of %s: %d stored, %d pushed' % (
                key, len(got), len(want)))
    for key, got in sorted(stored.items()):
        if key in main:
            continue
        if key[0] not in workload.VOLATILE:
            problems.append('points of %s were never pushed' % (key,))
        elif got != input_points(key):
            problems.append('points of %s: %d stored, %d pushed or none' % (
                key, len(got), len(input_points(key))))
    return problems + check_totals(driver, stored)


def check_totals(driver, stored):
    """[mismatch] between summaries and the same from ``stored`` points."""
    problems = []
    for window, (begin, end) in sorted(WINDOWS.items()):
        for groupby in GROUPBYS:
            want = computed_total(stored, groupby, begin, end)
            got = served_total(driver, groupby, begin, end)
            if got != want:
                keys = set(got) | set(want)
                wrong = [k for k in keys if got.get(k) != want.get(k)]
                sum_got = sum((v[1] for v in got.values()), D(0))
                sum_want = sum((v[1] for v in want.values()), D(0))
                problems.append(
                    'total %s groupby=%s: %d of %d groups differ; rate '
                    'served %s, from points %s' % (
                        window, groupby, len(wrong), len(keys), sum_got,
                        sum_want))
    begin, end = WINDOWS['days']
    counted = driver.retrieve(begin=begin, end=end, limit=1)['total']
    in_points = sum(len(p) for k, p in stored.items()
                    if begin <= workload.hour(k[2]) < end)
    if counted != in_points:
        problems.append('retrieve total %d, %d points' % (counted,
                                                          in_points))
    return problems


def _report(problems, errors=()):
    return '%d writers failed, %d problems:\n%s' % (
        len(errors), len(problems), '\n'.join(list(errors) + problems[:40]))


def test_workload_alone_is_exact(driver):
    """One writer after the other: the check itself holds."""
    for writer in range(workload.WRITERS):
        workload.run(driver, writer)
    problems = check(driver)
    assert not problems, _report(problems)


def test_threads(driver):
    barrier = threading.Barrier(workload.WRITERS)
    errors = []

    def writer(index):
        try:
            barrier.wait(30)
            workload.run(driver, index)
        except BaseException as exc:
            errors.append('writer %d: %r' % (index, exc))

    threads = [threading.Thread(target=writer, args=(i,))
               for i in range(workload.WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    problems = check(driver)
    assert not (errors or problems), _report(problems, errors)


def test_processes(driver, sql_backend_url):
    ctx = multiprocessing.get_context('spawn')
    barrier = ctx.Barrier(workload.WRITERS)
    errors = ctx.Queue()
    processes = [ctx.Process(target=workload.process_main,
                             args=(sql_backend_url, i, barrier, errors))
                 for i in range(workload.WRITERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(180)
    messages = []
    while not errors.empty():
        messages.append(errors.get())
    problems = check(driver)
    assert not (messages or problems), _report(problems, messages)
    assert [p.exitcode for p in processes] == [0] * workload.WRITERS


def test_push_of_many_scopes_and_days(driver):
    """A push over too many (scope, day) pairs for advisory locks.

    It runs alone (PostgreSQL), beside smaller pushes of the same scopes.
    """
    from cloudkitty.storage.v2 import sqlalchemy as sql_storage

    scopes = ['s%03d' % i for i in range(300)]
    hours = [0, 30]    # two UTC days
    big = [workload.frame(i, [(s, 'cpu') for s in scopes]) for i in hours]
    replaced = [(int(f.start.timestamp()), int(f.end.timestamp()), None,
                 {(s, 'cpu') for s in scopes}) for f in big]
    assert sql_storage._lock_keys(replaced) == 'all'
    small = [[workload.frame(i, [(s, 'cpu') for s in scopes[k::20]])
              for i in hours] for k in range(4)]
    barrier = threading.Barrier(len(small) + 1)
    errors = []

    def push(frames):
        try:
            barrier.wait(30)
            driver.push(frames)
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=push, args=(f,))
               for f in [big] + small]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    stored, _ = stored_points(driver)
    assert stored == {(s, 'cpu', i): input_points((s, 'cpu', i))
                      for s in scopes for i in hours}
    from cloudkitty.storage.v2.sqlalchemy import rollups
    assert rollups.verify() == []
