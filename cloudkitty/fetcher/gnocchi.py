"""Gnocchi fetcher: scopes found in Gnocchi resources."""
from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty.collector import gnocchi as collector_gnocchi
from cloudkitty.common import keystoneauth
from cloudkitty import fetcher

LOG = logging.getLogger(__name__)

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


class GnocchiFetcher(fetcher.BaseFetcher):
    """Scopes found in an attribute of Gnocchi resources."""

    name = 'gnocchi'

    def __init__(self):
        super().__init__()
        self._conn = collector_gnocchi.get_client(FETCHER_GNOCCHI_OPTS)

    def get_tenants(self):
        attribute = CONF.fetcher_gnocchi.scope_attribute
        scopes = []
        found = set()
        for resource_type in CONF.fetcher_gnocchi.resource_types:
            query = None
            while True:
                resources = self._conn.resource.search(
                    resource_type=resource_type, query=query, details=True)
                new = [r[attribute] for r in resources
                       if r.get(attribute) and r[attribute] not in found]
                # A page without new scope ends the scan (resources lacking
                # the attribute would otherwise come back forever).
                if not new:
                    break
                for scope_id in new:
                    if scope_id not in found:
                        found.add(scope_id)
                        scopes.append(scope_id)
                query = {'not': {'in': {attribute: sorted(found)}}}
        return scopes
