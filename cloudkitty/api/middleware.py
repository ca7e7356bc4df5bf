"""Token authentication filter of the keystone pipeline."""
from keystonemiddleware import auth_token
from oslo_log import log

LOG = log.getLogger(__name__)


class AuthTokenMiddleware(auth_token.AuthProtocol):
    """keystonemiddleware's auth_token, with public routes.

    Requests whose path (trailing ``/`` ignored) is one of
    ``acl_public_routes`` reach the application without a token.
    """

    def __init__(self, app, conf, public_api_routes=None):
        self.public_api_routes = set(public_api_routes or [])
        super().__init__(app, conf)

    def __call__(self, env, start_response):
        path = env.get('PATH_INFO', '/').rstrip('/') or '/'
        if path in self.public_api_routes:
            return self._app(env, start_response)
        return super().__call__(env, start_response)

    @classmethod
    def factory(cls, global_config, **local_conf):
        public_routes = local_conf.get('acl_public_routes', '')
        public_api_routes = [path.strip() for path in public_routes.split(',')
                             if path.strip()]

        def _factory(app):
            return cls(app, global_config, public_api_routes)
        return _factory
