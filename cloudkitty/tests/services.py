"""Reaching real services from tests.

A test that needs a service calls ``require(name, reason)`` when the
service is absent: it skips, unless ``CK_REQUIRE_SERVICES=1`` (as in CI),
where the absence is a failure.
"""
import os
import socket
import uuid

import pytest

MYSQL_URL = os.environ.get('CK_TEST_MYSQL_URL',
                           'mysql+pymysql://root@127.0.0.1:3306/')
POSTGRESQL_URL = os.environ.get(
    'CK_TEST_POSTGRESQL_URL', 'postgresql+psycopg2://postgres@127.0.0.1:5432/')
REDIS_URL = os.environ.get('CK_TEST_REDIS_URL', 'redis://127.0.0.1:6379')
RABBIT_URL = os.environ.get('CK_TEST_RABBIT_URL',
                            'rabbit://guest:guest@127.0.0.1:5672/')


def services_required():
    return os.environ.get('CK_REQUIRE_SERVICES', '') not in ('', '0')


def unavailable(name, reason):
    """Skip (or fail under CK_REQUIRE_SERVICES=1): ``name`` is absent."""
    message = '%s is not available: %s' % (name, reason)
    if services_required():
        pytest.fail(message + ' (CK_REQUIRE_SERVICES=1)', pytrace=False)
    pytest.skip(message)


def port_open(host, port, timeout=1.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def require_port(name, host, port):
    if not port_open(host, port):
        unavailable(name, 'nothing listens on %s:%s' % (host, port))


class TemporaryDatabase(object):
    """A fresh, uniquely named database on a real SQL server."""

    def __init__(self, backend, tmp_path=None):
        self.backend = backend
        self.name = 'ck_test_%s' % uuid.uuid4().hex[:12]
        self.tmp_path = tmp_path
        self.url = None

    def create(self):
        import sqlalchemy
        if self.backend == 'sqlite':
            path = os.path.join(str(self.tmp_path), self.name + '.sqlite')
            self.url = 'sqlite:///' + path
            return self.url
        if self.backend == 'mysql':
            require_port('MariaDB', '127.0.0.1', 3306)
            server = MYSQL_URL
            create = ('CREATE DATABASE %s CHARACTER SET utf8mb4 '
                      'COLLATE utf8mb4_bin' % self.name)
        elif self.backend == 'postgresql':
            require_port('PostgreSQL', '127.0.0.1', 5432)
            server = POSTGRESQL_URL
            create = 'CREATE DATABASE %s' % self.name
        else:
            raise ValueError('unknown backend %s' % self.backend)
        engine = sqlalchemy.create_engine(
            server + ('postgres' if self.backend == 'postgresql' else ''),
            isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as conn:
                conn.execute(sqlalchemy.text(create))
        except Exception as exc:
            unavailable(self.backend, str(exc).splitlines()[0])
        finally:
            engine.dispose()
        self.url = server + self.name
        return self.url

    def drop(self):
        import sqlalchemy
        if self.backend == 'sqlite' or self.url is None:
            return
        server = MYSQL_URL if self.backend == 'mysql' else POSTGRESQL_URL
        engine = sqlalchemy.create_engine(
            server + ('postgres' if self.backend == 'postgresql' else ''),
            isolation_level='AUTOCOMMIT')
        try:
            with engine.connect() as conn:
                if self.backend == 'postgresql':
                    conn.execute(sqlalchemy.text(
                        'DROP DATABASE IF EXISTS %s WITH (FORCE)'
                        % self.name))
                else:
                    conn.execute(sqlalchemy.text(
                        'DROP DATABASE IF EXISTS %s' % self.name))
        finally:
            engine.dispose()
