"""Helpers of the v2 API: blueprints, input/output validation."""
import functools
import importlib

import flask
import flask_restful
import voluptuous
from werkzeug import exceptions as http_exceptions

from cloudkitty.api import hardening
from cloudkitty.utils import json as ck_json


def output_json(data, code, headers=None):
    """JSON representation: Decimal as numbers, trailing newline."""
    response = flask.make_response(ck_json.dumps(data) + '\n', code)
    response.headers.extend(headers or {})
    response.headers['Content-Type'] = 'application/json'
    return response


class SingleQueryParam(object):
    """One value of type ``param_type``.

    Accepts a scalar or a list of exactly one element (a query parameter
    must then appear exactly once).
    """

    def __init__(self, param_type):
        self._validate = voluptuous.Coerce(param_type)

    def __call__(self, value):
        if isinstance(value, list):
            if len(value) != 1:
                raise voluptuous.LengthInvalid('length of value must be 1')
            value = value[0]
        return self._validate(value)


class MultiQueryParam(object):
    """A list of ``param_type``: every value split on commas, flattened."""

    def __init__(self, param_type):
        self._validate = voluptuous.Coerce(param_type)

    def __call__(self, value):
        if not isinstance(value, list):
            value = [value]
        output = []
        for item in value:
            if isinstance(item, str):
                output += [self._validate(token)
                           for token in item.split(',')]
            else:
                output.append(self._validate(item))
        return output


class _DictQueryParam(object):

    def __init__(self, key_type, val_type):
        self._kval = voluptuous.Coerce(key_type)
        self._vval = voluptuous.Coerce(val_type)

    def _tokens(self, value):
        if not isinstance(value, list):
            value = [value]
        for item in value:
            if not isinstance(item, str):
                raise voluptuous.Invalid('expected str')
            for token in item.split(','):
                parts = token.split(':')
                if len(parts) != 2:
                    raise voluptuous.Invalid(
                        'invalid key:value association %s' % token)
                yield self._kval(parts[0]), self._vval(parts[1])


class SingleDictQueryParam(_DictQueryParam):
    """``k:v[,k:v]`` strings → ``{k: v}``; a key may appear once."""

    def __call__(self, value):
        output = {}
        for key, val in self._tokens(value):
            if key in output:
                raise voluptuous.Invalid('key %s already provided' % key)
            output[key] = val
        return output


class MultiDictQueryParam(_DictQueryParam):
    """``k:v[,k:v]`` strings → ``{k: [v, ...]}`` (keys accumulate)."""

    def __call__(self, value):
        output = {}
        for key, val in self._tokens(value):
            output.setdefault(key, []).append(val)
        return output


def _raw_input(location):
    if location == 'query':
        args = flask.request.args
        return {key: args.getlist(key) for key in args.keys()}
    # Flask answers 415 when the Content-Type is not JSON and 400 when
    # the body does not decode. The input guard has usually decoded it.
    request = flask.request
    if request.is_json and hardening.JSON_BODY_KEY in request.environ:
        body = request.environ[hardening.JSON_BODY_KEY]
    else:
        body = request.get_json()
    if not isinstance(body, dict):
        raise http_exceptions.BadRequest(
            'Invalid data %r : expected a JSON object' % (body,))
    return body


def _invalid(raw, exc):
    path = getattr(exc, 'path', [])
    message = getattr(exc, 'msg', str(exc))
    return http_exceptions.BadRequest(
        "Invalid data '{a}' : {m} (path: '{p}')".format(
            a=raw, m=message, p=str(path)))


def add_input_schema(location, schema):
    """Validate the query string (``'query'``) or JSON body (``'body'``).

    Validated values are passed to the handler as keyword arguments.
    Schemas are closed: unknown keys are a 400. Stacking several of these
    decorators (or ``paginated``) extends one schema.
    """
    if location not in ('query', 'body'):
        raise ValueError('location must be "query" or "body"')

    def decorator(func):
        inner = getattr(func, 'input_func', func)
        previous = getattr(func, 'input_schema', None)
        if previous is not None:
            if func.input_location != location:
                raise ValueError('one input location per handler')
            new_schema = previous.extend(schema)
        else:
            new_schema = voluptuous.Schema(schema)

        @functools.wraps(inner)
        def wrapper(*args, **kwargs):
            raw = _raw_input(location)
            try:
                validated = new_schema(raw)
            except voluptuous.Invalid as exc:
                raise _invalid(raw, exc)
            kwargs.update(validated)
            return inner(*args, **kwargs)

        wrapper.input_schema = new_schema
        wrapper.input_location = location
        wrapper.input_func = inner
        return wrapper
    return decorator


# Largest offset/limit a database accepts (signed 64-bit); above it the
# query cannot run, so it is a 400 rather than a database error.
MAX_INT = 2 ** 63 - 1


def paginated(func):
    """Add the ``offset`` and ``limit`` query parameters.

    ``offset`` ≥ 0 (default 0), ``limit`` ≥ 1 (default 100).
    """
    return add_input_schema('query', {
        voluptuous.Optional('offset', default=0): voluptuous.All(
            SingleQueryParam(int), voluptuous.Range(min=0, max=MAX_INT)),
        voluptuous.Optional('limit', default=100): voluptuous.All(
            SingleQueryParam(int), voluptuous.Range(min=1, max=MAX_INT)),
    })(func)


def add_output_schema(schema):
    """Validate (and coerce) what the handler returns; failure is a 500."""
    validator = voluptuous.Schema(schema)

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return validator(func(*args, **kwargs))
        return wrapper
    return decorator


def no_content():
    """An empty 204 response (no body, no Content-Type)."""
    response = flask.Response(status=204)
    response.headers.pop('Content-Type', None)
    return response


def do_init(app, blueprint_name, resources):
    """Register a resource group as a blueprint at ``/<blueprint_name>``.

    ``resources``: dicts with ``module``, ``resource_class`` and ``url``
    (relative to the blueprint; ``''`` for the group root).
    """
    blueprint = flask.Blueprint(blueprint_name, __name__,
                                url_prefix='/' + blueprint_name)
    api = flask_restful.Api(blueprint)
    api.representations = {'application/json': output_json}
    for resource in resources:
        module = importlib.import_module(resource['module'])
        resource_class = getattr(module, resource['resource_class'])
        api.add_resource(resource_class, resource['url'])
    app.register_blueprint(blueprint)
    return app
