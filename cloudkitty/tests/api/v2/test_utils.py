"""The v2 request validators and error rendering."""
import flask
import flask_restful
import pytest
import voluptuous

from cloudkitty.api.v2 import utils


@pytest.mark.parametrize('value, expected', [
    ('3', 3), (['3'], 3), (3, 3),
])
def test_single(value, expected):
    assert utils.SingleQueryParam(int)(value) == expected


@pytest.mark.parametrize('value, message', [
    (['1', '2'], 'length of value must be 1'),
    ([], 'length of value must be 1'),
    ('x', 'expected int'),
])
def test_single_errors(value, message):
    with pytest.raises(voluptuous.Invalid) as exc:
        utils.SingleQueryParam(int)(value)
    assert exc.value.msg == message


def test_multi():
    validator = utils.MultiQueryParam(str)
    assert validator(['x,y', 'z']) == ['x', 'y', 'z']
    assert validator('x,y') == ['x', 'y']
    assert validator(['x']) == ['x']
    assert utils.MultiQueryParam(int)(['1,2', '3']) == [1, 2, 3]
    with pytest.raises(voluptuous.Invalid) as exc:
        utils.MultiQueryParam(int)(['1,a'])
    assert exc.value.msg == 'expected int'


def test_dicts():
    single = utils.SingleDictQueryParam(str, str)
    assert single(['a:1,b:2', 'c:3']) == {'a': '1', 'b': '2', 'c': '3'}
    assert single([]) == {}
    with pytest.raises(voluptuous.Invalid) as exc:
        single(['a:1', 'a:2'])
    assert exc.value.msg == 'key a already provided'
    with pytest.raises(voluptuous.Invalid) as exc:
        single(['a'])
    assert exc.value.msg == 'invalid key:value association a'
    with pytest.raises(voluptuous.Invalid) as exc:
        single(['a:b:c'])
    assert exc.value.msg == 'invalid key:value association a:b:c'
    multi = utils.MultiDictQueryParam(str, str)
    assert multi(['a:1,b:2', 'a:3']) == {'a': ['1', '3'], 'b': ['2']}


class Things(flask_restful.Resource):

    @utils.paginated
    @utils.add_input_schema('query', {
        voluptuous.Optional('name', default=[]): utils.MultiQueryParam(str),
    })
    def get(self, offset=0, limit=100, name=None):
        return {'offset': offset, 'limit': limit, 'name': name}

    @utils.add_input_schema('body', {
        voluptuous.Required('count'): utils.SingleQueryParam(int),
    })
    def post(self, count):
        return {'count': count}


class Broken(flask_restful.Resource):

    @utils.add_output_schema({voluptuous.Required('x'): int})
    def get(self):
        return {'x': 'not an int'}


@pytest.fixture
def client():
    app = flask.Flask('test')
    blueprint = flask.Blueprint('things', __name__, url_prefix='/things')
    api = flask_restful.Api(blueprint)
    api.representations = {'application/json': utils.output_json}
    api.add_resource(Things, '')
    api.add_resource(Broken, '/broken')
    app.register_blueprint(blueprint)
    return app.test_client()


def test_paginated_defaults(client):
    resp = client.get('/things')
    assert resp.get_json() == {'offset': 0, 'limit': 100, 'name': []}
    resp = client.get('/things?offset=5&limit=2&name=a,b&name=c')
    assert resp.get_json() == {'offset': 5, 'limit': 2,
                               'name': ['a', 'b', 'c']}


@pytest.mark.parametrize('query, message', [
    ('foo=bar', "Invalid data '{'foo': ['bar']}' : extra keys not allowed "
                "(path: '['foo']')"),
    ('limit=0', "Invalid data '{'limit': ['0']}' : value must be at least 1 "
                "(path: '['limit']')"),
    ('offset=-1', "Invalid data '{'offset': ['-1']}' : value must be at "
                  "least 0 (path: '['offset']')"),
    ('limit=1&limit=2', "Invalid data '{'limit': ['1', '2']}' : length of "
                        "value must be 1 (path: '['limit']')"),
    ('limit=9223372036854775808',
     "Invalid data '{'limit': ['9223372036854775808']}' : value must be at "
     "most 9223372036854775807 (path: '['limit']')"),
    ('offset=99999999999999999999',
     "Invalid data '{'offset': ['99999999999999999999']}' : value must be at "
     "most 9223372036854775807 (path: '['offset']')"),
])
def test_query_errors(client, query, message):
    resp = client.get('/things?' + query)
    assert resp.status_code == 400
    assert resp.headers['Content-Type'] == 'application/json'
    assert resp.get_json() == {'message': message}


def test_body(client):
    assert client.post('/things', json={'count': 3}).get_json() == {
        'count': 3}
    resp = client.post('/things', json={})
    assert resp.status_code == 400
    assert 'required key not provided' in resp.get_json()['message']
    assert "['count']" in resp.get_json()['message']
    resp = client.post('/things', json={'count': 1, 'x': 2})
    assert resp.status_code == 400
    assert 'extra keys not allowed' in resp.get_json()['message']
    resp = client.post('/things', data='{"count": 1}',
                       content_type='text/plain')
    assert resp.status_code == 415
    assert resp.get_json() == {'message': (
        "Did not attempt to load JSON data because the request "
        "Content-Type was not 'application/json'.")}
    resp = client.post('/things', data='[1]',
                       content_type='application/json')
    assert resp.status_code == 400


def test_output_schema_violation_is_500(client):
    resp = client.get('/things/broken')
    assert resp.status_code == 500
    assert resp.get_json() == {'message': 'Internal Server Error'}


def test_output_json_decimal():
    import decimal
    app = flask.Flask('x')
    with app.app_context():
        resp = utils.output_json({'a': decimal.Decimal('1.5')}, 200)
    assert resp.get_data(as_text=True) == '{"a": 1.5}\n'
