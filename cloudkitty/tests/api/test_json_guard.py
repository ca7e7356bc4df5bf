"""The JSON body guard's fast pass answers exactly as the full walk.

``parse_json_body`` vouches for most bodies with whole-text scans and
walks the decoded value only when a scan finds something suspect; for
any body, the value it returns or the error it raises must be the walk's.
"""
import json

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from cloudkitty.api import hardening

# Characters that exercise the scans: brackets and quotes inside strings,
# backslashes, NUL, surrogates (lone and paired) and non-ASCII text.
_TEXT = st.text(alphabet=st.sampled_from(
    ['a', '[', ']', '{', '}', '"', '\\', '\x00', '\ud800', '\udc00',
     '\U0001f600', 'é', 'u', '0']), max_size=6)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), _TEXT,
    st.floats(allow_nan=True, allow_infinity=True),
    # Around the 64-bit limits, where orjson and json differ.
    st.sampled_from([2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1, 2 ** 64, -2 ** 63,
                     -2 ** 63 - 1, 10 ** 19, 10 ** 20, -10 ** 25,
                     '1' * 25, 1e308, 5e-324, -0.0]))


def _nest(depth, value):
    for index in range(depth):
        value = [value] if index % 2 else {'k': value}
    return value


_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(_TEXT, children, max_size=3)),
    max_leaves=12)
_BODIES = st.one_of(
    _VALUES,
    st.builds(_nest, st.integers(55, 75), _VALUES))


def _outcome(parse, data):
    try:
        return 'value', parse(data)
    except hardening.InvalidInput as exc:
        return 'refused', str(exc)


def _same(left, right):
    # NaN is never equal to itself; compare through a canonical dump.
    return json.dumps(left, sort_keys=True) == json.dumps(right,
                                                          sort_keys=True)


@settings(max_examples=400, deadline=None)
@given(_BODIES, st.booleans(), st.sampled_from(['utf-8', 'utf-16']))
def test_fast_pass_answers_as_the_walk(value, ensure_ascii, encoding):
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    try:
        body = text.encode(encoding)
    except UnicodeEncodeError:
        # A lone surrogate sent raw cannot be encoded: only escaped.
        body = json.dumps(value).encode(encoding)
        text = body.decode(encoding)
    fast = _outcome(hardening.parse_json_body, body)
    walked = _outcome(hardening.parse_and_walk, text)
    assert fast[0] == walked[0], (fast, walked)
    assert _same(fast[1], walked[1]), (fast, walked)


def test_refusals_name_the_field():
    body = json.dumps({'a': [1, {'b': 'x\x00'}]}).encode()
    fast = _outcome(hardening.parse_json_body, body)
    assert fast[0] == 'refused'
    assert 'a[1].b' in fast[1] and 'NUL' in fast[1]
    deep = json.dumps(_nest(70, 1)).encode()
    assert 'nested deeper than 64' in _outcome(
        hardening.parse_json_body, deep)[1]
    assert _outcome(hardening.parse_json_body,
                    b'{"q": 1e999}')[0] == 'refused'


def _guarded_call(body, content_type='application/json'):
    import gc
    import io

    seen = {}

    def app(environ, start_response):
        seen['collector'] = gc.isenabled()
        start_response('204 No Content', [])
        return [b'']

    environ = {'PATH_INFO': '/v2/dataframes', 'QUERY_STRING': '',
               'REQUEST_METHOD': 'POST', 'CONTENT_TYPE': content_type,
               'CONTENT_LENGTH': str(len(body)),
               'wsgi.input': io.BytesIO(body)}
    hardening.InputGuard(app)(environ, lambda *args: None)
    return seen.get('collector'), gc.isenabled()


def test_collector_paused_only_while_a_large_body_is_handled():
    large = json.dumps({'v': ['x' * 100] * 3000}).encode()
    assert len(large) >= hardening.LARGE_BODY
    assert _guarded_call(large) == (False, True)
    assert _guarded_call(b'{"v": 1}') == (True, True)


def test_collector_resumes_after_a_refused_large_body():
    import gc

    bad = b'{"v": [' + b'NaN, ' * 60000 + b'1]}'
    assert len(bad) >= hardening.LARGE_BODY
    assert _guarded_call(bad) == (None, True)
    assert gc.isenabled()
