"""The example third-party plugins, driven in-process by CloudKitty's code.

(The end-to-end test runs them in real processor and API processes.)
"""
import datetime
import decimal
import logging
import threading

import pytest

from cloudkitty import collector as ck_collector
from cloudkitty.db import api as ck_db_api
from cloudkitty import orchestrator
from cloudkitty import storage_state
from cloudkitty.tests.thirdparty_plugins import collector
from cloudkitty.tests.thirdparty_plugins import db_api
from cloudkitty.tests.thirdparty_plugins import fetcher
from cloudkitty.tests.thirdparty_plugins import rating
from cloudkitty.tests.thirdparty_plugins import storage
from cloudkitty.utils import tz as tzutils

D = decimal.Decimal
HOUR = datetime.timedelta(hours=1)
START = datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc)

METRICS = {'metrics': {
    'cpu': {'unit': 'instance', 'alt_name': 'instance',
            'groupby': ['id', 'user_id'], 'metadata': ['flavor_name'],
            'mutate': 'NUMBOOL'},
    'volume.size': {'unit': 'GiB', 'groupby': ['id'], 'factor': '1/2',
                    'extra_args': {'base': '3'}},
}}


@pytest.fixture
def database(sqlite_url):
    ck_db_api.get_migration().upgrade('head')
    db_api.get_migration().upgrade('head')
    state = storage_state.StateManager()
    state.init()
    return state


@pytest.fixture
def store(conf, tmp_path):
    conf.set_override('path', str(tmp_path / 'points.jsonl'),
                      'storage_example')
    driver = storage.ExampleStorage(period=3600)
    driver.init()
    return driver


def test_collector_retrieve_positional_scope(conf):
    coll = collector.ExampleCollector(period=3600, conf=METRICS)
    assert sorted(coll.conf) == ['cpu@#instance', 'volume.size']
    assert coll.conf['volume.size']['extra_args'] == {'base': '3'}
    name, points = coll.retrieve('volume.size', START, START + HOUR, 'p1')
    assert name == 'volume.size'
    assert [p.qty for p in points] == [D('1.5'), D('3.0')]
    point = points[0]
    assert point.unit == 'GiB' and point.price == 0
    assert dict(point.groupby) == {
        'id': 'p1-volume.size-0', 'project_id': 'p1',
        'week_of_the_year': '00', 'day_of_the_year': '1', 'month': '1',
        'year': '2019'}
    name, points = coll.retrieve('cpu@#instance', START, START + 2 * HOUR,
                                 'p1')
    assert name == 'instance'
    assert [p.qty for p in points] == [1.0, 1.0]
    assert points[1].metadata == {'flavor_name': 'm1.small'}


def test_collector_no_data_and_validation(conf):
    conf.set_override('resources', 0, 'collector_example')
    coll = collector.ExampleCollector(period=3600, conf=METRICS)
    with pytest.raises(ck_collector.NoDataCollected):
        coll.retrieve('volume.size', START, START + HOUR, 'p1')
    with pytest.raises(ck_collector.InvalidConfiguration):
        collector.ExampleCollector(period=3600, conf={'metrics': {
            'cpu': {'unit': 'instance', 'bogus': 1}}})
    # The v1 info API validates with the configured collector's schema.
    validated = ck_collector.validate_conf(METRICS,
                                           collector.ExampleCollector)
    assert validated['volume.size']['alt_name'] == 'volume.size'


def test_fetcher(conf):
    conf.set_override('scopes', ['a', 'b', 'a'], 'fetcher_example')
    assert fetcher.ExampleFetcher().get_tenants() == ['a', 'b']


def test_rating_module(database):
    module = rating.ExampleRating()
    assert module.module_info == {
        'name': 'example', 'description': rating.ExampleRating.description,
        'hot_config': True, 'enabled': False, 'priority': 1}
    assert module.set_state(True) is True
    assert module.set_priority(5) == 5
    assert rating.ExampleRating('p1').enabled
    assert rating.ExampleRating('p1').priority == 5
    db_api.set_price('instance', D('0.25'))
    coll = collector.ExampleCollector(period=3600, conf=METRICS)
    name, points = coll.retrieve('cpu@#instance', START, START + HOUR, 'p1')
    frame = orchestrator.dataframe.DataFrame(START, START + HOUR,
                                             {name: points})
    module = rating.ExampleRating('p1')
    module.reload_config(START)
    rated = module.quote(frame)
    assert [p.price for _t, p in rated.iterpoints()] == [D('0.25')] * 2


