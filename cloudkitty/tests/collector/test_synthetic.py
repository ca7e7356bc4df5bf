"""The synthetic collector: deterministic generated usage."""
import datetime
import decimal

import pytest

from cloudkitty import collector
from cloudkitty.collector import synthetic
from cloudkitty import dataframe

START = datetime.datetime(2024, 3, 1, 10, tzinfo=datetime.timezone.utc)
HOUR = datetime.timedelta(hours=1)

CONF = {'metrics': {
    'cpu': {'unit': 'instance', 'alt_name': 'instance',
            'groupby': ['id', 'user_id', 'project_id'],
            'metadata': ['flavor_name', 'flavor_id', 'vcpus'],
            'mutate': 'NUMBOOL',
            'extra_args': {'resources': 20, 'resource_type': 'instance'}},
    'image.size': {'unit': 'MiB', 'factor': '1/1048576',
                   'groupby': ['id', 'project_id'],
                   'metadata': ['disk_format'],
                   'extra_args': {'min': 1048576, 'max': 10485760,
                                  'precision': 0}},
    'volume.size': {'unit': 'GiB', 'groupby': ['id'],
                    'metadata': ['volume_type', 'zone'],
                    'extra_args': {'resources': 3, 'min': 1, 'max': 2,
                                   'values': {'volume_type': ['gold']}}},
    'ip': {'unit': 'ip', 'extra_args': {'qty': 1, 'resources': 2}},
}}


def make(conf_dict=CONF):
    return synthetic.SyntheticCollector(period=3600, conf=conf_dict)


def test_loaded_by_entry_point(conf):
    coll = collector.get_collector('synthetic', 3600, CONF)
    assert isinstance(coll, synthetic.SyntheticCollector)
    assert sorted(coll.conf) == ['cpu@#instance', 'image.size', 'ip',
                                 'volume.size']


def test_deterministic(conf):
    first, second = make(), make()
    for key in first.conf:
        for scope in ('a', 'b'):
            one = first.fetch_all(key, START, START + HOUR, scope)
            assert one == second.fetch_all(key, START, START + HOUR, scope)
            assert one == first.fetch_all(key, START, START + HOUR, scope)
    # Another period or scope gives other quantities, same resources.
    one = first.fetch_all('image.size', START, START + HOUR, 'a')
    two = first.fetch_all('image.size', START + HOUR, START + 2 * HOUR, 'a')
    assert [p.groupby['id'] for p in one] == [p.groupby['id'] for p in two]
    assert [p.metadata for p in one] == [p.metadata for p in two]
    assert [p.qty for p in one] != [p.qty for p in two]
    other = first.fetch_all('image.size', START, START + HOUR, 'b')
    assert {p.groupby['id'] for p in one}.isdisjoint(
        {p.groupby['id'] for p in other})


def test_points(conf):
    coll = make()
    name, points = coll.retrieve('cpu@#instance', START, START + HOUR, 'p1')
    assert name == 'instance'
    assert len(points) == 20
    assert len({p.groupby['id'] for p in points}) == 20
    assert len({p.groupby['user_id'] for p in points}) <= 3
    for point in points:
        assert point.qty == decimal.Decimal('1.0')
        assert point.price == 0
        assert point.unit == 'instance'
        assert point.groupby['project_id'] == 'p1'
        assert point.groupby['year'] == '2024'
        assert point.groupby['month'] == '3'
        assert point.groupby['day_of_the_year'] == '61'
        index = synthetic.DEFAULT_VALUES['flavor_name'].index(
            point.metadata['flavor_name'])
        # Attributes of one resource agree (same index in every set).
        assert point.metadata['flavor_id'] == (
            synthetic.DEFAULT_VALUES['flavor_id'][index])
    points = coll.fetch_all('image.size', START, START + HOUR, 'p1')
    assert len(points) == 10
    for point in points:
        raw = point.qty * 1048576
        assert raw == raw.to_integral_value()
        assert 1048576 <= raw <= 10485760
    points = coll.fetch_all('volume.size', START, START + HOUR, 'p1')
    assert len(points) == 3
    for point in points:
        assert decimal.Decimal(1) <= point.qty <= decimal.Decimal(2)
        assert point.qty == point.qty.quantize(decimal.Decimal('0.01'))
        assert point.metadata['volume_type'] == 'gold'
        assert point.metadata['zone'] in ('zone-0', 'zone-1', 'zone-2')
    points = coll.fetch_all('ip', START, START + HOUR, 'p1')
    assert [p.qty for p in points] == [1, 1]


