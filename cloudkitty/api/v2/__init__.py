"""v2 API (flask + flask-restful + voluptuous)."""
import importlib

import flask

from cloudkitty.common import context

RESOURCE_GROUPS = ['scope', 'dataframes', 'summary', 'task', 'rating']


def _set_context():
    flask.request.context = context.make_context(flask.request.environ)


def get_app():
    app = flask.Flask(__name__)
    app.before_request(_set_context)
    for name in RESOURCE_GROUPS:
        module = importlib.import_module('cloudkitty.api.v2.' + name)
        module.init(app)
    return app
