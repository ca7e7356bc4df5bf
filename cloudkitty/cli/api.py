"""``cloudkitty-api``: development server of the API.

Production deployments run ``cloudkitty.wsgi.api:application`` under a
WSGI server; this launcher serves the same application with werkzeug's
threaded server on ``[api] host_ip``:``[api] port``.
"""
import argparse
import sys

from oslo_config import cfg
from oslo_log import log

LOG = log.getLogger(__name__)
CONF = cfg.CONF


def _split_args(argv):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--host', '-b', dest='host')
    parser.add_argument('--port', '-p', dest='port', type=int)
    known, rest = parser.parse_known_args(argv)
    return known, rest


def main(argv=None):
    argv = sys.argv if argv is None else argv
    known, rest = _split_args(argv[1:])
    from werkzeug import serving

    from cloudkitty.api import app
    application = app.build_wsgi_app([argv[0]] + rest)
    host = known.host or CONF.api.host_ip
    port = known.port if known.port is not None else CONF.api.port
    LOG.info('Serving the CloudKitty API on http://%s:%s', host, port)
    try:
        serving.run_simple(host, port, application, threaded=True,
                           use_reloader=False, use_debugger=False)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
