#!/usr/bin/env python3
"""API push throughput: POST /v2/dataframes under gunicorn.

Starts the API under gunicorn (``--workers``, default 4) on a fresh
database (SQLite file, MariaDB or PostgreSQL), then ``--clients`` threads
(default 4) each POST ``--bodies`` bodies of ``--points`` points (default
5,000: 50 scopes x 10 metric types x 10 points, one hourly period per
body, every client a different hour of the same scopes). Bodies are
encoded beforehand (not timed). Prints points/s over the wall time from
the first request to the last answer, then checks that ``/v2/summary``
equals what was sent.

Examples::

    .venv/bin/python tools/bench_api_push.py                       # SQLite
    .venv/bin/python tools/bench_api_push.py --db mysql
    .venv/bin/python tools/bench_api_push.py --db postgresql --clients 8
"""
import argparse
import datetime
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--db', default='sqlite',
                        choices=['sqlite', 'mysql', 'postgresql'])
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--clients', type=int, default=4)
    parser.add_argument('--bodies', type=int, default=6,
                        help='Bodies per client.')
    parser.add_argument('--points', type=int, default=5000,
                        help='Points per body (multiple of 500).')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from oslo_config import cfg
    import requests

    import cloudkitty.common.config  # noqa: F401 (registers options)
    from cloudkitty import db
    from cloudkitty.tests.functional.storage import gunicorn_api
    from cloudkitty.tests import services

    tmp = tempfile.mkdtemp(prefix='ck-api-bench-')
    database = services.TemporaryDatabase(args.db, tmp)
    url = database.create()
    cfg.CONF([], project='cloudkitty', default_config_files=[],
             default_config_dirs=[])
    cfg.CONF.set_override('connection', url, 'database')
    cfg.CONF.set_override('period', 3600, 'collect')
    cfg.CONF.set_override('backend', 'sqlalchemy', 'storage')
    db.reset()
    scopes = ['project-%02d' % i for i in range(50)]
    types = ['metric_%d' % i for i in range(10)]
    per_scope = max(1, args.points // (len(scopes) * len(types)))
    start = datetime.datetime(2026, 3, 1, tzinfo=datetime.timezone.utc)
    bodies = {c: [] for c in range(args.clients)}
    expected = {}
    hour = 0
    for k in range(args.bodies):
        for c in range(args.clients):
            payload, sums = gunicorn_api.body([hour], scopes, types,
                                              per_scope, start)
            bodies[c].append(json.dumps(payload))
            expected.update(sums)
            hour += 1
    total_points = sum(v[0] for v in expected.values())
    server = gunicorn_api.GunicornAPI(url, workers=args.workers,
                                      tmp_dir=tmp)
    server.start()
    try:
        barrier = threading.Barrier(args.clients + 1)
        errors = []

        def client(index):
            session = requests.Session()
            barrier.wait()
            for text in bodies[index]:
                resp = session.post(
                    server.url + '/v2/dataframes', data=text,
                    headers={'Content-Type': 'application/json'},
                    timeout=600)
                if resp.status_code >= 300:
                    errors.append('%s %s' % (resp.status_code,
                                             resp.text[:200]))

        threads = [threading.Thread(target=client, args=(i,))
                   for i in range(args.clients)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if errors:
            print('errors: %s' % errors[:3])
            return 1
        print('db=%s workers=%d clients=%d: %d bodies of %d points, %d '
              'points in %.2fs = %d points/s (load average %.1f)' % (
                  args.db, args.workers, args.clients,
                  args.clients * args.bodies, per_scope * 500,
                  total_points, elapsed, total_points / elapsed,
                  os.getloadavg()[0]))
        got = gunicorn_api.summary(
            server.url, start, start + datetime.timedelta(days=30))
        want = sum((v[2] for v in expected.values()), gunicorn_api.D(0))
        rate = got[()][1] if got else None
        print('summary rate %s, sent %s: %s' % (
            rate, want, 'exact' if rate == gunicorn_api.D(
                repr(float(want))) else 'DIFFERENT'))
    finally:
        server.cleanup()
        database.drop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
