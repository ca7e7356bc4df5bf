"""Prometheus collector.

One PromQL instant query per (metric, scope, period), evaluated at the end
of the period over a range covering the period, as the reference does.
"""
import decimal

from oslo_config import cfg
from oslo_log import log as logging
import requests
import voluptuous

from cloudkitty import collector
from cloudkitty import dataframe
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)

POOL_SIZE = 32

PROMETHEUS_COLLECTOR_OPTS = 'collector_prometheus'

collector_prometheus_opts = [
    cfg.StrOpt('prometheus_url',
               default='',
               help='Prometheus service URL (including /api/v1)'),
    cfg.StrOpt('prometheus_user',
               help='Prometheus user (for basic auth only)'),
    cfg.StrOpt('prometheus_password',
               help='Prometheus user password (for basic auth only)',
               secret=True),
    cfg.StrOpt('cafile',
               help='Custom certificate authority file path'),
    cfg.BoolOpt('insecure',
                default=False,
                help='Explicitly trust untrusted HTTPS responses'),
    cfg.FloatOpt('timeout',
                 default=60,
                 min=0,
                 help='Timeout value for http requests'),
]

CONF = cfg.CONF
CONF.register_opts(collector_prometheus_opts, PROMETHEUS_COLLECTOR_OPTS)

AGGREGATION_METHODS = ['avg', 'count', 'max', 'min', 'stddev', 'stdvar',
                       'sum']
QUERY_FUNCTIONS = ['abs', 'ceil', 'exp', 'floor', 'ln', 'log2', 'log10',
                   'round', 'sqrt']
RANGE_FUNCTIONS = ['changes', 'delta', 'deriv', 'idelta', 'irange', 'irate',
                   'rate']


def _one_of(values):
    return voluptuous.In(values, msg='expected one of %s' % ', '.join(values))


PROMETHEUS_EXTRA_SCHEMA = {
    voluptuous.Required('extra_args', default={}): {
        voluptuous.Required('aggregation_method', default='max'):
            _one_of(AGGREGATION_METHODS),
        voluptuous.Optional('query_function'): _one_of(QUERY_FUNCTIONS),
        voluptuous.Optional('range_function'): _one_of(RANGE_FUNCTIONS),
        voluptuous.Required('query_prefix', default=''): str,
        voluptuous.Required('query_suffix', default=''): str,
    },
}


class PrometheusResponseError(Exception):
    """Prometheus could not be reached or gave an unusable answer."""


class PrometheusClient(object):
    """Minimal Prometheus HTTP API client (instant queries).

    ``url`` is the API base including ``/api/v1``.
    """

    def __init__(self, url, user=None, password=None, verify=True,
                 timeout=60):
        self.url = (url or '').rstrip('/')
        self.timeout = timeout
        self.session = requests.Session()
        self.session.verify = verify
        # A scope's metrics are collected by up to [orchestrator]
        # max_threads threads sharing this session.
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=POOL_SIZE)
        self.session.mount('http://', adapter)
        self.session.mount('https://', adapter)
        if user and password:
            self.session.auth = (user, password)

    def query(self, query, time=None):
        """Run an instant query; the decoded JSON answer.

        Raises PrometheusResponseError on a transport error or a body that
        is not JSON (Prometheus answers errors in JSON with a 4xx/5xx).
        """
        params = {'query': query}
        if time is not None:
            params['time'] = time
        try:
            response = self.session.get(self.url + '/query', params=params,
                                        timeout=self.timeout)
        except requests.RequestException as exc:
            raise PrometheusResponseError(
                'Prometheus query %r failed: %s' % (query, exc))
        try:
            return response.json()
        except ValueError:
            raise PrometheusResponseError(
                'Prometheus query %r: unexpected answer (HTTP %s): %s'
                % (query, response.status_code, response.text[:200]))


def _label_value(value):
    """A PromQL double-quoted string body."""
    return str(value).replace('\\', '\\\\').replace('"', '\\"')


