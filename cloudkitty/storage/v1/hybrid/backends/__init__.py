"""Backends of the v1 ``hybrid`` storage
(``cloudkitty.storage.hybrid.backends``)."""
import abc

from cloudkitty.storage.v1 import NoTimeFrame  # noqa: F401 (re-export)


class BaseHybridBackend(object, metaclass=abc.ABCMeta):
    """Where the hybrid storage puts rated points.

    Times are naive UTC. ``append_time_frame`` buffers one legacy point of
    ``res_type`` for the period starting at ``begin``; ``commit`` writes
    what the tenant buffered.
    """

    def __init__(self, **kwargs):
        self._period = kwargs.get('period')

    @abc.abstractmethod
    def init(self):
        """Prepare the backend (cloudkitty-storage-init)."""

    @abc.abstractmethod
    def append_time_frame(self, res_type, point, tenant_id, begin, end):
        """Buffer ``point`` (legacy dict) of ``tenant_id`` for a period."""

    @abc.abstractmethod
    def commit(self, tenant_id):
        """Write the buffered points of ``tenant_id``."""

    @abc.abstractmethod
    def get_total(self, begin=None, end=None, tenant_id=None, service=None,
                  groupby=None):
        """Same contract as the v1 storage's ``get_total``."""

    @abc.abstractmethod
    def get_tenants(self, begin, end):
        """Tenants having data in the period."""

    @abc.abstractmethod
    def get_time_frame(self, begin, end, **filters):
        """Legacy frames of the period; ``NoTimeFrame`` when none."""
