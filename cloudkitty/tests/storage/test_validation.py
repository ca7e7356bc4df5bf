"""Storage options that cannot work: one line naming the option and fix."""
import pytest

from cloudkitty import storage
from cloudkitty.storage import validation


@pytest.mark.parametrize('version,backend,expected', [
    (2, 'opensearch', '[storage] backend = opensearch is not available in '
     'this CloudKitty (installed with [storage] version = 2: influxdb, '
     'sqlalchemy): set [storage] backend = sqlalchemy'),
    (2, 'nope', '[storage] backend = nope is not a v2 storage driver'),
    (1, 'loki', '[storage] backend = loki is not a v1 storage driver'),
])
def test_get_storage_unknown_backend(conf, version, backend, expected):
    conf.set_override('version', version, 'storage')
    conf.set_override('backend', backend, 'storage')
    with pytest.raises(storage.StorageConfigError) as exc:
        storage.get_storage()
    assert str(exc.value).startswith(expected)
    assert '\n' not in str(exc.value)


def test_influxdb_options(conf):
    assert 'database is not set' in validation.config_error(2, 'influxdb')
    conf.set_override('database', 'cloudkitty', 'storage_influxdb')
    assert validation.config_error(2, 'influxdb') is None
    conf.set_override('version', 2, 'storage_influxdb')
    assert validation.config_error(2, 'influxdb').startswith(
        '[storage_influxdb] version = 2 is not supported')


def test_sqlalchemy_needs_nothing(conf):
    assert validation.config_error(2, 'sqlalchemy') is None


def test_driver_check_hook(conf, monkeypatch):
    from cloudkitty.storage.v2 import sqlalchemy as sql_storage
    monkeypatch.setattr(sql_storage.SQLAlchemyStorage, 'check_config',
                        classmethod(lambda cls: '[x] y is wrong: set it'),
                        raising=False)
    assert validation.config_error(2, 'sqlalchemy') == '[x] y is wrong: set it'
