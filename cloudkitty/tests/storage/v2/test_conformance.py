"""One behaviour for every v2 storage backend.

Each test runs on SQLite, MariaDB and PostgreSQL (``sqlalchemy``) and on
InfluxDB 1.x (``influxdb``): the same pushed data gives the same totals,
groupings, time buckets, filters, pagination, retrieval and deletes.
InfluxDB stores floats, so amounts are compared approximately.
"""
import collections
import datetime
import decimal

import pytest

from cloudkitty import dataframe
from cloudkitty.storage import v2 as storage_v2

UTC = datetime.timezone.utc
D = decimal.Decimal
START = datetime.datetime(2026, 1, 5, tzinfo=UTC)     # a Monday, 00:00
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
# Every 3 hours over two days, then 3 hours of a third day.
PERIOD_STARTS = [START + HOUR * h for h in range(0, 48, 3)] + [
    START + 2 * DAY + HOUR * h for h in range(3)]
WINDOW = (START, START + 3 * DAY)
PROJECTS = ['p1', 'p2', 'p3']
TYPES = ['cpu', 'image', 'volume']


def time_attrs(begin):
    return {'day_of_the_year': str(begin.timetuple().tm_yday),
            'week_of_the_year': begin.strftime('%U'),
            'month': str(begin.month), 'year': str(begin.year)}


def make_points(begin, project, salt=0):
    """[(type, DataPoint)] of one project for the period at ``begin``."""
    index = int((begin - START).total_seconds() // 3600)
    output = []
    for t, type_ in enumerate(TYPES):
        if project == 'p3' and type_ != 'cpu':
            continue
        for r in range(2):
            groupby = {'project_id': project,
                       'id': '%s-%s-%d' % (project, type_, r)}
            groupby.update(time_attrs(begin))
            qty = D(index % 5 + r + 1) + D('0.25') * t
            price = (qty * D('0.5') + D(salt)).quantize(D('0.01'))
            output.append((type_, dataframe.DataPoint(
                'unit-%s' % type_, qty, price, groupby,
                {'flavor': 'small' if r == 0 else 'large'})))
    return output


def frame_for(begin, projects=PROJECTS, salt=0):
    frame = dataframe.DataFrame(begin, begin + HOUR)
    for project in projects:
        for type_, point in make_points(begin, project, salt):
            frame.add_point(point, type_)
    return frame


def dataset():
    """{(begin, project): [(type, point)]} pushed by ``load``."""
    return {(begin, project): make_points(begin, project)
            for begin in PERIOD_STARTS for project in PROJECTS}


def load(storage):
    # As the processor does: one push per scope and period.
    for begin in PERIOD_STARTS:
        for project in PROJECTS:
            storage.push([frame_for(begin, [project])], project)


def expected(groupby=(), predicate=None, data=None):
    """{group key tuple: (qty, price)} computed from the dataset."""
    output = collections.defaultdict(lambda: [D(0), D(0)])
    for (begin, project), points in (data or dataset()).items():
        for type_, point in points:
            desc = dict(point.metadata)
            desc.update(point.groupby)
            desc['type'] = type_
            desc['time'] = begin
            if predicate is not None and not predicate(begin, desc):
                continue
            key = tuple(desc[g] for g in groupby)
            output[key][0] += point.qty
            output[key][1] += point.price
    return {k: tuple(v) for k, v in output.items()}


def got(result, groupby=(), time_key=False):
    output = {}
    for row in result['results']:
        key = tuple(row[g] for g in groupby)
        if time_key:
            key = (row['begin'],) + key
        output[key] = (row['qty'], row['rate'])
    return output


def assert_amounts(actual, wanted):
    assert set(actual) == set(wanted)
    for key, (qty, price) in wanted.items():
        assert float(actual[key][0]) == pytest.approx(float(qty)), key
        assert float(actual[key][1]) == pytest.approx(float(price)), key


@pytest.fixture
def loaded(backend):
    """The backend with the dataset, loaded once for read-only tests."""
    driver, state = backend[1], backend[2]
    if not state['loaded']:
        driver.delete()
        load(driver)
        state['loaded'] = True
    return driver


@pytest.fixture
def mutable(loaded, backend):
    """The backend with the dataset, for a test that changes it."""
    yield loaded
    backend[2]['loaded'] = False


def test_total_without_groupby(loaded):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1])
    assert result['total'] == 1
    row = result['results'][0]
    assert list(row)[:4] == ['begin', 'end', 'qty', 'rate']
    assert row['begin'] == WINDOW[0] and row['end'] == WINDOW[1]
    assert_amounts(got(result), expected())


