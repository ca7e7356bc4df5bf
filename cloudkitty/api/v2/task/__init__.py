"""/v2/task: reprocessing tasks."""
from cloudkitty.api.v2 import utils as api_utils


def init(app):
    api_utils.do_init(app, 'task', [
        {
            'module': __name__ + '.' + 'reprocess',
            'resource_class': 'ReprocessSchedulerApi',
            'url': '/reprocesses',
        },
        {
            'module': __name__ + '.' + 'reprocess',
            'resource_class': 'ReprocessSchedulerGetApi',
            'url': '/reprocesses/<path_scope_id>',
        },
    ])
    return app
