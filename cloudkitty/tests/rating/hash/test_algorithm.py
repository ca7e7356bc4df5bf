"""The rating algorithm: worked examples of the reference's pricing.

Rules are created through the DB API (SQLite), loaded by the module and
applied to frames. Money is stored exactly (Decimal, never float), so
the results are the exact arithmetic ones, to the last digit.
"""
import contextlib
import datetime
import decimal

import pytest
import sqlalchemy as sa

from cloudkitty import dataframe
from cloudkitty import db
from cloudkitty.rating import hash as hashmap
from cloudkitty.rating.hash import pricing

D = decimal.Decimal
PAST = datetime.datetime(2000, 1, 1)
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def frame(metric, *points):
    """A frame of ``metric`` points given as (qty, desc) pairs."""
    return dataframe.DataFrame(
        START, START + datetime.timedelta(hours=1),
        usage={metric: [dataframe.DataPoint('u', qty, 0, {}, desc)
                        for qty, desc in points]})


@contextlib.contextmanager
def sql_statements():
    """The list of SQL statements run on the database while active."""
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.get_engine()
    sa.event.listen(engine, 'before_cursor_execute', record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, 'before_cursor_execute', record)


def prices(module, metric, *points):
    out = module.process(frame(metric, *points))
    return [str(p.price) for _, p in out.iterpoints()]


def price_alone(rules, qty, desc):
    """The price of one point priced on its own, factor cache emptied."""
    rules.factors.clear()
    point = dataframe.DataPoint('u', qty, 0, {}, desc)
    return str(pricing.price_points(rules, [point])[0].price)


@pytest.fixture
def api(hashmap_db):
    return hashmap_db


def mapping(api, cost, **kw):
    kw.setdefault('start', PAST)
    return api.create_mapping(cost=D(cost), force=True, **kw)


