"""Prometheus collector."""
from oslo_config import cfg

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
