"""The Prometheus collector and fetcher against a real Prometheus."""
import datetime
import decimal
import uuid

import pytest

from cloudkitty import collector
from cloudkitty.collector import prometheus
from cloudkitty.fetcher import prometheus as prometheus_fetcher
from cloudkitty.tests.functional.fixtures import prometheus as fixture
from cloudkitty.utils import tz as tzutils

HOUR = 3600
PERIODS = 3
METRIC = 'ck_test_cpu_%s' % uuid.uuid4().hex[:8]
DISCOVERY = 'ck_test_up_%s' % uuid.uuid4().hex[:8]
P1 = 'p1-' + uuid.uuid4().hex[:8]
P2 = 'p2-' + uuid.uuid4().hex[:8]
# resource id -> (project, flavor, base value)
RESOURCES = {
    'r1': (P1, 'm1.small', 1024),
    'r2': (P1, 'm1.large', 4096),
    'r3': (P2, 'm1.small', 2048),
}


def _value(base, period, minute):
    # A known, varying integer series: max per period is at minute 59.
    return base + period * 100 + minute


@pytest.fixture(scope='module')
def server_and_start():
    server = fixture.get_server()
    now = tzutils.aware_utcnow()
    start = tzutils.align(now, HOUR) - datetime.timedelta(
        hours=PERIODS + 1)
    first = int(start.timestamp())
    series = []
    for resource, (project, flavor, base) in RESOURCES.items():
        samples = []
        for period in range(PERIODS):
            for minute in range(60):
                # Strictly inside the period (ranges are closed in 2.x).
                samples.append((first + period * HOUR + minute * 60 + 30,
                                _value(base, period, minute)))
        series.append(fixture.Series(
            METRIC, {'project_id': project, 'id': resource,
                     'flavor_name': flavor, 'code': '200'}, samples))
    # The discovery metric is queried at "now" (5 minute lookback): samples
    # every 30 s from 10 minutes ago to an hour ahead.
    now_ts = int(now.timestamp())
    for resource, (project, flavor, base) in RESOURCES.items():
        series.append(fixture.Series(
            DISCOVERY, {'project_id': project, 'id': resource,
                        'flavor_name': flavor, 'code': '200'},
            [(ts, 1) for ts in range(now_ts - 600, now_ts + 3600, 30)]))
    server.backfill(series)
    return server, start


@pytest.fixture
def collector_conf(conf, server_and_start):
    server, _ = server_and_start
    conf.set_override('prometheus_url', server.api_url,
                      'collector_prometheus')
    conf.set_override('timeout', 5, 'collector_prometheus')
    return conf


def _collector(metric_conf):
    return prometheus.PrometheusCollector(
        period=HOUR, conf={'metrics': {METRIC: metric_conf}})


def _expected(project, period, factor=decimal.Decimal(1)):
    out = {}
    # Quantities are computed with 9 significant digits, ROUND_HALF_UP.
    context = decimal.Context(prec=9, rounding=decimal.ROUND_HALF_UP)
    for resource, (proj, flavor, base) in RESOURCES.items():
        if proj == project:
            out[resource] = (context.multiply(
                decimal.Decimal(_value(base, period, 59)), factor), flavor)
    return out


def test_collects_exact_points(collector_conf, server_and_start):
    _, start = server_and_start
    coll = _collector({
        'unit': 'MiB', 'alt_name': 'ram', 'factor': '1/1024',
        'groupby': ['id'], 'metadata': ['flavor_name'],
        'extra_args': {'aggregation_method': 'max'}})
    key = METRIC + '@#ram'
    for period in range(PERIODS):
        begin = start + datetime.timedelta(hours=period)
        end = begin + datetime.timedelta(hours=1)
        for project in (P1, P2):
            name, points = coll.retrieve(key, begin, end, project)
            assert name == 'ram'
            expected = _expected(project, period,
                                 decimal.Decimal(1) / decimal.Decimal(1024))
            got = {p.groupby['id']: p for p in points}
            assert set(got) == set(expected)
            for resource, point in got.items():
                qty, flavor = expected[resource]
                assert point.qty == qty
                assert point.price == 0
                assert point.unit == 'MiB'
                assert dict(point.metadata) == {'flavor_name': flavor}
                assert dict(point.groupby) == {
                    'id': resource, 'project_id': project,
                    'week_of_the_year': begin.strftime('%U'),
                    'day_of_the_year': str(begin.timetuple().tm_yday),
                    'month': str(begin.month), 'year': str(begin.year)}


