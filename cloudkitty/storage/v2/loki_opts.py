"""Options of the Loki v2 storage driver.

The driver is not shipped yet; its options are registered so that existing
configuration files keep loading.
"""
from oslo_config import cfg

loki_storage_opts = [
    cfg.StrOpt('url', help='Loki base url.',
               default='http://localhost:3100/loki/api/v1'),
    cfg.StrOpt('tenant', help='The loki tenant to be used.',
               default='cloudkitty'),
    cfg.DictOpt('stream', help='The labels that are going to be used to '
                'define the Loki stream as Python dict.',
                default={'service': 'cloudkitty'}),
    cfg.IntOpt('buffer_size', help='The number of messages that will be '
               'grouped together before launching a Loki HTTP POST request.',
               default=1),
    cfg.StrOpt('content_type', help='The http Content-Type that will be '
               'used to send info to Loki.',
               default='application/json'),
    cfg.IntOpt('shard_days', help='The number of days of a query window.',
               default=7, min=1, max=30),
    cfg.BoolOpt('insecure', help='Set to true to allow insecure HTTPS '
                'connections to Loki', default=False),
    cfg.StrOpt('ca_file', help='Path of the CA certificate to trust for '
               'HTTPS connections.', default=None),
    cfg.StrOpt('cert_file', help='Path to a client cert for establishing '
               'mTLS connections to Loki.', default=None),
    cfg.StrOpt('key_file', help='Path to a client key for establishing '
               'mTLS connections to Loki.', default=None),
    cfg.FloatOpt('timeout', help='Timeout value for http requests',
                 default=60, min=0),
    cfg.BoolOpt('use_structured_metadata', help='Use structured metadata '
                'in queries (Loki 3+).', default=False),
]

CONF = cfg.CONF
CONF.register_opts(loki_storage_opts, 'storage_loki')
