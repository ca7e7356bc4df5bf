"""Rating modules: the base class third-party modules are written against.

Importing this package imports neither pecan nor the database layer: the
processor, the registry and the pure hashmap modules import it. The
database API is imported by the first module instance, the pecan
controller base on first access to ``RatingRestControllerBase``.
"""
import abc


class RatingProcessorBase(object, metaclass=abc.ABCMeta):
    """A rating module (``cloudkitty.rating.processors`` entry point).

    :param tenant_id: scope the rules are loaded for (None: global rules).
    """

    module_name = None
    description = None
    hot_config = False
    config_controller = None
    db_api = None

    def __init__(self, tenant_id=None):
        from cloudkitty.db import api as db_api
        self._tenant_id = tenant_id
        self._module_state = db_api.get_module_state_manager()

    @property
    def module_info(self):
        return {
            'name': self.module_name,
            'description': self.description,
            'hot_config': self.hot_config,
            'enabled': self.enabled,
            'priority': self.priority,
        }

    @property
    def enabled(self):
        return self._module_state.get_state(self.module_name)

    @property
    def priority(self):
        return self._module_state.get_priority(self.module_name)

    def _broadcast(self, method):
        # Imported here: messaging pulls oslo.messaging, which third-party
        # modules importing this base class should not pay for.
        from cloudkitty import messaging
        messaging.notify_modules(method, self.module_name)

    def set_state(self, enabled):
        """Enable or disable the module; returns the stored state."""
        self._broadcast('enable_module' if enabled else 'disable_module')
        return self._module_state.set_state(self.module_name, enabled)

    def set_priority(self, priority):
        """Set the module's priority; returns the stored priority."""
        self._broadcast('reload_module')
        return self._module_state.set_priority(self.module_name, priority)

    def notify_reload(self):
        self._broadcast('reload_module')

    def quote(self, data):
        return self.process(data)

    def nodata(self, begin, end):
        """Hook for periods without data (never called, kept for API)."""

    @abc.abstractmethod
    def reload_config(self, start=None):
        """Reload the rules valid at ``start`` (now when None)."""

    @abc.abstractmethod
    def process(self, data):
        """Price the points of a DataFrame; return a DataFrame."""


def __getattr__(name):
    # The controller base needs pecan: imported when first asked for
    # (``rating.RatingRestControllerBase`` in a module's controllers).
    if name == 'RatingRestControllerBase':
        from cloudkitty.rating import controller
        globals()[name] = controller.RatingRestControllerBase
        return controller.RatingRestControllerBase
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
