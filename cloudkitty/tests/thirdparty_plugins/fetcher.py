"""Example fetcher: the scopes listed in ``[fetcher_example] scopes``."""
from oslo_config import cfg

from cloudkitty import fetcher

fetcher_example_opts = [
    cfg.ListOpt('scopes', default=[],
                help='Identifiers of the scopes to rate.'),
]
cfg.CONF.register_opts(fetcher_example_opts, 'fetcher_example')


class ExampleFetcher(fetcher.BaseFetcher):
    """Lists the configured scopes (a real fetcher asks a service)."""

    name = 'example'

    def get_tenants(self):
        # Unique scope identifiers, as strings.
        return list(dict.fromkeys(
            str(scope) for scope in cfg.CONF.fetcher_example.scopes))
