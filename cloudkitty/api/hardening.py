"""Input checks shared by every endpoint: what no request may carry.

``InputGuard`` wraps the whole API (v1 and v2). Before a framework sees a
request it refuses, with a 400 naming the field:

* a JSON body that is not UTF-8 (v2 also reads UTF-16/32, as Flask
  does), nested deeper than ``MAX_DEPTH``, or that holds ``NaN``,
  ``Infinity`` or a number too large for a float (``1e999``): Python's
  parser accepts all of these, and each later broke a handler
  (RecursionError) or was stored and broke every read;
* a string (JSON key or value, query parameter, form field) holding a
  lone surrogate (``\\ud800``: it cannot be encoded to UTF-8, so no
  database can store it) or a NUL character (PostgreSQL text cannot hold
  it).

A path holding a NUL is a 404: nothing stored holds one. The v1
framework then parses the same body again, unchanged; v2 handlers read
the decoded body from the environ (``JSON_BODY_KEY``).

The helpers below (``check_text``, ``check_decimal``...) are the field
checks of the handlers that store what they receive.
"""
import contextlib
import decimal
import gc
import io
import json
import math
import re
import urllib.parse

# Deeper than any body of the API (a dataframe point's metadata sits at
# level 7); far below Python's recursion limit, so neither the frameworks
# nor the JSON encoders of the storage recurse out of their stack.
MAX_DEPTH = 64

# Mimetypes whose bodies v1 or v2 decode as JSON.
_JSON_TYPES = ('application/json', 'text/javascript',
               'application/javascript')
_FORM_TYPE = 'application/x-www-form-urlencoded'


# The WSGI environ key holding the decoded JSON body of a request.
JSON_BODY_KEY = 'cloudkitty.json_body'


class InvalidInput(ValueError):
    """A request refused before dispatch; ``str()`` is the message."""


def _describe(path):
    """``dataframes[0].usage`` from a list of keys and indexes."""
    if not path:
        return 'the request body'
    text = ''
    for item in path:
        if isinstance(item, int):
            text += '[%d]' % item
        else:
            text += '.%s' % _printable(item)
    return text.lstrip('.')


def _printable(text, limit=64):
    """An ASCII rendering of untrusted text, for error messages."""
    text = text.encode('ascii', 'backslashreplace').decode('ascii')
    text = ''.join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) > limit:
        text = text[:limit] + '...'
    return text


def invalid(field, value, reason):
    """A message in the words of the v1 framework's type errors.

    ``Invalid input for field/attribute <field>. Value: '<value>'.
    <reason>``.
    """
    return ("Invalid input for field/attribute %s. Value: '%s'. %s"
            % (field, _printable(str(value)), reason))


def bad_character(text):
    """Why ``text`` cannot be stored, or None."""
    if '\x00' in text:
        return 'a NUL character'
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return 'a lone surrogate (not valid Unicode)'
    return None


class _NotFinite(object):
    """Stands for NaN, Infinity or 1e999 while parsing.

    ``check_json_value`` then refuses it with the field's path.
    """

    def __init__(self, text):
        self.text = text


def _finite_float(text):
    value = float(text)
    return _NotFinite(text) if math.isinf(value) else value


def check_json_value(value):
    """Refuse excessive nesting and unstorable strings (no recursion)."""
    stack = [(value, [])]
    while stack:
        item, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise InvalidInput('Invalid JSON body: nested deeper than %d '
                               'levels at %s' % (MAX_DEPTH,
                                                 _describe(path[:8])))
        if isinstance(item, _NotFinite):
            raise InvalidInput(invalid(_describe(path), item.text,
                                       'Not a finite JSON number.'))
        if isinstance(item, str):
            reason = bad_character(item)
            if reason:
                raise InvalidInput(invalid(_describe(path), item,
                                           'It holds %s.' % reason))
        elif isinstance(item, dict):
            for key, child in item.items():
                reason = bad_character(key)
                if reason:
                    raise InvalidInput(invalid(
                        _describe(path) + ' (key)', key,
                        'It holds %s.' % reason))
                stack.append((child, path + [key]))
        elif isinstance(item, list):
            for index, child in enumerate(item):
                stack.append((child, path + [index]))


