"""A deterministic workload of concurrent storage writers.

Shared by the concurrency and crash tests, which run it in threads and
in separate processes (``spawn``: nothing inherited from the parent but
the arguments). Every operation is derived from (writer, step), and the
points of a (scope, type, period) are always the same, so what storage
must hold at the end is known whatever order the writers ran in:

* ``MAIN`` scopes are pushed (by the processor's per-scope pushes and by
  ``POST /v2/dataframes``-style pushes of some types of several scopes),
  and re-pushed, by every writer: each (scope, type, period) pushed at
  least once must be there exactly once;
* ``VOLATILE`` scopes are pushed and deleted (whole scope, or one type)
  concurrently: each (scope, type, period) holds its points exactly once
  or nothing.
"""
import datetime
import decimal
import random

D = decimal.Decimal
UTC = datetime.timezone.utc
HOUR = 3600
# Overlapping UTC days and a month boundary: day and month rollups of the
# same rows change under every writer.
START = datetime.datetime(2026, 3, 31, 18, tzinfo=UTC)
HOURS = 12
MAIN = ['p0', 'p1', 'p2']
VOLATILE = ['v0', 'v1']
TYPES = ['cpu', 'ram']
STEPS = 10


def hour(index):
    return START + datetime.timedelta(seconds=HOUR * index)


def time_attrs(begin):
    return {'day_of_the_year': str(begin.timetuple().tm_yday),
            'week_of_the_year': begin.strftime('%U'),
            'month': str(begin.month), 'year': str(begin.year)}


def points(scope, type_, index, salt=0):
    """[DataPoint] of (scope, type, period, salt): always the same."""
    from cloudkitty import dataframe

    begin = hour(index)
    output = []
    seed = sum(map(ord, scope + type_)) + index
    for r in range(1 + seed % 3):
        groupby = {'project_id': scope, 'id': '%s-%s-%d' % (scope, type_, r)}
        groupby.update(time_attrs(begin))
        # 18 decimal places: a float or a rounded sum shows in the last one.
        qty = D(seed % 7 + r + 1 + salt) + D('0.000000000000000001') * (
            seed + r)
        price = qty * D('0.333333333333333333') + D('1E-18')
        output.append(dataframe.DataPoint(
            'unit-%s' % type_, qty, price.quantize(D('1E-18')), groupby,
            {'flavor': 'f%d' % r}))
    return output


def frame(index, content, salt=0):
    """DataFrame of period ``index`` with ``content`` [(scope, type)]."""
    from cloudkitty import dataframe

    begin = hour(index)
    result = dataframe.DataFrame(begin, begin + datetime.timedelta(
        seconds=HOUR))
    for scope, type_ in content:
        for point in points(scope, type_, index, salt):
            result.add_point(point, type_)
    return result


def operations(writer):
    """The operations of ``writer``: [(name, args)]."""
    rng = random.Random(writer)
    ops = []
    for step in range(STEPS):
        first = rng.randrange(HOURS - 2)
        indexes = [first, first + 1, first + 2]
        choice = (writer + step) % 5
        if choice in (0, 1):
            # The processor: one scope, every type, several periods.
            ops.append(('push_scope', (rng.choice(MAIN), indexes)))
        elif choice == 2:
            # POST /v2/dataframes: some types of several scopes.
            types = rng.sample(TYPES, rng.randrange(1, len(TYPES) + 1))
            ops.append(('push_types', (MAIN, sorted(types), indexes)))
        elif choice == 3:
            ops.append(('push_scope', (rng.choice(VOLATILE), indexes)))
        else:
            type_ = rng.choice([None] + TYPES)
            ops.append(('delete', (rng.choice(VOLATILE), type_, first,
                                   first + 3)))
    return ops


def expected_main():
    """{(scope, type, period index)} that must be stored once."""
    keys = set()
    for writer in range(WRITERS):
        for name, args in operations(writer):
            if name == 'push_scope' and args[0] in MAIN:
                keys.update((args[0], t, i) for t in TYPES for i in args[1])
            elif name == 'push_types':
                keys.update((s, t, i) for s in args[0] for t in args[1]
                            for i in args[2])
    return keys


WRITERS = 8


def run(driver, writer):
    """Run the operations of ``writer`` on ``driver``."""
    for name, args in operations(writer):
        if name == 'push_scope':
            scope, indexes = args
            driver.push([frame(i, [(scope, t) for t in TYPES])
                         for i in indexes], scope)
        elif name == 'push_types':
            scopes, types, indexes = args
            driver.push([frame(i, [(s, t) for s in scopes for t in types])
                         for i in indexes])
        else:
            scope, type_, lo, hi = args
            filters = {'project_id': scope}
            if type_:
                filters['type'] = type_
            driver.delete(hour(lo), hour(hi), filters)


def configure(url, period=HOUR):
    """Configure this process for the sqlalchemy storage on ``url``."""
    from oslo_config import cfg

    import cloudkitty.common.config  # noqa: F401 (registers options)
    cfg.CONF([], project='cloudkitty', default_config_files=[],
             default_config_dirs=[])
    cfg.CONF.set_override('period', period, 'collect')
    cfg.CONF.set_override('connection', url, 'database')
    cfg.CONF.set_override('backend', 'sqlalchemy', 'storage')
    from cloudkitty import storage
    return storage.get_storage()


def process_main(url, writer, barrier, errors):
    """Entry point of a writer process."""
    try:
        driver = configure(url)
        barrier.wait(60)
        run(driver, writer)
    except BaseException as exc:   # reported to the parent
        errors.put('writer %d: %r' % (writer, exc))
        raise


def crash_push(salt):
    """A push of every type of the MAIN scopes over every period."""
    return [frame(i, [(s, t) for s in MAIN for t in TYPES], salt)
            for i in range(HOURS)]


def crash_main(url, ready, pause):
    """Push versions 0, 1, 0... of ``crash_push`` until killed.

    ``pause``: stop in the middle of the second push (blocks written,
    rollups not yet) after setting ``ready``. Otherwise ``ready`` is set
    once the first push committed.
    """
    driver = configure(url)
    driver.push(crash_push(0))
    if pause:
        from cloudkitty.storage.v2.sqlalchemy import bulk
        upsert = bulk.upsert_rollups

        def stop(conn, rows):
            ready.set()
            import time
            time.sleep(600)
            upsert(conn, rows)
        bulk.upsert_rollups = stop
    else:
        ready.set()
    salt = 1
    while True:
        driver.push(crash_push(salt))
        salt = 1 - salt
