"""/v2/scope: scope states."""
from cloudkitty.api.v2 import utils as api_utils


def init(app):
    api_utils.do_init(app, 'scope', [
        {
            'module': __name__ + '.' + 'state',
            'resource_class': 'ScopeState',
            'url': '',
        },
    ])
    return app
