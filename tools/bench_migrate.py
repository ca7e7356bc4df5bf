#!/usr/bin/env python3
"""Storage migration benchmark: points per second of the migration tool.

Loads N rated points (default 1,000,000: 20 scopes, 100 points per scope
and hourly period, 5 metric types) into an InfluxDB 1.x, then migrates
them with the machinery of ``cloudkitty-storage-migrate``:

1. InfluxDB -> v2 ``sqlalchemy`` on SQLite,
2. that SQLite -> v2 ``sqlalchemy`` on PostgreSQL,

and prints, for each, the copy rate (points/s, reading, transfer and
writing overlapped as the tool does) and the time of the final
verification (both sides re-read and summed by scope, type and day).

InfluxDB is the test suite's (``influxd`` started on a free port, see
``tools/ci/install-influxdb.sh``) unless ``--influx-port`` names a running
one; PostgreSQL is 127.0.0.1:5432 (a fresh database, dropped at the end)
unless ``--pg-url`` names an empty database.

Examples::

    .venv/bin/python tools/bench_migrate.py
    .venv/bin/python tools/bench_migrate.py --points 200000
"""
import argparse
import datetime
import decimal
import os
import pickle
import resource
import shutil
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__),
                                                '..')))

from cloudkitty.storage import migrate  # noqa: E402

TYPES = ['cpu', 'ram', 'volume.size', 'image.size', 'network.out']
PERIOD = 3600


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--points', type=int, default=1000000)
    parser.add_argument('--scopes', type=int, default=20)
    parser.add_argument('--points-per-period', type=int, default=100,
                        help='points of one scope in one period')
    parser.add_argument('--influx-host', default='127.0.0.1')
    parser.add_argument('--influx-port', type=int, default=None,
                        help='a running InfluxDB 1.x (default: start one)')
    parser.add_argument('--pg-url', default=None,
                        help='an empty PostgreSQL database (default: a '
                             'fresh one on 127.0.0.1:5432)')
    parser.add_argument('--no-verify', action='store_true')
    return parser.parse_args(argv)


def write_conf(path, sections):
    with open(path, 'w') as handle:
        for section, options in sections.items():
            handle.write('[%s]\n' % section)
            for name, value in options.items():
                handle.write('%s = %s\n' % (name, value))
    return path


def periods_payload(scope, starts, per_period):
    """Frames of one scope, as the migration's children exchange them."""
    frames = []
    resources = per_period // len(TYPES)
    for start in starts:
        points = []
        for t_index, type_ in enumerate(TYPES):
            for r_index in range(resources):
                qty = decimal.Decimal(r_index % 7 + t_index + 1) + \
                    decimal.Decimal('0.25')
                points.append((
                    type_, 'unit-' + type_, qty,
                    qty * decimal.Decimal('0.0125'),
                    {'project_id': scope, 'id': 'r%d' % r_index,
                     'user_id': 'u-' + scope},
                    {'flavor_name': 'm1.f%d' % (r_index % 4)}))
        frames.append((start, start + datetime.timedelta(seconds=PERIOD),
                       points))
    return frames


