"""/v2/dataframes: push and read rated data points."""
from cloudkitty.api.v2 import utils as api_utils


def init(app):
    api_utils.do_init(app, 'dataframes', [
        {
            'module': __name__ + '.dataframes',
            'resource_class': 'DataFrameList',
            'url': '',
        },
    ])
    return app
