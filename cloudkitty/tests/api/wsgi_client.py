"""A small client of the in-process WSGI app, shared by the API tests."""
import json

from werkzeug import test as wz_test


class Response(object):
    def __init__(self, resp):
        self.status = resp.status_code
        self.headers = resp.headers
        self.text = resp.get_data(as_text=True)

    def json(self):
        return json.loads(self.text)


class Client(object):
    """werkzeug test client; ``headers`` are sent with every request.

    A ``body`` that is a str or bytes is sent as is (malformed input);
    anything else as JSON.
    """

    def __init__(self, app):
        self._client = wz_test.Client(app)
        self.headers = {}

    def request(self, method, path, query=None, body=None, headers=None,
                content_type='application/json'):
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        kwargs = {'headers': all_headers, 'query_string': query}
        if body is not None:
            kwargs['data'] = (body if isinstance(body, (str, bytes))
                              else json.dumps(body))
            kwargs['content_type'] = content_type
        return Response(self._client.open(path, method=method, **kwargs))

    def get(self, path, query=None, **kwargs):
        return self.request('GET', path, query=query, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self.request('PUT', path, body=body, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request('POST', path, body=body, **kwargs)
