"""Gnocchi collector helpers and fetch logic with a fake client."""
import copy
import datetime
import decimal

from gnocchiclient import exceptions as gnocchi_exc
import pytest

from cloudkitty import collector
from cloudkitty.collector import gnocchi

START = datetime.datetime(2024, 1, 1, 10, tzinfo=datetime.timezone.utc)
END = START + datetime.timedelta(hours=1)


def test_gen_filter():
    assert gnocchi.gen_filter() == {}
    assert gnocchi.gen_filter(project_id='p') == {'=': {'project_id': 'p'}}
    assert gnocchi.gen_filter(cop='>=', lop='or', b=2, a=1) == {
        'or': [{'>=': {'a': 1}}, {'>=': {'b': 2}}]}


def test_extend_filter():
    one = {'=': {'a': 1}}
    two = {'=': {'b': 2}}
    assert gnocchi.extend_filter() == {}
    assert gnocchi.extend_filter({}, one) == one
    assert gnocchi.extend_filter([one, {}], two) == {'and': [one, two]}
    assert gnocchi.extend_filter(one, two, lop='or') == {'or': [one, two]}


def group(resource_id, revision_start, value, **attrs):
    attrs.update({'id': resource_id, 'revision_start': revision_start})
    aggregated = [] if value is None else [(START, 3600.0, value)]
    return {'group': attrs, 'measures': {'measures': {
        'aggregated': aggregated}}}


def test_collapse_revisions():
    data = [group('a', '2024-01-01T09:00', 1.0, flavor='small'),
            group('a', '2024-01-01T10:20', 2.5, flavor='large'),
            group('b', '2024-01-01T08:00', 4.0)]
    out = gnocchi.collapse_revisions(copy.deepcopy(data))
    by_id = {g['group']['id']: g for g in out}
    assert by_id['a']['group']['flavor'] == 'large'
    assert by_id['a']['measures']['measures']['aggregated'][0][2] == 3.5
    assert by_id['b']['measures']['measures']['aggregated'][0][2] == 4.0
    # Without an id in the groups the data is left alone.
    no_id = [{'group': {'x': 1}, 'measures': {'measures': {
        'aggregated': []}}}]
    assert gnocchi.collapse_revisions(no_id) == no_id
    assert gnocchi.collapse_revisions([]) == []


def test_metric_not_found_detection():
    assert gnocchi.is_metric_not_found(gnocchi_exc.MetricNotFound(404))
    assert gnocchi.is_metric_not_found(gnocchi_exc.BadRequest(
        400, {'cause': 'Metrics not found', 'detail': ['cpu']}))
    assert not gnocchi.is_metric_not_found(gnocchi_exc.BadRequest(
        400, 'Invalid input'))


class FakeAggregates(object):
    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def fetch(self, operations, **kwargs):
        self.calls.append((operations, kwargs))
        if isinstance(self.answer, Exception):
            raise self.answer
        return copy.deepcopy(self.answer)


class FakeResources(object):
    def __init__(self, resources):
        self.resources = resources
        self.calls = []

    def search(self, **kwargs):
        self.calls.append(kwargs)
        if kwargs.get('marker'):
            return []
        return copy.deepcopy(self.resources)


class FakeClient(object):
    def __init__(self, answer, resources=()):
        self.aggregates = FakeAggregates(answer)
        self.resource = FakeResources(list(resources))


def make(conf, answer, resources=(), **definition):
    definition.setdefault('unit', 'instance')
    definition.setdefault('extra_args', {'resource_type': 'instance'})
    conf.set_override('gnocchi_auth_type', 'basic', 'collector_gnocchi')
    conf.set_override('gnocchi_endpoint', 'http://gnocchi',
                      'collector_gnocchi')
    coll = gnocchi.GnocchiCollector(period=3600,
                                    conf={'metrics': {'cpu': definition}})
    coll._conn = FakeClient(answer, resources)
    return coll


