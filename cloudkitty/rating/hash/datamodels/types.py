"""WSME types of the hashmap API, converting input as the reference does.

Conversions happen in ``validate`` so that a failure is reported on the
attribute: ``Invalid input for field/attribute <attr>. Value: ... <why>``.
"""
import datetime
import decimal
import uuid

from dateutil import parser as date_parser
import wsme.exc
from wsme import types as wtypes

from cloudkitty.rating.hash import models

_TRUE = ('true', 't', 'yes', 'y', 'on', '1')
_FALSE = ('false', 'f', 'no', 'n', 'off', '0')


def to_bool(value, name):
    """Strict boolean from a query string or JSON value (400 otherwise).

    The reference reads any non-empty query string as true ("false"
    included); here "false", "0", "no"... are false.
    """

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE or text == '':
        return False
    raise wsme.exc.InvalidInput(
        name, value, 'Value not an unambiguous boolean: %s' % value)


def parse_datetime(value):
    """Naive UTC datetime from an ISO-8601-like string or a datetime."""
    if isinstance(value, datetime.datetime):
        result = value
    elif isinstance(value, str):
        try:
            result = date_parser.isoparse(value.strip())
        except (ValueError, OverflowError):
            try:
                result = date_parser.parse(value)
            except (ValueError, OverflowError) as exc:
                raise ValueError('unable to convert to datetime. Error: %s'
                                 % exc)
    else:
        raise ValueError('unable to convert to datetime. Error: '
                         'Parser must be a string or character stream, '
                         'not %s' % type(value).__name__)
    if result.tzinfo is not None:
        # Stored datetimes are naive UTC: convert instead of failing.
        try:
            result = result.astimezone(datetime.timezone.utc).replace(
                tzinfo=None)
        except OverflowError:
            # 9999-12-31T23:00:00-12:00 is past the last datetime in UTC.
            raise ValueError('unable to convert to datetime. Error: date '
                             'value out of range')
    return result


def datetime_to_api(value):
    if value is None:
        return None
    return value.isoformat()


def parse_query_datetime(value, name):

    if value is None or isinstance(value, datetime.datetime):
        return value
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise wsme.exc.InvalidInput(name, value, str(exc))


class DateTimeType(wtypes.UserType):
    """A datetime: lenient ISO 8601 parsing, rendered naive ISO."""

    basetype = wtypes.text
    name = 'datetime'

    def validate(self, value):
        return parse_datetime(value)

    def tobasetype(self, value):
        return datetime_to_api(value)


class EndDateTimeType(DateTimeType):
    """The ``end`` of a mapping: a date without time means 23:59:59."""

    name = 'end_datetime'

    def validate(self, value):
        result = parse_datetime(value)
        if isinstance(value, str) and 'T' not in value:
            result = result.replace(hour=23, minute=59, second=59,
                                    microsecond=0)
        return result


class DecimalType(wtypes.UserType):
    """An exact decimal, rendered as a string.

    JSON numbers never go through a binary float: ``0.1`` is 0.1.
    """

    basetype = wtypes.text
    name = 'decimal'

    def __init__(self, scale):
        self.scale = scale

    def validate(self, value):
        if isinstance(value, bool):
            raise ValueError('Value should be a number')
        if isinstance(value, float):
            value = repr(value)
        try:
            result = decimal.Decimal(value)
        except (decimal.InvalidOperation, TypeError, ValueError):
            raise ValueError('Value should be a number')
        if not result.is_finite():
            raise ValueError('Value should be a finite number')
        try:
            result = models.quantize(result, self.scale)
        except decimal.InvalidOperation:
            raise ValueError('Value is too large')
        # Column precision: 12 integer digits.
        if abs(result) >= 10 ** 12:
            raise ValueError('Value is too large (at most 12 integer '
                             'digits)')
        return result

    def tobasetype(self, value):
        return None if value is None else str(value)


class UuidType(wtypes.UserType):
    """A UUID (dashes optional, any case), normalised to the dashed form."""

    basetype = wtypes.text
    name = 'uuid'

    def validate(self, value):
        try:
            return str(uuid.UUID(str(value)))
        except (TypeError, ValueError, AttributeError):
            raise ValueError("Invalid UUID, got '%s'" % value)


class MapTypeEnum(wtypes.UserType):
    """``flat`` or ``rate``."""

    basetype = wtypes.text
    name = 'map_type'

    def validate(self, value):
        if value not in models.MAP_TYPES:
            raise ValueError('Value should be one of: %s'
                             % ', '.join(models.MAP_TYPES))
        return value


class LimitedText(wtypes.UserType):
    """Text of bounded length."""

    basetype = wtypes.text
    name = 'limited_text'

    def __init__(self, length):
        self.length = length

    def validate(self, value):
        if not isinstance(value, str):
            raise ValueError('Value should be a string')
        if len(value) > self.length:
            raise ValueError('Value should have at most %d characters'
                             % self.length)
        return value


Cost = DecimalType(models.COST_SCALE)
Level = DecimalType(models.LEVEL_SCALE)
Uuid = UuidType()
MapType = MapTypeEnum()
DateTime = DateTimeType()
EndDateTime = EndDateTimeType()


class FlagType(wtypes.UserType):
    """A boolean argument: a query string or a JSON value.

    python-cloudkittyclient sends ``"recursive": false`` (a JSON boolean)
    in the body of a group deletion; the query form is a string. The value
    is passed on as sent and converted by the handler with ``to_bool``:
    WSME first converts a repeated query parameter as a whole (a list)
    before the last value wins, which a conversion here would refuse.
    """

    basetype = wtypes.text
    name = 'flag'

    def __init__(self, field):
        self.field = field

    def frombasetype(self, value):
        return value

    def validate(self, value):
        return value
