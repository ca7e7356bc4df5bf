"""The pecan application of the v1 API."""
from oslo_config import cfg
import pecan

from cloudkitty.api.v1 import controllers
from cloudkitty.api.v1 import hooks

CONF = cfg.CONF


def get_pecan_config():
    return pecan.configuration.conf_from_dict({
        'app': {
            'root': 'cloudkitty.api.v1.controllers.V1Controller',
            'modules': ['cloudkitty.api.v1'],
        },
    })


def setup_app():
    app_hooks = [
        hooks.ContextHook(),
        hooks.StorageHook(),
        hooks.RPCHook(),
        hooks.RatingModulesHook(),
        hooks.JsonBodyHook(),
        hooks.ErrorHook(),
    ]
    return pecan.make_app(
        controllers.V1Controller(),
        hooks=app_hooks,
        debug=CONF.api.pecan_debug,
        # Collections answer with or without a trailing slash, and a
        # ".json" in an id is data, not a format suffix.
        force_canonical=False,
        guess_content_type_from_ext=False,
        logging={},
    )
