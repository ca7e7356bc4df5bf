"""The Gnocchi collector and fetcher against a real Gnocchi."""
import datetime
import decimal
import uuid

import pytest

from cloudkitty import collector
from cloudkitty.collector import gnocchi
from cloudkitty.fetcher import gnocchi as gnocchi_fetcher
from cloudkitty.tests.functional.fixtures import gnocchi as fixture
from cloudkitty.utils import tz as tzutils

HOUR = 3600
PERIODS = 3
SUFFIX = uuid.uuid4().hex[:8]
RESOURCE_TYPE = 'ck_instance_' + SUFFIX
POLICY = 'ck-hourly-' + SUFFIX
P1 = 'p1-' + SUFFIX
P2 = 'p2-' + SUFFIX
# resource -> (project, flavor, base)
RESOURCES = {
    str(uuid.uuid4()): (P1, 'm1.small', 10),
    str(uuid.uuid4()): (P1, 'm1.large', 40),
    str(uuid.uuid4()): (P2, 'm1.small', 20),
}


def _measures(base, period):
    # Two measures per hour: mean = base + period + 0.5, max = base + period
    # + 1, both exact in binary floating point.
    return [(10, base + period), (40, base + period + 1)]


def _mean(base, period):
    return decimal.Decimal(base + period) + decimal.Decimal('0.5')


@pytest.fixture(scope='module')
def gnocchi_data():
    server = fixture.get_server()
    client = server.client()
    client.archive_policy.create({
        'name': POLICY, 'back_window': 0,
        'aggregation_methods': ['mean', 'max', 'min', 'sum', 'last'],
        'definition': [{'granularity': '1:00:00', 'timespan': '30 days'}]})
    client.resource_type.create({'name': RESOURCE_TYPE, 'attributes': {
        'flavor_name': {'type': 'string', 'required': False}}})
    # Periods after the resources' creation: with use_history (always on)
    # Gnocchi only aggregates resource revisions that began before the end
    # of the period, and a revision begins when the resource is created.
    # Gnocchi accepts measures in the future.
    start = tzutils.align(tzutils.aware_utcnow(), HOUR) + datetime.timedelta(
        hours=1)
    metric_ids = []
    for resource_id, (project, flavor, base) in RESOURCES.items():
        resource = client.resource.create(RESOURCE_TYPE, {
            'id': resource_id, 'project_id': project,
            'user_id': 'u-' + SUFFIX, 'flavor_name': flavor,
            'metrics': {'cpu': {'archive_policy_name': POLICY}}})
        metric_id = resource['metrics']['cpu']
        metric_ids.append(metric_id)
        measures = []
        for period in range(PERIODS):
            begin = start + datetime.timedelta(hours=period)
            for minute, value in _measures(base, period):
                measures.append({
                    'timestamp': (begin + datetime.timedelta(
                        minutes=minute)).isoformat(),
                    'value': value})
        client.metric.add_measures(metric_id, measures)
    server.wait_processed(metric_ids)
    return server, start


@pytest.fixture
def gnocchi_conf(conf, gnocchi_data):
    server, _ = gnocchi_data
    for group in ('collector_gnocchi', 'fetcher_gnocchi'):
        conf.set_override('gnocchi_auth_type', 'basic', group)
        conf.set_override('gnocchi_user', 'admin', group)
        conf.set_override('gnocchi_endpoint', server.url, group)
    return conf


def _collector(metric_conf, name='cpu'):
    return gnocchi.GnocchiCollector(period=HOUR,
                                    conf={'metrics': {name: metric_conf}})


def test_collects_exact_points(gnocchi_conf, gnocchi_data):
    _, start = gnocchi_data
    coll = _collector({
        'unit': 'instance', 'alt_name': 'instance', 'groupby': ['user_id'],
        'metadata': ['flavor_name'],
        'extra_args': {'resource_type': RESOURCE_TYPE,
                       'aggregation_method': 'mean'}})
    for period in range(PERIODS):
        begin = start + datetime.timedelta(hours=period)
        end = begin + datetime.timedelta(hours=1)
        for project in (P1, P2):
            name, points = coll.retrieve('cpu@#instance', begin, end,
                                         project)
            assert name == 'instance'
            expected = {rid: (_mean(base, period), flavor)
                        for rid, (proj, flavor, base) in RESOURCES.items()
                        if proj == project}
            got = {p.groupby['id']: p for p in points}
            assert set(got) == set(expected)
            for rid, point in got.items():
                qty, flavor = expected[rid]
                assert point.qty == qty
                assert point.price == 0
                assert point.unit == 'instance'
                assert dict(point.metadata) == {'flavor_name': flavor}
                assert dict(point.groupby) == {
                    'id': rid, 'project_id': project,
                    'user_id': 'u-' + SUFFIX,
                    'week_of_the_year': begin.strftime('%U'),
                    'day_of_the_year': str(begin.timetuple().tm_yday),
                    'month': str(begin.month), 'year': str(begin.year)}


