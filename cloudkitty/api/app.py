"""WSGI application factory: paste loading, v1 (pecan) + v2 (flask)."""
import logging
import os

from oslo_config import cfg
from oslo_log import log

from cloudkitty.common import auth

api_opts = [
    cfg.StrOpt('api_paste_config',
               default='api_paste.ini',
               help='Paste deploy configuration file for the API; relative '
                    'names are searched next to the configuration files.'),
]

api_group_opts = [
    cfg.PortOpt('port',
                default=8889,
                help='Port of the development API server '
                     '(cloudkitty-api launcher).'),
    cfg.HostAddressOpt('host_ip',
                       default='0.0.0.0',
                       help='Address the development API server '
                            '(cloudkitty-api launcher) binds to.'),
    cfg.BoolOpt('pecan_debug',
                default=False,
                help='Enable the pecan debug middleware of the v1 API.'),
]

CONF = cfg.CONF
CONF.register_opts(api_opts)
CONF.register_opts(api_group_opts, group='api')

LOG = log.getLogger(__name__)


def _find_paste_config():
    """Path of the paste file named by ``[DEFAULT] api_paste_config``.

    Relative names are searched next to the configuration files (oslo's
    find_file); as a last resort the copy shipped inside the package is
    used so that a plain ``pip install`` works.
    """
    name = CONF.api_paste_config
    if os.path.isabs(name):
        if os.path.exists(name):
            return name
        raise cfg.ConfigFilesNotFoundError([name])
    path = CONF.find_file(name)
    if path:
        return os.path.abspath(path)
    if os.path.exists(name):
        return os.path.abspath(name)
    if name == 'api_paste.ini' and os.path.exists(_PACKAGED_PASTE):
        return _PACKAGED_PASTE
    raise cfg.ConfigFilesNotFoundError([name])


_PACKAGED_PASTE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               'api_paste.ini')


def load_app():
    """Load ``cloudkitty+<auth_strategy>`` from the paste file."""
    # Deferred: only the API needs paste and oslo.middleware, and this
    # module is imported by every process to register its options.
    from paste import deploy

    from cloudkitty.common import defaults
    defaults.set_cors_defaults()
    path = _find_paste_config()
    name = 'cloudkitty+%s' % auth.strategy()
    LOG.info('Loading API application %s from %s', name, path)
    global_conf = {}
    if CONF.config_file:
        # The CORS and proxy-header filters (oslo_config_project =
        # cloudkitty) parse a configuration of their own: without this
        # they would only see the default locations and ignore a
        # --config-file (or OS_CLOUDKITTY_CONFIG_FILES) given to the API.
        global_conf['oslo_config_file'] = CONF.config_file[0]
    return deploy.loadapp('config:' + path, name=name,
                          global_conf=global_conf)


def build_wsgi_app(argv=None):
    """Prepare the service (config, logging) and load the paste app.

    Like the reference, ``argv`` is accepted for compatibility; the
    configuration comes from ``cloudkitty.wsgi.api`` / ``sys.argv``.
    """
    # messaging registers the transport options, so that a bad value
    # among them stops the start-up with one line like any other option.
    from cloudkitty import messaging  # noqa: F401
    from cloudkitty import service
    service.prepare_service(argv)
    CONF.log_opt_values(LOG, logging.DEBUG)
    # Storage options that cannot work stop the API now, with one line,
    # rather than failing every report request with a 500. (Without any
    # configuration file, as when a test imports the WSGI module, there
    # are no operator options to check.)
    from cloudkitty.storage import validation
    error = None
    if CONF.config_file or CONF.config_dir:
        error = validation.config_error()
    if error:
        raise SystemExit('cloudkitty-api: error: %s' % error)
    return load_app()


def setup_app():
    """The dispatcher: root app at /, pecan v1 at /v1, flask v2 at /v2."""
    from werkzeug.middleware import dispatcher

    from cloudkitty.api import hardening
    from cloudkitty.api import root
    from cloudkitty.api import v1
    from cloudkitty.api import v2

    mounts = {'/v1': v1.get_app(), '/v2': v2.get_app()}
    if CONF.storage.version < 2:
        LOG.warning('v1 storage is used, disabling v2 API')
        del mounts['/v2']
    # Unusable input (deep nesting, NaN, lone surrogates...) is refused
    # once for every endpoint, before either framework parses it.
    return hardening.InputGuard(
        dispatcher.DispatcherMiddleware(root.get_app(), mounts))


def app_factory(global_config, **local_conf):
    """Paste ``app_factory`` of ``[app:ck_api]``."""
    return setup_app()
