"""Prometheus fetcher: scopes found in the labels of a metric."""
from oslo_config import cfg

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
