"""WSME types of the pyscripts API (the reference's bodies)."""
import datetime
import uuid

from dateutil import parser as date_parser
from wsme import exc as wsme_exc
from wsme.rest import json as wsme_json
from wsme import types as wtypes

_UTC = datetime.timezone.utc


class _ConversionError(wsme_exc.InvalidInput):
    """A value of a field that cannot be converted.

    Raised as is from a JSON body, it names the attribute. For path and
    query values WSME wraps it as ``unable to convert to <type>. Error:
    <str(exc)>``, so ``str()`` gives the bare reason.
    """

    def __init__(self, fieldname, value, prefix, reason):
        self.reason = reason
        super().__init__(fieldname, value, '%s%s' % (prefix, reason))

    def __str__(self):
        return self.reason


def to_db_time(value):
    """Naive UTC from a datetime.

    Naive values are taken as UTC: responses render naive UTC, and the
    python client sends back what it read (the reference took them as
    server-local time, UTC in every reference deployment).
    """
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(_UTC).replace(tzinfo=None)


def from_db_time(value):
    """API rendering of a stored datetime: naive UTC, as stored."""
    return value


def check_text(field, value, max_length=None):
    """400 naming ``field`` for text the database cannot store."""
    if value is None or value is wtypes.Unset:
        return value
    if not isinstance(value, str):
        raise wsme_exc.InvalidInput(field, value, 'Expected a string.')
    reason = None
    if max_length is not None and len(value) > max_length:
        reason = 'Longer than %d characters.' % max_length
    elif '\x00' in value:
        reason = 'NUL characters are not allowed.'
    else:
        try:
            value.encode('utf-8')
        except UnicodeEncodeError as exc:
            reason = 'Not valid unicode: %s' % exc
    if reason:
        shown = value if len(value) <= 100 else value[:100] + '...'
        raise wsme_exc.InvalidInput(field, shown, reason)
    return value


class Datetime(wtypes.UserType):
    """Lenient ISO-8601-style datetime (``2015-01-01``, space or ``T``...).

    Converted to naive UTC (the storage convention); naive input is UTC.
    Conversion errors name the field, so one instance per field.
    """

    basetype = wtypes.text
    name = 'datetime'

    def __init__(self, field):
        self.field = field

    def _parse(self, value):
        return date_parser.parse(value)

    def _convert(self, value):
        if value is None:
            return value
        try:
            if isinstance(value, datetime.datetime):
                return to_db_time(value)
            if not isinstance(value, str):
                raise ValueError('expected a string, got %s'
                                 % type(value).__name__)
            return to_db_time(self._parse(value))
        except (ValueError, OverflowError) as exc:
            raise _ConversionError(self.field, value,
                                   'unable to convert to datetime. Error: ',
                                   str(exc))

    def frombasetype(self, value):
        return self._convert(value)

    def validate(self, value):
        return self._convert(value)

    def tobasetype(self, value):
        if value is None:
            return None
        return value.isoformat()


class EndDatetime(Datetime):
    """``end``: a value without ``T`` means the end (23:59:59) of its day."""

    name = 'enddatetime'

    def _parse(self, value):
        parsed = date_parser.parse(value)
        if 'T' not in value:
            parsed = parsed.replace(hour=23, minute=59, second=59,
                                    microsecond=0)
        return parsed


class Uuid(wtypes.UserType):
    """UUID-like text (hex, dashes optional); rendered dashed."""

    basetype = wtypes.text
    name = 'uuid'

    @staticmethod
    def validate(value):
        if value is None:
            return None
        try:
            return str(uuid.UUID(value))
        except (TypeError, ValueError, AttributeError):
            raise ValueError("Invalid UUID, got '%s'" % value)


_TRUE = ('true', 't', 'yes', 'y', 'on', '1')
_FALSE = ('false', 'f', 'no', 'n', 'off', '0', '')


class Bool(wtypes.UserType):
    """Boolean flag of the query string or of a JSON body.

    Fixes the reference's query-string quirk where any non-empty string,
    ``false`` included, meant true.
    """

    basetype = wtypes.text
    name = 'bool'

    def __init__(self, field):
        self.field = field

    def frombasetype(self, value):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return bool(value)
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
        raise _ConversionError(
            self.field, value, 'unable to convert to bool. Error: ',
            'Value not an unambiguous boolean: %s' % (value,))

    def validate(self, value):
        return self.frombasetype(value)


class Flag(Bool):
    """A boolean argument of a handler, converted by the handler.

    WSME first converts a repeated query parameter as a whole (a list),
    then the last value wins: converting here would refuse the repeat,
    which the reference reads. ``convert`` gives the boolean.
    """

    name = 'flag'

    def frombasetype(self, value):
        return value

    def validate(self, value):
        return value

    def convert(self, value):
        return Bool.frombasetype(self, value)


class Script(wtypes.Base):
    """A rating script."""

    _wsme_attr_order = ('script_id', 'name', 'data', 'checksum',
                        'created_at', 'start', 'end', 'description',
                        'deleted', 'created_by', 'updated_by', 'deleted_by')

    script_id = wtypes.wsattr(Uuid(), mandatory=False)
    """Id of the script (generated)."""

    name = wtypes.wsattr(wtypes.text, mandatory=True)
    """Name, unique among non-deleted scripts."""

    data = wtypes.wsattr(wtypes.text, mandatory=False)
    """Python source of the script."""

    checksum = wtypes.wsattr(wtypes.text, mandatory=False, readonly=True)
    """SHA-512 of the UTF-8 source (read only)."""

    created_at = wtypes.wsattr(Datetime('created_at'), mandatory=False)
    start = wtypes.wsattr(Datetime('start'), mandatory=False)
    end = wtypes.wsattr(EndDatetime('end'), mandatory=False)
    description = wtypes.wsattr(wtypes.text, mandatory=False)
    deleted = wtypes.wsattr(Datetime('deleted'), mandatory=False)
    created_by = wtypes.wsattr(wtypes.text, mandatory=False)
    updated_by = wtypes.wsattr(wtypes.text, mandatory=False)
    deleted_by = wtypes.wsattr(wtypes.text, mandatory=False)

    @classmethod
    def from_db(cls, script, with_data=True):
        obj = cls(script_id=script.script_id, name=script.name,
                  checksum=script.checksum,
                  created_at=from_db_time(script.created_at),
                  start=from_db_time(script.start),
                  end=from_db_time(script.end),
                  description=script.description,
                  deleted=from_db_time(script.deleted),
                  created_by=script.created_by,
                  updated_by=script.updated_by,
                  deleted_by=script.deleted_by)
        if with_data:
            obj.data = script.data
        return obj

    @classmethod
    def sample(cls):
        return cls(script_id='6c1b8a30-797f-4b7e-ad66-000000000001',
                   name='policy1', data='a = 0',
                   start=datetime.datetime(2026, 1, 1))


@wsme_json.fromjson.when_object(Script)
def _script_fromjson(datatype, value):
    # WSME would fail with a 500 on a body that is not a JSON object.
    if value is not None and not isinstance(value, dict):
        raise wsme_exc.InvalidInput('script_data', value,
                                    'The body must be a JSON object.')
    return wsme_json.fromjson.default(datatype, value)


class ScriptCollection(wtypes.Base):
    """A list of scripts."""

    scripts = [Script]

    @classmethod
    def sample(cls):
        return cls(scripts=[Script.sample()])
