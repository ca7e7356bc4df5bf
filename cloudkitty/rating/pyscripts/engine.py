"""Running rating scripts on frames.

A script sees one global, ``data``: a fresh mutable dict built from the
frame. Whatever ``data`` holds when the script ends (mutated in place or
rebound) is validated and becomes the new frame.
"""
import collections
import collections.abc
import datetime
import decimal
import threading
import types

from cloudkitty import dataframe
from cloudkitty.utils import tz as tzutils


class ScriptError(Exception):
    """A script failed to compile or run, or returned invalid data."""

    def __init__(self, script, message):
        super().__init__('PyScripts script %r (%s): %s'
                         % (script.name, script.script_id, message))
        self.script_name = script.name
        self.script_id = script.script_id


class CompiledScript(object):
    """A script's code object with the identity used in error messages.

    ``code`` is None when the source does not compile: ``error`` then says
    why, and running the script raises it (the reference stores such a
    script and fails when it runs).
    """

    __slots__ = ('script_id', 'name', 'checksum', 'code', 'error')

    def __init__(self, script_id, name, checksum, code, error=None):
        self.script_id = script_id
        self.name = name
        self.checksum = checksum
        self.code = code
        self.error = error


def filename(script_id, name):
    """The pseudo file name tracebacks show for a script."""
    if script_id is None:
        return '<pyscript %s>' % name
    return '<pyscript %s (%s)>' % (name, script_id)


def compile_source(source, script_id=None, name='-'):
    """Compile a script's source; SyntaxError/ValueError on bad code."""
    # dont_inherit: the scripts must not depend on this module's
    # __future__ imports.
    return compile(source, filename(script_id, name), 'exec',
                   dont_inherit=True)


# Code objects are immutable: module instances (one per scope and cycle in
# the processor, one per quote in the API) share them. Keyed by the
# checksum, so a changed source is compiled again.
_CODE_CACHE = collections.OrderedDict()
_CODE_CACHE_SIZE = 256
_CODE_CACHE_LOCK = threading.Lock()


def _compile_error(exc):
    """Why a source does not compile, with the line when known."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return 'cannot be compiled: line %d: %s' % (exc.lineno, exc.msg)
    return 'cannot be compiled: %s' % (exc,)


def compile_script(script):
    """CompiledScript from a stored script (db.Script), compiled once.

    A source that does not compile gives a CompiledScript without code:
    the error is raised when the script runs, naming it and the line.
    """
    key = (script.script_id, script.name, script.checksum)
    with _CODE_CACHE_LOCK:
        code = _CODE_CACHE.get(key)
        if code is not None:
            _CODE_CACHE.move_to_end(key)
    if code is None:
        try:
            code = compile_source(script.data, script.script_id,
                                  script.name)
        except (SyntaxError, ValueError, RecursionError,
                MemoryError) as exc:
            return CompiledScript(script.script_id, script.name,
                                  script.checksum, None,
                                  _compile_error(exc))
        with _CODE_CACHE_LOCK:
            _CODE_CACHE[key] = code
            while len(_CODE_CACHE) > _CODE_CACHE_SIZE:
                _CODE_CACHE.popitem(last=False)
    return CompiledScript(script.script_id, script.name, script.checksum,
                          code)


def frame_to_dict(frame):
    """The ``data`` a script sees: fresh, mutable, types sorted."""
    usage = {}
    types = dict(frame.itertypes())
    for type_ in sorted(types):
        usage[type_] = [
            {'vol': {'unit': point.unit, 'qty': point.qty},
             'rating': {'price': point.price},
             'groupby': point.groupby.copy(),
             'metadata': point.metadata.copy()}
            for point in types[type_]]
    return {'period': {'begin': frame.start, 'end': frame.end},
            'usage': usage}


class _Invalid(ValueError):
    """A violation of the result contract, with where it happened."""


_FRAME_KEYS = frozenset(('period', 'usage'))
_PERIOD_KEYS = frozenset(('begin', 'end'))
_POINT_KEYS = frozenset(('vol', 'rating', 'groupby', 'metadata'))
_VOL_KEYS = frozenset(('unit', 'qty'))
_RATING_KEYS = frozenset(('price',))
_Decimal = decimal.Decimal
_ZERO = _Decimal(0)
_Mapping = collections.abc.Mapping
_freeze = types.MappingProxyType


def _short(value, limit=80):
    """repr() for error messages, cut: a script may put anything there."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + '...'


def _mapping(value, where):
    if type(value) is dict:
        return value
    if not isinstance(value, _Mapping):
        raise _Invalid('%s must be a mapping, got %s'
                       % (where, type(value).__name__))
    return value


def _check_keys(value, allowed, where):
    if type(value) is dict and value.keys() <= allowed:
        return
    extra = [k for k in value if k not in allowed]
    if extra:
        raise _Invalid('extra keys not allowed in %s: %s'
                       % (where, ', '.join(sorted(map(repr, extra)))))


def _required(value, key, where):
    try:
        return value[key]
    except KeyError:
        raise _Invalid('required key not provided: %s.%s' % (where, key))


