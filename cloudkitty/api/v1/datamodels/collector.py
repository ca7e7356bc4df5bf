"""WSME types of /v1/collector."""
from wsme import types as wtypes


class CollectorInfos(wtypes.Base):
    """The enable flag of a collector (``name`` is ignored on PUT)."""

    name = wtypes.wsattr(wtypes.text, mandatory=False)
    enabled = wtypes.wsattr(bool, mandatory=True)

    @classmethod
    def sample(cls):
        return cls(name='gnocchi', enabled=True)


class ServiceToCollectorMapping(wtypes.Base):
    service = wtypes.text
    collector = wtypes.text

    @classmethod
    def sample(cls):
        return cls(service='compute', collector='gnocchi')


class ServiceToCollectorMappingCollection(wtypes.Base):
    mappings = [ServiceToCollectorMapping]
