#!/usr/bin/env python3
"""Benchmark of cloudkitty-processor: rated points per second.

Workload: the ``synthetic`` collector, S scopes x T metric types x R
resources x H hours (default 20 x 5 x 20 x 24 = 48,000 points); hashmap
with, per metric, a flat service mapping, 5 rate mappings on a field and
a service threshold. Each scope starts H hours before the last due
period, so the processor has exactly H periods to rate per scope.

For each worker count (default 1 and 2) the real ``cloudkitty-processor``
runs on a fresh SQLite database (``[storage] backend = sqlalchemy``) until
every scope is up to date; the tool prints rated points per second, wall
time (from process start, and from the first committed period) and the
peak RSS of the processor's processes. ``--influxdb HOST:PORT`` adds runs
on InfluxDB 1.x (a fresh database per run, dropped afterwards).

    .venv/bin/python tools/bench_processor.py [-S 20 -T 5 -R 20 -H 24]
        [--workers 1 2] [--profile]

``--profile`` rates in-process with one worker under cProfile instead and
prints the top functions.

``--collector thirdparty`` (or ``both``) runs the same workload with the
example third-party collector of the test suite
(``cloudkitty/tests/thirdparty_plugins``, registered through a
``.dist-info`` on ``PYTHONPATH`` as an installed plugin pack would be) in
place of ``synthetic``: the cost of loading and calling a plugin written
for the reference's classes. (That collector does not declare
``concurrent_retrieve = False``, so the processor calls it from its thread
pool, as any third-party collector; all its points have one flavor.)
"""
import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import psutil

BIN = os.path.dirname(os.path.abspath(sys.executable))
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FLAVORS = ['f0', 'f1', 'f2', 'f3', 'f4']
RATES = ['1.0', '1.1', '1.2', '0.9', '0.8']

CONF = """\
[DEFAULT]
log_dir = {run_dir}
debug = false

[database]
connection = sqlite:///{run_dir}/cloudkitty.sqlite

[storage]
version = 2
backend = {backend}

[storage_influxdb]
host = {influx_host}
port = {influx_port}
database = {influx_db}

[orchestrator]
coordination_url = file://{run_dir}/locks
max_workers = {workers}
max_workers_reprocessing = 0
max_threads = 8

[fetcher]
backend = source

[fetcher_source]
sources = {sources}

[collector_example]
resources = {resources}

[collect]
collector = {collector}
period = 3600
wait_periods = 1
metrics_conf = {run_dir}/metrics.yml
scope_key = project_id
"""


def metrics_yml(types, resources, collector='synthetic'):
    lines = ['metrics:']
    for i in range(types):
        if collector != 'synthetic':
            # Resources come from [collector_example] resources.
            lines += [
                '  metric_%d:' % i,
                '    unit: unit%d' % i,
                '    groupby: [id, project_id]',
                '    metadata: [flavor_name]',
                "    extra_args: {base: '%d'}" % (i + 1),
            ]
            continue
        lines += [
            '  metric_%d:' % i,
            '    unit: unit%d' % i,
            '    groupby: [id, project_id]',
            '    metadata: [flavor_name]',
            '    extra_args:',
            '      resources: %d' % resources,
            '      min: 0',
            '      max: 100',
            '      values: {flavor_name: [%s]}' % ', '.join(FLAVORS),
        ]
    return '\n'.join(lines) + '\n'


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        sys.exit('%s failed:\n%s%s' % (' '.join(command), result.stdout,
                                       result.stderr))


def register_thirdparty(run_dir):
    """Register the example plugin pack for this process's children."""
    sys.path.insert(0, REPO)
    from cloudkitty.tests import thirdparty_plugins
    site = thirdparty_plugins.install_dist_info(os.path.join(run_dir,
                                                             'site'))
    os.environ['PYTHONPATH'] = os.pathsep.join(
        p for p in (site, os.environ.get('PYTHONPATH')) if p)
    # And for --profile, which loads the plugins in this process.
    sys.path.insert(0, site)


