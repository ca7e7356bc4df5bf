"""Scope fetchers: base class.

A fetcher lists the scopes (usually projects) the processor rates each
cycle. Plugins live in the ``cloudkitty.fetchers`` namespace and are
instantiated with no arguments.
"""
import abc

from oslo_config import cfg
from stevedore import driver

fetcher_opts = [
    cfg.StrOpt('backend',
               default='keystone',
               help='Driver used to fetch the list of scopes to rate.'),
]

CONF = cfg.CONF
CONF.register_opts(fetcher_opts, 'fetcher')

FETCHERS_NAMESPACE = 'cloudkitty.fetchers'


class FetcherError(Exception):
    """A fetcher could not list the scopes."""


class BaseFetcher(object, metaclass=abc.ABCMeta):
    """Base class of scope fetchers."""

    name = None

    def __init__(self):
        pass

    @abc.abstractmethod
    def get_tenants(self):
        """Unique scope ids to rate this cycle (list of str)."""


def get_fetcher(name=None):
    """Instantiate the fetcher ``name`` (default: ``[fetcher] backend``)."""
    return driver.DriverManager(FETCHERS_NAMESPACE,
                                name or CONF.fetcher.backend,
                                invoke_on_load=True).driver


def unique(scope_ids):
    """De-duplicate, keeping the first occurrence order."""
    return list(dict.fromkeys(scope_ids))
