"""/v2/rating: rating modules."""
from cloudkitty.api.v2 import utils as api_utils


def init(app):
    api_utils.do_init(app, 'rating', [
        {
            'module': __name__ + '.modules',
            'resource_class': 'RatingModuleList',
            'url': '/modules',
        },
        {
            'module': __name__ + '.modules',
            'resource_class': 'RatingModule',
            'url': '/modules/<module_id>',
        },
    ])
    return app
