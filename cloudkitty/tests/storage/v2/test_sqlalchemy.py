"""What only the SQL backend promises: rollups, exact decimals, schema."""
import datetime
import decimal

import pytest
import sqlalchemy as sa

from cloudkitty import dataframe
from cloudkitty.storage.v2 import sqlalchemy as sql_storage
from cloudkitty.storage.v2.sqlalchemy import models
from cloudkitty.tests.storage.v2 import conftest
from cloudkitty.tests.storage.v2 import test_conformance as conformance

D = decimal.Decimal
UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope='module', params=['sqlite', 'mysql', 'postgresql'])
def backend(request, tmp_path_factory):
    return conftest.make_backend(request, tmp_path_factory, request.param)


@pytest.fixture
def sql(backend):
    driver, state = backend[1], backend[2]
    driver.delete()
    state['loaded'] = False
    return driver


@pytest.fixture
def sql_loaded(sql, backend):
    conformance.load(sql)
    backend[2]['loaded'] = True
    return sql


class Statements(object):
    """SQL statements run while active."""

    def __init__(self):
        self.statements = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    def __enter__(self):
        self.engine = sql_storage._engine()
        sa.event.listen(self.engine, 'before_cursor_execute', self)
        return self

    def __exit__(self, *args):
        sa.event.remove(self.engine, 'before_cursor_execute', self)

    def expands_points(self):
        """Whether a query expanded the blocks into points in SQL."""
        return any(word in s for s in self.statements
                   for word in ('json_each', 'JSON_TABLE',
                                'jsonb_array_elements'))


# MAX cannot come from rollups: the query reads the points.
RAW = 'SUM(qty) AS qty, SUM(price) AS rate, MAX(qty) AS n'


@pytest.mark.parametrize('groupby,filters', [
    ([], {}),
    (['type'], {}),
    (['project_id', 'type'], {}),
    (['time-d', 'project_id'], {'type': 'cpu'}),
    (['time-w'], {'project_id': ['p1', 'p2']}),
    (['time'], {}),
    (['time', 'project_id'], {'project_id': 'p3'}),
    (['month', 'year'], {}),
])
@pytest.mark.parametrize('begin,end', [
    (conformance.START + 2 * HOUR, conformance.START + 3 * DAY),
    # Whole months: month rollups (unless grouped by time attributes).
    (datetime.datetime(2025, 12, 1, tzinfo=UTC),
     datetime.datetime(2026, 3, 1, tzinfo=UTC)),
    (datetime.datetime(2025, 12, 15, 5, tzinfo=UTC),
     datetime.datetime(2026, 2, 1, 3, tzinfo=UTC)),
])
def test_rollups_used_and_equal_to_points(sql_loaded, groupby, filters,
                                          begin, end):
    with Statements() as stmts:
        rolled = sql_loaded.total(groupby=groupby, filters=filters,
                                  begin=begin, end=end, paginate=False)
    assert not stmts.expands_points()
    # A custom aggregate forces the same query on the points.
    with Statements() as stmts:
        raw = sql_loaded.total(groupby=groupby, filters=filters, begin=begin,
                               end=end, custom_fields=RAW, paginate=False)
    assert stmts.expands_points()
    assert rolled['total'] == raw['total'] > 0
    for one, two in zip(rolled['results'], raw['results']):
        assert two.pop('n') > 0
        assert one == two


def test_other_groupby_reads_points(sql_loaded):
    with Statements() as stmts:
        result = sql_loaded.total(groupby=['flavor'],
                                  begin=conformance.WINDOW[0],
                                  end=conformance.WINDOW[1])
    assert stmts.expands_points()
    flavors = sorted(r['flavor'] for r in result['results'])
    assert flavors == ['large', 'small']


def test_groupby_metadata_and_missing_attribute(sql_loaded):
    result = sql_loaded.total(groupby=['flavor', 'nothing'],
                              begin=conformance.WINDOW[0],
                              end=conformance.WINDOW[1])
    wanted = conformance.expected(['flavor'])
    assert {(r['flavor'], r['nothing']): (r['qty'], r['rate'])
            for r in result['results']} == {
        (k[0], ''): v for k, v in wanted.items()}