def prepare(run_dir, args, workers, backend, influx, collector):
    os.makedirs(os.path.join(run_dir, 'locks'))
    if collector != 'synthetic':
        register_thirdparty(run_dir)
    host, port = (influx.split(':') + ['8086'])[:2] if influx else ('', 0)
    scopes = ['bench-scope-%02d' % i for i in range(args.scopes)]
    conf_file = os.path.join(run_dir, 'cloudkitty.conf')
    with open(conf_file, 'w') as stream:
        stream.write(CONF.format(
            run_dir=run_dir, backend=backend, workers=workers,
            resources=args.resources,
            collector='synthetic' if collector == 'synthetic' else 'example',
            sources=','.join(scopes), influx_host=host or 'localhost',
            influx_port=port or 8086,
            influx_db='ck_bench_%s' % uuid.uuid4().hex[:8]))
    with open(os.path.join(run_dir, 'metrics.yml'), 'w') as stream:
        stream.write(metrics_yml(args.types, args.resources, collector))
    run([os.path.join(BIN, 'cloudkitty-dbsync'), '--config-file', conf_file,
         'upgrade'])
    run([os.path.join(BIN, 'cloudkitty-storage-init'), '--config-file',
         conf_file])
    return conf_file, scopes


def load_config(conf_file):
    from oslo_config import cfg

    import cloudkitty.common.config  # noqa: F401
    from cloudkitty import db
    cfg.CONF.reset()
    cfg.CONF(['--config-file', conf_file], project='cloudkitty',
             default_config_files=[])
    db.reset()
    return cfg.CONF


def seed(conf_file, scopes, hours):
    """Hashmap rules and scope states; returns the target state."""
    load_config(conf_file)
    from cloudkitty.db import api as db_api
    from cloudkitty.rating.hash import db_api as hash_db_api
    from cloudkitty import storage_state
    from cloudkitty.utils import tz as tzutils

    hashmap = hash_db_api.get_instance()
    start = datetime.datetime(2000, 1, 1)
    for i in range(len(open_metrics(conf_file))):
        service = hashmap.create_service('metric_%d' % i)
        service_id = service['service_id']
        hashmap.create_mapping('0.01', 'flat', service_id=service_id,
                               start=start, force=True)
        field = hashmap.create_field(service_id, 'flavor_name')
        for flavor, rate in zip(FLAVORS, RATES):
            hashmap.create_mapping(rate, 'rate', value=flavor,
                                   field_id=field['field_id'],
                                   start=start, force=True)
        hashmap.create_threshold('50', '0.005', 'flat',
                                 service_id=service_id)
    db_api.get_module_state_manager().set_state('hashmap', True)
    period = datetime.timedelta(hours=1)
    last_due = tzutils.align(tzutils.localized_now(), 3600) - period
    first = last_due - period * hours
    state = storage_state.StateManager()
    for scope in scopes:
        state.set_last_processed_timestamp(scope, first)
    return last_due


def open_metrics(conf_file):
    import yaml
    with open(os.path.join(os.path.dirname(conf_file),
                           'metrics.yml')) as stream:
        return yaml.safe_load(stream)['metrics']


def states(conf_file):
    import sqlalchemy as sa
    url = 'sqlite:///%s/cloudkitty.sqlite' % os.path.dirname(conf_file)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(sa.text(
                'SELECT last_processed_timestamp FROM '
                'cloudkitty_storage_states'))]
    finally:
        engine.dispose()


def tree_rss(process):
    try:
        procs = [process] + process.children(recursive=True)
        return sum(p.memory_info().rss for p in procs if p.is_running())
    except psutil.Error:
        return 0


