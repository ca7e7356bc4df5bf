"""Rollup arithmetic of the SQL storage, without a database."""
import datetime
import decimal

from cloudkitty.storage.v2.sqlalchemy import arithmetic
from cloudkitty.storage.v2.sqlalchemy import codec
from cloudkitty.storage.v2.sqlalchemy import layout

D = decimal.Decimal
UTC = datetime.timezone.utc


def _ts(*args):
    return int(datetime.datetime(*args, tzinfo=UTC).timestamp())


def _point(type_='cpu', qty='1', price='0.5', groupby=None, meta=None):
    point = [None] * layout.POINT_FIELDS
    point[layout.POINT_TYPE] = type_
    point[layout.POINT_UNIT] = 'instance'
    point[layout.POINT_QTY] = qty
    point[layout.POINT_PRICE] = price
    point[layout.POINT_GROUPBY] = groupby or {'project_id': 'p1'}
    point[layout.POINT_METADATA] = meta or {}
    return point


def test_sum_groups_is_exact_beyond_float_and_default_context():
    many = ['0.000000000000000001'] * 3 + ['12345678901234567890.1']
    groups = {('a',): [4, many, ['0.1', '0.2']]}
    assert arithmetic.sum_groups(groups, D) == {('a',): [
        4, D('12345678901234567890.100000000000000003'), D('0.3')]}
    assert arithmetic.sum_groups({'k': [1, [D('0.1'), D('0.2')], []]}) == {
        'k': [1, D('0.3'), D(0)]}


def test_point_entries_and_matcher_use_groupby_then_metadata():
    points = [
        _point(qty='1.5', groupby={'project_id': 'p1', 'year': '2019'}),
        _point(qty='2', groupby={'project_id': 'p1'}, meta={'year': 2019}),
        _point(type_='ram', price='3')]
    entries = arithmetic.point_entries(points)
    assert entries == [['cpu', '', '', '', '2019', 2, '3.5', '1.0'],
                       ['ram', '', '', '', '', 1, '1', '3']]
    match = arithmetic.point_matcher({'year': ['2019'], 'type': ['cpu'],
                                      'project_id': ['ignored']},
                                     'project_id')
    assert [match(p) for p in points] == [True, True, False]
    assert arithmetic.type_not_in({'ram'}, points[0])


def test_rollup_ranges_split_months_days_and_edges():
    begin, end = _ts(2019, 1, 30, 12), _ts(2019, 3, 2, 6)
    ranges = arithmetic.rollup_ranges(begin, end, False, True)
    assert sorted(ranges) == sorted([
        (layout.KIND_PERIOD, begin, _ts(2019, 1, 31)),
        (layout.KIND_PERIOD, _ts(2019, 3, 2), end),
        (layout.KIND_DAY, _ts(2019, 1, 31), _ts(2019, 2, 1)),
        (layout.KIND_MONTH, _ts(2019, 2, 1), _ts(2019, 3, 1)),
        (layout.KIND_DAY, _ts(2019, 3, 1), _ts(2019, 3, 2))])
    assert arithmetic.rollup_ranges(begin, end, True, True) == [
        (layout.KIND_PERIOD, begin, end)]
    assert arithmetic.rollup_ranges(begin, begin + 3600, False, True) == [
        (layout.KIND_PERIOD, begin, begin + 3600)]
    no_months = arithmetic.rollup_ranges(begin, end, False, False)
    assert (layout.KIND_DAY, _ts(2019, 1, 31), _ts(2019, 3, 2)) in no_months


def test_month_bounds():
    assert arithmetic.month_start(_ts(2019, 2, 3, 4), False) == _ts(2019, 2, 1)
    assert arithmetic.month_start(_ts(2019, 2, 3, 4), True) == _ts(2019, 3, 1)
    assert arithmetic.month_start(_ts(2019, 2, 1), True) == _ts(2019, 2, 1)
    assert arithmetic.next_month(_ts(2019, 12, 1)) == _ts(2020, 1, 1)


def test_deltas_days_and_months():
    deltas = arithmetic.Deltas()
    assert not deltas
    key = ('cpu', '32', '5', '2', '2019')
    entry = list(key) + [2, '1.5', '0.25']
    deltas.add_block(_ts(2019, 2, 1, 10), 'o', 's', [entry], 1)
    deltas.add_block(_ts(2019, 2, 1, 11), 'o', 's', [entry], 1)
    copy = deltas.copy()
    deltas.add_block(_ts(2019, 2, 2, 11), 'o', 's', [entry], -1)
    days = deltas.days()
    day1 = (_ts(2019, 2, 1), _ts(2019, 2, 2), 'o', 's') + key
    day2 = (_ts(2019, 2, 2), _ts(2019, 2, 3), 'o', 's') + key
    assert days == {day1: [4, D('3.0'), D('0.50')],
                    day2: [-2, D('-1.5'), D('-0.25')]}
    month = (_ts(2019, 2, 1), _ts(2019, 3, 1), 'o', 's', 'cpu', '', '', '',
             '')
    assert deltas.months(days) == {month: [2, D('1.5'), D('0.25')]}
    assert copy.days() == {day1: [4, D('3.0'), D('0.50')]}


def test_fold_entries_groups_by_scope_entry_and_period():
    sums = codec.dumps_value([['cpu', '', '', '', '', 2, '1.1', '0.1'],
                              ['ram', '', '', '', '', 1, '2', '0.2']])
    rows = [(0, 3600, 's1', sums), (3600, 7200, 's1', sums),
            (0, 3600, 's2', sums)]
    by_scope = arithmetic.fold_entries(rows, [None], None, False)
    assert by_scope == {('s1',): [6, D('6.2'), D('0.6')],
                        ('s2',): [3, D('3.1'), D('0.3')]}

    def only_cpu(scope, entry):
        return entry[layout.ENTRY_TYPE] == 'cpu'
    by_time = arithmetic.fold_entries(rows, [layout.ENTRY_TYPE], only_cpu,
                                      True)
    assert by_time == {('cpu', 0, 3600): [4, D('2.2'), D('0.2')],
                       ('cpu', 3600, 7200): [2, D('1.1'), D('0.1')]}
    merged = arithmetic.merge_groups({('cpu', 0, 3600): [1, D(1), D(1)]},
                                     by_time)
    assert merged[('cpu', 0, 3600)] == [5, D('3.2'), D('1.2')]