def test_fetch_all_query_and_points(conf):
    answer = [group('a', None, 2.0, project_id='p'),
              group('b', None, None, project_id='p'),
              group('c', None, 5.0, project_id='p')]
    resources = [{'id': 'a', 'flavor_name': 'small'}]
    coll = make(conf, answer, resources, metadata=['flavor_name'],
                factor=2, extra_args={'resource_type': 'instance',
                                      'aggregation_method': 'mean'})
    points = coll.fetch_all('cpu', START, END, 'p')
    # b has no aggregate, c's resource was not found: skipped.
    assert [(p.groupby['id'], p.qty) for p in points] == [
        ('a', decimal.Decimal('4.0'))]
    assert dict(points[0].metadata) == {'flavor_name': 'small'}
    assert points[0].groupby['project_id'] == 'p'
    assert points[0].groupby['year'] == '2024'
    operations, kwargs = coll._conn.aggregates.calls[0]
    assert operations == ['aggregate', 'max', ['metric', 'cpu', 'mean']]
    assert kwargs == {
        'resource_type': 'instance', 'start': START, 'stop': END,
        'use_history': True, 'groupby': ['project_id', 'id'],
        'search': {'and': [{'=': {'type': 'instance'}},
                           {'=': {'project_id': 'p'}}]},
        'granularity': 3600}
    search = coll._conn.resource.calls[0]
    assert search['resource_type'] == 'instance'
    assert search['sorts'] == ['id:asc']
    assert search['details'] is True
    assert search['query'] == {'and': [
        {'or': [{'=': {'ended_at': None}},
                {'>=': {'ended_at': (START - datetime.timedelta(
                    hours=1)).isoformat()}}]},
        {'<=': {'started_at': (END + datetime.timedelta(
            hours=1)).isoformat()}},
        {'=': {'project_id': 'p'}}]}


def test_rate_granularity_and_no_scope(conf):
    coll = make(conf, [], extra_args={
        'resource_type': 'instance', 're_aggregation_method': 'rate:max',
        'force_granularity': 300})
    assert coll.fetch_all('cpu', START, END) == []
    _, kwargs = coll._conn.aggregates.calls[0]
    assert kwargs['start'] == START - datetime.timedelta(seconds=300)
    assert kwargs['granularity'] == 300
    assert kwargs['search'] == {'=': {'type': 'instance'}}
    coll = make(conf, [], extra_args={'resource_type': 'instance',
                                      'force_granularity': 0})
    coll.fetch_all('cpu', START, END, 'p')
    assert 'granularity' not in coll._conn.aggregates.calls[0][1]


def test_custom_query(conf):
    coll = make(conf, [], extra_args={
        'resource_type': 'instance', 'aggregation_method': 'mean',
        're_aggregation_method': 'sum',
        'custom_query': '(* (aggregate RE_AGGREGATION_METHOD (metric '
                        'METRIC_NAME AGGREGATION_METHOD)) 2)'})
    coll.fetch_all('cpu', START, END, 'p')
    assert coll._conn.aggregates.calls[0][0] == (
        '(* (aggregate sum (metric cpu mean)) 2)')


def test_errors(conf):
    coll = make(conf, gnocchi_exc.MetricNotFound(404))
    assert coll.fetch_all('cpu', START, END, 'p') == []
    coll = make(conf, gnocchi_exc.ClientException(500, 'boom'))
    with pytest.raises(collector.CollectError):
        coll.fetch_all('cpu', START, END, 'p')


def test_use_all_resource_revisions_false(conf):
    answer = [group('a', '1', 1.0, project_id='p'),
              group('a', '2', 2.0, project_id='p')]
    coll = make(conf, answer, groupby=['revision_start'], extra_args={
        'resource_type': 'instance', 'use_all_resource_revisions': False})
    points = coll.fetch_all('cpu', START, END, 'p')
    assert [(p.groupby['revision_start'], p.qty) for p in points] == [
        ('2', decimal.Decimal('3.0'))]
