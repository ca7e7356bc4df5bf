"""/v1/rating: modules, quotes, module reload, module configuration APIs."""
import inspect

import pecan
from pecan import rest
from wsme import exc as wsme_exc
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.api import modules as rating_modules
from cloudkitty.api.v1.datamodels import rating as rating_models
from cloudkitty.common import policy
from cloudkitty import messaging


def _module_or_404(module_id):
    ext = rating_modules.get_extension(module_id)
    if ext is None:
        raise wsme_exc.ClientSideError('Module not found.', status_code=404)
    return ext


def _to_model(ext):
    info = rating_modules.module_info(ext)
    return rating_models.CloudkittyModule(
        module_id=info['module_id'],
        description=info['description'],
        enabled=bool(info['enabled']),
        hot_config=bool(info['hot_config']),
        priority=int(info['priority']))


class ModulesController(rest.RestController):
    """/v1/rating/modules."""

    @wsme_pecan.wsexpose(rating_models.CloudkittyModuleCollection)
    def get_all(self):
        """Every installed rating module."""
        policy.authorize(pecan.request.context, 'rating:list_modules', {})
        return rating_models.CloudkittyModuleCollection(
            modules=[_to_model(ext)
                     for ext in rating_modules.get_extensions()])

    @wsme_pecan.wsexpose(rating_models.CloudkittyModule, wtypes.text)
    def get_one(self, module_id):
        """One module; 404 when it is not installed."""
        policy.authorize(pecan.request.context, 'rating:get_module', {})
        return _to_model(_module_or_404(module_id))

    # A text return type renders the reference's JSON ``null`` body.
    @wsme_pecan.wsexpose(wtypes.text, wtypes.text,
                         body=rating_models.CloudkittyModule,
                         status_code=302)
    def put(self, module_id, module):
        """Change the state and/or priority of a module.

        Answers 302 to the request URL (the client follows it with a GET).
        """
        policy.authorize(pecan.request.context, 'rating:update_module', {})
        ext = _module_or_404(module_id)
        obj = ext.obj
        if module.enabled is not wtypes.Unset and module.enabled is not None:
            if bool(module.enabled) != obj.enabled:
                obj.set_state(bool(module.enabled))
        if (module.priority is not wtypes.Unset
                and module.priority is not None):
            if int(module.priority) != obj.priority:
                obj.set_priority(int(module.priority))
        pecan.response.location = pecan.request.path_url
        return None


class NotConfigurableController(rest.RestController):
    """Mounted for modules without a configuration API."""

    def _refuse(self):
        raise wsme_exc.ClientSideError('Module is not configurable',
                                       status_code=409)

    @wsme_pecan.wsexpose(None)
    def get_all(self):
        self._refuse()

    @wsme_pecan.wsexpose(None)
    def post(self):
        self._refuse()

    @wsme_pecan.wsexpose(None)
    def put(self):
        self._refuse()

    @wsme_pecan.wsexpose(None)
    def delete(self):
        self._refuse()

    @pecan.expose()
    def _lookup(self, *remainder):
        pecan.abort(404)


_NOT_CONFIGURABLE = NotConfigurableController()
_CONFIG_CONTROLLERS = {}


def _config_controller(ext):
    """The configuration controller instance of a module (cached)."""
    cached = _CONFIG_CONTROLLERS.get(ext.name)
    if cached is not None and cached[0] is ext:
        return cached[1]
    controller = getattr(ext.obj, 'config_controller', None)
    if controller is None:
        controller = _NOT_CONFIGURABLE
    elif inspect.isclass(controller):
        controller = controller()
    _CONFIG_CONTROLLERS[ext.name] = (ext, controller)
    return controller


class ModulesExposer(rest.RestController):
    """/v1/rating/module_config/<module>: each module's own API."""

    @pecan.expose()
    def _lookup(self, name, *remainder):
        ext = rating_modules.get_extension(name)
        if ext is None:
            # Unknown module: pecan answers 405 (reference behaviour).
            return None
        return _config_controller(ext), remainder


def _quote_error(index, field, value, reason):
    return wsme_exc.InvalidInput(
        'res_data.resources[%d].%s' % (index, field), value, reason)


def resources_to_dicts(res_data):
    resources = []
    for index, res in enumerate(res_data.resources or []):
        if res is None:
            raise _quote_error(index, 'service', None,
                               'Mandatory field missing.')
        desc = res.desc if isinstance(res.desc, dict) else {}
        # Only these two reach the rating modules, as mappings: any other
        # shape failed there (a 500).
        for key in ('groupby', 'metadata'):
            value = desc.get(key)
            if value is not None and not isinstance(value, dict):
                raise _quote_error(index, 'desc.' + key, value,
                                   'An object is expected.')
        resources.append({'service': res.service, 'volume': res.volume,
                          'desc': desc})
    return resources


class RatingController(rest.RestController):
    """/v1/rating (also mounted as /v1/billing)."""

    _custom_actions = {
        'quote': ['POST'],
        'reload_modules': ['GET'],
    }

    modules = ModulesController()
    module_config = ModulesExposer()

    @wsme_pecan.wsexpose(wtypes.text,
                         body=rating_models.CloudkittyResourceCollection)
    def quote(self, res_data):
        """Price a list of resources with the enabled modules."""
        policy.authorize(pecan.request.context, 'rating:quote', {})
        payload = messaging.resources_to_usage(resources_to_dicts(res_data))
        from cloudkitty.rating.pyscripts import engine as pyscripts_engine
        try:
            return str(messaging.quote(payload))
        except pyscripts_engine.ScriptError as exc:
            # A rating script that fails on this quote: a 400 naming it
            # (and its line), not a bare 500.
            raise wsme_exc.ClientSideError(str(exc), status_code=400)
        except Exception as exc:
            # The same failure in a processor, over RPC (RemoteError).
            if getattr(exc, 'exc_type', None) == 'ScriptError':
                raise wsme_exc.ClientSideError(str(exc.value),
                                               status_code=400)
            raise

    @wsme_pecan.wsexpose(None, status_code=204)
    def reload_modules(self):
        """Re-discover the modules and tell the processors to reload."""
        policy.authorize(pecan.request.context, 'rating:module_config', {})
        rating_modules.get_extensions(reload=True)
        _CONFIG_CONTROLLERS.clear()
        messaging.notify_modules('reload_modules')
