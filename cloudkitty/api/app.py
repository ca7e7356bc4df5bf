"""WSGI application factory: paste loading, v1 (pecan) + v2 (flask)."""
from oslo_config import cfg

api_opts = [
    cfg.StrOpt('api_paste_config',
               default='api_paste.ini',
               help='Paste deploy configuration file for the API; relative '
                    'names are searched next to the configuration files.'),
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=['noauth', 'keystone'],
               help='Authentication strategy of the API. noauth makes every '
                    'request admin and disables policy checks.'),
]

api_group_opts = [
    cfg.PortOpt('port',
                default=8889,
                help='Port of the development API server '
                     '(cloudkitty-api launcher).'),
    cfg.HostAddressOpt('host_ip',
                       default='0.0.0.0',
                       help='Address the development API server '
                            '(cloudkitty-api launcher) binds to.'),
    cfg.BoolOpt('pecan_debug',
                default=False,
                help='Enable the pecan debug middleware of the v1 API.'),
]

CONF = cfg.CONF
CONF.register_opts(api_opts)
CONF.register_opts(api_group_opts, group='api')