def test_max_factor_and_custom_query(gnocchi_conf, gnocchi_data):
    _, start = gnocchi_data
    end = start + datetime.timedelta(hours=1)
    coll = _collector({
        'unit': 'u', 'factor': '1/4', 'offset': 1,
        'extra_args': {'resource_type': RESOURCE_TYPE,
                       'aggregation_method': 'max'}})
    points = coll.fetch_all('cpu', start, end, P2)
    # max of the first hour is base + 1 = 21; 21 / 4 + 1.
    assert [p.qty for p in points] == [decimal.Decimal('6.25')]
    assert dict(points[0].metadata) == {}
    coll = _collector({
        'unit': 'u',
        'extra_args': {'resource_type': RESOURCE_TYPE,
                       'aggregation_method': 'max',
                       'custom_query': '(* (aggregate RE_AGGREGATION_METHOD '
                                       '(metric METRIC_NAME '
                                       'AGGREGATION_METHOD)) 2)'}})
    points = coll.fetch_all('cpu', start, end, P2)
    assert [p.qty for p in points] == [decimal.Decimal(42)]


def test_sum_over_project(gnocchi_conf, gnocchi_data):
    _, start = gnocchi_data
    coll = _collector({
        'unit': 'u', 'groupby': [],
        'extra_args': {'resource_type': RESOURCE_TYPE, 'resource_key': 'id',
                       'aggregation_method': 'mean',
                       're_aggregation_method': 'sum'}})
    # groupby always has project_id and id: one point per resource.
    points = coll.fetch_all('cpu', start, start + datetime.timedelta(
        hours=1), P1)
    assert sorted(p.qty for p in points) == [decimal.Decimal('10.5'),
                                             decimal.Decimal('40.5')]


def test_no_data_and_unknown_metric(gnocchi_conf, gnocchi_data):
    _, start = gnocchi_data
    end = start + datetime.timedelta(hours=1)
    coll = _collector({'unit': 'u', 'extra_args': {
        'resource_type': RESOURCE_TYPE, 'aggregation_method': 'mean'}})
    with pytest.raises(collector.NoDataCollected):
        coll.retrieve('cpu', start, end, 'no-such-project')
    coll = _collector({'unit': 'u', 'extra_args': {
        'resource_type': RESOURCE_TYPE, 'aggregation_method': 'mean'}},
        name='no.such.metric')
    assert coll.fetch_all('no.such.metric', start, end, P1) == []


def test_unreachable_gnocchi_is_collect_error(conf, gnocchi_data):
    _, start = gnocchi_data
    conf.set_override('gnocchi_auth_type', 'basic', 'collector_gnocchi')
    conf.set_override('gnocchi_endpoint', 'http://127.0.0.1:1',
                      'collector_gnocchi')
    coll = _collector({'unit': 'u', 'extra_args': {
        'resource_type': RESOURCE_TYPE}})
    with pytest.raises(collector.CollectError):
        coll.fetch_all('cpu', start, start + datetime.timedelta(hours=1),
                       P1)


def test_gnocchi_fetcher(gnocchi_conf):
    gnocchi_conf.set_override('resource_types', [RESOURCE_TYPE],
                              'fetcher_gnocchi')
    fetcher = gnocchi_fetcher.GnocchiFetcher()
    assert sorted(fetcher.get_tenants()) == sorted([P1, P2])
    gnocchi_conf.set_override('scope_attribute', 'user_id',
                              'fetcher_gnocchi')
    assert fetcher.get_tenants() == ['u-' + SUFFIX]
    gnocchi_conf.set_override('resource_types', [], 'fetcher_gnocchi')
    assert fetcher.get_tenants() == []
