"""Shared pytest fixtures."""
from oslo_config import cfg
import pytest

from cloudkitty import db
from cloudkitty.tests import services

SQL_BACKENDS = ['sqlite', 'mysql', 'postgresql']


@pytest.fixture
def conf():
    """The global configuration, with every override undone afterwards."""
    import cloudkitty.common.config  # noqa: F401  (registers all options)
    cfg.CONF([], project='cloudkitty', default_config_files=[],
             default_config_dirs=[])
    yield cfg.CONF
    cfg.CONF.reset()
    cfg.CONF.clear_override('connection', 'database')


def _database(request, tmp_path, backend, conf):
    database = services.TemporaryDatabase(backend, tmp_path)
    url = database.create()
    conf.set_override('connection', url, 'database')
    db.reset()
    request.addfinalizer(database.drop)
    request.addfinalizer(db.reset)
    return url


@pytest.fixture(params=SQL_BACKENDS)
def sql_backend_url(request, tmp_path, conf):
    """An empty database on each SQL backend in turn; CONF points to it."""
    return _database(request, tmp_path, request.param, conf)


@pytest.fixture
def sqlite_url(request, tmp_path, conf):
    """An empty SQLite database; CONF points to it."""
    return _database(request, tmp_path, 'sqlite', conf)
