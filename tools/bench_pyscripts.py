"""Benchmark of the pyscripts rating module (prints points per second).

Runs a flavor-pricing script over a frame of N points (default 20000) the
way the processor does (frame → ``data`` → script → validated frame), with
no database: ``.venv/bin/python tools/bench_pyscripts.py [N] [scripts]``.
"""
import datetime
import sys
import time

from cloudkitty import dataframe
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import engine

SOURCE = '''
import decimal
PRICES = {"m1.tiny": decimal.Decimal("0.01"),
          "m1.large": decimal.Decimal("0.08")}
for point in data["usage"].get("instance", []):
    flavor = point["metadata"].get("flavor_name")
    point["rating"]["price"] = (point["vol"]["qty"]
                                * PRICES.get(flavor, decimal.Decimal(0)))
'''


class _Script(object):
    def __init__(self, index):
        self.script_id = 'bench-%d' % index
        self.name = 'bench%d' % index
        self.data = SOURCE
        self.checksum = pyscripts_db.checksum(SOURCE)


def main(points=20000, scripts=1):
    start = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    frame = dataframe.DataFrame(start, start + datetime.timedelta(hours=1))
    for i in range(points):
        frame.add_point(dataframe.DataPoint(
            'instance', '1', '0',
            {'id': 'r%d' % i, 'project_id': 'p', 'user_id': 'u'},
            {'flavor_name': 'm1.tiny' if i % 2 else 'm1.large',
             'flavor_id': '42', 'vcpus': '1'}), 'instance')
    compiled = [engine.compile_script(_Script(i)) for i in range(scripts)]
    timings = {}
    for label, func in (
            ('frame_to_dict', lambda: engine.frame_to_dict(frame)),
            ('dict_to_frame', lambda: engine.dict_to_frame(
                engine.frame_to_dict(frame), compiled[0])),
            ('run', lambda: engine.run(compiled, frame))):
        best = None
        for _ in range(5):
            t0 = time.perf_counter()
            func()
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        timings[label] = best
    print('points: %d, scripts: %d' % (points, scripts))
    for label, best in timings.items():
        print('%-14s %8.3f s  %10.0f points/s' % (label, best,
                                                  points / best))


if __name__ == '__main__':
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
