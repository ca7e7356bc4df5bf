"""Source fetcher: scopes listed in the configuration."""
from oslo_config import cfg

from cloudkitty import fetcher

FETCHER_SOURCE_OPTS = 'fetcher_source'

fetcher_source_opts = [
    cfg.ListOpt('sources',
                default=list(),
                help='list of source identifiers'),
]

CONF = cfg.CONF
CONF.register_opts(fetcher_source_opts, FETCHER_SOURCE_OPTS)


class SourceFetcher(fetcher.BaseFetcher):
    """The scopes of ``[fetcher_source] sources``, as configured."""

    name = 'source'

    def get_tenants(self):
        return fetcher.unique(CONF.fetcher_source.sources)
