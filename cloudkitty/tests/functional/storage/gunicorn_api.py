"""The API under gunicorn with several worker processes, on any database.

Shared by the concurrency functional tests and ``tools/bench_api_push.py``.
"""
import datetime
import decimal
import json
import os
import signal
import subprocess
import time

import requests

from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.fixtures import process
from cloudkitty.tests import services

D = decimal.Decimal


class GunicornAPI(api_server.APIServer):
    """The WSGI application under gunicorn, on the database ``db_url``.

    ``workers`` gunicorn worker processes.
    """

    def __init__(self, db_url, workers=4, overrides=None, **kwargs):
        overrides = dict(overrides or {})
        overrides.setdefault('database', {})['connection'] = db_url
        overrides.setdefault('collect', {}).setdefault('period', 3600)
        super().__init__(overrides=overrides, **kwargs)
        self.db_url = db_url
        self.workers = workers

    def migrate(self):
        """Create every table in this process (CONF points to db_url).

        The same chains as ``cloudkitty-dbsync upgrade`` and
        ``cloudkitty-storage-init``, without starting two more processes.
        """
        from cloudkitty.cli import dbsync
        from cloudkitty import storage
        from cloudkitty import storage_state

        for _, chain in dbsync.get_chains():
            chain.upgrade('head')
        storage.get_storage().init()
        storage_state.StateManager().init()
        self.storage_ready = True

    def start(self):
        self.port = services.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.write_config()
        self.migrate()
        gunicorn = api_server._bin('gunicorn')
        env = self._env()
        env['OS_CLOUDKITTY_CONFIG_FILES'] = self.conf_file
        self._log = open(self.log_file, 'ab')
        self.process = subprocess.Popen(
            [gunicorn, '--bind', '127.0.0.1:%d' % self.port,
             '--workers', str(self.workers), '--timeout', '120',
             '--graceful-timeout', '5']
            + process._no_control_socket(gunicorn)
            + ['cloudkitty.wsgi.api:application'],
            stdout=self._log, stderr=subprocess.STDOUT, env=env)
        try:
            self.wait_ready()
            self._warm_up()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self):
        # SIGINT: gunicorn's quick shutdown (SIGTERM waits for the
        # graceful timeout).
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        super().stop()

    def _warm_up(self):
        # Workers import the application on their first request: make
        # each one ready before anything is timed.
        deadline = time.time() + 60
        seen = 0
        while seen < self.workers * 3 and time.time() < deadline:
            if requests.get(self.url + '/v2/summary', timeout=60).ok:
                seen += 1


def body(hours, scopes, types, points, start, salt=0):
    """A POST /v2/dataframes body: one frame per hour index in ``hours``.

    Returns (body, {(hour, scope, type): (count, qty, price)}).
    """
    frames = []
    sums = {}
    for hour in hours:
        begin = start + datetime.timedelta(hours=hour)
        usage = {}
        for type_ in types:
            entries = usage[type_] = []
            for scope in scopes:
                count, qty_sum, price_sum = 0, D(0), D(0)
                for r in range(points):
                    seed = hour * 7919 + sum(map(ord, scope + type_)) + r
                    qty = D(seed % 13 + 1) + D('0.000000001') * seed
                    price = (qty * D('0.0123456789')).quantize(
                        D('0.000000000000000001')) + salt
                    entries.append({
                        'vol': {'unit': 'u', 'qty': str(qty)},
                        'rating': {'price': str(price)},
                        'groupby': {'project_id': scope,
                                    'id': '%s-%d' % (scope, r)},
                        'metadata': {'flavor': 'f%d' % (r % 3)}})
                    count += 1
                    qty_sum += qty
                    price_sum += price
                sums[(hour, scope, type_)] = (count, qty_sum, price_sum)
        frames.append({'period': {
            'begin': begin.isoformat(),
            'end': (begin + datetime.timedelta(hours=1)).isoformat()},
            'usage': usage})
    return {'dataframes': frames}, sums


def summary(url, begin, end, groupby=None):
    """{group key: (qty, rate)} of GET /v2/summary, decimals exact."""
    params = {'begin': begin.isoformat(), 'end': end.isoformat(),
              'limit': 10000}
    if groupby:
        params['groupby'] = groupby
    resp = requests.get(url + '/v2/summary', params=params, timeout=60)
    resp.raise_for_status()
    data = json.loads(resp.text, parse_float=D)
    columns = data['columns']
    output = {}
    keys = [c for c in columns if c not in ('begin', 'end', 'qty', 'rate')]
    for row in data['results']:
        row = dict(zip(columns, row))
        key = tuple(row[k] for k in keys)
        if groupby and 'time' in groupby:
            key = (row['begin'],) + key
        output[key] = (D(repr(float(row['qty']))),
                       D(repr(float(row['rate']))))
    return output


def post(url, payload, session=None):
    resp = (session or requests).post(
        url + '/v2/dataframes', data=json.dumps(payload),
        headers={'Content-Type': 'application/json'}, timeout=300)
    if resp.status_code >= 300:
        raise AssertionError('POST /v2/dataframes: %s %s' % (
            resp.status_code, resp.text[:500]))


def environment_ok():
    return os.path.exists(api_server._bin('gunicorn'))