def test_sums_are_exact_decimals(sql):
    begin = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    frames = []
    for h in range(30):
        frame = dataframe.DataFrame(begin + h * HOUR, begin + (h + 1) * HOUR)
        for i in range(10):
            frame.add_point(dataframe.DataPoint(
                'u', D('0.1'), D('0.000000000000000001'),
                {'project_id': 'p', 'id': str(i)}, {}), 'cpu')
            frame.add_point(dataframe.DataPoint(
                'u', D('12345678901234567890.1'), D('0.3333333333333333'),
                {'project_id': 'p', 'id': str(i)}, {}), 'big')
        frames.append(frame)
    sql.push(frames)
    window = dict(begin=begin, end=begin + 2 * DAY)
    rows = {r['type']: r for r in sql.total(groupby=['type'],
                                            **window)['results']}
    assert rows['cpu']['qty'] == D('30')
    assert rows['cpu']['rate'] == D('0.0000000000000003')
    assert rows['big']['qty'] == D('3703703670370370367030')
    assert rows['big']['rate'] == D('99.99999999999999')
    raw = {r['type']: r for r in sql.total(
        groupby=['type', 'id'], **window)['results']}
    assert raw['cpu']['rate'] == D('0.00000000000000003')
    total = sql.total(**window)['results'][0]
    assert total['rate'] == D('99.9999999999999903')
    point = next(sql.retrieve(**window)['dataframes'][0].iterpoints())[1]
    assert point.price in (D('0.000000000000000001'),
                           D('0.3333333333333333'))


def test_more_than_18_decimals_are_rounded(sql):
    begin = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    frame = dataframe.DataFrame(begin, begin + HOUR)
    frame.add_point(dataframe.DataPoint(
        'u', 1, D('0.1234567890123456789'), {'project_id': 'p'}, {}), 'c')
    sql.push([frame], 'p')
    result = sql.total(begin=begin, end=begin + DAY)['results'][0]
    assert result['rate'] == D('0.123456789012345679')


def test_rollups_follow_deletes_and_repushes(sql_loaded):
    window = dict(begin=conformance.WINDOW[0], end=conformance.WINDOW[1])
    sql_loaded.delete(filters={'flavor': 'large'},
                      begin=conformance.START + 7 * HOUR)
    begin = conformance.PERIOD_STARTS[5]
    sql_loaded.push([conformance.frame_for(begin, ['p2'], salt=3)], 'p2')
    for groupby in (['project_id', 'type'], ['time-d'], ['time']):
        rolled = sql_loaded.total(groupby=groupby, paginate=False, **window)
        raw = sql_loaded.total(groupby=groupby, paginate=False,
                               custom_fields=RAW, **window)
        for row in raw['results']:
            row.pop('n')
        assert rolled == raw
    engine = sql_storage._engine()
    with engine.connect() as conn:
        counts = conn.execute(sa.select(
            sa.func.sum(models.rollups.c.count)).group_by(
                models.rollups.c.kind).order_by(
                    models.rollups.c.kind)).scalars().all()
        points = conn.execute(sa.select(
            sa.func.sum(models.blocks.c.count))).scalar()
    assert counts == [points, points]


def test_owner_differs_from_scope_attribute(sql):
    begin = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    frame = dataframe.DataFrame(begin, begin + HOUR)
    frame.add_point(dataframe.DataPoint(
        'u', 1, 1, {'project_id': 'other'}, {}), 'cpu')
    sql.push([frame], 'scope-a')
    sql.push([frame], 'scope-a')
    result = sql.total(begin=begin, end=begin + DAY, groupby=['project_id'])
    assert [(r['project_id'], r['rate']) for r in result['results']] == [
        ('other', D(1))]


def test_equal_values_of_other_types_keep_their_json(sql):
    # push() remembers encoded group-by/metadata and decimal texts: equal
    # but differently typed values (1, 1.0, True) must not share them.
    begin = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    frame = dataframe.DataFrame(begin, begin + HOUR)
    values = ['1', 1, 1.0, True, '1']
    for value in values:
        frame.add_point(dataframe.DataPoint(
            'u', D('1.50'), D('1.5'), {'project_id': 'p', 'v': value},
            {'m': value, 'l': [value]}), 'cpu')
    sql.push([frame], 'p')
    points = sql.retrieve(begin=begin, end=begin + DAY)['dataframes'][0]
    stored = [(p.groupby['v'], p.metadata['m'], p.metadata['l'])
              for _, p in points.iterpoints()]
    assert [tuple(map(type, s[:2])) for s in stored] == [
        (type(v), type(v)) for v in values]
    assert stored == [(v, v, [v]) for v in values]
    result = sql.total(begin=begin, end=begin + DAY)['results'][0]
    assert (result['qty'], result['rate']) == (D('7.5'), D('7.5'))


def test_invalid_attribute_names(sql):
    from cloudkitty.storage import v2 as storage_v2

    for bad in ('a"b', 'a\\b', ''):
        with pytest.raises(storage_v2.InvalidQuery):
            sql.total(groupby=[bad])
        with pytest.raises(storage_v2.InvalidQuery):
            sql.total(filters={bad: 'x'})


@pytest.mark.parametrize('fields', ['SUM(foo)', 'DROP(qty)', 'SUM(qty) AS a,'
                                    ' SUM(price) AS a', 'MAX(*)'])
