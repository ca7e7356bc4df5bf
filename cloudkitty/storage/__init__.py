"""Storage factory."""
from oslo_config import cfg

storage_opts = [
    cfg.StrOpt('backend',
               default='influxdb',
               help='Name of the storage backend driver.'),
    cfg.IntOpt('version',
               min=1, max=2,
               default=2,
               help='Storage version to use.'),
]

retention_opts = [
    cfg.IntOpt('retention_period',
               default=2400,
               help='Time of data retention in hours.'),
]

CONF = cfg.CONF
CONF.register_opts(storage_opts, 'storage')
CONF.register_opts(retention_opts, 'storage')