def test_total_empty_window(loaded):
    result = loaded.total(begin=START - 10 * DAY, end=START - 9 * DAY)
    assert result == {'total': 0, 'results': []}
    result = loaded.total(begin=START - 10 * DAY, end=START - 9 * DAY,
                          groupby=['type'])
    assert result == {'total': 0, 'results': []}


@pytest.mark.parametrize('groupby', [
    ['type'], ['project_id'], ['project_id', 'type'], ['type', 'project_id'],
    ['id'], ['project_id', 'id']])
def test_total_groupby(loaded, groupby):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=groupby)
    wanted = expected(groupby)
    assert result['total'] == len(wanted)
    rows = result['results']
    assert list(rows[0]) == ['begin', 'end', 'qty', 'rate'] + groupby
    # Rows come sorted by their group values.
    keys = [tuple(r[g] for g in groupby) for r in rows]
    assert keys == sorted(keys)
    assert_amounts(got(result, groupby), wanted)


def test_total_window_not_aligned_on_days(loaded):
    begin, end = START + 5 * HOUR, START + DAY + 7 * HOUR
    result = loaded.total(begin=begin, end=end, groupby=['project_id'])
    wanted = expected(['project_id'], lambda b, d: begin <= b < end)
    assert_amounts(got(result, ['project_id']), wanted)


def test_total_groupby_time(loaded):
    begin, end = START, START + 2 * DAY + 2 * HOUR
    result = loaded.total(begin=begin, end=end, groupby=['time'],
                          paginate=False)
    starts = [s for s in PERIOD_STARTS if s < end]
    # One row per stored period, none for periods without data.
    assert result['total'] == len(starts)
    assert [r['begin'] for r in result['results']] == starts
    assert [r['end'] for r in result['results']] == [
        s + HOUR for s in starts]
    assert list(result['results'][0]) == ['begin', 'end', 'qty', 'rate']
    wanted = expected(['time'], lambda b, d: b < end)
    actual = {(r['begin'],): (r['qty'], r['rate'])
              for r in result['results']}
    assert_amounts(actual, wanted)


def test_total_groupby_time_and_type(loaded):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          groupby=['time', 'type'], paginate=False)
    wanted = expected(['time', 'type'])
    actual = {(r['begin'], r['type']): (r['qty'], r['rate'])
              for r in result['results']}
    assert_amounts(actual, wanted)
    assert result['total'] == len(wanted)


@pytest.mark.parametrize('alias,attr', [
    ('time-d', 'day_of_the_year'), ('time-w', 'week_of_the_year'),
    ('time-m', 'month'), ('time-y', 'year')])
def test_total_time_buckets(loaded, alias, attr):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=[alias])
    wanted = expected([attr])
    assert result['total'] == len(wanted)
    assert list(result['results'][0]) == ['begin', 'end', 'qty', 'rate',
                                          attr]
    assert_amounts(got(result, [attr]), wanted)


def test_total_time_d_with_project(loaded):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          groupby=['time-d', 'project_id'])
    groupby = ['day_of_the_year', 'project_id']
    assert_amounts(got(result, groupby), expected(groupby))


def test_invalid_time_groupby(storage):
    with pytest.raises(storage_v2.InvalidQuery) as exc:
        storage.total(groupby=['time-x'])
    assert str(exc.value) == ('Invalid groupby time option. There is no '
                              'groupby processing for [time-x].')
    assert exc.value.code == 400


def test_filters_several_values_and_metric_types(loaded):
    result = loaded.total(
        begin=WINDOW[0], end=WINDOW[1], groupby=['project_id', 'type'],
        filters={'project_id': ['p1', 'p3']},
        metric_types=['cpu', 'volume'])
    wanted = expected(['project_id', 'type'], lambda b, d: (
        d['project_id'] in ('p1', 'p3') and d['type'] in ('cpu', 'volume')))
    assert_amounts(got(result, ['project_id', 'type']), wanted)


def test_filters_scalar_and_other_attribute(loaded):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=['id'],
                          filters={'project_id': 'p2', 'id': ['p2-cpu-1',
                                                              'p2-image-0']},
                          metric_types='cpu')
    wanted = expected(['id'], lambda b, d: d['id'] == 'p2-cpu-1')
    assert_amounts(got(result, ['id']), wanted)


def test_filter_on_metadata(loaded):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=['type'],
                          filters={'flavor': 'large'})
    wanted = expected(['type'], lambda b, d: d['flavor'] == 'large')
    assert_amounts(got(result, ['type']), wanted)


def test_filter_matching_nothing(loaded):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          filters={'project_id': 'nobody'})
    assert result == {'total': 0, 'results': []}