def test_invalid_custom_fields(sql, fields):
    from cloudkitty.storage import v2 as storage_v2

    with pytest.raises(storage_v2.InvalidQuery):
        sql.total(custom_fields=fields)


def test_custom_fields_aggregates(sql_loaded):
    result = sql_loaded.total(
        begin=conformance.WINDOW[0], end=conformance.WINDOW[1],
        custom_fields='MIN(qty) AS low, MAX(price) AS high, '
                      'AVG(qty) AS mean, COUNT(*) AS n')
    row = result['results'][0]
    points = conformance._dataset_points()
    assert row['low'] == D(str(min(p[4] for p in points)))
    assert row['high'] == D(str(max(p[5] for p in points)))
    assert row['n'] == len(points)
    assert float(row['mean']) == pytest.approx(
        sum(p[4] for p in points) / len(points))


def test_block_pages_equal_expanded_pages(sql_loaded):
    # Unfiltered pages (whole blocks) and pages of the SQL expansion (a
    # type filter matching every point) list points in the same order.
    window = dict(begin=conformance.WINDOW[0], end=conformance.WINDOW[1])
    types = sorted({p[2] for p in conformance._dataset_points()})

    def pages(**kwargs):
        seen, offset = [], 0
        while True:
            page = sql_loaded.retrieve(offset=offset, limit=7, **window,
                                       **kwargs)
            points = [(f.start, t, p.qty, p.price, dict(p.groupby))
                      for f in page['dataframes']
                      for t, p in f.iterpoints()]
            if not points:
                return seen
            seen += points
            offset += 7

    whole = pages()
    assert len(whole) == len(conformance._dataset_points())
    assert whole == pages(metric_types=types)


def test_unscoped_push_replaces_only_its_types(sql):
    # Blocks holding several types are rewritten, keeping the types the
    # new frames do not carry; each frame replaces its own types.
    begin = datetime.datetime(2026, 3, 1, tzinfo=UTC)

    def frame(hour, **prices):
        out = dataframe.DataFrame(begin + hour * HOUR,
                                  begin + (hour + 1) * HOUR)
        for type_, price in prices.items():
            out.add_point(dataframe.DataPoint(
                'u', 1, price, {'project_id': 'p', 'id': type_}, {}), type_)
        return out

    sql.push([frame(0, cpu=1, ram=2, disk=3), frame(1, cpu=1, ram=2)])
    sql.push([frame(0, cpu=10), frame(1, ram=20, disk=30)])
    result = sql.total(groupby=['time', 'type'], begin=begin,
                       end=begin + DAY, paginate=False)['results']
    assert sorted((r['begin'] - begin, r['type'], r['rate'])
                  for r in result) == [
        (0 * HOUR, 'cpu', D(10)), (0 * HOUR, 'disk', D(3)),
        (0 * HOUR, 'ram', D(2)),
        (1 * HOUR, 'cpu', D(1)), (1 * HOUR, 'disk', D(30)),
        (1 * HOUR, 'ram', D(20))]
    raw = sql.total(groupby=['type'], begin=begin, end=begin + DAY,
                    custom_fields='SUM(price) AS rate, COUNT(*) AS n')
    assert {(r['type'], r['rate'], r['n']) for r in raw['results']} == {
        ('cpu', D(11), 2), ('ram', D(22), 2), ('disk', D(33), 2)}


# Characters the bulk paths must carry through unchanged (COPY's text
# format gives tab, newline, carriage return and backslash a meaning).
AWKWARD = ['a\tb', 'a\nb', 'a\rb', 'a\\b', '\\N', '\\.', 'x\\\\ty',
           '\u2028\xa0é', '"q",\'s\'', '']


def test_awkward_text_is_stored_unchanged(sql):
    begin = datetime.datetime(2026, 3, 1, tzinfo=UTC)
    frame = dataframe.DataFrame(begin, begin + HOUR)
    for index, text in enumerate(AWKWARD):
        frame.add_point(dataframe.DataPoint(
            text or 'u', 1, index, {'project_id': 'p' + text, 'id': text},
            {'m': text}), 'cpu' + text)
    sql.push([frame])
    points = sql.retrieve(begin=begin, end=begin + DAY)['dataframes'][0]
    stored = sorted((type_, p.unit, p.groupby['project_id'], p.groupby['id'],
                     p.metadata['m'], p.price)
                    for type_, p in points.iterpoints())
    assert stored == sorted(
        ('cpu' + t, t or 'u', 'p' + t, t, t, D(i))
        for i, t in enumerate(AWKWARD))
    result = sql.total(begin=begin, end=begin + DAY,
                       groupby=['project_id', 'type'])['results']
    assert sorted((r['project_id'], r['type'], r['rate'])
                  for r in result) == sorted(
        ('p' + t, 'cpu' + t, D(i)) for i, t in enumerate(AWKWARD))