def build_query(metric_key, metric_conf, start, end, scope_id, scope_key):
    """The PromQL instant query of a metric for one scope and period."""
    extra = metric_conf['extra_args']
    name = collector.metric_name(metric_key)
    seconds = tzutils.diff_seconds(end, start)
    query = '%s{%s="%s"}[%ds]' % (name, scope_key, _label_value(scope_id),
                                  seconds)
    aggregation = extra['aggregation_method']
    if extra.get('range_function'):
        query = '%s(%s)' % (extra['range_function'], query)
    else:
        query = '%s_over_time(%s)' % (aggregation, query)
    if extra.get('query_function'):
        query = '%s(%s)' % (extra['query_function'], query)
    query = '%s(%s)' % (aggregation, query)
    query += ' by (%s)' % ', '.join(
        list(metric_conf['groupby']) + list(metric_conf['metadata']))
    if extra.get('query_prefix'):
        query = extra['query_prefix'] + ' ' + query
    if extra.get('query_suffix'):
        query = query + ' ' + extra['query_suffix']
    return query


# Quantities from Prometheus are rounded to 9 significant digits, as the
# reference does (it keeps stored values stable across float renderings).
_PROMETHEUS_CONTEXT = decimal.Context(prec=9, rounding=decimal.ROUND_HALF_UP)


class PrometheusCollector(collector.BaseCollector):
    """Usage from Prometheus instant queries (one query per metric/scope)."""

    collector_name = 'prometheus'

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._client = self._make_client()

    def _make_client(self):
        """The client running the queries (the transport differs in aetos).

        Any object with ``query(query, time=None)`` returning the decoded
        answer and raising PrometheusResponseError will do.
        """
        opts = CONF.collector_prometheus
        return PrometheusClient(
            opts.prometheus_url,
            user=opts.prometheus_user,
            password=opts.prometheus_password,
            verify=opts.cafile or not opts.insecure,
            timeout=opts.timeout)

    @staticmethod
    def check_configuration(conf):
        return collector.check_metrics(
            conf, extra_schema=PROMETHEUS_EXTRA_SCHEMA)

    def fetch_all(self, metric_name, start, end, scope_id=None,
                  q_filter=None):
        metric = self.conf[metric_name]
        scope_key = CONF.collect.scope_key
        query = build_query(metric_name, metric, start, end, scope_id,
                            scope_key)
        try:
            res = self._client.query(query, time=end.isoformat())
        except PrometheusResponseError as exc:
            raise collector.CollectError(str(exc))
        if not isinstance(res, dict):
            raise collector.CollectError(
                'Unexpected Prometheus answer to %r: %r' % (query, res))
        if res.get('status') == 'error':
            raise collector.CollectError('%s: %s' % (
                res.get('errorType'), res.get('error')))
        try:
            result = res['data']['result']
        except (KeyError, TypeError):
            raise collector.CollectError(
                'Unexpected Prometheus answer to %r: %r' % (query, res))
        if not result:
            return []
        convert = self.converter(metric_name)
        calendar = collector.time_groupby(start)
        points = []
        for item in result:
            labels = item.get('metric', {})
            metadata = {m: labels.get(m, '') for m in metric['metadata']}
            groupby = {scope_key: scope_id}
            for attribute in metric['groupby']:
                groupby[attribute] = labels.get(attribute, '')
            # The reference leaves the scope key empty when the label is
            # missing from the answer; the scope is known, keep it.
            if not groupby.get(scope_key):
                groupby[scope_key] = scope_id
            try:
                with decimal.localcontext(_PROMETHEUS_CONTEXT):
                    qty = convert(+decimal.Decimal(item['value'][1]))
            except (KeyError, IndexError, TypeError,
                    decimal.InvalidOperation) as exc:
                raise collector.CollectError(
                    'Unexpected Prometheus sample %r for %r: %s'
                    % (item, query, exc))
            if not qty.is_finite():
                LOG.warning('[%s] Skipping non-finite value %s of metric %s '
                            'between %s and %s (labels %s)', scope_id, qty,
                            metric_name, start, end, labels)
                continue
            groupby.update(calendar)
            points.append(dataframe.DataPoint(
                metric['unit'], qty, 0, groupby, metadata,
                metric.get('description')))
        return points