def test_pagination(loaded):
    full = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=['id'],
                        paginate=False)
    assert full['total'] == len(full['results']) == len(expected(['id']))
    pages = []
    for offset in range(0, full['total'], 4):
        page = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=['id'],
                            offset=offset, limit=4)
        assert page['total'] == full['total']
        assert len(page['results']) <= 4
        pages += page['results']
    assert [r['id'] for r in pages] == [r['id'] for r in full['results']]
    beyond = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=['id'],
                          offset=1000, limit=4)
    assert beyond == {'total': full['total'], 'results': []}


def _points(result):
    output = []
    for frame in result['dataframes']:
        for type_, point in frame.iterpoints():
            output.append((frame.start, frame.end, type_,
                           point.groupby['id'], float(point.qty),
                           float(point.price), point.unit,
                           point.metadata.get('flavor')))
    return output


def _dataset_points(predicate=lambda begin, type_, point: True):
    output = []
    for (begin, project), points in dataset().items():
        for type_, point in points:
            if predicate(begin, type_, point):
                output.append((begin, begin + HOUR, type_,
                               point.groupby['id'], float(point.qty),
                               float(point.price), point.unit,
                               point.metadata['flavor']))
    return output


def test_retrieve_everything(loaded):
    result = loaded.retrieve(begin=WINDOW[0], end=WINDOW[1], paginate=False)
    wanted = _dataset_points()
    assert result['total'] == len(wanted)
    assert sorted(_points(result)) == sorted(wanted)
    starts = [(f.start, f.end) for f in result['dataframes']]
    assert starts == sorted(starts)
    point = next(result['dataframes'][0].iterpoints())[1]
    assert point.groupby['project_id'] in PROJECTS
    assert set(point.groupby) == {'project_id', 'id', 'day_of_the_year',
                                  'week_of_the_year', 'month', 'year'}
    assert isinstance(point.price, decimal.Decimal)


def test_retrieve_paginated(loaded):
    wanted = _dataset_points()
    seen = []
    for offset in range(0, len(wanted), 50):
        page = loaded.retrieve(begin=WINDOW[0], end=WINDOW[1],
                               offset=offset, limit=50)
        assert page['total'] == len(wanted)
        seen += _points(page)
    assert sorted(seen) == sorted(wanted)
    # Points are paginated in time order.
    assert [p[0] for p in seen] == sorted(p[0] for p in seen)


def test_retrieve_filters_and_types(loaded):
    result = loaded.retrieve(begin=START, end=START + DAY,
                             filters={'project_id': ['p2', 'p3']},
                             metric_types=['cpu'], paginate=False)
    wanted = _dataset_points(lambda b, t, p: (
        b < START + DAY and t == 'cpu'
        and p.groupby['project_id'] in ('p2', 'p3')))
    assert result['total'] == len(wanted)
    assert sorted(_points(result)) == sorted(wanted)


def test_retrieve_nothing(loaded):
    result = loaded.retrieve(begin=START - 5 * DAY, end=START - 4 * DAY)
    assert result == {'total': 0, 'dataframes': []}


def test_delete_with_filter_and_open_begin(mutable):
    loaded = mutable
    middle = START + DAY
    loaded.delete(end=middle, filters={'project_id': 'p1'})
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          groupby=['project_id'])
    wanted = expected(['project_id'], lambda b, d: not (
        d['project_id'] == 'p1' and b < middle))
    assert_amounts(got(result, ['project_id']), wanted)
    count = loaded.retrieve(begin=WINDOW[0], end=WINDOW[1])['total']
    assert count == len(_dataset_points(lambda b, t, p: not (
        p.groupby['project_id'] == 'p1' and b < middle)))


def test_delete_with_several_filters_and_open_end(mutable):
    loaded = mutable
    middle = START + DAY + 6 * HOUR
    loaded.delete(begin=middle, filters={'project_id': ['p2', 'p3'],
                                         'id': ['p2-cpu-0', 'p3-cpu-1']})
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=['id'])
    wanted = expected(['id'], lambda b, d: not (
        b >= middle and d['id'] in ('p2-cpu-0', 'p3-cpu-1')))
    assert_amounts(got(result, ['id']), wanted)


def test_delete_everything(mutable):
    loaded = mutable
    loaded.delete()
    assert loaded.total(begin=WINDOW[0], end=WINDOW[1]) == {
        'total': 0, 'results': []}
    assert loaded.retrieve(begin=WINDOW[0], end=WINDOW[1])['total'] == 0


def test_repush_same_period_does_not_double(mutable):
    loaded = mutable
    before = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          groupby=['project_id', 'type'])
    begin = PERIOD_STARTS[2]
    for project in PROJECTS:
        loaded.push([frame_for(begin, [project])], project)
    # The API's push (no scope id) is idempotent too.
    loaded.push([frame_for(begin)])
    after = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                         groupby=['project_id', 'type'])
    assert after == before
    count = loaded.retrieve(begin=WINDOW[0], end=WINDOW[1])['total']
    assert count == len(_dataset_points())


