"""Keystone fetcher: projects where the rating user has the rating role."""
from oslo_config import cfg

from cloudkitty.common import keystoneauth

FETCHER_KEYSTONE_OPTS = 'fetcher_keystone'

fetcher_keystone_opts = [
    cfg.StrOpt('keystone_version',
               default='3',
               help='Keystone version to use.'),
    cfg.BoolOpt('ignore_rating_role',
                default=False,
                help='Skip rating role check for cloudkitty user'),
    cfg.BoolOpt('ignore_disabled_tenants',
                default=False,
                help='Stop rating disabled tenants'),
]

CONF = cfg.CONF
CONF.register_opts(fetcher_keystone_opts, FETCHER_KEYSTONE_OPTS)
keystoneauth.register(FETCHER_KEYSTONE_OPTS)
