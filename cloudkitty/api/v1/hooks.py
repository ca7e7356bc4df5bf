"""pecan hooks of the v1 API."""
import json
import threading

from oslo_log import log
from pecan import hooks
import webob
import webob.exc
from wsme import types as wtypes

from cloudkitty.common import context
from cloudkitty.common import policy
from cloudkitty import messaging

LOG = log.getLogger(__name__)


class ContextHook(hooks.PecanHook):
    """Sets ``pecan.request.context`` from the identity headers.

    Done in ``on_route`` (before routing): module configuration APIs check
    their policy while routing.
    """

    def on_route(self, state):
        state.request.context = context.make_context(state.request.environ)


_STORAGE = None
_STORAGE_LOCK = threading.Lock()


def get_storage_backend():
    """The storage driver of this process, loaded on first use."""
    global _STORAGE
    if _STORAGE is None:
        with _STORAGE_LOCK:
            if _STORAGE is None:
                from cloudkitty import storage
                _STORAGE = storage.get_storage()
    return _STORAGE


class _LazyStorage(object):
    """Stands for the storage driver until an attribute is used.

    Endpoints that never touch storage (modules, collector) then work even
    when the storage backend cannot be loaded.
    """

    def __getattr__(self, name):
        return getattr(get_storage_backend(), name)


class StorageHook(hooks.PecanHook):
    """Sets ``pecan.request.storage_backend`` (lazy)."""

    _lazy = _LazyStorage()

    def before(self, state):
        state.request.storage_backend = self._lazy


class RPCHook(hooks.PecanHook):
    """Sets ``pecan.request.rpc_client`` (None without a transport)."""

    def before(self, state):
        state.request.rpc_client = messaging.get_client()


class RatingModulesHook(hooks.PecanHook):
    """Sets ``pecan.request.rating_modules``: the module registry.

    ``get_extensions()`` / ``get_extension(name)`` on it; modules are
    discovered on first use (not on every request) and on reload.
    """

    def before(self, state):
        from cloudkitty.api import modules
        state.request.rating_modules = modules


class JsonBodyHook(hooks.PecanHook):
    """A JSON request body that is not an object is a 400.

    Every v1 body is an object; WSME would hand a list, a string, a number
    or null to the controller (or fail on it) and answer 500.
    """

    def before(self, state):
        request = state.request
        if request.content_type and 'json' not in request.content_type:
            return
        body = request.body
        if not body or not body.strip():
            return
        try:
            value = json.loads(body)
        except ValueError:
            return   # WSME answers: "Request is not in valid JSON format"
        if isinstance(value, dict):
            error = _shape_error(
                getattr(state.controller, '_wsme_definition', None), value)
            if error:
                raise _bad_request(error)
            return
        if request.method not in ('POST', 'PUT', 'PATCH'):
            return   # WSME answers: "Request must be a JSON dict"
        raise _bad_request('Invalid request body: a JSON object is '
                           'expected, got %s.' % _kind(value))


def _kind(value):
    if value is None:
        return 'null'
    return {list: 'an array', str: 'a string', bool: 'a boolean',
            dict: 'an object'}.get(type(value), 'a number')


def _bad_request(message):
    return webob.exc.HTTPBadRequest(
        body=json.dumps({'faultcode': 'Client', 'faultstring': message,
                         'debuginfo': None}).encode(),
        content_type='application/json', charset='UTF-8')


def _invalid(name, value, reason):
    return ('Invalid input for field/attribute %s. Value: %r. %s'
            % (name, value, reason))


def _shape_error(funcdef, body):
    """Why ``body`` cannot be decoded into the handler's arguments.

    WSME hands JSON values of the wrong shape to the handler (a list for
    a text argument) or fails on them with an AttributeError (a number
    where an object is declared): both were 500s. Returns the 400 text
    naming the field, or None.
    """
    if funcdef is None:
        return None
    # WSME type-checks the attributes of objects itself, not arguments.
    if funcdef.body_type is not None:
        stack = [(funcdef.body_type, body, funcdef.arguments[-1].name,
                  False)]
    else:
        stack = [(arg.datatype, body[arg.name], arg.name, True)
                 for arg in funcdef.arguments if arg.name in body]
    while stack:
        datatype, value, name, argument = stack.pop()
        if value is None:
            continue
        if wtypes.iscomplex(datatype):
            if not isinstance(value, dict):
                return _invalid(name, value, 'An object is expected, got '
                                '%s.' % _kind(value))
            for attr in wtypes.list_attributes(datatype):
                if attr.mandatory and attr.name in value and (
                        value[attr.name] is None):
                    # WSME stores the null and the handler fails on it.
                    return _invalid(attr.name, 'None',
                                    'Mandatory field missing.')
                if attr.name in value:
                    stack.append((attr.datatype, value[attr.name],
                                  '%s.%s' % (name, attr.name), False))
        elif isinstance(datatype, wtypes.ArrayType):
            if not isinstance(value, list):
                return _invalid(name, value, 'An array is expected, got '
                                '%s.' % _kind(value))
            stack.extend((datatype.item_type, item, name, False)
                         for item in value)
        elif isinstance(datatype, wtypes.DictType):
            if not isinstance(value, dict):
                return _invalid(name, value, 'An object is expected, got '
                                '%s.' % _kind(value))
            stack.extend((datatype.value_type, item, name, False)
                         for item in value.values())
        elif (argument and datatype is wtypes.text
              and isinstance(value, (list, dict))):
            # Numbers are passed on as the reference does (a lookup of
            # 5 finds nothing: 404); containers broke the SQL (500).
            return _invalid(name, value, 'A string is expected, got %s.'
                            % _kind(value))
    return None


def router_error(request, status, title, description=''):
    """Router-level error body as the reference's, shaped by ``Accept``."""
    accept = request.headers.get('Accept', '') or ''
    response = webob.Response(status=status)
    if 'application/json' in accept:
        response.content_type = 'application/json'
        response.text = json.dumps({'code': int(status.split()[0]),
                                    'title': title,
                                    'description': description})
    elif 'text/html' in accept or '*/*' in accept:
        response.content_type = 'text/html'
        response.text = ('<html><head><title>%s</title></head><body>'
                         '<h1>%s</h1>%s</body></html>'
                         % (status, status, description))
    else:
        response.content_type = 'text/plain'
        response.text = '%s\n\n%s\n\n ' % (status, description)
    return response


class ErrorHook(hooks.PecanHook):
    """Policy refusals raised before dispatch become a router-level 403."""

    def on_error(self, state, exc):
        if isinstance(exc, policy.PolicyNotAuthorized):
            return router_error(state.request, '403 Forbidden', 'Forbidden',
                                str(exc))
        return None