def test_points_are_plain_datapoints(conf):
    # Built without the DataPoint constructor: the same points as with it.
    coll = make()
    for key in coll.conf:
        for point in coll.fetch_all(key, START, START + HOUR, 'p1'):
            rebuilt = dataframe.DataPoint(*point)
            assert point == rebuilt
            assert [type(v) for v in point] == [type(v) for v in rebuilt]
            with pytest.raises(TypeError):
                point.groupby['year'] = '1999'


def test_calendar_keys_follow_the_period(conf):
    coll = make()
    late = datetime.datetime(2024, 12, 31, 23, tzinfo=datetime.timezone.utc)
    for start, day, year in ((late, '366', '2024'),
                             (late + HOUR, '1', '2025'),
                             (late, '366', '2024'),
                             (late - HOUR, '366', '2024')):
        points = coll.fetch_all('volume.size', start, start + HOUR, 'p1')
        assert {(p.groupby['day_of_the_year'], p.groupby['year'])
                for p in points} == {(day, year)}
        assert [p.groupby['id'] for p in points] == [
            p.groupby['id'] for p in coll.fetch_all(
                'volume.size', START, START + HOUR, 'p1')]


def test_collected_in_the_calling_thread(conf):
    # In memory: the processor needs no thread pool for it.
    assert make().concurrent_retrieve is False
    assert collector.BaseCollector.concurrent_retrieve is True


def test_no_resources_is_no_data(conf):
    coll = make({'metrics': {'m': {'unit': 'u',
                                   'extra_args': {'resources': 0}}}})
    with pytest.raises(collector.NoDataCollected):
        coll.retrieve('m', START, START + HOUR, 'p')


def test_seed_changes_values(conf):
    one = make({'metrics': {'m': {'unit': 'u', 'groupby': ['id']}}})
    two = make({'metrics': {'m': {'unit': 'u', 'groupby': ['id'],
                                  'extra_args': {'seed': 'x'}}}})
    assert (one.fetch_all('m', START, START + HOUR, 'p')
            != two.fetch_all('m', START, START + HOUR, 'p'))


@pytest.mark.parametrize('extra,message', [
    ({'resources': -1}, 'extra_args.resources: expected an integer'),
    ({'resources': 'x'}, 'extra_args.resources: expected an integer'),
    ({'min': 5, 'max': 1}, 'extra_args.max: max must be greater'),
    ({'precision': 12}, 'extra_args.precision: expected an integer between'),
    ({'qty': 'abc'}, 'extra_args.qty: expected a number'),
    ({'values': {'a': []}}, 'extra_args.values: a: expected a non-empty'),
])
def test_invalid_extra_args(conf, extra, message):
    with pytest.raises(collector.InvalidConfiguration) as exc:
        make({'metrics': {'m': {'unit': 'u', 'extra_args': extra}}})
    assert str(exc.value).startswith("metrics.yml: metric 'm': " + message)


def test_same_points_in_another_process(conf):
    # A restarted processor must see the same usage (hash seeds differ).
    import json
    import os
    import subprocess
    import sys
    script = (
        'import datetime, json\n'
        'from oslo_config import cfg\n'
        'from cloudkitty.collector import synthetic\n'
        'cfg.CONF([], project="cloudkitty", default_config_files=[])\n'
        'coll = synthetic.SyntheticCollector(period=3600, conf=%r)\n'
        'start = datetime.datetime(2024, 3, 1, 10, '
        'tzinfo=datetime.timezone.utc)\n'
        'points = coll.fetch_all("volume.size", start, '
        'start + datetime.timedelta(hours=1), "p1")\n'
        'print(json.dumps([[str(p.qty), dict(p.groupby), dict(p.metadata)] '
        'for p in points]))\n' % (CONF,))
    env = dict(os.environ, PYTHONHASHSEED='12345')
    result = subprocess.run([sys.executable, '-c', script], env=env,
                            stdout=subprocess.PIPE, text=True, check=True)
    other = json.loads(result.stdout.strip().splitlines()[-1])
    here = [[str(p.qty), dict(p.groupby), dict(p.metadata)]
            for p in make().fetch_all('volume.size', START, START + HOUR,
                                      'p1')]
    assert other == here
