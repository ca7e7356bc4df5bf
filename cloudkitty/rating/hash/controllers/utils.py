"""Helpers shared by the hashmap controllers.

The module's errors are mapped here to HTTP statuses: ``api()`` turns
them into client faults that wsexpose renders with that status.
"""
import functools

import pecan
import wsme.exc

from cloudkitty.rating.hash.datamodels import types as ck_types
from cloudkitty.rating.hash import db_api as hash_db_api
from cloudkitty.rating.hash import exceptions

# The first class of an error's MRO found here gives its status.
_STATUS = {
    exceptions.ClientHashMapError: 400,
    exceptions.NotFound: 404,
    exceptions.AlreadyExists: 409,
    exceptions.HashMapError: 400,
}


def http_status(error):
    """HTTP status answering a hashmap error."""
    for cls in type(error).__mro__:
        status = _STATUS.get(cls)
        if status is not None:
            return status
    return 400


class _API(object):
    """The hashmap database API, its errors raised as HTTP faults."""

    def __getattr__(self, name):
        method = getattr(hash_db_api.get_instance(), name)

        @functools.wraps(method)
        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except exceptions.HashMapError as exc:
                raise wsme.exc.ClientSideError(
                    str(exc), status_code=http_status(exc)) from exc
        return call


_API_INSTANCE = _API()


def api():
    return _API_INSTANCE


def current_user():
    """Who is changing a rule: the token's user, else 'unknown'."""
    request = pecan.request
    if not request.headers.get('X-Auth-Token'):
        return 'unknown'
    context = getattr(request, 'context', None)
    user = getattr(context, 'user_id', None) if context is not None else None
    return user or request.headers.get('X-User-Id') or 'unknown'


def set_created_location(new_id):
    """``Location`` of a created object: request URL (no query) + id."""
    url = pecan.request.path_url
    if not url.endswith('/'):
        url += '/'
    pecan.response.location = url + new_id


def set_update_location():
    """``Location`` of an update: the absolute request path."""
    pecan.response.location = pecan.request.path_url


def _json_body():
    """The request's JSON body if it is an object, else an empty dict."""
    try:
        body = pecan.request.json
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def sent_keys():
    """Top-level keys of the request's JSON body (empty if none)."""
    return set(_json_body())


def sent_value(key):
    """Raw value of ``key`` in the request's JSON body (None if absent)."""
    return _json_body().get(key)


def rule_filters(service_id, field_id, group_id, no_group, tenant_id,
                 filter_tenant):
    """db_api listing arguments shared by mappings and thresholds."""
    return dict(
        service_uuid=service_id or None,
        field_uuid=field_id or None,
        group_uuid=group_id or None,
        no_group=ck_types.to_bool(no_group, 'no_group'),
        tenant_uuid=tenant_id,
        filter_tenant=ck_types.to_bool(filter_tenant, 'filter_tenant'))


def rule_owners(data):
    """db_api creation arguments naming a rule's parents and tenant."""
    return {key: data.get(key)
            for key in ('service_id', 'field_id', 'group_id', 'tenant_id')}


def require(value, name):
    if value is None or value == '':
        raise wsme.exc.MissingArgument(name)
    return value


def require_body(body, name):
    """A PUT/POST without a body is a 400, not an AttributeError."""
    if body is None:
        raise wsme.exc.MissingArgument(name)
    return body


def require_attribute(value, attr):
    """A mandatory attribute sent as JSON null is reported as missing.

    A null cost or level cannot be converted (it was a 500).
    """
    if value is None:
        raise wsme.exc.InvalidInput(attr, None, 'Mandatory field missing.')
    return value