def _number(value, where):
    """Decimal through str() (a float 0.1 is exactly 0.1), finite only."""
    if type(value) is not _Decimal:
        if value is None or isinstance(value, bool):
            raise _Invalid('%s must be a number, got %s'
                           % (where, _short(value)))
        try:
            value = _Decimal(str(value))
        except (decimal.InvalidOperation, ValueError, TypeError):
            raise _Invalid('%s must be a number, got %s'
                           % (where, _short(value)))
    if not value.is_finite():
        raise _Invalid('%s must be a finite number, got %s' % (where, value))
    return value


def _dict(value, where):
    try:
        return dict(value)
    except (TypeError, ValueError) as exc:
        raise _Invalid('%s must be convertible to a dict: %s'
                       % (where, exc))


def _period_bound(value, where):
    if isinstance(value, datetime.datetime):
        return tzutils.localized(value).replace(microsecond=0)
    if isinstance(value, str):
        try:
            return tzutils.dt_from_iso(value)
        except ValueError:
            raise _Invalid('%s is not a valid ISO 8601 date: %s'
                           % (where, _short(value)))
    raise _Invalid('%s must be a datetime or an ISO 8601 string' % where)


def _point(value, where):
    point = _mapping(value, where)
    _check_keys(point, _POINT_KEYS, where)
    vol = _mapping(_required(point, 'vol', where), where + '.vol')
    _check_keys(vol, _VOL_KEYS, where + '.vol')
    unit = _required(vol, 'unit', where + '.vol')
    if not isinstance(unit, str):
        raise _Invalid('%s.vol.unit must be a string' % where)
    qty = _number(_required(vol, 'qty', where + '.vol'), where + '.vol.qty')
    price = _ZERO
    rating = point.get('rating')
    if rating:
        _mapping(rating, where + '.rating')
        _check_keys(rating, _RATING_KEYS, where + '.rating')
        if 'price' in rating:
            price = _number(rating['price'], where + '.rating.price')
    groupby = _dict(_required(point, 'groupby', where), where + '.groupby')
    metadata = _dict(_required(point, 'metadata', where),
                     where + '.metadata')
    # Every field is converted and checked above: build the immutable
    # point directly (the generic constructor would convert it all again).
    return dataframe.DataPoint._make(
        (unit or 'undefined', qty, price, _freeze(groupby),
         _freeze(metadata), None))


def _build_frame(data):
    _mapping(data, 'data')
    _check_keys(data, _FRAME_KEYS, 'data')
    period = _mapping(_required(data, 'period', 'data'), 'data.period')
    _check_keys(period, _PERIOD_KEYS, 'data.period')
    begin = _period_bound(_required(period, 'begin', 'data.period'),
                          'data.period.begin')
    end = _period_bound(_required(period, 'end', 'data.period'),
                        'data.period.end')
    usage = _mapping(_required(data, 'usage', 'data'), 'data.usage')
    if not all(isinstance(k, str) for k in usage):
        raise _Invalid('metric types (keys of data.usage) must be strings')
    frame = dataframe.DataFrame(begin, end)
    for type_ in sorted(usage):
        where = 'data.usage[%s]' % _short(type_)
        points = usage[type_]
        if isinstance(points, (str, bytes, _Mapping)):
            raise _Invalid('%s must be a list of points' % where)
        try:
            iterator = iter(points)
        except TypeError:
            raise _Invalid('%s must be a list of points' % where)
        frame.add_points([_point(p, '%s[%d]' % (where, i))
                          for i, p in enumerate(iterator)], type_)
    return frame


def dict_to_frame(data, script):
    """Validate the ``data`` a script left and build the new frame."""
    try:
        return _build_frame(data)
    except _Invalid as exc:
        raise ScriptError(script,
                          "data isn't a valid DataFrame: %s" % exc) from None
    except Exception as exc:
        # Objects of the script's own types can fail in any way.
        raise ScriptError(script, "data isn't a valid DataFrame: %s: %s"
                          % (type(exc).__name__, exc)) from exc


def _script_line(script, exc):
    """Line of the script where ``exc`` was raised (None if unknown)."""
    name = filename(script.script_id, script.name)
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def run(scripts, frame):
    """Run compiled scripts one after the other; returns the last frame."""
    for script in scripts:
        if script.code is None:
            raise ScriptError(script, script.error)
        scope = {'data': frame_to_dict(frame)}
        try:
            exec(script.code, scope)
        except (Exception, SystemExit) as exc:
            # SystemExit too: a script calling exit() must fail the rating,
            # not stop the processor.
            line = _script_line(script, exc)
            raise ScriptError(script, 'raised %s%s: %s' % (
                type(exc).__name__,
                ' at line %d' % line if line is not None else '',
                exc)) from exc
        if 'data' not in scope:
            raise ScriptError(script, "data isn't a valid DataFrame: "
                              "the global 'data' was deleted")
        frame = dict_to_frame(scope['data'], script)
    return frame
