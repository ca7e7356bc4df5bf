"""The API under gunicorn (4 workers), 8 clients POSTing /v2/dataframes
at once: /v2/summary totals are exactly what was sent, on every database.
"""
import datetime
import threading

import pytest
import requests

from cloudkitty.tests.functional.storage import gunicorn_api

D = gunicorn_api.D
UTC = datetime.timezone.utc
START = datetime.datetime(2026, 3, 31, 20, tzinfo=UTC)
SCOPES = ['p%d' % i for i in range(10)]
TYPES = ['cpu', 'ram']
CLIENTS = 8


@pytest.fixture
def api(sql_backend_url, tmp_path, conf):
    if not gunicorn_api.environment_ok():
        pytest.skip('gunicorn is not installed')
    conf.set_override('period', 3600, 'collect')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    server = gunicorn_api.GunicornAPI(sql_backend_url, workers=4,
                                      tmp_dir=str(tmp_path))
    server.start()
    yield server
    server.stop()
    conf.clear_override('period', 'collect')
    conf.clear_override('backend', 'storage')


def test_eight_clients_summary_exact(api):
    # Client c sends hours c, c+1 and c+2 (then c+3..c+5): every hour of
    # every scope is sent by several clients at once, identically; the
    # day and month rollups of each scope are shared by all of them.
    bodies = {c: [gunicorn_api.body([c + 3 * k + i for i in range(3)],
                                    SCOPES, TYPES, 3, START)
                  for k in range(2)] for c in range(CLIENTS)}
    expected = {}
    for c in range(CLIENTS):
        for _, sums in bodies[c]:
            expected.update(sums)
    barrier = threading.Barrier(CLIENTS)
    errors = []

    def client(index):
        session = requests.Session()
        try:
            barrier.wait(30)
            for payload, _ in bodies[index]:
                gunicorn_api.post(api.url, payload, session)
        except Exception as exc:
            errors.append('client %d: %r' % (index, exc))

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors

    def want(key_of):
        output = {}
        for (hour, scope, type_), (_, qty, price) in expected.items():
            key = key_of(hour, scope, type_)
            acc = output.get(key, (D(0), D(0)))
            output[key] = (acc[0] + qty, acc[1] + price)
        return output

    begin = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    end = datetime.datetime(2026, 5, 1, tzinfo=UTC)
    # Whole months (month rollups), whole days (day rollups) and edges.
    for lo, hi in ((begin, end),
                   (datetime.datetime(2026, 3, 31, tzinfo=UTC),
                    datetime.datetime(2026, 4, 2, tzinfo=UTC)),
                   (START + datetime.timedelta(hours=2), end)):
        lo_hour = (lo - START).total_seconds() // 3600

        def key_of(selector):
            def key(hour, scope, type_):
                return selector(hour, scope, type_) if hour >= lo_hour \
                    else None
            return key

        cases = {
            None: lambda h, s, t: (),
            'type': lambda h, s, t: (t,),
            'project_id': lambda h, s, t: (s,),
        }
        for groupby, selector in cases.items():
            wanted = want(key_of(selector))
            wanted.pop(None, None)
            # The API renders decimals as JSON numbers through float (the
            # storage itself is exact: see the storage concurrency suite).
            wanted = {k: tuple(D(repr(float(v))) for v in values)
                      for k, values in wanted.items()}
            got = gunicorn_api.summary(api.url, lo, hi, groupby)
            assert got == wanted, (lo, hi, groupby)
    # Every point once: the points' count matches what was sent.
    resp = requests.get(api.url + '/v2/dataframes', params={
        'begin': begin.isoformat(), 'end': end.isoformat(), 'limit': 1},
        timeout=60)
    assert resp.json()['total'] == sum(c for c, _, _ in expected.values())