# A JSON string can only hold a NUL or a lone surrogate through a \u
# escape: raw control characters are refused by the parser and raw
# surrogates by the strict decoders. Matches paired surrogates too (and
# an escaped backslash before "u0000"): those bodies take the slow walk.
_SUSPECT_ESCAPE = re.compile(r'\\u(?:0000|[dD][89abcdefABCDEF])')
# Nesting depth from the bytes alone: every bracket becomes a parenthesis
# and everything else is dropped (strings after their escapes are).
_PARENS = bytes.maketrans(b'[]{}', b'()()')
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')


class _Suspect(Exception):
    """A value the fast pass cannot vouch for: take the slow walk."""


def _refuse_constant(text):
    raise _Suspect()


def _finite_float_or_suspect(text):
    value = float(text)
    if math.isinf(value):
        raise _Suspect()
    return value


def _too_deep(data):
    """Whether valid JSON ``data`` (UTF-8) nests deeper than MAX_DEPTH."""
    if data.count(b'[') + data.count(b'{') <= MAX_DEPTH:
        return False
    if b'\\' in data:
        # Escaped backslashes and quotes are not structure.
        data = data.replace(b'\\\\', b'').replace(b'\\"', b'')
    # Quotes split the text: string contents are at odd positions.
    parens = b''.join(data.translate(_PARENS, _NOT_STRUCTURE)
                      .split(b'"')[::2])
    # Each pass removes the innermost level of every container.
    for _ in range(MAX_DEPTH + 1):
        if not parens:
            return False
        parens = parens.replace(b'()', b'')
    return True


def parse_json_body(body, utf8_only=False):
    """The decoded JSON body; InvalidInput for what must be refused.

    A body that is not JSON at all raises ValueError (not InvalidInput):
    the frameworks answer it with their own messages. ``utf8_only``: the
    v1 framework decodes bodies as UTF-8 only (UTF-16 failed there with a
    500); the v2 one also reads UTF-16 and UTF-32.
    """
    encoding = 'utf-8' if utf8_only else json.detect_encoding(body)
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InvalidInput('Invalid request body: not valid %s (%s).'
                           % (encoding.upper(), exc.reason))
    # Fast pass: C parsing and whole-text scans, no walk of the value.
    # Anything it cannot vouch for is walked to name the faulty field.
    try:
        value = json.loads(text, parse_constant=_refuse_constant,
                           parse_float=_finite_float_or_suspect)
        data = body if encoding == 'utf-8' else text.encode('utf-8')
        if not ('\\u' in text and _SUSPECT_ESCAPE.search(text)
                or _too_deep(data)):
            return value
    except RecursionError:
        raise InvalidInput('Invalid JSON body: nested deeper than %d '
                           'levels.' % MAX_DEPTH)
    except _Suspect:
        pass
    return parse_and_walk(text)


def parse_and_walk(text):
    """The slow path of ``parse_json_body``: every value is visited."""
    try:
        value = json.loads(text, parse_constant=_NotFinite,
                           parse_float=_finite_float)
    except RecursionError:
        raise InvalidInput('Invalid JSON body: nested deeper than %d '
                           'levels.' % MAX_DEPTH)
    check_json_value(value)
    return value


def check_query_string(query, where='query string'):
    """Refuse NUL characters and lone surrogates in names and values.

    Percent-escapes that are not UTF-8 are read as U+FFFD, as the
    frameworks read them.
    """
    if not query:
        return
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True,
                                             errors='replace'):
        for text, what in ((key, 'name'), (value, 'value of %s' % key)):
            reason = bad_character(text)
            if reason:
                raise InvalidInput(invalid(
                    _printable(key) + (' (name)' if what == 'name' else ''),
                    text, 'It holds %s (%s).' % (reason, where)))


