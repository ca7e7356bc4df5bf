"""Gnocchi collector."""
from oslo_config import cfg

from cloudkitty.common import keystoneauth

COLLECTOR_GNOCCHI_OPTS = 'collector_gnocchi'

collector_gnocchi_opts = [
    cfg.StrOpt('gnocchi_auth_type',
               default='keystone',
               choices=['keystone', 'basic'],
               help='Gnocchi auth type (keystone or basic). Keystone '
                    'credentials can be specified through the "auth_section" '
                    'parameter'),
    cfg.StrOpt('gnocchi_user',
               default='',
               help='Gnocchi user (for basic auth only)'),
    cfg.StrOpt('gnocchi_endpoint',
               default='',
               help='Gnocchi endpoint (for basic auth only)'),
    cfg.StrOpt('interface',
               default='internalURL',
               help='Endpoint URL type (for keystone auth only)'),
    cfg.StrOpt('region_name',
               default='RegionOne',
               help='Region Name'),
    cfg.IntOpt('http_pool_maxsize',
               default=10,
               min=1,
               help='If the value is not defined, we use the value defined '
                    'by requests.adapters.DEFAULT_POOLSIZE'),
]

CONF = cfg.CONF
CONF.register_opts(collector_gnocchi_opts, COLLECTOR_GNOCCHI_OPTS)
keystoneauth.register(COLLECTOR_GNOCCHI_OPTS)
