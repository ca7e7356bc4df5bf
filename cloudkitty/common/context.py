"""Request context of the API (oslo.context)."""
from oslo_context import context


class RequestContext(context.RequestContext):
    """The caller of an API request.

    Built from the identity headers set by keystonemiddleware (or sent by
    the client in noauth mode). ``is_admin`` is decided by the API hook:
    always true in noauth mode, the ``context_is_admin`` rule otherwise.
    """

    @classmethod
    def from_environ(cls, environ, **kwargs):
        return super().from_environ(environ, **kwargs)


def make_context(environ):
    """Context of a WSGI request, with ``is_admin`` computed."""
    # Imported here: policy imports the option declarations of the API.
    from cloudkitty.common import policy
    ctx = RequestContext.from_environ(environ)
    ctx.is_admin = policy.check_is_admin(ctx)
    return ctx


def get_admin_context():
    return RequestContext(is_admin=True, overwrite=False)