def _wsgi_text(value):
    # WSGI strings carry the raw bytes as latin-1.
    return value.encode('latin-1', 'replace').decode('utf-8', 'replace')


def _check_path(environ):
    # No stored id or name holds a NUL (writes refuse it): a path with one
    # names nothing. PostgreSQL cannot even compare it (it was a 500).
    path = _wsgi_text(environ.get('PATH_INFO', ''))
    if '\x00' in path:
        raise NotFound('No resource found: the path holds a NUL '
                       'character.')


def _check_query(environ):
    check_query_string(_wsgi_text(environ.get('QUERY_STRING', '')))


def _read_body(environ):
    stream = environ.get('wsgi.input')
    if stream is None:
        return b''
    length = environ.get('CONTENT_LENGTH')
    if length:
        try:
            size = int(length)
        except ValueError:
            return None
        return stream.read(size) if size > 0 else b''
    if environ.get('wsgi.input_terminated') or environ.get(
            'HTTP_TRANSFER_ENCODING', '').lower() == 'chunked':
        return stream.read()
    return b''


class NotFound(InvalidInput):
    """A path naming what cannot exist (404)."""

    status = '404 Not Found'


def _error_response(environ, start_response, message,
                    status='400 Bad Request'):
    path = environ.get('PATH_INFO', '')
    if path == '/v1' or path.startswith('/v1/'):
        body = {'faultcode': 'Client', 'faultstring': message,
                'debuginfo': None}
    else:
        body = {'message': message}
    data = json.dumps(body).encode('utf-8')
    start_response(status, [
        ('Content-Type', 'application/json'),
        ('Content-Length', str(len(data)))])
    return [data]


# Bodies from this size on (a pushed dataframe list, typically) are
# decoded and handled with the cyclic garbage collector paused.
LARGE_BODY = 256 * 1024


