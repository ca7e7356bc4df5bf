"""Collectors: base class and metrics.yml validation."""
from oslo_config import cfg

collect_opts = [
    cfg.StrOpt('collector',
               default='gnocchi',
               help='Data collector (cloudkitty.collector.backends).'),
    cfg.IntOpt('period',
               default=3600,
               min=1,
               help='Rating period in seconds.'),
    cfg.IntOpt('wait_periods',
               default=2,
               min=0,
               help='Number of periods to wait before collecting a period.'),
    cfg.StrOpt('metrics_conf',
               default='/etc/cloudkitty/metrics.yml',
               help='Metrology configuration file.'),
    cfg.StrOpt('scope_key',
               default='project_id',
               help='Key defining a scope in collected data. Appended to '
                    'the groupby of every metric.'),
]

CONF = cfg.CONF
CONF.register_opts(collect_opts, 'collect')
