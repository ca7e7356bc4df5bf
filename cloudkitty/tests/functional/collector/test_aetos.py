"""The Aetos collector: Keystone catalog + token, Prometheus API.

A real Keystone holds a ``metric-storage`` endpoint pointing at a real
Prometheus (which ignores the token, as Aetos' backend would not).
"""
import datetime
import decimal
import uuid

from keystoneauth1 import loading as ks_loading
import pytest

from cloudkitty import collector
from cloudkitty.collector import aetos
from cloudkitty.tests.functional.fixtures import keystone as ks_fixture
from cloudkitty.tests.functional.fixtures import prometheus as prom_fixture
from cloudkitty.utils import tz as tzutils

GROUP = 'collector_aetos'
METRIC = 'ck_aetos_%s' % uuid.uuid4().hex[:8]
PROJECT = 'p-' + uuid.uuid4().hex[:8]
REGION = 'ck-aetos-' + uuid.uuid4().hex[:6]


@pytest.fixture(scope='module')
def services():
    keystone = ks_fixture.get_server()
    prom = prom_fixture.get_server()
    start = tzutils.align(tzutils.aware_utcnow(), 3600) - datetime.timedelta(
        hours=2)
    first = int(start.timestamp())
    prom.backfill([prom_fixture.Series(
        METRIC, {'project_id': PROJECT, 'id': 'vm1'},
        [(first + 30 + 60 * i, i) for i in range(60)])])
    client = keystone.client()
    client.regions.create(id=REGION)
    service = client.services.create(name='aetos', type='metric-storage')
    client.endpoints.create(service, prom.url, interface='public',
                            region=REGION)
    return keystone, prom, start


@pytest.fixture
def aetos_conf(conf, services):
    keystone, _, _ = services
    plugin_opts = ks_loading.get_auth_plugin_conf_options('password')
    conf.register_opts(plugin_opts, GROUP)
    for key, value in (('auth_type', 'password'),
                       ('auth_url', keystone.url),
                       ('username', 'admin'),
                       ('password', keystone.admin_password),
                       ('project_name', 'admin'),
                       ('user_domain_name', 'Default'),
                       ('project_domain_name', 'Default'),
                       ('region_name', REGION)):
        conf.set_override(key, value, GROUP)
    yield conf
    # keystoneauth registered required plugin options: drop them so that
    # the next parse of the global configuration does not require them.
    conf.reset()
    conf.unregister_opts(plugin_opts, GROUP)


def test_loaded_by_name_and_collects(aetos_conf, services):
    _, _, start = services
    coll = collector.get_collector('aetos', 3600, {'metrics': {METRIC: {
        'unit': 'u', 'groupby': ['id'],
        'extra_args': {'aggregation_method': 'max'}}}})
    assert isinstance(coll, aetos.AetosCollector)
    name, points = coll.retrieve(METRIC, start,
                                 start + datetime.timedelta(hours=1),
                                 PROJECT)
    assert name == METRIC
    assert [(p.groupby['id'], p.groupby['project_id'], p.qty)
            for p in points] == [('vm1', PROJECT, decimal.Decimal(59))]


def test_errors(aetos_conf, services):
    _, _, start = services
    coll = collector.get_collector('aetos', 3600, {'metrics': {METRIC: {
        'unit': 'u', 'extra_args': {'query_prefix': 'bad ('}}}})
    with pytest.raises(collector.CollectError) as exc:
        coll.fetch_all(METRIC, start, start + datetime.timedelta(hours=1),
                       PROJECT)
    assert str(exc.value).startswith('bad_data: ')
    aetos_conf.set_override('region_name', 'no-such-region', GROUP)
    coll = collector.get_collector('aetos', 3600, {'metrics': {METRIC: {
        'unit': 'u'}}})
    with pytest.raises(collector.CollectError):
        coll.fetch_all(METRIC, start, start + datetime.timedelta(hours=1),
                       PROJECT)