def test_avg_sum_suffix_and_mutate(collector_conf, server_and_start):
    _, start = server_and_start
    # avg over the period of base + 100*period + minute (minute 0..59).
    coll = _collector({
        'unit': 'u', 'groupby': [],
        'extra_args': {'aggregation_method': 'sum',
                       'query_suffix': '* 2'}})
    name, points = coll.retrieve(METRIC, start,
                                 start + datetime.timedelta(hours=1), P1)
    assert name == METRIC
    # sum(sum_over_time) by (project_id) * 2
    total = sum(_value(base, 0, m) for (proj, _, base) in
                RESOURCES.values() if proj == P1 for m in range(60))
    assert [p.qty for p in points] == [decimal.Decimal(total * 2)]
    assert points[0].groupby['project_id'] == P1
    coll = _collector({'unit': 'instance', 'groupby': ['id'],
                       'mutate': 'NUMBOOL',
                       'extra_args': {'aggregation_method': 'avg'}})
    points = coll.fetch_all(METRIC, start,
                            start + datetime.timedelta(hours=1), P2)
    assert [(p.groupby['id'], p.qty) for p in points] == [
        ('r3', decimal.Decimal('1.0'))]


def test_precision_nine_digits(collector_conf, server_and_start):
    _, start = server_and_start
    coll = _collector({'unit': 'u', 'groupby': ['id'], 'factor': '1/3',
                       'extra_args': {'aggregation_method': 'max'}})
    points = coll.fetch_all(METRIC, start,
                            start + datetime.timedelta(hours=1), P2)
    # 2107 / 3 with 9 significant digits, ROUND_HALF_UP.
    assert [p.qty for p in points] == [decimal.Decimal('702.333333')]


def test_no_data(collector_conf, server_and_start):
    _, start = server_and_start
    coll = _collector({'unit': 'u'})
    with pytest.raises(collector.NoDataCollected):
        coll.retrieve(METRIC, start, start + datetime.timedelta(hours=1),
                      'no-such-project')
    old = start - datetime.timedelta(days=2)
    assert coll.fetch_all(METRIC, old, old + datetime.timedelta(hours=1),
                          P1) == []


def test_query_error_is_collect_error(collector_conf, server_and_start):
    _, start = server_and_start
    coll = _collector({'unit': 'u', 'extra_args': {
        'query_prefix': 'not valid promql ('}})
    with pytest.raises(collector.CollectError) as exc:
        coll.fetch_all(METRIC, start, start + datetime.timedelta(hours=1),
                       P1)
    assert str(exc.value).startswith('bad_data: ')


def test_stopped_prometheus_raises_then_recovers(collector_conf,
                                                 server_and_start):
    server, start = server_and_start
    coll = _collector({'unit': 'u', 'groupby': ['id'],
                       'extra_args': {'aggregation_method': 'max'}})
    end = start + datetime.timedelta(hours=1)
    before = coll.fetch_all(METRIC, start, end, P1)
    assert len(before) == 2
    server.stop()
    try:
        with pytest.raises(collector.CollectError):
            coll.retrieve(METRIC, start, end, P1)
    finally:
        server.start()
    assert coll.fetch_all(METRIC, start, end, P1) == before


def test_prometheus_fetcher(conf, server_and_start):
    server, _ = server_and_start
    conf.set_override('prometheus_url', server.api_url, 'fetcher_prometheus')
    conf.set_override('metric', DISCOVERY, 'fetcher_prometheus')
    fetcher = prometheus_fetcher.PrometheusFetcher()
    assert sorted(fetcher.get_tenants()) == sorted([P1, P2])
    conf.set_override('filters', {'flavor_name': 'm1.large'},
                      'fetcher_prometheus')
    assert fetcher.get_tenants() == [P1]
    conf.set_override('filters', {'flavor_name': 'm1.small', 'code': '200'},
                      'fetcher_prometheus')
    assert sorted(fetcher.get_tenants()) == sorted([P1, P2])
    conf.set_override('scope_attribute', 'no_such_label',
                      'fetcher_prometheus')
    assert fetcher.get_tenants() == []


def test_prometheus_fetcher_errors(conf, server_and_start):
    server, _ = server_and_start
    conf.set_override('prometheus_url', server.api_url, 'fetcher_prometheus')
    conf.set_override('metric', 'bad metric (', 'fetcher_prometheus')
    fetcher = prometheus_fetcher.PrometheusFetcher()
    with pytest.raises(prometheus_fetcher.PrometheusFetcherError) as exc:
        fetcher.get_tenants()
    assert str(exc.value).startswith('Unexpected Prometheus server response')
    assert str(exc.value).endswith(
        '" for "max(bad metric () by (project_id)"')
    conf.set_override('prometheus_url', 'http://127.0.0.1:1/api/v1',
                      'fetcher_prometheus')
    fetcher = prometheus_fetcher.PrometheusFetcher()
    with pytest.raises(prometheus_fetcher.PrometheusFetcherError):
        fetcher.get_tenants()
