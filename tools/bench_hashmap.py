#!/usr/bin/env python3
"""HashMap rating benchmark: rule loading time and points rated per second.

Creates rules in a fresh SQLite database (a service mapping, a field with
``--values`` field mappings in a group, service rate thresholds), then
prints the time of ``reload_config`` (one load and compilation) and the
rate of ``process`` on frames of ``--points`` points, for points that
share field values (the common case) and for points that all differ.

Example::

    .venv/bin/python tools/bench_hashmap.py --points 200000
"""
import argparse
import datetime
import decimal
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from oslo_config import cfg  # noqa: E402

from cloudkitty import dataframe  # noqa: E402
from cloudkitty import db  # noqa: E402

D = decimal.Decimal


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--points', type=int, default=100000)
    parser.add_argument('--values', type=int, default=50,
                        help='field mappings (flavors)')
    args = parser.parse_args()

    import cloudkitty.common.config  # noqa: F401
    tmp = tempfile.mkdtemp(prefix='ck-bench-hashmap-')
    cfg.CONF([], project='cloudkitty', default_config_files=[],
             default_config_dirs=[])
    cfg.CONF.set_override('connection', 'sqlite:///%s/db.sqlite' % tmp,
                          'database')
    db.reset()
    from cloudkitty.rating import hash as hashmap
    from cloudkitty.rating.hash import db_api
    db_api.get_migration().upgrade('head')
    api = db_api.get_instance()
    past = datetime.datetime(2000, 1, 1)
    svc = api.create_service('instance')['service_id']
    fld = api.create_field(svc, 'flavor_id')['field_id']
    grp = api.create_group('flavors')['group_id']
    api.create_mapping(cost=D('0.5'), service_id=svc, start=past,
                       force=True)
    for i in range(args.values):
        api.create_mapping(cost=D(i + 1) / 100, field_id=fld,
                           value='flavor-%d' % i, group_id=grp, start=past,
                           force=True)
    for level, cost in ((10, '0.98'), (100, '0.95')):
        api.create_threshold(D(level), D(cost), 'rate', service_id=svc)

    start = time.perf_counter()
    module = hashmap.HashMap(tenant_id='project')
    module.reload_config()
    load = (time.perf_counter() - start) / 2
    print('reload_config: %.1f ms (%d field mappings)'
          % (load * 1000, args.values))

    begin = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    end = begin + datetime.timedelta(hours=1)
    for label, qty in (('shared values', lambda i: 1),
                       ('distinct quantities', lambda i: D(i) / 7)):
        frame = dataframe.DataFrame(begin, end)
        frame.add_points([
            dataframe.DataPoint('instance', qty(i), 0,
                                {'id': 'r%d' % i, 'project_id': 'project'},
                                {'flavor_id': 'flavor-%d'
                                 % (i % args.values)})
            for i in range(args.points)], 'instance')
        start = time.perf_counter()
        module.process(frame)
        elapsed = time.perf_counter() - start
        print('process, %s: %d points in %.2f s = %.0f points/s'
              % (label, args.points, elapsed, args.points / elapsed))


if __name__ == '__main__':
    main()