def measure(conf_file, scopes, target):
    target = target.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    initial = set(states(conf_file))
    started = time.monotonic()
    process = psutil.Popen(
        [os.path.join(BIN, 'cloudkitty-processor'), '--config-file',
         conf_file], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = first_commit = 0
    try:
        while True:
            peak = max(peak, tree_rss(process))
            current = states(conf_file)
            now = time.monotonic()
            if not first_commit and set(current) != initial:
                first_commit = now
            if all(str(s).startswith(str(target)) for s in current):
                break
            if process.poll() is not None:
                sys.exit('cloudkitty-processor exited with %s; see %s'
                         % (process.returncode, os.path.dirname(conf_file)))
            time.sleep(0.05)
        wall = time.monotonic() - started
    finally:
        process.terminate()
        try:
            process.wait(30)
        except psutil.TimeoutExpired:
            process.kill()
    # Time spent rating, without the processes' start-up (imports).
    busy = wall - (first_commit - started) if first_commit else wall
    return wall, busy, peak


def profile(conf_file, scopes):
    import cProfile
    import pstats

    load_config(conf_file)
    from cloudkitty import orchestrator
    from cloudkitty import storage

    modules = orchestrator.RatingModules()
    metrics = orchestrator.load_metrics_conf()
    collector = orchestrator.get_collector(metrics)
    backend = storage.get_storage()
    profiler = cProfile.Profile()
    started = time.monotonic()
    profiler.enable()
    periods = 0
    for scope in scopes:
        periods += orchestrator.Worker(
            collector, backend, scope, 0, modules=modules,
            skip_expressions={}).run()
    profiler.disable()
    wall = time.monotonic() - started
    stats = pstats.Stats(profiler)
    stats.sort_stats(os.environ.get('CK_PROFILE_SORT', 'cumulative'))
    stats.print_stats(35)
    return periods, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-S', '--scopes', type=int, default=20)
    parser.add_argument('-T', '--types', type=int, default=5)
    parser.add_argument('-R', '--resources', type=int, default=20)
    parser.add_argument('-H', '--hours', type=int, default=24)
    parser.add_argument('--workers', type=int, nargs='+', default=[1, 2])
    parser.add_argument('--influxdb', metavar='HOST:PORT',
                        help='also run on this InfluxDB 1.x server')
    parser.add_argument('--profile', action='store_true')
    parser.add_argument('--collector', default='synthetic',
                        choices=['synthetic', 'thirdparty', 'both'],
                        help='collector of the runs: the synthetic one, '
                             'the third-party example, or both')
    parser.add_argument('--keep', action='store_true',
                        help='keep the run directories')
    args = parser.parse_args()
    points = args.scopes * args.types * args.resources * args.hours
    print('workload: %d scopes x %d metric types x %d resources x %d hours '
          '= %d points' % (args.scopes, args.types, args.resources,
                           args.hours, points), flush=True)
    collectors = (['synthetic', 'thirdparty'] if args.collector == 'both'
                  else [args.collector])
    runs = [('sqlalchemy', w) for w in args.workers]
    if args.influxdb:
        runs += [('influxdb', w) for w in args.workers]
    if args.profile:
        runs = [('sqlalchemy', 1)]
    runs = [(c, b, w) for c in collectors for b, w in runs]
    pythonpath = os.environ.get('PYTHONPATH')
    for collector, backend, workers in runs:
        run_dir = tempfile.mkdtemp(prefix='ck-bench-')
        try:
            conf_file, scopes = prepare(run_dir, args, workers, backend,
                                        args.influxdb, collector)
            target = seed(conf_file, scopes, args.hours)
            if args.profile:
                periods, wall = profile(conf_file, scopes)
                print('in-process, 1 worker: %d periods, %d points in '
                      '%.2f s: %.0f points/s'
                      % (periods, points, wall, points / wall))
                continue
            wall, busy, peak = measure(conf_file, scopes, target)
            print('%-10s %-10s workers=%d  wall %.2f s (rating %.2f s '
                  'after start-up)  %.0f rated points/s (%.0f excluding '
                  'start-up)  peak RSS %.0f MiB'
                  % (collector, backend, workers, wall, busy, points / wall,
                     points / busy, peak / 1048576.0), flush=True)
        finally:
            if pythonpath is None:
                os.environ.pop('PYTHONPATH', None)
            else:
                os.environ['PYTHONPATH'] = pythonpath
            if args.keep:
                print('kept %s' % run_dir)
            else:
                shutil.rmtree(run_dir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
