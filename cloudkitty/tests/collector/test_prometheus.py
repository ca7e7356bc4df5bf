"""Prometheus query construction and answer handling."""
import datetime
import decimal

import pytest

from cloudkitty import collector
from cloudkitty.collector import prometheus

START = datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc)
END = START + datetime.timedelta(hours=1)
SCOPE = 'f266f30b11f246b589fd266f85eeec39'


def normalise(definition, name='http_requests_total'):
    return prometheus.PrometheusCollector.check_configuration(
        {'metrics': {name: definition}})


def test_query_default(conf):
    conf_ = normalise({'unit': 'instance', 'groupby': ['foo', 'bar'],
                       'metadata': ['code', 'instance'],
                       'extra_args': {'aggregation_method': 'avg'}})
    assert prometheus.build_query(
        'http_requests_total', conf_['http_requests_total'], START, END,
        SCOPE, 'project_id') == (
        'avg(avg_over_time(http_requests_total{project_id="%s"}[3600s])) '
        'by (foo, bar, project_id, code, instance)' % SCOPE)


def test_query_functions(conf):
    conf_ = normalise({'unit': 'instance', 'groupby': ['foo', 'bar'],
                       'metadata': ['code', 'instance'],
                       'extra_args': {'aggregation_method': 'avg',
                                      'range_function': 'delta',
                                      'query_function': 'abs'}})
    assert prometheus.build_query(
        'http_requests_total', conf_['http_requests_total'], START, END,
        SCOPE, 'project_id') == (
        'avg(abs(delta(http_requests_total{project_id="%s"}[3600s]))) '
        'by (foo, bar, project_id, code, instance)' % SCOPE)


def test_query_prefix_suffix_alt_name(conf):
    conf_ = normalise({'unit': 'u', 'alt_name': 'one',
                       'groupby': ['one', 'project_id', 'two'],
                       'extra_args': {'range_function': 'delta',
                                      'query_function': 'abs',
                                      'query_prefix': 'custom_prefix',
                                      'query_suffix': 'custom_suffix'}},
                      name='metric_one')
    key = 'metric_one@#one'
    assert prometheus.build_query(
        key, conf_[key], START, START + datetime.timedelta(seconds=60),
        'random_value', 'random_key') == (
        'custom_prefix max(abs(delta(metric_one{random_key="random_value"}'
        '[60s]))) by (one, project_id, two) custom_suffix')


class FakeClient(object):
    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def query(self, query, time=None):
        self.calls.append((query, time))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def make_collector(conf, answer, **definition):
    definition.setdefault('unit', 'instance')
    conf.set_override('prometheus_url', 'http://prom/api/v1',
                      'collector_prometheus')
    coll = prometheus.PrometheusCollector(
        period=3600, conf={'metrics': {'m': definition}})
    coll._client = FakeClient(answer)
    return coll


def test_answer_handling(conf):
    answer = {'status': 'success', 'data': {'result': [
        {'metric': {'id': 'a', 'project_id': SCOPE, 'flavor': 'small'},
         'value': [1546304400, '1.23456789012']},
        {'metric': {'id': 'b'}, 'value': [1546304400, '3']},
    ]}}
    coll = make_collector(conf, answer, groupby=['id'],
                          metadata=['flavor'], factor=2)
    points = coll.fetch_all('m', START, END, SCOPE)
    assert coll._client.calls == [(
        'max(max_over_time(m{project_id="%s"}[3600s])) by (id, project_id, '
        'flavor)' % SCOPE, END.isoformat())]
    assert [p.qty for p in points] == [decimal.Decimal('2.46913578'),
                                       decimal.Decimal(6)]
    assert dict(points[0].metadata) == {'flavor': 'small'}
    assert dict(points[1].metadata) == {'flavor': ''}
    assert points[0].groupby['project_id'] == SCOPE
    # A missing scope label is filled with the scope being collected.
    assert points[1].groupby['project_id'] == SCOPE
    assert points[1].groupby['id'] == 'b'


def test_empty_and_errors(conf):
    coll = make_collector(conf, {'status': 'success',
                                 'data': {'result': []}})
    assert coll.fetch_all('m', START, END, SCOPE) == []
    with pytest.raises(collector.NoDataCollected):
        coll.retrieve('m', START, END, SCOPE)
    coll = make_collector(conf, {'status': 'error', 'errorType': 'bad_data',
                                 'error': 'parse error'})
    with pytest.raises(collector.CollectError) as exc:
        coll.fetch_all('m', START, END, SCOPE)
    assert str(exc.value) == 'bad_data: parse error'
    coll = make_collector(conf, prometheus.PrometheusResponseError('down'))
    with pytest.raises(collector.CollectError):
        coll.fetch_all('m', START, END, SCOPE)
    coll = make_collector(conf, {'unexpected': True})
    with pytest.raises(collector.CollectError):
        coll.fetch_all('m', START, END, SCOPE)


def test_non_finite_values_skipped(conf):
    coll = make_collector(conf, {'status': 'success', 'data': {'result': [
        {'metric': {}, 'value': [0, 'NaN']},
        {'metric': {}, 'value': [0, '+Inf']},
        {'metric': {}, 'value': [0, '2']}]}})
    assert [p.qty for p in coll.fetch_all('m', START, END, SCOPE)] == [2]


def test_client_options(conf):
    conf.set_override('prometheus_user', 'user', 'collector_prometheus')
    conf.set_override('prometheus_password', 'pw', 'collector_prometheus')
    conf.set_override('insecure', True, 'collector_prometheus')
    conf.set_override('timeout', 7, 'collector_prometheus')
    coll = prometheus.PrometheusCollector(
        period=3600, conf={'metrics': {'m': {'unit': 'u'}}})
    assert coll._client.session.auth == ('user', 'pw')
    assert coll._client.session.verify is False
    assert coll._client.timeout == 7
    conf.set_override('cafile', '/etc/ca.pem', 'collector_prometheus')
    coll = prometheus.PrometheusCollector(
        period=3600, conf={'metrics': {'m': {'unit': 'u'}}})
    assert coll._client.session.verify == '/etc/ca.pem'
    conf.clear_override('prometheus_password', 'collector_prometheus')
    coll = prometheus.PrometheusCollector(
        period=3600, conf={'metrics': {'m': {'unit': 'u'}}})
    assert coll._client.session.auth is None
