"""Options of the Aetos collector.

The Aetos collector itself (Prometheus queries through
python-observabilityclient) is not shipped yet; its options are registered
so that existing configuration files that set them keep loading.
"""
from oslo_config import cfg

from cloudkitty.common import keystoneauth

AETOS_COLLECTOR_OPTS = 'collector_aetos'

collector_aetos_opts = [
    cfg.StrOpt('interface',
               default='public',
               choices=['internal', 'public', 'admin'],
               help='Type of endpoint to use in keystoneclient.'),
    cfg.StrOpt('region_name',
               help='Region of endpoint to use in keystoneclient.'),
]

CONF = cfg.CONF
CONF.register_opts(collector_aetos_opts, AETOS_COLLECTOR_OPTS)
keystoneauth.register(AETOS_COLLECTOR_OPTS)