def load(side, args, starts):
    """Push the data set into ``side`` (the processor's way: per scope)."""
    per_period = len(TYPES) * (args.points_per_period // len(TYPES))
    total = 0
    t0 = time.monotonic()
    for s_index in range(args.scopes):
        scope = 'scope-%03d' % s_index
        for day in range(0, len(starts), 24):
            payload = periods_payload(scope, starts[day:day + 24],
                                      per_period)
            side.call('push', scope, pickle.dumps(payload, protocol=5))
            total += sum(len(p) for _s, _e, p in payload)
    return total, time.monotonic() - t0


class Quiet(object):
    """Progress sink: the benchmark prints its own figures."""

    def start(self, total, skipped):
        self.points = 0

    def advance(self, unit, points):
        self.points += points

    def finish(self):
        pass


def cpu_seconds():
    """CPU time of this process and of its reaped children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def migration(name, source_conf, target_conf, begin, end, workdir,
              verify=True):
    cpu0 = cpu_seconds()
    line = '%-28s failed' % name
    source = migrate.Side('source', source_conf)
    target = migrate.Side('target', target_conf)
    try:
        source.wait_ready()
        target.wait_ready()
        target.call('init')
        t0 = time.monotonic()
        units = migrate.plan(source, begin, end)
        plan_time = time.monotonic() - t0
        state = migrate.StateFile(os.path.join(workdir, name + '.state'),
                                  source_conf, target_conf)
        progress = Quiet()
        t0 = time.monotonic()
        migrate.Migration(source, target, state, progress).run(units)
        copy_time = time.monotonic() - t0
        state.close()
        line = ('%-28s %9d points  copy %7.1f s  %8.0f points/s  '
                '(plan %.1f s, %d units)' % (
                    name, progress.points, copy_time,
                    progress.points / copy_time, plan_time, len(units)))
        if verify:
            t0 = time.monotonic()
            differences, groups = migrate.verify(source, target, units)
            line += '  verify %.1f s: %s' % (
                time.monotonic() - t0,
                '%d groups equal' % groups if not differences
                else '%d DIFFERENCES' % len(differences))
        return progress.points
    finally:
        source.close()
        target.close()
        # The sides are reaped: their CPU time is counted (copy, verify
        # and the two start-ups), a figure that other load on the machine
        # does not change.
        cpu = cpu_seconds() - cpu0
        print('%s  CPU of the tool %.1f s' % (line, cpu), flush=True)


def main(argv=None):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='ck-bench-migrate-')
    influx_server = pg_db = None
    try:
        if args.influx_port is None:
            from cloudkitty.tests.functional.fixtures import influxdb
            influx_server = influxdb.InfluxDBServer()
            influx_server.start()
            host, port = influx_server.host, influx_server.port
        else:
            host, port = args.influx_host, args.influx_port
        pg_url = args.pg_url
        if pg_url is None:
            from cloudkitty.tests import services
            pg_db = services.TemporaryDatabase('postgresql')
            pg_url = pg_db.create()
        database = 'ck_bench_%s' % uuid.uuid4().hex[:8]
        common = {'DEFAULT': {'debug': 'false'},
                  'collect': {'period': PERIOD}}
        influx_conf = write_conf(os.path.join(workdir, 'influx.conf'), dict(
            common, database={'connection': 'sqlite://'},
            storage={'version': 2, 'backend': 'influxdb'},
            storage_influxdb={'host': host, 'port': port,
                              'database': database}))
        sqlite_conf = write_conf(os.path.join(workdir, 'sqlite.conf'), dict(
            common, database={'connection': 'sqlite:///' + os.path.join(
                workdir, 'ck.sqlite')},
            storage={'version': 2, 'backend': 'sqlalchemy'}))
        pg_conf = write_conf(os.path.join(workdir, 'pg.conf'), dict(
            common, database={'connection': pg_url},
            storage={'version': 2, 'backend': 'sqlalchemy'}))

        per_scope = args.points // args.scopes
        periods = max(1, per_scope // args.points_per_period)
        begin = migrate.day_start(datetime.datetime.now(
            datetime.timezone.utc)) - datetime.timedelta(
                hours=periods + 48)
        begin = migrate.day_start(begin)
        starts = [begin + datetime.timedelta(seconds=PERIOD * i)
                  for i in range(periods)]
        end = migrate.day_start(starts[-1]) + migrate.DAY

        influx = migrate.Side('influx', influx_conf)
        try:
            influx.wait_ready()
            influx.call('init')
            total, seconds = load(influx, args, starts)
        finally:
            influx.close()
        print('%-28s %9d points  load %7.1f s  %8.0f points/s' % (
            'load InfluxDB', total, seconds, total / seconds), flush=True)
        migration('InfluxDB -> SQLite', influx_conf, sqlite_conf, begin,
                  end, workdir, not args.no_verify)
        migration('SQLite -> PostgreSQL', sqlite_conf, pg_conf, begin, end,
                  workdir, not args.no_verify)
    finally:
        if influx_server is not None:
            influx_server.cleanup()
        if pg_db is not None:
            pg_db.drop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    main()
