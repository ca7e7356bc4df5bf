"""InfluxDB 1.x v2 storage driver."""
from oslo_config import cfg

influx_storage_opts = [
    cfg.StrOpt('username', help='InfluxDB username'),
    cfg.StrOpt('password', help='InfluxDB password', secret=True),
    cfg.StrOpt('database', help='InfluxDB database'),
    cfg.StrOpt('retention_policy', default='autogen',
               help='Retention policy to use'),
    cfg.StrOpt('host', help='InfluxDB host', default='localhost'),
    cfg.PortOpt('port', help='InfluxDB port', default=8086),
    cfg.BoolOpt('use_ssl', help='Set to true to use ssl for influxDB '
                'connection. Defaults to False', default=False),
    cfg.BoolOpt('insecure', help='Set to true to authorize insecure HTTPS '
                'connections to influxDB. Defaults to False', default=False),
    cfg.StrOpt('cafile', help='Path of the CA certificate to trust for '
               'HTTPS connections', default=None),
    cfg.IntOpt('version', help='InfluxDB version', default=1),
    cfg.IntOpt('query_timeout', help='Flux query timeout in milliseconds',
               default=3600000),
    cfg.StrOpt('token', help='InfluxDB API token for version 2 '
               'authentication', default=None, secret=True),
    cfg.StrOpt('org', help='InfluxDB 2 org', default='openstack'),
    cfg.StrOpt('bucket', help='InfluxDB 2 bucket', default='cloudkitty'),
    cfg.StrOpt('url', help='InfluxDB 2 URL', default=None),
    cfg.FloatOpt('timeout', help='Timeout of InfluxDB 2 queries, seconds',
                 default=60, min=0),
]

CONF = cfg.CONF
CONF.register_opts(influx_storage_opts, 'storage_influxdb')
