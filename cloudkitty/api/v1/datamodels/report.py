"""WSME types of the v1 report API."""
import datetime

from wsme import types as wtypes


class SummaryModel(wtypes.Base):
    """One row of a v1 summary: the rate of a (tenant, type) group."""

    begin = datetime.datetime
    """Start of the summarised period (naive UTC)."""

    end = datetime.datetime
    """End of the summarised period (naive UTC)."""

    tenant_id = wtypes.text
    """Tenant of the group, the tenant filter, or "ALL"."""

    res_type = wtypes.text
    """Metric type of the group, the service filter, or "ALL"."""

    rate = wtypes.text
    """Total price of the group, as a string."""

    @classmethod
    def sample(cls):
        return cls(begin=datetime.datetime(2015, 1, 1),
                   end=datetime.datetime(2015, 2, 1),
                   tenant_id='7606a24a-b8ad-4ae0-be6c-3d7a41334a2e',
                   res_type='cpu', rate='74.872')


class SummaryCollectionModel(wtypes.Base):
    """A v1 summary."""

    summary = [SummaryModel]

    @classmethod
    def sample(cls):
        return cls(summary=[SummaryModel.sample()])
