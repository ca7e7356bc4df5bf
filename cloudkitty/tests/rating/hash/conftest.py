"""Fixtures of the hashmap tests: a migrated database, a v1 test app."""
import json
import shutil

from alembic import command
import pecan
import pytest
import sqlalchemy as sa
import webob

from cloudkitty import db
from cloudkitty.rating.hash import db_api


@pytest.fixture(scope='session')
def _hashmap_template(tmp_path_factory):
    """An SQLite file migrated once; tests get a copy (fast)."""
    path = str(tmp_path_factory.mktemp('hashmap') / 'template.sqlite')
    engine = sa.create_engine('sqlite:///' + path)
    with engine.begin() as connection:
        command.upgrade(db_api.get_migration().config(connection), 'head')
    engine.dispose()
    return path


@pytest.fixture
def hashmap_db(sqlite_url, _hashmap_template):
    """An SQLite database with the hashmap chain at head."""
    db.reset()
    shutil.copyfile(_hashmap_template, sqlite_url[len('sqlite:///'):])
    return db_api.get_instance()


class _Root(object):
    """/v1/rating/module_config/hashmap → the hashmap controller."""

    def __init__(self):
        from cloudkitty.rating.hash.controllers import root

        class _Config(object):
            hashmap = root.HashMapConfigController()

        class _Rating(object):
            module_config = _Config()

        class _V1(object):
            rating = _Rating()

        self.v1 = _V1()


class Client(object):
    """Minimal HTTP client over a WSGI app (webob)."""

    def __init__(self, app, prefix='/v1/rating/module_config/hashmap'):
        self.app = app
        self.prefix = prefix

    def request(self, method, path, body=None, headers=None, raw=None):
        url = path if path.startswith('/') else self.prefix + '/' + path
        req = webob.Request.blank(url, method=method,
                                  base_url='http://localhost:8889')
        req.headers['Accept'] = 'application/json'
        if body is not None or raw is not None:
            req.body = (raw if raw is not None
                        else json.dumps(body)).encode()
            req.content_type = 'application/json'
        for key, value in (headers or {}).items():
            req.headers[key] = value
        resp = req.get_response(self.app)
        resp.data = None
        if resp.body and resp.content_type == 'application/json':
            resp.data = json.loads(resp.body)
        return resp

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, body=None, **kw):
        return self.request('POST', path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request('PUT', path, body, **kw)

    def delete(self, path, body=None, **kw):
        return self.request('DELETE', path, body, **kw)


@pytest.fixture
def client(hashmap_db, conf):
    """A client of a pecan app serving only the hashmap API (noauth)."""
    from cloudkitty.api.v1 import hooks
    conf.set_override('auth_strategy', 'noauth')
    app = pecan.make_app(_Root(), hooks=[hooks.ContextHook(),
                                         hooks.ErrorHook()],
                         force_canonical=False,
                         guess_content_type_from_ext=False, logging={})
    return Client(app)
