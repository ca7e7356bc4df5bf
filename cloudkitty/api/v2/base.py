"""Base of the v2 resources."""
import flask
import flask_restful
from werkzeug import exceptions as http_exceptions

from cloudkitty.common import policy

NOT_AUTHORIZED = 'You are not authorized to perform this action'


def get_context():
    """Request context of the current v2 request."""
    return flask.request.context


class BaseResource(flask_restful.Resource):
    """A v2 resource.

    ``self._storage`` is the process-wide storage driver, loaded on first
    use. A policy refusal anywhere in a handler is a 403 with the v2 body.
    """

    @property
    def _storage(self):
        from cloudkitty.api.v1 import hooks
        return hooks.get_storage_backend()

    @classmethod
    def reload(cls):
        """Kept for compatibility: drivers are loaded lazily."""

    def dispatch_request(self, *args, **kwargs):
        try:
            return super().dispatch_request(*args, **kwargs)
        except policy.PolicyNotAuthorized:
            raise http_exceptions.Forbidden(NOT_AUTHORIZED)