def test_repush_replaces_scope_period(mutable):
    loaded = mutable
    begin = PERIOD_STARTS[4]
    # New content for p1 only: p1's period is replaced, others untouched.
    frame = dataframe.DataFrame(begin, begin + HOUR)
    groupby = dict(project_id='p1', id='p1-new')
    groupby.update(time_attrs(begin))
    frame.add_point(dataframe.DataPoint('u', 2, '1.5', groupby, {}), 'cpu')
    loaded.push([frame], 'p1')
    data = dataset()
    data[(begin, 'p1')] = [('cpu', dataframe.DataPoint(
        'u', 2, '1.5', groupby, {}))]
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          groupby=['project_id', 'type'])
    assert_amounts(got(result, ['project_id', 'type']),
                   expected(['project_id', 'type'], data=data))
    # An empty frame pushed for p2 empties p2's period.
    loaded.push([dataframe.DataFrame(begin, begin + HOUR)], 'p2')
    data[(begin, 'p2')] = []
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          groupby=['project_id', 'type'])
    assert_amounts(got(result, ['project_id', 'type']),
                   expected(['project_id', 'type'], data=data))


def test_push_without_scope_replaces_scope_and_type(mutable):
    loaded = mutable
    begin = PERIOD_STARTS[1]
    # Only p3's cpu is pushed again, with other prices.
    frame = frame_for(begin, ['p3'], salt=1)
    loaded.push([frame])
    data = dataset()
    data[(begin, 'p3')] = make_points(begin, 'p3', salt=1)
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1],
                          groupby=['project_id', 'type'])
    assert_amounts(got(result, ['project_id', 'type']),
                   expected(['project_id', 'type'], data=data))


def test_get_tenants(mutable):
    loaded = mutable
    assert sorted(loaded.get_tenants(WINDOW[0], WINDOW[1])) == PROJECTS
    assert loaded.get_tenants(START - 3 * DAY, START - DAY) == []
    loaded.delete(filters={'project_id': 'p2'})
    assert sorted(loaded.get_tenants(WINDOW[0], WINDOW[1])) == ['p1', 'p3']


def test_custom_fields_sum(loaded):
    result = loaded.total(begin=WINDOW[0], end=WINDOW[1], groupby=['type'],
                          custom_fields='SUM(price) AS total')
    wanted = expected(['type'])
    assert result['total'] == len(wanted)
    for row in result['results']:
        assert list(row) == ['begin', 'end', 'total', 'type']
        assert float(row['total']) == pytest.approx(
            float(wanted[(row['type'],)][1]))


def test_custom_fields_refused(storage):
    with pytest.raises(storage_v2.InvalidQuery):
        storage.total(custom_fields='SUM(qty) AS qty; DROP DATABASE x')


def test_default_window_is_current_month(storage):
    from cloudkitty.utils import tz as tzutils

    now = tzutils.localized_now().replace(minute=0, second=0)
    frame = dataframe.DataFrame(now, now + HOUR)
    frame.add_point(dataframe.DataPoint(
        'u', 1, 3, {'project_id': 'p1', 'id': 'x'}, {}), 'cpu')
    storage.push([frame], 'p1')
    result = storage.total()
    assert result['results'][0]['begin'] == tzutils.get_month_start()
    assert result['results'][0]['end'] == tzutils.get_next_month()
    assert float(result['results'][0]['rate']) == 3
    assert storage.retrieve()['total'] == 1


def test_delete_filter_on_metadata(mutable, backend):
    if backend[0] == 'influxdb':
        # InfluxDB deletes by tag only: refused rather than ignored.
        with pytest.raises(storage_v2.InvalidQuery):
            mutable.delete(filters={'flavor': 'large'})
        assert mutable.retrieve(begin=WINDOW[0], end=WINDOW[1])[
            'total'] == len(_dataset_points())
        return
    mutable.delete(filters={'flavor': 'large', 'project_id': 'p1'})
    result = mutable.total(begin=WINDOW[0], end=WINDOW[1],
                           groupby=['project_id'])
    wanted = expected(['project_id'], lambda b, d: not (
        d['flavor'] == 'large' and d['project_id'] == 'p1'))
    assert_amounts(got(result, ['project_id']), wanted)


def test_delete_filter_on_unknown_attribute_deletes_nothing(mutable):
    mutable.delete(filters={'no_such_attribute': 'x'})
    assert mutable.retrieve(begin=WINDOW[0], end=WINDOW[1])[
        'total'] == len(_dataset_points())
