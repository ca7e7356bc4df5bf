"""Gnocchi fetcher: scopes found in Gnocchi resources."""
from oslo_config import cfg

from cloudkitty.collector import gnocchi as collector_gnocchi
from cloudkitty.common import keystoneauth

FETCHER_GNOCCHI_OPTS = 'fetcher_gnocchi'

fetcher_gnocchi_opts = [
    cfg.StrOpt('scope_attribute',
               default='project_id',
               help='Attribute from which scope_ids should be collected.'),
    cfg.ListOpt('resource_types',
                default=['generic'],
                help='List of gnocchi resource types. All if left blank'),
] + [
    # The connection options are the same as the collector's.
    opt for opt in collector_gnocchi.collector_gnocchi_opts
]

CONF = cfg.CONF
CONF.register_opts(fetcher_gnocchi_opts, FETCHER_GNOCCHI_OPTS)
keystoneauth.register(FETCHER_GNOCCHI_OPTS)
