#!/usr/bin/env python3
"""Storage benchmark: load rate and summary/report/dataframes latency.

Loads N rated points (default 1,000,000: 50 projects, 10 metric types,
30 days of hourly periods) through the v2 storage interface, then prints:

* the load rate (points/s, frames built beforehand, not timed);
* median and p95 latency of the storage calls behind each endpoint;
* median and p95 latency over HTTP of ``/v2/summary`` (no groupby,
  groupby type, groupby project_id+type, groupby time-d),
  ``/v1/report/total`` and ``/v2/dataframes?limit=1000``, served by the
  real API application in-process (werkzeug threaded server on a free
  loopback port, noauth).

Examples::

    .venv/bin/python tools/bench_storage.py                 # SQLite
    .venv/bin/python tools/bench_storage.py --points 100000
    .venv/bin/python tools/bench_storage.py \\
        --db-url mysql+pymysql://root@127.0.0.1:3306/ck_bench
    .venv/bin/python tools/bench_storage.py --backend influxdb \\
        --influx-port 8086
    .venv/bin/python tools/bench_storage.py --writers 4 --no-http

``--writers N`` loads with N writer processes (each its own engine and
connections, frames built in the process, not timed), taking every Nth
push call: in the default ``period`` mode they write different days of the
same scopes, so they share the day and month rollup rows of those scopes.
Meanwhile this process measures ``/v2/summary``-like storage calls (the
latency under load); the load rate is all points over the wall time from
the start of the first push to the end of the last.
"""
import argparse
import datetime
import gc
import logging
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time

PERIOD = 3600


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--backend', default='sqlalchemy',
                        choices=['sqlalchemy', 'influxdb'])
    parser.add_argument('--db-url', default=None,
                        help='SQL URL (default: a SQLite file in a temp '
                             'dir). The database must exist and be empty.')
    parser.add_argument('--influx-host', default='127.0.0.1')
    parser.add_argument('--influx-port', type=int, default=8086)
    parser.add_argument('--influx-database', default='ck_bench')
    parser.add_argument('--points', type=int, default=1000000)
    parser.add_argument('--projects', type=int, default=50)
    parser.add_argument('--types', type=int, default=10)
    parser.add_argument('--days', type=int, default=30)
    parser.add_argument('--repeat', type=int, default=20,
                        help='Requests per measured call.')
    parser.add_argument('--push-mode', default='period',
                        choices=['period', 'scope'],
                        help='period: one push per period holding every '
                             'scope (like POST /v2/dataframes); scope: one '
                             'push per (scope, period) with its scope id '
                             '(like the processor).')
    parser.add_argument('--periods-per-push', type=int, default=24,
                        help='Periods per push call in period mode.')
    parser.add_argument('--no-http', action='store_true',
                        help='Only measure the storage interface.')
    parser.add_argument('--writers', type=int, default=None,
                        help='Load with this many writer processes '
                             '(default: one, in this process).')
    return parser.parse_args(argv)


def configure(args, workdir, write=True):
    """Load the configuration, written first unless ``write`` is false.

    Writer processes only read it: rewriting the file while another
    process parses it would give that one an empty configuration.
    """
    from oslo_config import cfg

    import cloudkitty.common.config  # noqa: F401 (registers options)

    conf_file = os.path.join(workdir, 'cloudkitty.conf')
    db_url = args.db_url or 'sqlite:///' + os.path.join(workdir, 'ck.sqlite')
    if not write:
        cfg.CONF(['--config-file', conf_file], project='cloudkitty',
                 default_config_dirs=[])
        return conf_file
    with open(conf_file, 'w') as conf:
        conf.write('[DEFAULT]\nauth_strategy = noauth\n'
                   '[database]\nconnection = %s\n'
                   '[storage]\nbackend = %s\nversion = 2\n'
                   '[collect]\nperiod = %d\n'
                   '[storage_influxdb]\nhost = %s\nport = %d\n'
                   'database = %s\n'
                   % (db_url, args.backend, PERIOD, args.influx_host,
                      args.influx_port, args.influx_database))
    cfg.CONF(['--config-file', conf_file], project='cloudkitty',
             default_config_dirs=[])
    return conf_file


