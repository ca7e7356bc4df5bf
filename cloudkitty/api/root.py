"""Root version document (``GET /``)."""
import flask
import flask_restful
from oslo_config import cfg

CONF = cfg.CONF

VERSION_STATUSES = ('CURRENT', 'SUPPORTED', 'EXPERIMENTAL', 'DEPRECATED')


def _versions():
    # The href deliberately ignores SCRIPT_NAME (reference quirk: the
    # mount prefix is not included).
    base = '%s://%s' % (flask.request.scheme, flask.request.host)
    versions = [('v1', 'CURRENT')]
    if CONF.storage.version >= 2:
        versions.append(('v2', 'EXPERIMENTAL'))
    return [{'id': vid,
             'links': [{'href': '%s/%s' % (base, vid), 'rel': 'self'}],
             'status': status}
            for vid, status in versions]


class CloudkittyVersions(flask_restful.Resource):

    def get(self):
        return {'versions': _versions()}


def get_app():
    app = flask.Flask('cloudkitty')
    api = flask_restful.Api(app)
    api.add_resource(CloudkittyVersions, '/')
    return app
