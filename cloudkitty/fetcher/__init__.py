"""Scope fetchers: base class."""
from oslo_config import cfg

fetcher_opts = [
    cfg.StrOpt('backend',
               default='keystone',
               help='Driver used to fetch the list of scopes to rate.'),
]

CONF = cfg.CONF
CONF.register_opts(fetcher_opts, 'fetcher')
