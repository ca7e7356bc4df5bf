"""The data model exchanged by collectors, rating modules and storage."""
import collections
import datetime
import decimal
import types

from cloudkitty.utils import json as ck_json
from cloudkitty.utils import tz as tzutils

_EMPTY = types.MappingProxyType({})


def to_decimal(value):
    """Decimal from a number or string; floats go through str()."""
    if isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, float):
        return decimal.Decimal(str(value))
    if isinstance(value, bool):
        raise ValueError('expected a number, got a boolean')
    try:
        return decimal.Decimal(value if isinstance(value, (int, str))
                               else str(value))
    except decimal.InvalidOperation:
        raise ValueError('%r is not a valid number' % (value,))


def _check_keys(mapping, allowed, where=None):
    """Refuse keys of ``mapping`` not in ``allowed`` (closed schemas)."""
    if allowed.issuperset(mapping):
        return
    extra = set(mapping) - set(allowed)
    if extra:
        raise ValueError('extra keys not allowed%s: %s' % (
            " in '%s'" % where if where else '',
            ', '.join(sorted(map(str, extra)))))


def _is_mapping(value):
    # A dict (as decoded from JSON) without the slower ABC check.
    return type(value) is dict or isinstance(value, collections.abc.Mapping)


def _frozen(mapping):
    if mapping is None:
        return _EMPTY
    if isinstance(mapping, types.MappingProxyType):
        return mapping
    return types.MappingProxyType(dict(mapping))


class DataPoint(collections.namedtuple(
        'DataPoint', ['unit', 'qty', 'price', 'groupby', 'metadata',
                      'description'])):
    """One rated (or to be rated) quantity, immutable."""

    __slots__ = ()

    def __new__(cls, unit, qty, price, groupby, metadata, description=None):
        return super().__new__(
            cls,
            unit or 'undefined',
            to_decimal(qty),
            to_decimal(price),
            _frozen(groupby),
            _frozen(metadata),
            description,
        )

    def set_price(self, price):
        """A copy of this point with another price."""
        return self._replace(price=to_decimal(price))

    with_price = set_price

    @property
    def desc(self):
        output = dict(self.metadata)
        output.update(self.groupby)
        return output

    def as_dict(self, legacy=False, mutable=False):
        output = {
            'vol': {'unit': self.unit, 'qty': self.qty},
            'rating': {'price': self.price},
            'groupby': dict(self.groupby) if mutable else self.groupby,
            'metadata': dict(self.metadata) if mutable else self.metadata,
        }
        if legacy:
            desc = output.pop('metadata')
            desc.update(output.pop('groupby'))
            output['desc'] = desc
        return output if mutable else types.MappingProxyType(output)

    def json(self, legacy=False):
        return ck_json.dumps(self.as_dict(legacy=legacy, mutable=True))

    @classmethod
    def from_dict(cls, dict_, legacy=False):
        try:
            if not _is_mapping(dict_):
                raise ValueError('expected a mapping')
            _check_keys(dict_, _LEGACY_POINT_KEYS if legacy
                        else _POINT_KEYS)
            vol = dict_['vol']
            if not _is_mapping(vol):
                raise ValueError("'vol' must be a mapping")
            _check_keys(vol, _VOL_KEYS, 'vol')
            unit = vol['unit']
            if not isinstance(unit, str):
                raise ValueError("'vol.unit' must be a string")
            qty = vol['qty']
            rating = dict_.get('rating') or {}
            if not _is_mapping(rating):
                raise ValueError("'rating' must be a mapping")
            _check_keys(rating, _RATING_KEYS, 'rating')
            price = rating.get('price', 0)
            if legacy:
                groupby = dict(dict_['desc'])
                metadata = {}
            else:
                groupby = dict(dict_['groupby'])
                metadata = dict(dict_['metadata'])
            # The fields are final here: build the tuple without the
            # conversions and copies of __new__ (points come by thousands).
            return tuple.__new__(cls, (
                unit or 'undefined', _num(qty, 'vol.qty'),
                _num(price, 'rating.price'),
                types.MappingProxyType(groupby),
                types.MappingProxyType(metadata), None))
        except (ValueError, TypeError, KeyError) as exc:
            if isinstance(exc, KeyError):
                exc = 'required key not provided: %s' % exc
            raise ValueError("%s isn't a valid DataPoint: %s" % (dict_, exc))


_POINT_KEYS = frozenset(('vol', 'rating', 'groupby', 'metadata'))
_LEGACY_POINT_KEYS = frozenset(('vol', 'rating', 'desc'))
_VOL_KEYS = frozenset(('unit', 'qty'))
_RATING_KEYS = frozenset(('price',))


