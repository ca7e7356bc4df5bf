"""Storage fixtures: one driver per backend, on a real database."""
import uuid

from oslo_config import cfg
import pytest

from cloudkitty import db
from cloudkitty.tests import services

BACKENDS = ['sqlite', 'mysql', 'postgresql', 'influxdb']


def _configure():
    import cloudkitty.common.config  # noqa: F401 (registers all options)
    cfg.CONF([], project='cloudkitty', default_config_files=[],
             default_config_dirs=[])
    cfg.CONF.set_override('period', 3600, 'collect')


def _unconfigure():
    cfg.CONF.reset()
    for name, group in (('connection', 'database'), ('backend', 'storage'),
                        ('period', 'collect'), ('port', 'storage_influxdb'),
                        ('host', 'storage_influxdb'),
                        ('database', 'storage_influxdb')):
        cfg.CONF.clear_override(name, group)
    db.reset()


@pytest.fixture(scope='module', params=BACKENDS)
def backend(request, tmp_path_factory):
    """(name, driver, state) of a freshly initialised storage backend.

    ``state['loaded']`` tells whether a test module's dataset is stored.
    """
    return make_backend(request, tmp_path_factory, request.param)


def make_backend(request, tmp_path_factory, name):
    from cloudkitty import storage

    _configure()
    request.addfinalizer(_unconfigure)
    if name == 'influxdb':
        from cloudkitty.tests.functional.fixtures import influxdb
        server = influxdb.require_server()
        database = 'ck_test_%s' % uuid.uuid4().hex[:12]
        cfg.CONF.set_override('host', server.host, 'storage_influxdb')
        cfg.CONF.set_override('port', server.port, 'storage_influxdb')
        cfg.CONF.set_override('database', database, 'storage_influxdb')
        cfg.CONF.set_override('backend', 'influxdb', 'storage')
        request.addfinalizer(lambda: server.drop_database(database))
    else:
        database = services.TemporaryDatabase(
            name, tmp_path_factory.mktemp('storage'))
        url = database.create()
        request.addfinalizer(database.drop)
        cfg.CONF.set_override('connection', url, 'database')
        cfg.CONF.set_override('backend', 'sqlalchemy', 'storage')
        db.reset()
    driver = storage.get_storage()
    driver.init()
    return name, driver, {'loaded': False}


@pytest.fixture
def storage(backend):
    """The backend's driver, emptied."""
    driver, state = backend[1], backend[2]
    driver.delete()
    state['loaded'] = False
    return driver


@pytest.fixture
def sql_driver(sql_backend_url, conf):
    """The sqlalchemy storage, initialised on each SQL backend in turn."""
    from cloudkitty import storage
    from cloudkitty.tests.storage.v2 import workload
    conf.set_override('period', workload.HOUR, 'collect')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    result = storage.get_storage()
    result.init()
    yield result
    conf.clear_override('period', 'collect')
    conf.clear_override('backend', 'storage')