def build_frames(args, start):
    """Frames per period; per_scope: {(period index, project): frame}."""
    from cloudkitty import dataframe

    periods = args.days * 86400 // PERIOD
    per_period = max(1, args.points // periods)
    projects = ['project-%02d' % i for i in range(args.projects)]
    types = ['metric_%d' % i for i in range(args.types)]
    frames = []
    total = 0
    for index in range(periods):
        begin = start + datetime.timedelta(seconds=index * PERIOD)
        end = begin + datetime.timedelta(seconds=PERIOD)
        count = min(per_period, args.points - total)
        if count <= 0:
            break
        time_attrs = {
            'year': str(begin.year), 'month': str(begin.month),
            'day_of_the_year': str(begin.timetuple().tm_yday),
            'week_of_the_year': begin.strftime('%U'),
        }
        by_scope = {}
        for i in range(count):
            project = projects[i % len(projects)]
            type_ = types[(i // len(projects)) % len(types)]
            groupby = {'id': 'res-%d' % (i // (len(projects) * len(types))),
                       'project_id': project}
            groupby.update(time_attrs)
            point = dataframe.DataPoint(
                'unit', '%d.5' % (i % 7), '0.%03d' % (i % 997 + 1),
                groupby, {'flavor': 'f%d' % (i % 3)})
            frame = by_scope.get(project)
            if frame is None:
                frame = by_scope[project] = dataframe.DataFrame(begin, end)
            frame.add_point(point, type_)
        frames.append((begin, end, by_scope))
        total += count
    return frames, total


def batches_of(frames, mode, periods_per_push):
    from cloudkitty import dataframe

    batches = []
    if mode == 'period':
        merged = []
        for begin, end, by_scope in frames:
            frame = dataframe.DataFrame(begin, end)
            for scope_frame in by_scope.values():
                for type_, points in scope_frame.itertypes():
                    frame.add_points(points, type_)
            merged.append(frame)
        for start in range(0, len(merged), periods_per_push):
            batches.append((merged[start:start + periods_per_push], None))
    else:
        for begin, end, by_scope in frames:
            for project, frame in by_scope.items():
                batches.append(([frame], project))
    return batches


def load(storage, frames, mode, periods_per_push):
    batches = batches_of(frames, mode, periods_per_push)
    started = time.perf_counter()
    cpu = time.process_time()
    for batch, scope_id in batches:
        storage.push(batch, scope_id)
    return time.perf_counter() - started, time.process_time() - cpu


def analyze():
    """Refresh planner statistics after the bulk load.

    What autovacuum (PostgreSQL) or InnoDB's automatic statistics do
    shortly after such a load; without them PostgreSQL plans the first
    queries on an "empty" table.
    """
    import sqlalchemy as sa

    from cloudkitty import db

    engine = db.get_engine()
    statement = {
        'postgresql': 'ANALYZE rated_blocks_v2, rated_rollups_v2',
        'mysql': 'ANALYZE TABLE rated_blocks_v2, rated_rollups_v2',
    }.get(engine.dialect.name)
    if statement:
        with engine.begin() as conn:
            conn.execute(sa.text(statement))


def measure(func, repeat):
    func()   # warm up caches and connections
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_api():
    from werkzeug import serving

    from cloudkitty.api import app as ck_app

    class QuietHandler(serving.WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    logging.getLogger('werkzeug').setLevel(logging.WARNING)
    wsgi = ck_app.load_app()
    port = free_port()
    server = serving.make_server('127.0.0.1', port, wsgi, threaded=True,
                                 request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, 'http://127.0.0.1:%d' % port


def writer_main(args, workdir, start, index, barrier, results):
    """One writer process of ``--writers``: every Nth push call."""
    configure(args, workdir, write=False)
    from cloudkitty import storage as ck_storage

    storage = ck_storage.get_storage()
    frames, _ = build_frames(args, start)
    batches = batches_of(frames, args.push_mode, args.periods_per_push)
    mine = batches[index::args.writers]
    del frames, batches
    count = sum(len(p) for batch, _ in mine for frame in batch
                for _, p in frame.itertypes())
    gc.collect()
    gc.freeze()
    barrier.wait()
    started = time.time()
    cpu = time.process_time()
    for batch, scope_id in mine:
        storage.push(batch, scope_id)
    results.put((index, count, started, time.time(),
                 time.process_time() - cpu))


def load_with_writers(args, workdir, start, end, storage):
    """Load with ``args.writers`` processes; measure summaries meanwhile.

    Returns (points, wall seconds, CPU seconds of the writers, summary
    latencies in ms).
    """
    import multiprocessing

    ctx = multiprocessing.get_context('spawn')
    barrier = ctx.Barrier(args.writers + 1)
    results = ctx.Queue()
    procs = [ctx.Process(target=writer_main,
                         args=(args, workdir, start, i, barrier, results))
             for i in range(args.writers)]
    for proc in procs:
        proc.start()
    barrier.wait()
    latencies = []
    done = []
    while len(done) < len(procs):
        began = time.perf_counter()
        storage.total(begin=start, end=end, limit=100)
        storage.total(groupby=['project_id', 'type'], begin=start,
                      end=end, limit=100)
        latencies.append((time.perf_counter() - began) * 500)
        while not results.empty():
            done.append(results.get())
        if any(p.exitcode not in (None, 0) for p in procs):
            raise RuntimeError('a writer failed')
        time.sleep(0.05)
    for proc in procs:
        proc.join()
    total = sum(r[1] for r in done)
    wall = max(r[3] for r in done) - min(r[2] for r in done)
    return total, wall, sum(r[4] for r in done), latencies


def main(argv=None):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix='ck-bench-')
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir):
    configure(args, workdir)
    from cloudkitty import storage as ck_storage
    from cloudkitty.utils import tz as tzutils

    storage = ck_storage.get_storage()
    storage.init()
    if args.backend == 'sqlalchemy':
        from cloudkitty import storage_state
        try:
            storage_state.StateManager().init()
        except Exception as exc:   # the scope-state chain is optional here
            print('warning: scope state tables not created: %s' % exc)

    start = tzutils.get_month_start(tzutils.aware_utcnow()).astimezone(
        datetime.timezone.utc)
    end = start + datetime.timedelta(days=args.days)
    print('backend=%s points=%d projects=%d types=%d days=%d push=%s'
          % (args.backend, args.points, args.projects, args.types,
             args.days, args.push_mode))
    if args.writers:
        total, elapsed, cpu, latencies = load_with_writers(
            args, workdir, start, end, storage)
        latencies.sort()
        print('load with %d writer processes: %d points in %.2fs = %d '
              'points/s (%.2f CPU-s in the writers = %d points/CPU-s; '
              'load average %.1f)' % (
                  args.writers, total, elapsed, total / elapsed, cpu,
                  total / max(cpu, 1e-9), os.getloadavg()[0]))
        if latencies:
            print('summary during the load (no groupby, project_id+type; '
                  'mean of the two): median %.1f ms, p95 %.1f ms over %d '
                  'samples' % (
                      statistics.median(latencies),
                      latencies[min(len(latencies) - 1,
                                    int(0.95 * len(latencies)))],
                      len(latencies)))
        return finish(args, storage, start, end)
    built = time.perf_counter()
    frames, total = build_frames(args, start)
    print('built %d points in %.1fs (not timed)'
          % (total, time.perf_counter() - built))
    # The prebuilt input (millions of objects a real producer streams
    # instead) would otherwise be walked by every full garbage collection
    # during the load: keep it out of the collector's sight.
    gc.collect()
    gc.freeze()
    elapsed, cpu = load(storage, frames, args.push_mode,
                        args.periods_per_push)
    del frames
    # On a shared machine the wall-clock rate depends on the other
    # processes: the rate per CPU-second of this process tells the cost.
    print('load: %d points in %.2fs = %d points/s (%.2f CPU-s in this '
          'process = %d points/CPU-s; load average %.1f)'
          % (total, elapsed, total / elapsed, cpu, total / max(cpu, 1e-9),
             os.getloadavg()[0]))
    return finish(args, storage, start, end)


def finish(args, storage, start, end):
    if args.backend == 'sqlalchemy':
        analyze()

    calls = [
        ('summary', lambda: storage.total(begin=start, end=end, limit=100)),
        ('summary groupby type', lambda: storage.total(
            groupby=['type'], begin=start, end=end, limit=100)),
        ('summary groupby project_id+type', lambda: storage.total(
            groupby=['project_id', 'type'], begin=start, end=end,
            limit=100)),
        ('summary groupby time-d', lambda: storage.total(
            groupby=['time-d'], begin=start, end=end, limit=100)),
        ('summary groupby time', lambda: storage.total(
            groupby=['time'], begin=start, end=end, limit=100)),
        ('summary groupby id (raw points)', lambda: storage.total(
            groupby=['id'], begin=start, end=end, limit=100)),
        ('report total (one project)', lambda: storage.total(
            begin=start, end=end, filters={'project_id': 'project-07'})),
        ('dataframes limit=1000', lambda: storage.retrieve(
            begin=start, end=end, limit=1000)),
    ]
    print('\nstorage interface: median / p95 (ms)')
    for name, func in calls:
        # Queries on raw points are slow by nature: fewer rounds.
        slow = 'time' in name.split() or 'raw' in name
        median, p95 = measure(func, min(args.repeat, 5) if slow
                              else args.repeat)
        print('  %-36s %8.1f %8.1f' % (name, median, p95))

    if args.no_http:
        return 0
    import requests
    try:
        server, url = start_api()
    except Exception as exc:
        print('\nHTTP API unavailable: %s: %s' % (type(exc).__name__, exc))
        return 0
    period = {'begin': start.isoformat(), 'end': end.isoformat()}
    session = requests.Session()

    def get(path, **params):
        params.update(period)

        def call():
            resp = session.get(url + path, params=params)
            if resp.status_code != 200:
                raise RuntimeError('%s: %s %s' % (path, resp.status_code,
                                                  resp.text[:200]))
        return call

    http_calls = [
        ('/v2/summary', get('/v2/summary')),
        ('/v2/summary?groupby=type', get('/v2/summary', groupby='type')),
        ('/v2/summary?groupby=project_id,type',
         get('/v2/summary', groupby='project_id,type')),
        ('/v2/summary?groupby=time-d', get('/v2/summary', groupby='time-d')),
        ('/v1/report/total', get('/v1/report/total')),
        ('/v2/dataframes?limit=1000', get('/v2/dataframes', limit=1000)),
    ]
    print('\nHTTP API (%s): median / p95 (ms)' % url)
    try:
        for name, func in http_calls:
            try:
                median, p95 = measure(func, args.repeat)
            except Exception as exc:
                print('  %-36s failed: %s' % (name, exc))
                continue
            print('  %-36s %8.1f %8.1f' % (name, median, p95))
    finally:
        server.shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
