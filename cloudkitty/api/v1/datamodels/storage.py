"""WSME types of the v1 storage API."""
import datetime
import decimal

from wsme import types as wtypes


class JSONValue(wtypes.UserType):
    """Any JSON scalar or structure, rendered as is."""

    basetype = wtypes.text
    name = 'json'

    def validate(self, value):
        return value


class RatedResource(wtypes.Base):
    """One rated data point in the legacy (v1) representation."""

    service = wtypes.text
    """Metric type of the point."""

    desc = {wtypes.text: JSONValue()}
    """Metadata of the point merged with its groupby attributes."""

    volume = decimal.Decimal
    """Quantity."""

    rating = decimal.Decimal
    """Price."""

    @classmethod
    def sample(cls):
        return cls(service='cpu', desc={'project_id': 'a', 'id': 'b'},
                   volume=decimal.Decimal('1'),
                   rating=decimal.Decimal('1.337'))


class DataFrame(wtypes.Base):
    """The points of one metric type over one period for one tenant."""

    begin = datetime.datetime
    """Start of the period (naive UTC)."""

    end = datetime.datetime
    """End of the period (naive UTC)."""

    tenant_id = wtypes.text
    """Scope of the points, or "__UNDEF__"."""

    resources = [RatedResource]
    """The rated points."""

    @classmethod
    def sample(cls):
        return cls(begin=datetime.datetime(2015, 1, 4, 13),
                   end=datetime.datetime(2015, 1, 4, 14),
                   tenant_id='a', resources=[RatedResource.sample()])


class DataFrameCollection(wtypes.Base):
    """A list of v1 dataframes."""

    dataframes = [DataFrame]

    @classmethod
    def sample(cls):
        return cls(dataframes=[DataFrame.sample()])
