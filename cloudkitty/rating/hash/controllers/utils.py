"""Helpers shared by the hashmap controllers.

db_api errors carry their HTTP status in ``code``: wsexpose renders them
as typed faults with that status.
"""
import pecan
import wsme.exc

from cloudkitty.rating.hash import db_api as hash_db_api


def api():
    return hash_db_api.get_instance()


def current_user():
    """Who is changing a rule (api-v1 §1.2)."""
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


def sent_keys():
    """Top-level keys of the request's JSON body (empty if none)."""
    try:
        body = pecan.request.json
    except Exception:
        return set()
    return set(body) if isinstance(body, dict) else set()


def sent_value(key):
    """Raw value of ``key`` in the request's JSON body (None if absent)."""
    try:
        body = pecan.request.json
    except Exception:
        return None
    return body.get(key) if isinstance(body, dict) else None


def require(value, name):
    if value is None or value == '':
        raise wsme.exc.MissingArgument(name)
    return value