def _num(value, field):
    if type(value) is str:
        try:
            return decimal.Decimal(value)
        except decimal.InvalidOperation:
            raise ValueError("'%s' must be a number, got %r"
                             % (field, value))
    if value is None or isinstance(value, bool):
        raise ValueError("'%s' must be a number" % field)
    try:
        return to_decimal(str(value))
    except ValueError:
        raise ValueError("'%s' must be a number, got %r" % (field, value))


class DataFrame(object):
    """The rated data of one period: metric type -> list of DataPoint."""

    __slots__ = ('start', 'end', '_usage')

    def __init__(self, start, end, usage=None):
        if not isinstance(start, datetime.datetime):
            raise TypeError(
                '"start" must be of type datetime.datetime, not %s'
                % type(start))
        if not isinstance(end, datetime.datetime):
            raise TypeError(
                '"end" must be of type datetime.datetime, not %s'
                % type(end))
        if usage is not None and not isinstance(usage, dict):
            raise TypeError(
                '"usage" must be a dict, not %s' % type(usage))
        self.start = start
        self.end = end
        self._usage = collections.OrderedDict()
        if usage:
            for key in sorted(usage.keys()):
                self.add_points(usage[key], key)

    def add_points(self, points, type_):
        """Append ``points`` to the list of metric type ``type_``."""
        if type_ not in self._usage:
            self._usage[type_] = []
        self._usage[type_] += points

    def add_point(self, point, type_):
        """Append one point to the list of metric type ``type_``."""
        if type_ not in self._usage:
            self._usage[type_] = []
        self._usage[type_].append(point)

    def iterpoints(self):
        for type_, points in self._usage.items():
            for point in points:
                yield type_, point

    def itertypes(self):
        for type_, points in self._usage.items():
            yield type_, points

    def __len__(self):
        return sum(len(points) for points in self._usage.values())

    def __repr__(self):
        return 'DataFrame(start=%s, end=%s, metrics=[%s])' % (
            self.start, self.end, ', '.join(self._usage.keys()))

    def __eq__(self, other):
        if not isinstance(other, DataFrame):
            return NotImplemented
        return (self.start == other.start and self.end == other.end
                and dict(self._usage) == dict(other._usage))

    def as_dict(self, legacy=False, mutable=False):
        output = {
            'period': {'begin': self.start, 'end': self.end},
            'usage': {
                key: [v.as_dict(legacy=legacy, mutable=mutable)
                      for v in val]
                for key, val in self._usage.items()
            },
        }
        return output if mutable else types.MappingProxyType(output)

    def json(self, legacy=False):
        return ck_json.dumps(self.as_dict(legacy=legacy, mutable=True))

    @classmethod
    def from_dict(cls, dict_, legacy=False):
        try:
            if not isinstance(dict_, collections.abc.Mapping):
                raise ValueError('expected a mapping')
            _check_keys(dict_, {'period', 'usage'})
            period = dict_['period']
            if not isinstance(period, collections.abc.Mapping):
                raise ValueError("'period' must be a mapping")
            _check_keys(period, {'begin', 'end'}, 'period')
            start = _period_bound(period['begin'], 'period.begin')
            end = _period_bound(period['end'], 'period.end')
            usage = dict_['usage']
            if not isinstance(usage, collections.abc.Mapping):
                raise ValueError("'usage' must be a mapping")
            frame = cls(start, end)
            for key in sorted(usage.keys()):
                if not isinstance(key, str):
                    raise ValueError('metric types must be strings')
                points = usage[key]
                if isinstance(points, (str, bytes, collections.abc.Mapping)):
                    raise ValueError("'usage.%s' must be a list" % key)
                frame.add_points(
                    [DataPoint.from_dict(p, legacy=legacy) for p in points],
                    key)
            return frame
        except (ValueError, TypeError, KeyError) as exc:
            if isinstance(exc, KeyError):
                exc = 'required key not provided: %s' % exc
            raise ValueError("%s isn't a valid DataFrame: %s" % (dict_, exc))


def _period_bound(value, field):
    if isinstance(value, datetime.datetime):
        return tzutils.localized(value).replace(microsecond=0)
    if isinstance(value, str):
        try:
            return tzutils.dt_from_iso(value)
        except ValueError:
            raise ValueError("'%s' is not a valid ISO 8601 date: %r"
                             % (field, value))
    raise ValueError("'%s' must be a datetime or an ISO 8601 string" % field)
