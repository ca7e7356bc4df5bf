"""/v2/rating/modules."""
import voluptuous
from werkzeug import exceptions as http_exceptions

from cloudkitty.api import modules as rating_modules
from cloudkitty.api.v2 import base
from cloudkitty.api.v2 import utils as api_utils
from cloudkitty.common import policy


def _strict_int(value):
    # JSON integers only: "3" and true are refused.
    if isinstance(value, bool) or not isinstance(value, int):
        raise voluptuous.Invalid('expected int')
    # The priority column is a 32-bit integer.
    if not -2 ** 31 <= value < 2 ** 31:
        raise voluptuous.Invalid('value must be at most %d' % (2 ** 31 - 1))
    return value


MODULE_SCHEMA = {
    voluptuous.Required('module_id'): str,
    voluptuous.Required('description'): voluptuous.Any(str, None),
    voluptuous.Required('enabled'): bool,
    voluptuous.Required('hot_config'): bool,
    voluptuous.Required('priority'): int,
}


def _render(ext):
    info = rating_modules.module_info(ext)
    return {
        'module_id': info['module_id'],
        'description': info['description'],
        'enabled': bool(info['enabled']),
        'hot_config': bool(info['hot_config']),
        'priority': int(info['priority']),
    }


def _module_or_404(module_id):
    ext = rating_modules.get_extension(module_id)
    if ext is None:
        raise http_exceptions.NotFound("Module '%s' not found" % module_id)
    return ext


class RatingModuleList(base.BaseResource):

    @api_utils.add_output_schema({
        voluptuous.Required('modules'): [MODULE_SCHEMA],
    })
    def get(self):
        # The reference checks no policy here; the rule exists and is
        # enforced (a missing policy check is a bug to fix).
        policy.authorize(base.get_context(), 'v2_rating:list_modules', {})
        return {'modules': [_render(ext)
                            for ext in rating_modules.get_extensions()]}


class RatingModule(base.BaseResource):

    @api_utils.add_output_schema(MODULE_SCHEMA)
    def get(self, module_id):
        policy.authorize(base.get_context(), 'v2_rating:get_module', {})
        return _render(_module_or_404(module_id))

    @api_utils.add_input_schema('body', {
        voluptuous.Optional('enabled'): voluptuous.Boolean(),
        # The reference declares a minimum of 1 without enforcing it: 0 is
        # stored and read back as 1, as through v1 (clients rely on it).
        voluptuous.Optional('priority'): _strict_int,
    })
    def put(self, module_id, enabled=None, priority=None):
        policy.authorize(base.get_context(), 'v2_rating:update_module', {})
        obj = _module_or_404(module_id).obj
        if enabled is not None:
            obj.set_state(enabled)
        if priority is not None:
            obj.set_priority(priority)
        return api_utils.no_content()
