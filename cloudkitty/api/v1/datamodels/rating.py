"""WSME types of /v1/rating (modules and quotes)."""
import decimal

from wsme import types as wtypes


class DecimalValue(wtypes.UserType):
    """A decimal from a JSON number or string.

    JSON numbers go through ``str()`` (``0.95`` stays ``Decimal('0.95')``)
    and a non-numeric value is a 400 naming the field, not a 500.
    """

    basetype = None
    name = 'decimal'

    def validate(self, value):
        return self.frombasetype(value)

    def frombasetype(self, value):
        if value is None or isinstance(value, decimal.Decimal):
            return value
        if isinstance(value, bool):
            raise ValueError('Invalid decimal value: %r' % value)
        if isinstance(value, (int, float, str)):
            try:
                result = decimal.Decimal(str(value).strip())
            except decimal.InvalidOperation:
                raise ValueError('Invalid decimal value: %r' % value)
            if not result.is_finite():
                raise ValueError('Invalid decimal value: %r' % value)
            return result
        raise ValueError('Invalid decimal value: %r' % value)


class MetadataValue(wtypes.UserType):
    """A value of a quote resource's ``desc``: scalar or object."""

    basetype = None
    name = 'metadata_value'
    _accepted = (str, int, float, bool, dict, decimal.Decimal)

    def validate(self, value):
        if value is None or isinstance(value, self._accepted):
            return value
        raise ValueError(
            "Wrong type. Expected '[str, int, float, dict, decimal]', "
            "got '%s'" % type(value).__name__)

    def frombasetype(self, value):
        return self.validate(value)


class Priority(wtypes.UserType):
    """A module priority: ``int(value)``, within a 32-bit integer.

    The reference converts with ``int()``; the column is 32 bits.
    ``{}``, ``[]`` or ``10**30`` are a 400 naming the field, not a 500.
    """

    # No base type: WSME would call int() on the raw JSON value first.
    basetype = None
    name = 'priority'
    MIN, MAX = -2 ** 31, 2 ** 31 - 1

    def validate(self, value):
        if value is None:
            return value
        try:
            result = int(value)
        except (TypeError, ValueError, OverflowError) as exc:
            # Python's text, as the reference reports it.
            raise ValueError(str(exc))
        if not self.MIN <= result <= self.MAX:
            raise ValueError('Value should be between %d and %d'
                             % (self.MIN, self.MAX))
        return result

    def frombasetype(self, value):
        return self.validate(value)


class CloudkittyModule(wtypes.Base):
    """A rating module (``hot-config`` keeps the reference's hyphen)."""

    module_id = wtypes.wsattr(wtypes.text, mandatory=True)
    description = wtypes.wsattr(wtypes.text, mandatory=False)
    enabled = wtypes.wsattr(bool, mandatory=False)
    hot_config = wtypes.wsattr(bool, mandatory=False, name='hot-config')
    priority = wtypes.wsattr(Priority(), mandatory=False)

    @classmethod
    def sample(cls):
        return cls(module_id='hashmap',
                   description='HashMap rating module.',
                   enabled=False, hot_config=True, priority=1)


class CloudkittyModuleCollection(wtypes.Base):
    modules = [CloudkittyModule]


class CloudkittyResource(wtypes.Base):
    """One resource of a quote request."""

    service = wtypes.wsattr(wtypes.text, mandatory=True)
    volume = wtypes.wsattr(DecimalValue(), mandatory=True)
    desc = wtypes.wsattr({wtypes.text: MetadataValue()}, mandatory=False)


class CloudkittyResourceCollection(wtypes.Base):
    """Body of ``POST /v1/rating/quote``."""

    resources = wtypes.wsattr([CloudkittyResource], mandatory=True)