@contextlib.contextmanager
def _collector_paused(environ):
    """Pause the cyclic GC while a large body is handled.

    Decoding and storing a large JSON body creates hundreds of thousands
    of containers, all freed by reference counting when the request ends;
    the collector would scan them again and again meanwhile (a fifth of
    the CPU of a push). Cycles left behind are collected once it resumes.
    """
    try:
        large = int(environ.get('CONTENT_LENGTH') or 0) >= LARGE_BODY
    except ValueError:
        large = False
    if not large or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class InputGuard(object):
    """WSGI middleware refusing unusable input before any framework."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with _collector_paused(environ):
            try:
                self._check(environ)
            except InvalidInput as exc:
                return _error_response(
                    environ, start_response, str(exc),
                    getattr(exc, 'status', '400 Bad Request'))
            return self.app(environ, start_response)

    def _check(self, environ):
        _check_path(environ)
        _check_query(environ)
        content_type = environ.get('CONTENT_TYPE', '') or ''
        mimetype = content_type.split(';')[0].strip().lower()
        is_json = mimetype in _JSON_TYPES or mimetype.endswith('+json')
        if not is_json and mimetype != _FORM_TYPE:
            return
        body = _read_body(environ)
        if body is None:
            return
        # The frameworks read the body again.
        environ['wsgi.input'] = io.BytesIO(body)
        environ['CONTENT_LENGTH'] = str(len(body))
        environ.pop('HTTP_TRANSFER_ENCODING', None)
        if not body.strip():
            return
        if not is_json:
            check_query_string(body.decode('utf-8', 'replace'),
                               'request body')
            return
        try:
            path = environ.get('PATH_INFO', '')
            value = parse_json_body(body, utf8_only=not path.startswith(
                '/v2'))
        except InvalidInput:
            raise
        except ValueError:
            return   # not JSON: each framework has its message for it
        # v2 handlers take the decoded body from here rather than decode
        # it a second time (the same plain json.loads values).
        environ[JSON_BODY_KEY] = value


# --- field checks of the handlers -------------------------------------

# Rated quantities and prices are stored as NUMERIC(40, 18): 22 digits
# before the decimal point, for the points and for the sums the storage
# keeps by day and month. Values below 10**15 leave room for ten million
# of them in one sum; larger ones failed on MariaDB and PostgreSQL (a
# 500) or could not be summed back.
MAX_INTEGER_DIGITS = 15
MAX_DECIMAL = decimal.Decimal(10) ** MAX_INTEGER_DIGITS


def check_decimal(value, field, max_value=MAX_DECIMAL):
    """``value`` (a Decimal) if finite and below ``max_value``.

    Raises InvalidInput naming ``field``.
    """
    if not value.is_finite():
        raise InvalidInput(invalid(field, value, 'Not a finite number.'))
    if abs(value) >= max_value:
        raise InvalidInput(invalid(
            field, value, 'Out of range: the absolute value must be below '
            '%s.' % max_value))
    return value


def check_text(value, field, max_length=255, allow_none=False):
    """``value`` if it is a storable string of at most ``max_length``."""
    if value is None and allow_none:
        return value
    if not isinstance(value, str):
        raise InvalidInput(invalid(field, value, 'A string is expected, '
                                   'got %s.' % json_type_name(value)))
    reason = bad_character(value)
    if reason:
        raise InvalidInput(invalid(field, value, 'It holds %s.' % reason))
    if len(value) > max_length:
        raise InvalidInput(invalid(field, value, 'Longer than %d '
                                   'characters.' % max_length))
    return value


def json_type_name(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float, decimal.Decimal)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, (list, tuple)):
        return 'an array'
    return 'an object'


# --- pushed dataframes ------------------------------------------------

# Limits of what the storage keeps in indexed columns: the scope id
# and attribute values are VARCHAR(255), the time attributes (day of the
# year...) VARCHAR(64). Integers beyond 64 bits have no JSON encoding in
# the storage's encoder.
MAX_NAME_LENGTH = 255
MAX_TIME_ATTRIBUTE_LENGTH = 64
MAX_METADATA_TEXT_LENGTH = 65535
_TIME_KEYS = ('day_of_the_year', 'week_of_the_year', 'month', 'year')
_MIN_INT, _MAX_INT = -2 ** 63, 2 ** 63 - 1


def _check_scalar(value, field, max_length):
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        check_text(value, field, max_length)
    elif isinstance(value, int):
        if not _MIN_INT <= value <= _MAX_INT:
            raise InvalidInput(invalid(field, value, 'The integer is out '
                                       'of range (64 bits).'))
    elif isinstance(value, (float, decimal.Decimal)):
        # Decimal's own test: math.isfinite() fails on a signaling NaN.
        finite = (value.is_finite() if isinstance(value, decimal.Decimal)
                  else math.isfinite(value))
        if not finite:
            raise InvalidInput(invalid(field, value,
                                       'Not a finite number.'))
    else:
        return False
    return True


def _check_metadata_value(value, field):
    # Nested objects and arrays are kept as sent; their depth is bounded
    # by the request's nesting limit.
    stack = [(value, field)]
    while stack:
        item, where = stack.pop()
        if _check_scalar(item, where, MAX_METADATA_TEXT_LENGTH) is not False:
            continue
        if isinstance(item, dict):
            for key, child in item.items():
                check_text(key, where + ' (key)', MAX_NAME_LENGTH)
                stack.append((child, '%s.%s' % (where, _printable(key))))
        elif isinstance(item, (list, tuple)):
            for index, child in enumerate(item):
                stack.append((child, '%s[%d]' % (where, index)))
        else:
            raise InvalidInput(invalid(where, item, 'Unsupported type %s.'
                                       % type(item).__name__))


def check_point(point, field, column_keys=_TIME_KEYS):
    """Refuse a DataPoint the storage could not keep or read back.

    ``field`` names the point (``dataframes[0].usage.cpu[2]``).
    ``column_keys``: attributes the storage copies into columns (the
    scope key and the time attributes): scalars only, even in metadata.
    """
    check_decimal(point.qty, field + '.vol.qty')
    check_decimal(point.price, field + '.rating.price')
    check_text(point.unit, field + '.vol.unit', MAX_NAME_LENGTH)
    for key, value in point.groupby.items():
        where = '%s.groupby.%s' % (field, _printable(str(key)))
        check_text(key, where + ' (key)', MAX_NAME_LENGTH)
        limit = (MAX_TIME_ATTRIBUTE_LENGTH if key in _TIME_KEYS
                 else MAX_NAME_LENGTH)
        if _check_scalar(value, where, limit) is False:
            raise InvalidInput(invalid(
                where, value, 'A string, number, boolean or null is '
                'expected, got %s.' % json_type_name(value)))
    for key, value in point.metadata.items():
        where = '%s.metadata.%s' % (field, _printable(str(key)))
        check_text(key, where + ' (key)', MAX_NAME_LENGTH)
        if key in column_keys:
            limit = (MAX_TIME_ATTRIBUTE_LENGTH if key in _TIME_KEYS
                     else MAX_NAME_LENGTH)
            if _check_scalar(value, where, limit) is False:
                raise InvalidInput(invalid(
                    where, value, 'A string, number, boolean or null is '
                    'expected, got %s.' % json_type_name(value)))
        elif _check_scalar(value, where, MAX_METADATA_TEXT_LENGTH) is False:
            _check_metadata_value(value, where)


def _point_ok(point, column_keys, texts):
    """Whether ``point`` certainly passes ``check_point`` (fast path).

    Strings to check for characters are appended to ``texts`` (checked
    at once by the caller). False: the point may be faulty, and
    ``check_point`` names the field.
    """
    qty, price = point.qty, point.price
    if not (qty.is_finite() and price.is_finite()
            and -MAX_DECIMAL < qty < MAX_DECIMAL
            and -MAX_DECIMAL < price < MAX_DECIMAL):
        return False
    unit = point.unit
    if type(unit) is not str or len(unit) > MAX_NAME_LENGTH:
        return False
    texts.append(unit)
    for values, columns in ((point.groupby, None),
                            (point.metadata, column_keys)):
        for key, value in values.items():
            if type(key) is not str or len(key) > MAX_NAME_LENGTH:
                return False
            texts.append(key)
            kind = type(value)
            if kind is str:
                if columns is None or key in columns:
                    limit = (MAX_TIME_ATTRIBUTE_LENGTH if key in _TIME_KEYS
                             else MAX_NAME_LENGTH)
                else:
                    limit = MAX_METADATA_TEXT_LENGTH
                if len(value) > limit:
                    return False
                texts.append(value)
            elif value is None or kind is bool:
                continue
            elif kind is int:
                if not _MIN_INT <= value <= _MAX_INT:
                    return False
            elif kind is not float or not math.isfinite(value):
                # Nested metadata and other types: the detailed check.
                return False
    return True


def _texts_ok(texts):
    joined = ''.join(texts)
    if '\x00' in joined:
        return False
    return joined.isascii() or bad_character(joined) is None


def check_dataframes(frames, scope_key=None):
    """Check every point of pushed frames before anything is stored.

    Positions in messages are the request's (frame index, then the
    point's index in its metric type's list).
    """
    column_keys = _TIME_KEYS + ((scope_key,) if scope_key else ())
    for index, frame in enumerate(frames):
        prefix = 'dataframes[%d]' % index
        for metric_type, points in frame.itertypes():
            check_text(metric_type, '%s.usage (metric type %s)' % (
                prefix, _printable(metric_type)), MAX_NAME_LENGTH)
            texts = []
            if all([_point_ok(point, column_keys, texts)
                    for point in points]) and _texts_ok(texts):
                continue
            # Something may be wrong: find and name it.
            field = '%s.usage.%s' % (prefix, _printable(metric_type))
            for position, point in enumerate(points):
                check_point(point, '%s[%d]' % (field, position),
                            column_keys)
