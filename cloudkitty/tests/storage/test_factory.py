"""The storage factory and the helpers every v2 driver inherits."""
import datetime

import pytest

from cloudkitty import storage
from cloudkitty.storage import v2 as storage_v2
from cloudkitty.storage.v2 import influx
from cloudkitty.storage.v2 import sqlalchemy as sql_storage


def test_sqlalchemy_backend_is_loaded(conf, sqlite_url):
    conf.set_override('backend', 'sqlalchemy', 'storage')
    conf.set_override('period', 600, 'collect')
    driver = storage.get_storage()
    assert isinstance(driver, sql_storage.SQLAlchemyStorage)
    assert driver._period == 600
    assert storage.get_storage(period=60)._period == 60


def test_backend_keyword_wins(conf):
    conf.set_override('backend', 'sqlalchemy', 'storage')
    assert isinstance(storage.get_storage(backend='influxdb'),
                      influx.InfluxStorage)


def test_v1_storage_is_adapted(conf):
    from cloudkitty.storage import v1 as storage_v1
    from cloudkitty.storage.v1 import sqlalchemy as v1_sql
    conf.set_override('version', 1, 'storage')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    driver = storage.get_storage()
    assert isinstance(driver, storage_v1.V1StorageAdapter)
    assert isinstance(driver.storage, v1_sql.SQLAlchemyStorage)


def test_exceptions_are_reexported():
    assert storage.NoTimeFrame is storage_v2.NoTimeFrame
    assert storage.InvalidQuery is storage_v2.InvalidQuery
    exc = storage.InvalidQuery('bad thing')
    assert isinstance(exc, ValueError)
    assert exc.code == 400 and str(exc) == 'bad thing'
    assert exc.description == 'bad thing'


@pytest.mark.parametrize('groupby,expected', [
    (None, None),
    ([], []),
    (['type', 'project_id'], ['type', 'project_id']),
    (['time'], ['time']),
    (['time-d', 'time-w', 'time-m', 'time-y'],
     ['day_of_the_year', 'week_of_the_year', 'month', 'year']),
    (['time-a-b', 'x'], ['time-a-b', 'x']),
])
def test_parse_groupby(groupby, expected):
    parse = storage_v2.BaseStorage.parse_groupby_syntax_to_groupby_elements
    assert parse(groupby) == expected


def test_parse_groupby_invalid_time_option():
    parse = storage_v2.BaseStorage.parse_groupby_syntax_to_groupby_elements
    with pytest.raises(storage_v2.InvalidQuery) as exc:
        parse(['type', 'time-q'])
    assert str(exc.value) == ('Invalid groupby time option. There is no '
                              'groupby processing for [time-q].')


def test_retention(conf):
    conf.set_override('retention_period', 48, 'storage')
    driver = storage.get_storage(backend='influxdb')
    assert driver.get_retention() == datetime.timedelta(hours=48)