def test_storage_contract(conf, store):
    coll = collector.ExampleCollector(period=3600, conf=METRICS)
    frames = []
    for scope in ('p1', 'p2'):
        for hour in range(2):
            start = START + hour * HOUR
            frame = orchestrator.dataframe.DataFrame(start, start + HOUR)
            for metric in sorted(coll.conf):
                name, points = coll.retrieve(metric, start, start + HOUR,
                                             scope)
                frame.add_points([p.set_price(p.qty) for p in points],
                                 name)
            frames.append(frame)
    store.push(frames, None)
    # Idempotent: a period pushed again replaces its points.
    store.push(frames[:1], None)
    window = {'begin': START, 'end': START + 2 * HOUR}
    result = store.retrieve(paginate=False, **window)
    assert result['total'] == 16
    assert len(result['dataframes']) == 2
    totals = store.total(groupby=['project_id', 'type'], **window)
    assert [(r['project_id'], r['type'], r['rate'])
            for r in totals['results']] == [
        ('p1', 'instance', D('4.0')), ('p1', 'volume.size', D('9.0')),
        ('p2', 'instance', D('4.0')), ('p2', 'volume.size', D('9.0'))]
    by_day = store.total(groupby=['time-d'], filters={'project_id': 'p2'},
                         metric_types='instance', **window)
    assert by_day['results'][0]['day_of_the_year'] == '1'
    assert by_day['results'][0]['qty'] == D('4.0')
    store.delete(begin=START, filters={'project_id': 'p1'})
    assert store.retrieve(paginate=False, **window)['total'] == 8


class _Modules(object):
    """Stands for the processor's module list: a module class per scope."""

    def __init__(self, classes):
        self.classes = classes

    def for_scope(self, scope):
        return [self.classes.get(scope, rating.ExampleRating)(scope)]

    def entry_point_name(self, module):
        return 'example'

    def invalidate(self):
        pass


class BrokenRating(rating.ExampleRating):
    def process(self, data):
        raise RuntimeError('price list corrupted')


class OldStyleRating(rating.ExampleRating):
    """A module written for older releases: reload_config(self)."""

    reloads = 0

    def reload_config(self):
        OldStyleRating.reloads += 1
        super().reload_config()


def _processor(conf, tmp_path, state, store, modules, scopes):
    conf.set_override('coordination_url', 'file://%s' % tmp_path,
                      'orchestrator')
    conf.set_override('scopes', scopes, 'fetcher_example')
    service = object.__new__(orchestrator.CloudKittyProcessor)
    service._worker_id = 0
    service._stop = threading.Event()
    service.fetcher = fetcher.ExampleFetcher()
    service.collector = collector.ExampleCollector(period=3600,
                                                   conf=METRICS)
    service.storage = store
    service._state = state
    service._modules = modules
    service._skip = {}
    service._default_skip = orchestrator.SkipExpression('False')
    service._executor = None
    service.coord = orchestrator.get_coordinator()
    return service


def test_processor_with_third_party_plugins(conf, tmp_path, database, store,
                                            caplog):
    conf.set_override('collector', 'example', 'collect')
    conf.set_override('period', 3600, 'collect')
    conf.set_override('wait_periods', 1, 'collect')
    db_api.set_price('instance', D('0.5'))
    db_api.set_price('volume.size', D('2'))
    last = tzutils.align(tzutils.localized_now(), 3600) - 3 * HOUR
    scopes = ['p1', 'broken', 'old']
    for scope in scopes:
        database.set_last_processed_timestamp(scope, last)
    modules = _Modules({'broken': BrokenRating, 'old': OldStyleRating})
    service = _processor(conf, tmp_path, database, store, modules, scopes)
    OldStyleRating.reloads = 0
    try:
        with caplog.at_level(logging.ERROR):
            done, locked, failed = service.internal_run()
    finally:
        service.coord.stop()
    assert (done, locked, failed) == (4, 0, 1)
    # The failing module is named with its entry point, scope and period.
    period = last + HOUR
    assert any('Rating module example failed for scope broken, period [%s'
               % period in r.getMessage() for r in caplog.records)
    # Nothing processed for the failing scope; the others went on.
    assert database.get_last_processed_timestamp('broken') == last
    assert database.get_last_processed_timestamp('p1') == last + 2 * HOUR
    assert database.get_last_processed_timestamp('old') == last + 2 * HOUR
    # reload_config() without argument for the old-style module.
    assert OldStyleRating.reloads == 2
    totals = store.total(groupby=['project_id'], begin=last,
                         end=last + 3 * HOUR)
    # Per period: 2 instances at 0.5, volumes 1.5 + 3.0 at 2.
    assert [(r['project_id'], r['rate']) for r in totals['results']] == [
        ('old', D('20.0')), ('p1', D('20.0'))]


