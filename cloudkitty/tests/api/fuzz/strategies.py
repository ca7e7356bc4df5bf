"""Hypothesis strategies: requests to every v1 and v2 endpoint.

Each operation draws a request in one of three modes: ``valid`` (what a
client sends), ``boundary`` (valid, at the limits: longest names, 4-byte
characters, largest storable numbers, extreme dates) and ``hostile``
(one field replaced by a wrong type, NaN, 1e999, a lone surrogate, a NUL,
an over-long string, deep nesting..., or the whole body replaced by
something that is not a JSON object, not JSON or not UTF-8).

Requests are ``Request`` tuples; bodies are bytes (already serialized)
so that raw tokens (``NaN``, ``1e999``, ``\\ud800``) reach the server.
"""
import collections
import json
import urllib.parse

from hypothesis import strategies as st

Request = collections.namedtuple(
    'Request', ['method', 'path', 'query', 'body', 'content_type', 'write'])

HM = '/v1/rating/module_config/hashmap'
PS = '/v1/rating/module_config/pyscripts'
RAW = '@@raw%d@@'

# Raw JSON tokens that json.dumps cannot produce.
RAW_TOKENS = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e400',
              '"\\ud800"', '"a\\udfffb"', '"\\u0000"',
              '[' * 300 + ']' * 300, '{"a":' * 200 + '1' + '}' * 200,
              '1' + '0' * 400, '-0', '1e-400', '12345678901234567890.5']

HOSTILE_SCALARS = [
    None, True, False, 0, -1, 1.5, -0.0, 2 ** 31, 2 ** 63, 2 ** 64,
    10 ** 30, -10 ** 30, 1e308, '', ' ', 'x' * 256, 'y' * 5000, '\x00',
    'a\x00b', 'NaN', 'Infinity', '-inf', 'sNaN', '1e999', '1e22', '-1e25',
    '1e-999', '9' * 40, 'abc', '2019-13-45', '0001-01-01T00:00:00+14:00',
    '9999-12-31T23:59:59-12:00', '2019-07-01', '%s%n', "'; DROP TABLE x",
    '\U0001f600' * 70, 'a"b\\c', 'ALL', '-1', 'true', 'false', 'time-x',
    'time-a-b', '\u202e\ufeff', [], {}, [1, 2], {'a': 'b'}, [None],
    {'a': {'b': [1, {'c': None}]}},
]

# Text: printable, 4-byte characters, control characters; lone
# surrogates are included (serialized as \\udXXX escapes).
TEXT = st.text(st.characters(codec=None, exclude_categories=()),
               max_size=12)
NAME = st.one_of(
    st.text('abcdefghij_-.', min_size=1, max_size=10),
    st.text(st.characters(exclude_categories=('Cs', 'Cc')), min_size=1,
            max_size=8),
    st.sampled_from(['x' * 255, '\U0001f600' * 63, 'compute', 'instance',
                     'flavor_id', 'image.size']))
DECIMAL_TEXT = st.one_of(
    st.decimals(min_value=-10 ** 6, max_value=10 ** 6, allow_nan=False,
                places=8).map(str),
    st.sampled_from(['0', '1', '0.1', '999999999999999.99',
                     '1E-18', '-1', '1.23456789012345678901234567']))
DATE = st.one_of(
    st.datetimes(min_value=__import__('datetime').datetime(2000, 1, 1),
                 max_value=__import__('datetime').datetime(2040, 1, 1))
    .map(lambda d: d.replace(microsecond=0).isoformat()),
    st.sampled_from(['2019-07-01', '2019-07-01T00:00:00Z',
                     '2019-07-01 00:00:00+00:00', '20190701T000000Z',
                     '2100-01-01T00:00:00', '1970-01-02T00:00:00+00:00']))
