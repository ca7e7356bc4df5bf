"""The rating module base class, as third-party modules use it."""
import datetime

import pytest

from cloudkitty import dataframe
from cloudkitty.db import api as db_api
from cloudkitty import messaging
from cloudkitty import rating

START = datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc)


class Module(rating.RatingProcessorBase):
    module_name = 'third'
    description = 'A third-party module.'

    def __init__(self, tenant=None):
        super().__init__(tenant)

    def reload_config(self, start=None):
        pass

    def process(self, data):
        for _type, points in data.itertypes():
            points[:] = [p.set_price(p.qty) for p in points]
        return data


@pytest.fixture
def modules_db(sqlite_url):
    db_api.get_migration().upgrade('head')


def test_defaults_and_state(modules_db, monkeypatch):
    sent = []
    monkeypatch.setattr(messaging, 'notify_modules',
                        lambda method, name: sent.append((method, name)))
    module = Module('scope')
    assert module._tenant_id == 'scope'
    assert (Module.hot_config, Module.config_controller, Module.db_api) == (
        False, None, None)
    assert module.module_info == {
        'name': 'third', 'description': 'A third-party module.',
        'hot_config': False, 'enabled': False, 'priority': 1}
    assert module.set_state(True) is True
    assert module.set_priority(0) == 0
    # A stored 0 reads back as 1.
    assert (Module().enabled, Module().priority) == (True, 1)
    module.notify_reload()
    assert sent == [('enable_module', 'third'), ('reload_module', 'third'),
                    ('reload_module', 'third')]


def test_quote_is_process_and_nodata_is_a_noop(modules_db):
    frame = dataframe.DataFrame(START, START, {'cpu': [
        dataframe.DataPoint('u', 3, 0, {}, {})]})
    module = Module()
    assert module.quote(frame) is frame
    assert [p.price for _t, p in frame.iterpoints()] == [3]
    assert module.nodata(START, START) is None


def test_abstract_methods():
    class Incomplete(rating.RatingProcessorBase):
        def process(self, data):
            return data

    with pytest.raises(TypeError):
        Incomplete()