def test_developer_guides_include_these_examples():
    # The guides show the code of this pack, which these tests run.
    import glob
    import os
    import re
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..',
                                        '..', '..'))
    guides = glob.glob(os.path.join(root, 'doc', 'source', 'developer',
                                    '*.rst'))
    included = set()
    for guide in guides:
        with open(guide) as handle:
            for target in re.findall(r'literalinclude:: (\S+)',
                                     handle.read()):
                path = os.path.normpath(os.path.join(
                    os.path.dirname(guide), target))
                assert os.path.exists(path), (guide, target)
                included.add(os.path.relpath(path, os.path.dirname(
                    __file__)))
    assert {'collector.py', 'fetcher.py', 'rating.py', 'db_api.py',
            'storage.py'} <= included


def test_dataframe_keyword_names():
    point = orchestrator.dataframe.DataPoint(
        unit='GiB', qty='1.5', price=0, groupby={'id': 'a'},
        metadata={'m': 1})
    frame = orchestrator.dataframe.DataFrame(start=START, end=START + HOUR,
                                             usage=None)
    frame.add_point(point=point, type_='volume')
    frame.add_points(points=[point.set_price('2')], type_='volume')
    as_dict = frame.as_dict(legacy=False, mutable=True)
    again = orchestrator.dataframe.DataFrame.from_dict(as_dict, legacy=False)
    assert [p.price for _t, p in again.iterpoints()] == [D(0), D(2)]
    legacy = orchestrator.dataframe.DataPoint.from_dict(
        point.as_dict(legacy=True, mutable=True), legacy=True)
    assert legacy.groupby == {'id': 'a', 'm': 1}
    assert point.desc == {'id': 'a', 'm': 1}
    assert '"qty": 1.5' in point.json(legacy=False)


def test_parse_groupby_is_a_method(store):
    from cloudkitty.storage import v2 as storage_v2
    assert store.parse_groupby_syntax_to_groupby_elements(
        groupbys=['time-d', 'type']) == ['day_of_the_year', 'type']
    base = storage_v2.BaseStorage
    assert base.parse_groupby_syntax_to_groupby_elements(
        store, ['time-w']) == ['week_of_the_year']
    # Callers of the former static function keep working.
    assert base.parse_groupby_syntax_to_groupby_elements(['time-m']) == [
        'month']
    with pytest.raises(storage_v2.InvalidQuery):
        store.parse_groupby_syntax_to_groupby_elements(['time-q'])


class FlakyCollector(collector.ExampleCollector):
    def fetch_all(self, metric_name, start, end, project_id=None,
                  q_filter=None):
        if project_id == 'down':
            raise ck_collector.CollectError('source unreachable')
        return super().fetch_all(metric_name, start, end, project_id,
                                 q_filter)


def test_failing_collector_is_logged(conf, tmp_path, database, store,
                                     caplog):
    conf.set_override('collector', 'example', 'collect')
    conf.set_override('period', 3600, 'collect')
    conf.set_override('wait_periods', 1, 'collect')
    last = tzutils.align(tzutils.localized_now(), 3600) - 2 * HOUR
    for scope in ('up', 'down'):
        database.set_last_processed_timestamp(scope, last)
    service = _processor(conf, tmp_path, database, store, _Modules({}),
                         ['up', 'down'])
    service.collector = FlakyCollector(period=3600, conf=METRICS)
    try:
        with caplog.at_level(logging.ERROR):
            assert service.internal_run() == (1, 0, 1)
    finally:
        service.coord.stop()
    assert any('Error while collecting metric' in r.getMessage()
               and 'for scope down at timestamp %s (collector example)'
               % (last + HOUR) in r.getMessage() for r in caplog.records)
    assert database.get_last_processed_timestamp('down') == last
    assert database.get_last_processed_timestamp('up') == last + HOUR
