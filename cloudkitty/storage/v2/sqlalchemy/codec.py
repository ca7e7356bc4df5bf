"""Codecs of the stored points: JSON documents, decimal text, epochs.

No I/O here: orjson when installed (half the cost of json for the two
documents of each point), else json.
"""
import datetime
import decimal
import json
import types

try:
    import orjson
except ImportError:  # pragma: no cover - optional speed-up
    orjson = None

from cloudkitty.storage.v2.sqlalchemy import layout
from cloudkitty.utils import tz as tzutils

CTX = layout.DECIMAL_CONTEXT


def exact(value):
    """Decimal rounded to the storage scale (18 places) if finer."""
    if not isinstance(value, decimal.Decimal):
        value = CTX.create_decimal(str(value))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -layout.SCALE:
        value = value.quantize(layout.QUANTUM, context=CTX)
    return value


def exact_text(value):
    """(exact(value), its plain text), cheaply for common values."""
    if type(value) is not decimal.Decimal:
        value = CTX.create_decimal(str(value))
    text = format(value, 'f')
    dot = text.find('.')
    if dot >= 0 and len(text) - dot > layout.SCALE + 1:
        value = value.quantize(layout.QUANTUM, context=CTX)
        text = format(value, 'f')
    return value, text


def epoch(dt):
    """UTC epoch seconds of a datetime (naive: local time)."""
    return int(tzutils.localized(dt).timestamp())


def local(ts):
    """Aware datetime in the local timezone of epoch seconds ``ts``."""
    return datetime.datetime.fromtimestamp(ts, tzutils.get_local_tz())


def text(value):
    """Text form of an attribute value, as SQL extracts it from JSON."""
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    return json.dumps(value)


def clean(value):
    """Decimal without trailing zeros, never in exponent notation."""
    if value is None:
        return None
    if not isinstance(value, decimal.Decimal):
        value = CTX.create_decimal(str(value))
    exponent = value.as_tuple().exponent
    if exponent == 0 or (isinstance(exponent, int) and exponent < 0
                         and value.as_tuple().digits[-1] != 0):
        return value   # nothing to strip
    if value == value.to_integral_value():
        return value.quantize(decimal.Decimal(1), context=CTX)
    return value.normalize(CTX)


def _json_default(obj):
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    if hasattr(obj, 'items'):
        return dict(obj.items())
    raise TypeError('%r is not JSON serializable' % (obj,))


def _orjson_default(obj):
    if isinstance(obj, types.MappingProxyType):
        return dict(obj)
    return _json_default(obj)


if orjson is not None:
    def dumps(mapping):
        # orjson: half the cost of json for the two documents per point.
        # DataPoint attributes are read-only mappings: a dict copy is
        # cheaper than orjson's call to ``default``.
        if type(mapping) is not dict:
            mapping = dict(mapping)
        return orjson.dumps(mapping, default=_orjson_default).decode()
else:
    _ENCODER = json.JSONEncoder(default=_json_default,
                                separators=(',', ':'))

    def dumps(mapping):
        return _ENCODER.encode(dict(mapping))


def dumps_value(value):
    """Compact JSON of lists, strings and numbers."""
    if orjson is not None:
        return orjson.dumps(value).decode()
    return json.dumps(value, separators=(',', ':'))


def dumps_str(cache, string):
    """JSON of the string ``string``, remembered in ``cache``."""
    if not isinstance(string, str):
        string = '' if string is None else str(string)
    result = cache[string] = dumps_value(string)
    return result


def to_decimal(value):
    """A SQL sum (Decimal, or text on SQLite) as a Decimal."""
    if value is None or isinstance(value, decimal.Decimal):
        return value
    return CTX.create_decimal(str(value))


def encode(cache, mapping):
    """JSON of ``mapping``, remembered in ``cache`` when that is safe.

    The cache key is the tuple of items. Only mappings of strings are
    remembered: 1, 1.0, True and Decimal(1) are equal keys but different
    JSON; unhashable values (lists...) are never cached.
    """
    document = dumps(mapping)
    for value in mapping.values():
        if type(value) is not str:
            return document
    cache[tuple(mapping.items())] = document
    return document


def groupby_info(cache, groupby, scope_key):
    """(JSON, scope text or None, time attributes or None) of a group-by.

    None when the attribute is not in the group-by (the metadata may have
    it). Remembered in ``cache`` under the same rule as ``encode``.
    """
    scope = groupby.get(scope_key)
    if scope is not None:
        scope = text(scope)
    if all(k in groupby for k in layout.TIME_KEYS):
        attrs = tuple(text(groupby[k]) for k in layout.TIME_KEYS)
    else:
        attrs = None
    info = (dumps(groupby), scope, attrs)
    for value in groupby.values():
        if type(value) is not str:
            return info
    cache[tuple(groupby.items())] = info
    return info


def loads(value):
    """A JSON column value as a dict (drivers return text or dicts)."""
    if value is None:
        return {}
    if isinstance(value, (str, bytes)):
        return orjson.loads(value) if orjson is not None else json.loads(
            value)
    return value