PERIOD_BEGIN = st.integers(0, 47).map(
    lambda h: '2019-07-%02dT%02d:00:00Z' % (1 + h // 24, h % 24))


def hostile_value():
    return st.one_of(
        st.sampled_from(HOSTILE_SCALARS),
        st.sampled_from(range(len(RAW_TOKENS))).map(lambda i: _Raw(i)),
        TEXT,
        st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    )


class _Raw(object):
    """A placeholder replaced by RAW_TOKENS[index] after serialization."""

    def __init__(self, index):
        self.index = index


def encode(body):
    """JSON bytes of ``body``; _Raw placeholders become raw tokens."""
    raws = []

    def default(obj):
        if isinstance(obj, _Raw):
            raws.append(obj.index)
            return RAW % (len(raws) - 1)
        raise TypeError(obj)

    text = json.dumps(body, default=default, allow_nan=True)
    for position, index in enumerate(raws):
        text = text.replace('"%s"' % (RAW % position), RAW_TOKENS[index])
    # \\udXXX escapes stay escapes: the text is ASCII.
    return text.encode('ascii')


# Whole bodies that are not a usable JSON object.
BAD_BODIES = st.sampled_from([
    b'', b'null', b'[1, 2]', b'"text"', b'42', b'NaN', b'{not json',
    b'{"a": 1', b'\xff\xfe{}', b'{"a": "\xc3\x28"}', b'\x00',
    ('[' * 5000 + ']' * 5000).encode(),
    ('{"a": ' * 5000 + '1' + '}' * 5000).encode(),
    b'{"a": 1, "a": 2}', '\ufeff{}'.encode('utf-8'),
    '{"x": 1}'.encode('utf-16'),
])


class Ids(object):
    """Ids seen in responses, to address existing objects."""

    def __init__(self):
        self.values = collections.defaultdict(list)

    def add(self, kind, value):
        if isinstance(value, str) and value not in self.values[kind]:
            self.values[kind].append(value)

    FAKE = ['0', 'unknown', '%00', 'a%2Fb', '\U0001f600', 'x' * 300]

    def strategy(self, kind):
        # One integer per id whatever is known, so that the shape of the
        # generated data never depends on earlier responses.
        return st.integers(0, 9).map(lambda i: self._pick(kind, i))

    def _pick(self, kind, index):
        known = self.values[kind]
        if known and index < 6:
            return known[-1 - index % len(known)]
        return self.FAKE[index % len(self.FAKE)]

    def learn(self, request, status, data):
        """Remember the ids of created objects."""
        if not isinstance(data, dict) or status >= 300:
            return
        for kind in ('service_id', 'field_id', 'group_id', 'mapping_id',
                     'threshold_id', 'script_id'):
            self.add(kind, data.get(kind))
        if request.path.startswith('/v2/scope') and 'scope_id' in data:
            self.add('scope_id', data['scope_id'])


def _quote(text):
    return urllib.parse.quote(text, safe='')


@st.composite
def _body_request(draw, method, path, valid, boundary=None, write=True,
                  query=None):
    """A JSON-body request: valid, boundary or hostile."""
    mode = draw(st.sampled_from(['valid'] * 3 + ['boundary', 'hostile',
                                                 'hostile', 'bad_body']))
    body = dict(draw(valid))
    if mode == 'boundary' and boundary is not None:
        body.update(draw(boundary))
    elif mode == 'hostile':
        keys = sorted(body) + ['extra', 'bogus\x00']
        key = draw(st.sampled_from(keys))
        body[key] = draw(hostile_value())
        if draw(st.booleans()):
            del body[draw(st.sampled_from(sorted(body)))]
    if mode == 'bad_body':
        raw = draw(BAD_BODIES)
    else:
        raw = encode(body)
    content_type = draw(st.sampled_from(
        ['application/json'] * 8 + ['text/plain', 'application/json; '
                                    'charset=latin-1']))
    return Request(method, path, query, raw, content_type, write)


@st.composite
def _query_request(draw, path, params):
    """A GET with some of ``params`` (name -> strategy), maybe hostile."""
    pairs = []
    for name, strategy in params.items():
        if draw(st.booleans()):
            pairs.append((name, draw(strategy)))
    if draw(st.integers(0, 3)) == 0:
        name = draw(st.sampled_from(sorted(params) + ['bogus']))
        value = draw(st.one_of(TEXT, st.sampled_from(
            ['', '%', '\x00', 'a%00b', '\ud800', '-1', '99999999999999999999',
             'x' * 3000])))
        pairs.append((name, value))
    query = '&'.join('%s=%s' % (_quote(k), _quote_any(v)) for k, v in pairs)
    if draw(st.integers(0, 9)) == 0:
        query += draw(st.sampled_from(['&%ff=1', '&a=%ff%fe', '&=', '&&',
                                       '&limit=1&limit=2', '&%ED%A0%80']))
    return Request('GET', path, query, None, None, False)


def _quote_any(value):
    return urllib.parse.quote(
        value.encode('utf-8', 'surrogatepass'), safe=':,')


def _opt(strategy):
    return st.one_of(st.none(), strategy)


def _fixed(**values):
    return st.fixed_dictionaries(values)


def v1_operations(ids):
    """Strategies of requests to the v1 API (and module config APIs)."""
    module = st.sampled_from(['hashmap', 'pyscripts', 'noop', 'unknown'])
    service = ids.strategy('service_id')
    field = ids.strategy('field_id')
    group = ids.strategy('group_id')
    mapping = ids.strategy('mapping_id')
    threshold = ids.strategy('threshold_id')
    script = ids.strategy('script_id')
    report = {'begin': DATE, 'end': DATE, 'tenant_id': NAME,
              'service': NAME, 'all_tenants': st.sampled_from(
                  ['', 'true', 'false', 'True'])}
    quote_resource = _fixed(
        service=st.sampled_from(['compute', 'cpu', 'image.size']),
        volume=st.one_of(DECIMAL_TEXT, st.integers(-5, 5)),
        desc=st.fixed_dictionaries({}, optional={
            'groupby': st.dictionaries(NAME, NAME, max_size=3),
            'metadata': st.dictionaries(NAME, st.one_of(NAME, st.integers(
                -10, 10)), max_size=3)}))
    mapping_body = st.fixed_dictionaries(
        {'cost': DECIMAL_TEXT},
        optional={'type': st.sampled_from(['flat', 'rate']),
                  'value': _opt(NAME), 'service_id': service,
                  'field_id': field, 'group_id': group,
                  'tenant_id': _opt(NAME), 'start': DATE, 'end': DATE,
                  'name': NAME, 'description': _opt(NAME)})
    threshold_body = st.fixed_dictionaries(
        {'level': DECIMAL_TEXT, 'cost': DECIMAL_TEXT},
        optional={'type': st.sampled_from(['flat', 'rate']),
                  'service_id': service, 'field_id': field,
                  'group_id': group, 'tenant_id': _opt(NAME)})
    big = _fixed(cost=st.sampled_from(['99999999999999999999.99999999',
                                       '1E-28', '0']))
    script_body = st.fixed_dictionaries(
        {'name': NAME, 'data': st.sampled_from(
            ['a = 0', 'return 0', '# \U0001f600\nx = 1', '', 'import os'])},
        optional={'start': _opt(DATE), 'end': _opt(DATE),
                  'description': _opt(NAME)})
    return [
        st.builds(lambda p: Request('GET', p, None, None, None, False),
                  st.sampled_from([
                      '/', '/v1', '/v1/info/config', '/v1/info/metrics',
                      '/v1/info/metrics/cpu', '/v1/info/services',
                      '/v1/info/services/image.size', '/v1/rating/modules',
                      '/v1/rating/modules/hashmap', '/v1/collector',
                      HM + '/types', HM + '/services', HM + '/groups',
                      PS + '/scripts', '/v1/rating/module_config/noop',
                      '/v1/info/metrics/%00', '/v1/rating/modules/%ff',
                      '/v1/rating/reload_modules', '/v1/billing/modules',
                      '/v1/rating/quote/', '/v1/collector/x/states'])),
        st.builds(lambda template, i: Request(
            'GET', template % _quote(i), None, None, None, False),
            st.sampled_from([HM + '/groups/%s/mappings',
                             HM + '/groups/%s/thresholds',
                             HM + '/mappings/%s/group',
                             HM + '/thresholds/%s/group',
                             HM + '/services/%s/fields',
                             HM + '/services/%s/mappings']),
            st.one_of(service, group, mapping, threshold)),
        st.builds(lambda m, p: Request(m, p, None, None, None, False),
                  st.sampled_from(['HEAD', 'OPTIONS', 'PATCH', 'TRACE']),
                  st.sampled_from(['/', '/v1/rating/modules', '/v2/scope',
                                   HM + '/services', '/v2/summary'])),
        st.builds(lambda m, b: Request('PUT', '/v1/rating/modules/' + m,
                                       None, b, 'application/json', True),
                  module, st.builds(encode, st.fixed_dictionaries(
                      {'module_id': module},
                      optional={'enabled': st.one_of(
                          st.booleans(), hostile_value()),
                          'priority': st.one_of(
                              st.integers(-5, 100), hostile_value())}))),
        _body_request('POST', '/v1/rating/quote',
                      _fixed(resources=st.lists(quote_resource,
                                                max_size=3)),
                      write=False),
        _query_request('/v1/report/tenants', {'begin': DATE, 'end': DATE}),
        _query_request('/v1/report/total', report),
        _query_request('/v1/report/summary', dict(
            report, groupby=st.sampled_from(
                ['tenant_id', 'res_type', 'tenant_id,res_type', 'foo']))),
        _query_request('/v1/storage/dataframes', {
            'begin': DATE, 'end': DATE, 'tenant_id': NAME,
            'resource_type': NAME}),
        _query_request('/v1/collector/mappings', {'collector': NAME}),
        _body_request('POST', '/v1/collector/mappings',
                      _fixed(collector=NAME, service=NAME)),
        st.builds(lambda s: Request(
            'DELETE', '/v1/collector/mappings/' + _quote(s), None, None,
            None, True), NAME),
        _query_request('/v1/collector/states', {'name': NAME}),
        st.builds(lambda n, b: Request(
            'PUT', '/v1/collector/states/' + _quote(n), None, b,
            'application/json', True), NAME, st.builds(
                encode, _fixed(name=NAME, enabled=st.one_of(
                    st.booleans(), hostile_value())))),
        # hashmap
        _body_request('POST', HM + '/services', _fixed(name=NAME)),
        _body_request('POST', HM + '/fields',
                      _fixed(service_id=service, name=NAME)),
        _body_request('POST', HM + '/groups', _fixed(name=NAME)),
        _body_request('POST', HM + '/mappings', mapping_body, big),
        _body_request('POST', HM + '/thresholds', threshold_body, big),
        st.builds(lambda i, b: b._replace(path=HM + '/mappings/' + i),
                  mapping, _body_request('PUT', HM + '/mappings',
                                         mapping_body, big)),
        st.builds(lambda i, b: b._replace(path=HM + '/thresholds/' + i),
                  threshold, _body_request('PUT', HM + '/thresholds',
                                           threshold_body, big)),
        _query_request(HM + '/mappings', {
            'service_id': service, 'field_id': field, 'group_id': group,
            'tenant_id': NAME, 'no_group': st.sampled_from(['true', 'x']),
            'deleted': st.sampled_from(['true', 'false']),
            'start': DATE, 'end': DATE}),
        _query_request(HM + '/thresholds', {
            'service_id': service, 'field_id': field, 'group_id': group}),
        _query_request(HM + '/fields', {'service_id': service}),
        st.builds(lambda kind, i: Request('GET', HM + kind + _quote(i),
                                          None, None, None, False),
                  st.sampled_from(['/services/', '/fields/', '/groups/',
                                   '/mappings/', '/thresholds/']),
                  st.one_of(service, field, group, mapping, threshold)),
        st.builds(lambda kind, i: Request('DELETE', HM + kind + _quote(i),
                                          None, None, None, True),
                  st.sampled_from(['/services/', '/fields/', '/groups/',
                                   '/mappings/', '/thresholds/']),
                  st.one_of(service, field, group, mapping, threshold)),
        # pyscripts
        _body_request('POST', PS + '/scripts', script_body),
        st.builds(lambda i, b: b._replace(path=PS + '/scripts/' + i),
                  script, _body_request('PUT', PS + '/scripts',
                                        script_body)),
        _query_request(PS + '/scripts', {
            'no_data': st.sampled_from(['true', 'false', 'x']),
            'deleted': st.sampled_from(['true', 'false']), 'name': NAME,
            'start': DATE}),
        st.builds(lambda m, i: Request(m, PS + '/scripts/' + _quote(i),
                                       None, None, None, m == 'DELETE'),
                  st.sampled_from(['GET', 'DELETE']), script),
    ]


def _point():
    number = st.one_of(DECIMAL_TEXT, st.integers(-10 ** 6, 10 ** 6),
                       st.floats(-1e6, 1e6, allow_nan=False))
    return st.fixed_dictionaries(
        {'vol': _fixed(unit=st.sampled_from(['GiB', 'instance', '']),
                       qty=number),
         'groupby': st.fixed_dictionaries(
             {'project_id': st.sampled_from(['p1', 'p2', '\U0001f600'])},
             optional={'id': NAME, 'user_id': NAME}),
         'metadata': st.dictionaries(NAME, st.one_of(
             NAME, st.integers(-9, 9), st.booleans(), st.none()),
             max_size=2)},
        optional={'rating': _fixed(price=number)})


@st.composite
def _dataframes(draw):
    frames = []
    for _ in range(draw(st.integers(1, 2))):
        begin = draw(PERIOD_BEGIN)
        end = begin[:11] + '%02d' % (int(begin[11:13]) + 1) + begin[13:]
        usage = draw(st.dictionaries(
            st.sampled_from(['cpu', 'image.size', 'volume.size']),
            st.lists(_point(), min_size=1, max_size=3), min_size=1,
            max_size=2))
        frames.append({'period': {'begin': begin, 'end': end},
                       'usage': usage})
    mode = draw(st.sampled_from(['valid', 'valid', 'hostile']))
    if mode == 'hostile':
        # One value deep inside a point.
        frame = draw(st.sampled_from(frames))
        points = draw(st.sampled_from(list(frame['usage'].values())))
        point = draw(st.sampled_from(points))
        where = draw(st.sampled_from(['qty', 'price', 'groupby',
                                      'metadata', 'metric', 'unit']))
        value = draw(hostile_value())
        if where == 'qty':
            point['vol']['qty'] = value
        elif where == 'price':
            point['rating'] = {'price': value}
        elif where == 'unit':
            point['vol']['unit'] = value
        elif where == 'metric':
            frame['usage'][draw(TEXT)] = [point]
        else:
            key = draw(st.one_of(NAME, TEXT, st.sampled_from(
                ['project_id', 'month', 'year'])))
            point[where][key] = value
    return {'dataframes': frames}


def v2_operations(ids):
    scope = ids.strategy('scope_id')
    scope_filters = {'scope_id': scope, 'scope_key': NAME,
                     'fetcher': NAME, 'collector': NAME,
                     'active': st.sampled_from(['0', '1', 'true']),
                     'offset': st.sampled_from(['0', '1', '-1', '10']),
                     'limit': st.sampled_from(['1', '100', '0',
                                               '9223372036854775807'])}
    scope_body = st.fixed_dictionaries(
        {'scope_id': st.one_of(NAME, scope),
         'last_processed_timestamp': DATE},
        optional={'scope_key': st.sampled_from(['project_id', 'k' * 40]),
                  'fetcher': st.sampled_from(['keystone', 'source']),
                  'collector': st.sampled_from(['gnocchi', 'prometheus']),
                  'active': st.one_of(st.booleans(), st.sampled_from(
                      ['false', 0]))})
    summary = {'begin': DATE, 'end': DATE,
               'groupby': st.sampled_from([
                   'type', 'project_id', 'time', 'time-d', 'time-w',
                   'time-m', 'time-y', 'time-x', 'time-a-b', 'id,type',
                   'month', 'year', 'begin', 'rate', 'qty', '']),
               'filters': st.sampled_from([
                   'type:cpu', 'project_id:p1', 'project_id:p1,type:cpu',
                   'bad', 'a:b:c', 'x:']),
               'response_format': st.sampled_from(['table', 'object']),
               'custom_fields': st.sampled_from([
                   'SUM(qty) AS qty', 'max(price) AS m', 'DROP TABLE']),
               'offset': st.sampled_from(['0', '5', '-1']),
               'limit': st.sampled_from(['1', '1000', '0'])}
    return [
        _query_request('/v2/scope', scope_filters),
        _body_request('POST', '/v2/scope', scope_body),
        _body_request('PATCH', '/v2/scope', st.fixed_dictionaries(
            {'scope_id': scope},
            optional={'scope_key': NAME, 'fetcher': NAME, 'collector': NAME,
                      'active': st.booleans()})),
        _body_request('PUT', '/v2/scope', st.fixed_dictionaries(
            {'last_processed_timestamp': DATE},
            optional={'scope_id': scope, 'all_scopes': st.booleans(),
                      'collector': NAME})),
        st.builds(lambda body: Request('POST', '/v2/dataframes', None,
                                       encode(body), 'application/json',
                                       True), _dataframes()),
        _body_request('POST', '/v2/dataframes', _fixed(
            dataframes=st.lists(hostile_value(), max_size=2))),
        _query_request('/v2/dataframes', {
            'begin': DATE, 'end': DATE, 'filters': summary['filters'],
            'offset': summary['offset'], 'limit': summary['limit']}),
        _query_request('/v2/summary', summary),
        _body_request('POST', '/v2/task/reprocesses', _fixed(
            scope_ids=st.one_of(scope, st.lists(scope, max_size=2),
                                st.just('ALL')),
            start_reprocess_time=DATE, end_reprocess_time=DATE,
            reason=st.sampled_from(['r', ' ', 'reason \U0001f600']))),
        _query_request('/v2/task/reprocesses', {
            'scope_ids': scope, 'order': st.sampled_from(['asc', 'DESC',
                                                          'x']),
            'offset': summary['offset'], 'limit': summary['limit']}),
        st.builds(lambda i: Request('GET', '/v2/task/reprocesses/'
                                    + _quote(i), None, None, None, False),
                  scope),
        st.builds(lambda p: Request('GET', p, None, None, None, False),
                  st.sampled_from(['/v2/rating/modules',
                                   '/v2/rating/modules/hashmap',
                                   '/v2/rating/modules/unknown'])),
        st.builds(lambda m, b: Request('PUT', '/v2/rating/modules/' + m,
                                       None, encode(b), 'application/json',
                                       True),
                  st.sampled_from(['hashmap', 'pyscripts', 'noop', 'zz']),
                  st.fixed_dictionaries({}, optional={
                      'enabled': st.one_of(st.booleans(), hostile_value()),
                      'priority': st.one_of(st.integers(-3, 50),
                                            hostile_value())})),
    ]


# Reads that must succeed after every accepted write: (path, query,
# accepted statuses).
READS = [
    ('/v1/rating/modules', None, (200,)),
    ('/v1/collector/mappings', None, (200,)),
    (HM + '/services', None, (200,)),
    (HM + '/groups', None, (200,)),
    (HM + '/mappings', None, (200,)),
    (PS + '/scripts', None, (200,)),
    ('/v1/report/tenants', 'begin=2019-01-01&end=2020-01-01', (200,)),
    ('/v1/report/total', 'begin=2019-07-01&end=2019-08-01&all_tenants=1',
     (200,)),
    ('/v1/report/summary', 'begin=2019-07-01&end=2019-08-01&'
     'groupby=tenant_id,res_type&all_tenants=1', (200,)),
    ('/v1/storage/dataframes', 'begin=2019-07-01&end=2019-08-01',
     (200,)),
    ('/v2/scope', None, (200, 404)),
    ('/v2/dataframes', 'begin=2019-07-01T00:00:00Z&'
     'end=2019-08-01T00:00:00Z', (200, 404)),
    ('/v2/summary', 'begin=2019-07-01T00:00:00Z&end=2019-08-01T00:00:00Z'
     '&groupby=type,project_id', (200,)),
    ('/v2/summary', 'begin=2019-07-01T00:00:00Z&end=2019-08-01T00:00:00Z'
     '&groupby=time&response_format=object', (200,)),
    ('/v2/task/reprocesses', None, (200,)),
    ('/v2/rating/modules', None, (200,)),
]


def warm_up_requests():
    """Valid writes run before fuzzing.

    They give the fuzzed requests objects to address, and accepted writes
    even to the bounded profile.
    """
    def post(path, body, method='POST'):
        return Request(method, path, None, encode(body), 'application/json',
                       True)
    frame = {'period': {'begin': '2019-07-01T00:00:00Z',
                        'end': '2019-07-01T01:00:00Z'},
             'usage': {'cpu': [{'vol': {'unit': 'instance', 'qty': '1.5'},
                                'rating': {'price': '0.25'},
                                'groupby': {'project_id': 'p1', 'id': 'vm1'},
                                'metadata': {'flavor_name': 'm1.tiny'}}]}}
    return [
        post(HM + '/services', {'name': 'compute'}),
        post(HM + '/groups', {'name': 'g\U0001f600'}),
        post('/v1/collector/mappings', {'collector': 'gnocchi',
                                        'service': 'compute'}),
        post('/v1/collector/states/gnocchi', {'enabled': True}, 'PUT'),
        post('/v1/rating/modules/hashmap', {'module_id': 'hashmap',
                                            'enabled': True,
                                            'priority': 2}, 'PUT'),
        post(PS + '/scripts', {'name': 'policy', 'data': 'a = 0'}),
        post('/v2/scope', {'scope_id': 'p1', 'scope_key': 'project_id',
                           'fetcher': 'keystone', 'collector': 'gnocchi',
                           'last_processed_timestamp':
                               '2019-07-01T02:00:00Z'}),
        post('/v2/dataframes', {'dataframes': [frame]}),
        post('/v2/rating/modules/pyscripts', {'enabled': False}, 'PUT'),
    ]


def warm_up_dependent(ids):
    """Valid writes that need the ids created by ``warm_up_requests``."""
    service = ids.values['service_id'][0]
    group = ids.values['group_id'][0]

    def post(path, body):
        return Request('POST', path, None, encode(body), 'application/json',
                       True)
    return [
        post(HM + '/fields', {'service_id': service, 'name': 'flavor_name'}),
        post(HM + '/mappings', {'service_id': service, 'cost': '0.5',
                                'type': 'flat', 'group_id': group}),
        post(HM + '/thresholds', {'service_id': service, 'level': '10',
                                  'cost': '0.1', 'type': 'rate'}),
        post('/v2/task/reprocesses', {
            'scope_ids': ['p1'], 'reason': 'fuzz warm-up',
            'start_reprocess_time': '2019-07-01T00:00:00Z',
            'end_reprocess_time': '2019-07-01T01:00:00Z'}),
    ]
