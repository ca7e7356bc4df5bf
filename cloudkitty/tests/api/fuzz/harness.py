"""Targets (in-process app, API under gunicorn), database snapshots and
the property checked for every generated request."""
import collections
import json
import os

import sqlalchemy as sa

from cloudkitty.tests.api.fuzz import strategies


class Stats(object):
    """What a run sent and got, printed at the end of each test."""

    def __init__(self, name):
        self.name = name
        self.requests = 0
        self.statuses = collections.Counter()
        self.refused = 0
        self.accepted_writes = 0
        self.reads = 0

    def line(self):
        return ('%s: %d requests (%d refused, all with state unchanged; '
                '%d accepted writes followed by %d reads); statuses %s'
                % (self.name, self.requests, self.refused,
                   self.accepted_writes, self.reads,
                   dict(sorted(self.statuses.items()))))

    def save(self):
        path = os.environ.get('CK_FUZZ_REPORT')
        print(self.line())
        if path:
            with open(path, 'a') as handle:
                handle.write(self.line() + '\n')


class InProcess(object):
    """The WSGI app in this process (werkzeug test client)."""

    def __init__(self, client):
        self.client = client

    def send(self, request):
        kwargs = {'query': request.query or None}
        if request.body is not None:
            kwargs['body'] = request.body
            kwargs['content_type'] = request.content_type
        resp = self.client.request(request.method, request.path, **kwargs)
        return resp.status, resp.text


class OverHTTP(object):
    """An API server process (gunicorn) reached over HTTP."""

    def __init__(self, server):
        self.server = server

    def send(self, request):
        import requests
        url = self.server.url + request.path
        if request.query:
            url += '?' + request.query
        headers = {}
        if request.content_type:
            headers['Content-Type'] = request.content_type
        resp = requests.request(request.method, url, data=request.body,
                                headers=headers, timeout=60,
                                allow_redirects=False)
        return resp.status_code, resp.text


class Snapshot(object):
    """Every row of every table of the database (storage included)."""

    def __init__(self, engine):
        self.engine = engine
        self.metadata = sa.MetaData()
        self.metadata.reflect(engine)

    def take(self):
        state = {}
        with self.engine.connect() as conn:
            for name, table in sorted(self.metadata.tables.items()):
                rows = conn.execute(sa.select(table)).all()
                # Byte-for-byte: bytes and texts compare exactly; rows in
                # a stable order whatever the database returns.
                state[name] = sorted((tuple(row) for row in rows), key=repr)
        return state


def _strict_json(text):
    """Standard JSON only: NaN or Infinity tokens are a failure."""
    def refuse(token):
        raise AssertionError('non-standard JSON token %s in %r'
                             % (token, text[:300]))
    return json.loads(text, parse_constant=refuse)


class Checker(object):
    """Sends requests and checks the property of the fuzz suite.

    * no answer is a 5xx;
    * a refused request (4xx) leaves every table unchanged;
    * an accepted write (2xx/3xx) is followed by reads that succeed.
    """

    def __init__(self, target, snapshot, ids, stats):
        self.target = target
        self.snapshot = snapshot
        self.ids = ids
        self.stats = stats

    def warm_up(self):
        """Valid writes first: each must be accepted."""
        for request in strategies.warm_up_requests():
            status = self.run(request)
            assert status < 400, (status, request)
        for request in strategies.warm_up_dependent(self.ids):
            status = self.run(request)
            assert status < 400, (status, request)

    def run(self, request):
        before = self.snapshot.take()
        status, text = self.target.send(request)
        self.stats.requests += 1
        self.stats.statuses[status] += 1
        assert status < 500, (
            '%s for %s %s?%s body=%r: %s' % (
                status, request.method, request.path, request.query,
                (request.body or b'')[:300], text[:1000]))
        data = None
        if text and status != 204:
            try:
                data = _strict_json(text)
            except ValueError:
                data = None   # router-level HTML/text bodies
        if status >= 400:
            self.stats.refused += 1
            after = self.snapshot.take()
            changed = [name for name in before if before[name] !=
                       after.get(name)]
            assert not changed, (
                'refused request (%s) changed %s: %s %s?%s body=%r: %s'
                % (status, changed, request.method, request.path,
                   request.query, (request.body or b'')[:300], text[:500]))
            return status
        self.ids.learn(request, status, data)
        if request.write:
            self.stats.accepted_writes += 1
            self.check_reads(request)
        return status

    def check_reads(self, after):
        for path, query, statuses in strategies.READS:
            status, text = self.target.send(strategies.Request(
                'GET', path, query, None, None, False))
            self.stats.reads += 1
            assert status in statuses, (
                'read %s?%s answered %s after %s %s body=%r: %s' % (
                    path, query, status, after.method, after.path,
                    (after.body or b'')[:300], text[:1000]))
            data = _strict_json(text)
            self.ids.learn(after, 200, None)
            if path.endswith('/scope') and status == 200:
                for scope in data['results']:
                    self.ids.add('scope_id', scope['scope_id'])