class TestExamples(object):

    def test_1_volume_thresholds(self, api):
        svc = api.create_service('volume.size')['service_id']
        grp = api.create_group('volume_thresholds')['group_id']
        mapping(api, '0.001', service_id=svc, group_id=grp)
        api.create_threshold(D(50), D('0.98'), 'rate', service_id=svc,
                             group_id=grp)
        api.create_threshold(D(200), D('0.95'), 'rate', service_id=svc,
                             group_id=grp)
        api.create_threshold(D(50), D('0.97'), 'rate', service_id=svc,
                             group_id=grp, tenant_id='p2')
        points = [(20, {}), (50, {}), (80, {}), (250, {})]
        glob = prices(hashmap.HashMap(), 'volume.size', *points)
        assert [D(p) for p in glob] == [D('0.02'), D('0.049'),
                                        D('0.0784'), D('0.2375')]
        assert glob == ['0.0200000000000000000000000000',
                        '0.04900000000000000000000000000',
                        '0.07840000000000000000000000000',
                        '0.2375000000000000000000000000']
        p2 = prices(hashmap.HashMap(tenant_id='p2'), 'volume.size', *points)
        assert [D(p) for p in p2] == [D('0.02'), D('0.0485'), D('0.0776'),
                                      D('0.2375')]
        # Another scope does not see p2's threshold.
        other = prices(hashmap.HashMap(tenant_id='p3'), 'volume.size',
                       *points)
        assert other == glob

    def test_2_instance_flavor(self, api):
        svc = api.create_service('instance')['service_id']
        fld = api.create_field(svc, 'flavor_id')['field_id']
        grp = api.create_group('instance_uptime_flavor_id')['group_id']
        flavor = '93195dd4-d91c-4c1b-9a4d-8b7a3b4d1c2e'
        mapping(api, '0.01', field_id=fld, value=flavor, group_id=grp)
        result = prices(hashmap.HashMap(), 'instance',
                        (1, {'flavor_id': flavor}),
                        (1, {'flavor_id': 'other'}))
        assert result == ['0.0100000000000000000000000000', '0']

    def test_3_rate_times_flat(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        f2 = api.create_field(svc, 'f2')['field_id']
        mapping(api, '1.5', service_id=svc, map_type='rate')
        mapping(api, '4', field_id=f, value='a')
        mapping(api, '0.5', field_id=f2, value='z', map_type='rate')
        mapping(api, '6', field_id=f2, value='y')
        result = prices(hashmap.HashMap(), 'svc',
                        (2, {'f': 'a', 'f2': 'z'}),
                        (2, {'f': 'a', 'f2': 'y'}))
        assert result == ['6.000000000000000000000000000',
                          '18.00000000000000000000000000']

    def test_4_groups_add_up(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        g1 = api.create_group('g1')['group_id']
        g2 = api.create_group('g2')['group_id']
        mapping(api, '2', field_id=f, value='a', group_id=g1)
        mapping(api, '1', service_id=svc, group_id=g2)
        result = prices(hashmap.HashMap(), 'svc', (3, {'f': 'a'}))
        assert D(result[0]) == 9
        assert result == ['9.000000000000000000000000000']

    def test_5_field_thresholds(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        mapping(api, '2', field_id=f, value='8')
        api.create_threshold(D(4), D(1), 'flat', field_id=f)
        api.create_threshold(D(6), D(3), 'rate', field_id=f)
        result = prices(hashmap.HashMap(), 'svc', (3, {'f': '8'}),
                        (3, {'f': '5'}), (3, {'f': '2'}))
        assert [D(r) for r in result] == [18, 3, 0]
        assert result == ['18.00000000000000000000000000',
                          '3.000000000000000000000000000', '0']

    def test_5_non_numeric_field_value_reaches_no_level(self, api):
        # The reference aborts the frame; here the point is just not
        # affected by the field's thresholds (release note).
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        mapping(api, '2', field_id=f, value='8')
        api.create_threshold(D(4), D(1), 'flat', field_id=f)
        result = prices(hashmap.HashMap(), 'svc', (3, {'f': 'x'}),
                        (3, {'f': None}), (3, {'f': '5'}))
        assert [D(r) for r in result] == [0, 0, 3]

    def test_6_service_vs_field_threshold(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        mapping(api, '1', service_id=svc)
        api.create_threshold(D(2), D(100), 'flat', service_id=svc)
        api.create_threshold(D(5), D(1000), 'flat', field_id=f)
        result = prices(hashmap.HashMap(), 'svc', (3, {'f': '9'}),
                        (3, {'f': '1'}), (1, {'f': '1'}))
        assert [D(r) for r in result] == [3003, 103, 1]

    def test_7_service_rate_threshold(self, api):
        svc = api.create_service('svc')['service_id']
        mapping(api, '2', service_id=svc)
        api.create_threshold(D(2), D('0.5'), 'rate', service_id=svc)
        result = prices(hashmap.HashMap(), 'svc', (3, {}), (1, {}))
        assert [D(r) for r in result] == [3, 2]

    def test_7_level_zero_threshold(self, api):
        svc = api.create_service('svc')['service_id']
        mapping(api, '2', service_id=svc)
        api.create_threshold(D(0), D(10), 'flat', service_id=svc)
        result = prices(hashmap.HashMap(), 'svc', (3, {}), (0, {}))
        assert [D(r) for r in result] == [16, 10]

    def test_8_tenant_override(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        mapping(api, '2', field_id=f, value='a')
        mapping(api, '7', field_id=f, value='a', tenant_id='T')
        mapping(api, '9', field_id=f, value='b', tenant_id='T')
        points = [(1, {'f': 'a'}), (1, {'f': 'b'})]
        assert [D(r) for r in prices(hashmap.HashMap(tenant_id='U'), 'svc',
                                     *points)] == [2, 0]
        assert [D(r) for r in prices(hashmap.HashMap(), 'svc',
                                     *points)] == [2, 0]
        assert [D(r) for r in prices(hashmap.HashMap(tenant_id='T'), 'svc',
                                     *points)] == [7, 9]

    def test_9_rate_only(self, api):
        svc = api.create_service('svc')['service_id']
        mapping(api, '0.5', service_id=svc, map_type='rate')
        assert prices(hashmap.HashMap(), 'svc', (1, {}), (5, {})) == [
            '0E-28', '0E-28']


class TestSemantics(object):

    def test_adds_to_incoming_price_and_keeps_frame_shape(self, api):
        svc = api.create_service('svc')['service_id']
        mapping(api, '0.5', service_id=svc)
        data = dataframe.DataFrame(START, START + datetime.timedelta(hours=1))
        data.add_point(dataframe.DataPoint('u', 2, '1.25', {'id': 'a'},
                                           {'m': 1}, 'd'), 'svc')
        data.add_point(dataframe.DataPoint('u', 1, 0, {}, {}), 'other')
        out = hashmap.HashMap().process(data)
        assert out.start == data.start and out.end == data.end
        rated = list(out.iterpoints())
        assert [t for t, _ in rated] == ['svc', 'other']
        point = rated[0][1]
        assert point.price == D('2.25')
        assert (point.unit, point.qty, dict(point.groupby),
                dict(point.metadata), point.description) == (
            'u', 2, {'id': 'a'}, {'m': 1}, 'd')
        assert rated[1][1].price == 0

    def test_groupby_wins_over_metadata(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        mapping(api, '3', field_id=f, value='g')
        data = dataframe.DataFrame(START, START + datetime.timedelta(hours=1))
        data.add_point(dataframe.DataPoint('u', 1, 0, {'f': 'g'},
                                           {'f': 'm'}), 'svc')
        out = hashmap.HashMap().process(data)
        assert [p.price for _, p in out.iterpoints()] == [3]

    def test_value_matching_is_textual(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        mapping(api, '1', field_id=f, value='1')
        mapping(api, '2', field_id=f, value='True')
        result = prices(hashmap.HashMap(), 'svc', (1, {'f': 1}),
                        (1, {'f': 1.0}), (1, {'f': True}))
        assert [D(r) for r in result] == [1, 0, 2]

    def test_same_points_priced_alike_exact_quantity_kept(self, api):
        # Points sharing quantity and field values share one computation;
        # 2 and 2.0 are different quantities for the result's exponent.
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        mapping(api, '0.001', field_id=f, value='a')
        result = prices(hashmap.HashMap(), 'svc', (D('2'), {'f': 'a'}),
                        (D('2.0'), {'f': 'a'}), (D('2'), {'f': 'a'}),
                        (D('2'), {'f': 'b'}))
        assert result == [str(D('0.0010000000000000000000000000') * 2),
                          str(D('0.0010000000000000000000000000') *
                              D('2.0')),
                          str(D('0.0010000000000000000000000000') * 2),
                          '0']
        assert result[0] != result[1]

    def test_negative_flat_never_wins(self, api):
        svc = api.create_service('svc')['service_id']
        mapping(api, '-4', service_id=svc)
        assert [D(r) for r in prices(hashmap.HashMap(), 'svc',
                                     (3, {}))] == [0]

    def test_default_group_name_merges(self, api):
        # A group literally named _DEFAULT_ is the default group (quirk):
        # its service mapping replaces the ungrouped one.
        svc = api.create_service('svc')['service_id']
        grp = api.create_group('_DEFAULT_')['group_id']
        mapping(api, '1', service_id=svc)
        mapping(api, '5', service_id=svc, group_id=grp)
        assert [D(r) for r in prices(hashmap.HashMap(), 'svc',
                                     (1, {}))] == [5]


def prices_at(module, at, metric, *points):
    """Prices of ``points`` in a one-hour frame starting at ``at``."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=datetime.timezone.utc)
    out = module.process(dataframe.DataFrame(
        at, at + datetime.timedelta(hours=1),
        usage={metric: [dataframe.DataPoint('u', qty, 0, {}, desc)
                        for qty, desc in points]}))
    return [D(p.price) for _, p in out.iterpoints()]


class TestValidity(object):

    def test_start_end_and_soft_delete(self, api):
        svc = api.create_service('svc')['service_id']
        t0 = datetime.datetime(2030, 1, 1)
        t1 = datetime.datetime(2030, 6, 1)
        mapping(api, '1', service_id=svc, start=t0, end=t1)
        later = mapping(api, '2', service_id=svc, start=t1)
        module = hashmap.HashMap()
        assert prices(module, 'svc', (1, {})) == ['0']     # 2026: none
        assert prices_at(module, t0, 'svc', (1, {})) == [1]
        assert prices_at(module, t1 - datetime.timedelta(seconds=1),
                         'svc', (1, {})) == [1]
        # End is exclusive, start inclusive.
        assert prices_at(module, t1, 'svc', (1, {})) == [2]
        # Aware datetimes are compared in UTC.
        cet = datetime.timezone(datetime.timedelta(hours=1))
        assert prices_at(module, t1.replace(tzinfo=cet), 'svc',
                         (1, {})) == [1]
        assert prices_at(module, (t1 + datetime.timedelta(hours=1))
                         .replace(tzinfo=cet), 'svc', (1, {})) == [2]
        api.delete_mapping(later['mapping_id'])
        module.reload_config(t1)
        assert prices_at(module, t1, 'svc', (1, {})) == [0]

    def test_one_instance_across_boundaries(self, api):
        """One module rates frames across validity boundaries.

        Each period gets exactly the rules valid at its start, without SQL.
        """
        svc = api.create_service('svc')['service_id']
        fld = api.create_field(svc, 'flavor')['field_id']
        t0 = datetime.datetime(2030, 1, 1, 3)
        t1 = datetime.datetime(2030, 1, 1, 6)
        mapping(api, '10', service_id=svc, end=t0)
        mapping(api, '20', service_id=svc, start=t0, end=t1)
        mapping(api, '30', service_id=svc, start=t1)
        # A rate mapping valid only in [t0, t1), for one value.
        api.create_mapping(cost=D('0.5'), map_type='rate', field_id=fld,
                           value='small', start=t0, end=t1, force=True)
        # A tenant rule overriding the global one from 04:00 to 05:00.
        tenant_start = datetime.datetime(2030, 1, 1, 4)
        mapping(api, '99', service_id=svc, tenant_id='T',
                start=tenant_start, end=tenant_start + datetime.timedelta(
                    hours=1))
        module = hashmap.HashMap(tenant_id='T')
        other = hashmap.HashMap(tenant_id='U')
        module.reload_config()
        other.reload_config()
        with sql_statements() as statements:
            hour = datetime.timedelta(hours=1)
            got, got_other = [], []
            for i in range(9):
                at = datetime.datetime(2030, 1, 1) + i * hour
                got.append(prices_at(module, at, 'svc', (2, {}),
                                     (2, {'flavor': 'small'})))
                got_other.append(prices_at(other, at, 'svc', (2, {})))
            assert statements == []
        assert got == [[20, 20]] * 3 + [[40, 20], [198, 99], [40, 20]] + \
            [[60, 60]] * 3
        assert got_other == [[20]] * 3 + [[40]] * 3 + [[60]] * 3

    def test_quote_uses_rules_valid_now(self, api):
        svc = api.create_service('svc')['service_id']
        mapping(api, '1', service_id=svc,
                end=datetime.datetime(2031, 1, 1))
        mapping(api, '7', service_id=svc,
                start=datetime.datetime(2031, 1, 1))
        module = hashmap.HashMap()
        # A frame dated in the future: quote() still prices as of now.
        out = module.quote(dataframe.DataFrame(
            datetime.datetime(2032, 1, 1, tzinfo=datetime.timezone.utc),
            datetime.datetime(2032, 1, 1, 1, tzinfo=datetime.timezone.utc),
            usage={'svc': [dataframe.DataPoint('u', 1, 0, {}, {})]}))
        assert [D(p.price) for _, p in out.iterpoints()] == [1]

    def test_loaded_once_per_scope_run(self, api):
        assert hashmap.HashMap.reload_per_period is False
        svc = api.create_service('svc')['service_id']
        mapping(api, '4', service_id=svc)
        # Loaded lazily by the first process() when never reloaded.
        assert prices_at(hashmap.HashMap(), START, 'svc', (1, {})) == [4]


class TestLoading(object):

    def test_rules_loaded_once_no_db_access_in_process(self, api):
        svc = api.create_service('svc')['service_id']
        f = api.create_field(svc, 'f')['field_id']
        for i in range(20):
            mapping(api, str(i), field_id=f, value=str(i))
            api.create_threshold(D(i), D(1), 'flat', field_id=f)
        with sql_statements() as statements:
            module = hashmap.HashMap()
            assert statements == []     # loaded on first use only
            module.reload_config()
            loaded = len(statements)
            assert 0 < loaded <= 6
            module.reload_config()
            assert len(statements) == 2 * loaded
            del statements[:]
            points = [(1, {'f': str(i % 25)}) for i in range(500)]
            result = prices(module, 'svc', *points)
            assert statements == []
        assert D(result[3]) == 3 + 1
        assert D(result[24]) == 0 + 1      # no mapping, threshold 19

    def test_unknown_metric_untouched(self, api):
        assert prices(hashmap.HashMap(), 'nothing', (1, {})) == ['0']

    def test_module_identity(self, api):
        module = hashmap.HashMap()
        assert module.module_name == 'hashmap'
        assert module.description == 'HashMap rating module.'
        assert module.hot_config is True
        chain = module.db_api.get_migration()
        assert chain.version_table == 'hashmap_alembic'
        assert chain.heads() == ('b12a7814608d',)


class TestSharedFactors(object):

    def test_points_sharing_factors_priced_like_single_points(self, api):
        """Many points, few distinct factors: same prices one by one."""
        svc = api.create_service('svc')['service_id']
        fld = api.create_field(svc, 'flavor')['field_id']
        grp = api.create_group('g')['group_id']
        mapping(api, '0.5', service_id=svc)
        mapping(api, '3', service_id=svc, group_id=grp)
        api.create_mapping(cost=D('1.1'), map_type='rate', field_id=fld,
                           value='a', start=PAST, force=True)
        api.create_mapping(cost=D('2'), field_id=fld, value='b',
                           group_id=grp, start=PAST, force=True)
        api.create_threshold(D(10), D('0.9'), 'rate', service_id=svc)
        api.create_threshold(D(50), D('7'), 'flat', service_id=svc,
                             group_id=grp)
        api.create_threshold(D(2), D('0.25'), 'flat', field_id=fld,
                             group_id=grp)
        module = hashmap.HashMap()
        points = [(D(q) / 3, {'flavor': f})
                  for q in range(0, 200, 7) for f in ('a', 'b', 'c', 3)]
        together = prices(module, 'svc', *points)
        alone = [prices(module, 'svc', point)[0] for point in points]
        assert together == alone
        rules = module._rules_at(START)['svc']
        expected = [price_alone(rules, qty, desc) for qty, desc in points]
        assert [D(p) for p in together] == [D(p) for p in expected]

    def test_factors_computed_once_for_every_period(self, api, monkeypatch):
        svc = api.create_service('svc')['service_id']
        fld = api.create_field(svc, 'flavor')['field_id']
        mapping(api, '0.5', service_id=svc)
        api.create_mapping(cost=D('1.1'), map_type='rate', field_id=fld,
                           value='a', start=PAST, force=True)
        api.create_threshold(D(10), D('0.9'), 'rate', service_id=svc)
        module = hashmap.HashMap()
        calls = []
        real = pricing.point_factors

        def counting(*args):
            calls.append(args[1])
            return real(*args)

        monkeypatch.setattr(pricing, 'point_factors', counting)
        points = [(q, {'flavor': f}) for q in (1, 5, 20) for f in 'ab']
        first = prices(module, 'svc', *points)
        # Below/above the level x two flavors: four distinct factors.
        assert len(calls) == 4
        later = dataframe.DataFrame(
            START + datetime.timedelta(hours=5),
            START + datetime.timedelta(hours=6),
            usage={'svc': [dataframe.DataPoint('u', qty, 0, {}, desc)
                           for qty, desc in points]})
        out = module.process(later)
        assert [str(p.price) for _, p in out.iterpoints()] == first
        assert len(calls) == 4

    @pytest.mark.parametrize('zone', [False, True])
    def test_levels_in_any_order_priced_like_single_points(self, api, zone):
        svc = api.create_service('svc')['service_id']
        fld = api.create_field(svc, 'flavor')['field_id']
        grp = api.create_group('g')['group_id']
        mapping(api, '2', service_id=svc)
        mapping(api, '3', service_id=svc, group_id=grp)
        api.create_mapping(cost=D('1.5'), map_type='rate', field_id=fld,
                           value='a', start=PAST, force=True)
        if zone:
            # Two fields (the general key) instead of one.
            other = api.create_field(svc, 'zone')['field_id']
            api.create_mapping(cost=D('0.5'), map_type='rate',
                               field_id=other, value='z1', group_id=grp,
                               start=PAST, force=True)
        # Levels created out of order, one shared by two groups.
        for level, cost, kind, group in ((100, '0.5', 'rate', None),
                                         (10, '4', 'flat', grp),
                                         (50, '0.8', 'rate', None),
                                         (10, '0.9', 'rate', None)):
            api.create_threshold(D(level), D(cost), kind, service_id=svc,
                                 group_id=group)
        module = hashmap.HashMap()
        points = [(D(q), {'flavor': f, 'zone': z})
                  for q in (0, 9, 10, 11, 49, 50, 99, 100, 1000)
                  for f in ('a', 'b') for z in ('z1', 'z2')]
        together = prices(module, 'svc', *points)
        rules = module._rules_at(START)['svc']
        expected = [price_alone(rules, qty, desc) for qty, desc in points]
        assert together == expected
