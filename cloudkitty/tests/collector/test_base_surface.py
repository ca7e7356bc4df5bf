"""What collectors written for the reference's BaseCollector rely on."""
import datetime

import pytest
import voluptuous

from cloudkitty import collector
from cloudkitty.collector import exceptions

START = datetime.datetime(2019, 1, 6, 10, tzinfo=datetime.timezone.utc)
METRIC = {'unit': 'GiB', 'description': 'Volumes'}


def test_exceptions_are_importable_where_plugins_look():
    assert collector.CollectError is exceptions.CollectError
    assert str(collector.NoDataCollected('c', 'r')) == (
        "Collector 'c' returned no data for resource 'r'")
    assert issubclass(collector.InvalidConfiguration, Exception)


def test_create_data_point_adds_the_calendar_keys():
    groupby = {'id': 'a'}
    point = collector.BaseCollector._create_data_point(
        METRIC, 2, 0, groupby, {'m': 1}, START)
    expected = {'id': 'a', 'week_of_the_year': '01',
                'day_of_the_year': '6', 'month': '1', 'year': '2019'}
    assert dict(point.groupby) == expected
    # The caller's dict gets them too, as in the reference.
    assert groupby == expected
    assert (point.unit, point.qty, point.price, point.description) == (
        'GiB', 2, 0, 'Volumes')
    assert dict(point.metadata) == {'m': 1}
    assert collector.BaseCollector._create_data_point(
        METRIC, 1, 0, None, None, None).groupby['year']


def test_retrieve_passes_the_scope_positionally(conf):
    seen = []

    class Plugin(collector.BaseCollector):
        collector_name = 'plugin'

        def fetch_all(self, metric_name, start, end, tenant=None,
                      q_filter=None):
            seen.append((tenant, q_filter))
            return [self._create_data_point(self.conf[metric_name], 1, 0,
                                            {}, {}, start)]

    coll = Plugin(period=3600, conf={'metrics': {'cpu': {
        'unit': 'instance', 'alt_name': 'instance'}}})
    name, points = coll.retrieve('cpu@#instance', START, START, 'scope-1')
    assert name == 'instance' and len(points) == 1
    coll.retrieve('cpu@#instance', START, START, 'scope-2', q_filter='q')
    assert seen == [('scope-1', None), ('scope-2', 'q')]


def test_schemas():
    schema = voluptuous.Schema(collector.CONF_BASE_SCHEMA)
    conf = {'metrics': {'cpu': {'unit': 'i'}, 'vol': [{'unit': 'g'}]}}
    assert schema(conf) == conf
    for bad in ({'metrics': {'cpu': {}}}, {'metrics': {'cpu': []}},
                {'metrics': {'cpu': [{}]}}, {}):
        with pytest.raises(voluptuous.Invalid):
            schema(bad)
    metric = voluptuous.Schema(collector.METRIC_BASE_SCHEMA).extend(
        {voluptuous.Required('extra_args', default={}): {
            voluptuous.Required('key', default='k'): str}})
    assert metric({'unit': 'u'}) == {
        'unit': 'u', 'factor': 1, 'offset': 0, 'groupby': [],
        'metadata': [], 'mutate': 'NONE', 'extra_args': {'key': 'k'}}


def test_check_duplicates_and_map_mutator():
    metric = {'groupby': ['a', 'b', 'a'], 'metadata': ['c', 'c']}
    assert collector.check_duplicates('m', metric) is metric
    assert metric == {'groupby': ['a', 'b'], 'metadata': ['c']}
    with pytest.raises(collector.InvalidConfiguration,
                       match='Metric m has duplicates in groupby and '
                             'metadata'):
        collector.check_duplicates('m', {'groupby': ['a'],
                                         'metadata': ['a']})
    collector.validate_map_mutator('m', {'mutate': 'MAP',
                                         'mutate_map': {0: 1}})
    collector.validate_map_mutator('m', {'mutate': 'NONE'})
    with pytest.raises(collector.InvalidConfiguration,
                       match='uses MAP mutator but mutate_map is missing'):
        collector.validate_map_mutator('m', {'mutate': 'MAP'})
    with pytest.raises(collector.InvalidConfiguration,
                       match='not using MAP mutator but mutate_map is '
                             'present'):
        collector.validate_map_mutator('m', {'mutate': 'CEIL',
                                             'mutate_map': {}})
