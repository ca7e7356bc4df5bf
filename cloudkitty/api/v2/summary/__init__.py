"""/v2/summary: aggregated totals of the rated data."""
from cloudkitty.api.v2 import utils as api_utils


def init(app):
    api_utils.do_init(app, 'summary', [
        {
            'module': __name__ + '.summary',
            'resource_class': 'Summary',
            'url': '',
        },
    ])
    return app
