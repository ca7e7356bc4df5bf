"""``cloudkitty-api``: development server of the API.

Production deployments run ``cloudkitty.wsgi.api:application`` under a
WSGI server; this launcher serves the same application with werkzeug's
threaded server on ``[api] host_ip``:``[api] port``, which ``--host`` and
``--port`` override.
"""
import sys

from oslo_config import cfg
from oslo_log import log

LOG = log.getLogger(__name__)
CONF = cfg.CONF

# Command-line only: registered as oslo.config CLI options so that
# ``--help`` lists them with the other options. ``dest`` keeps them apart
# from ``[DEFAULT] host`` (the node name used by RPC).
cli_opts = [
    cfg.HostAddressOpt('host', short='b', dest='bind_host', metavar='HOST',
                       help='Address to listen on. Default: [api] host_ip.'),
    cfg.PortOpt('port', short='p', dest='port', metavar='PORT',
                help='Port to listen on. Default: [api] port.'),
]


def main(argv=None):
    argv = sys.argv if argv is None else argv
    CONF.register_cli_opts(cli_opts)
    from werkzeug import serving

    from cloudkitty.api import app
    application = app.build_wsgi_app(argv)
    host = CONF.bind_host or CONF.api.host_ip
    port = CONF.port if CONF.port is not None \
        else CONF.api.port
    LOG.info('Serving the CloudKitty API on http://%s:%s', host, port)
    try:
        serving.run_simple(host, port, application, threaded=True,
                           use_reloader=False, use_debugger=False)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
