"""Prometheus fetcher: scopes found in the labels of a metric."""
from oslo_config import cfg

from cloudkitty.collector import prometheus as collector_prometheus
from cloudkitty import fetcher

FETCHER_PROMETHEUS_OPTS = 'fetcher_prometheus'

fetcher_prometheus_opts = [
    cfg.StrOpt('metric',
               help='Metric from which scope_ids should be requested'),
    cfg.StrOpt('scope_attribute',
               default='project_id',
               help='Attribute from which scope_ids should be collected'),
    cfg.StrOpt('prometheus_url',
               help='Prometheus service URL'),
    cfg.StrOpt('prometheus_user',
               help='Prometheus user (for basic auth only)'),
    cfg.StrOpt('prometheus_password',
               help='Prometheus user (for basic auth only)',
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
    cfg.DictOpt('filters',
                default=dict(),
                help='Metadata to filter out the scope_ids discovery request '
                     'response'),
]

CONF = cfg.CONF
CONF.register_opts(fetcher_prometheus_opts, FETCHER_PROMETHEUS_OPTS)


class PrometheusFetcherError(fetcher.FetcherError):
    """Prometheus gave an unusable answer to the discovery query."""


def build_query(metric, filters, scope_attribute):
    selector = ''
    if filters:
        selector = '{%s}' % ', '.join(
            '%s="%s"' % (key, collector_prometheus._label_value(value))
            for key, value in filters.items())
    return 'max(%s%s) by (%s)' % (metric, selector, scope_attribute)


class PrometheusFetcher(fetcher.BaseFetcher):
    """Scopes found in a label of a Prometheus metric."""

    name = 'prometheus'

    def __init__(self):
        super().__init__()
        opts = CONF.fetcher_prometheus
        self._client = collector_prometheus.PrometheusClient(
            opts.prometheus_url,
            user=opts.prometheus_user,
            password=opts.prometheus_password,
            verify=opts.cafile or not opts.insecure,
            timeout=opts.timeout)

    def get_tenants(self):
        opts = CONF.fetcher_prometheus
        attribute = opts.scope_attribute
        query = build_query(opts.metric, opts.filters, attribute)
        try:
            res = self._client.query(query)
        except collector_prometheus.PrometheusResponseError as exc:
            raise PrometheusFetcherError(
                'Unexpected Prometheus server response "%s" for "%s"'
                % (exc, query))
        try:
            result = res['data']['result']
        except (KeyError, TypeError):
            raise PrometheusFetcherError(
                'Unexpected Prometheus server response "%s" for "%s"'
                % (res, query))
        return fetcher.unique(
            item['metric'][attribute] for item in result
            if item.get('metric', {}).get(attribute))
