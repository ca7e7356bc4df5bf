"""Loading of the processor's plugins: fetcher, collector, rating modules."""
import inspect
import threading

from oslo_config import cfg
from oslo_log import log as logging
from stevedore import driver

from cloudkitty import collector as ck_collector
from cloudkitty import processor
from cloudkitty.rating import registry

CONF = cfg.CONF
LOG = logging.getLogger(processor.LOGGER_NAME)

FETCHERS_NAMESPACE = 'cloudkitty.fetchers'
COLLECTORS_NAMESPACE = ck_collector.COLLECTORS_NAMESPACE
PROCESSORS_NAMESPACE = registry.NAMESPACE


def load_metrics_conf(path=None):
    """metrics.yml as loaded (an empty file is ``{}``).

    Invalid YAML raises the collector's InvalidConfiguration.
    """
    return ck_collector.load_conf(path or CONF.collect.metrics_conf)


def get_fetcher():
    return driver.DriverManager(FETCHERS_NAMESPACE, CONF.fetcher.backend,
                                invoke_on_load=True).driver


def get_collector(metrics_conf=None):
    """The configured collector, for ``metrics_conf`` (default: the file)."""
    return ck_collector.get_collector(conf=metrics_conf)


class RatingModules(object):
    """Which rating modules are enabled, and in which order.

    The module list, their enabled flags and priorities are read once per
    processing cycle (``refresh()``), or when the API announces a change
    over RPC (``invalidate()``), not for every scope as the reference
    does. Module instances are created per scope (``for_scope``) because
    a module loads the rules of the scope it is created for (tenant
    specific rules); rules valid at a date are then selected with
    ``reload_config(period_start)`` before each period, or, for modules
    declaring ``reload_per_period = False`` (hashmap), loaded once per
    scope run and selected by ``process`` from the frame's start.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._plugins = None
        self._stale = True

    def invalidate(self):
        with self._lock:
            self._stale = True

    def refresh(self, force=False):
        with self._lock:
            if not (force or self._stale) and self._plugins is not None:
                return self._plugins
            self._stale = False
        failures = []

        def on_failure(manager, entrypoint, exc):
            failures.append((entrypoint.name, exc))

        # No argument: a module's constructor parameter may have any name
        # (the reference names it tenant_id), with a None default.
        loaded = registry.extensions(on_failure=on_failure)
        if failures:
            states = registry.module_states()
            for name, exc in failures:
                # Rating without an enabled module would store wrong
                # prices: fail (the period is retried) instead.
                if states.get_state(name):
                    self.invalidate()
                    raise RuntimeError('Enabled rating module %s could '
                                       'not be loaded: %s' % (name, exc))
                LOG.warning('Disabled rating module %s could not be '
                            'loaded: %s', name, exc)
        try:
            plugins = [(ext.obj.priority, ext.name, ext.plugin)
                       for ext in registry.by_priority(loaded)]
        except Exception:
            self.invalidate()
            raise
        with self._lock:
            self._plugins = plugins
        return plugins

    def for_scope(self, scope_id):
        """Enabled module instances for ``scope_id``, by priority.

        The scope is passed positionally, whatever the module calls it.
        """
        modules = []
        for _prio, name, plugin in self.refresh():
            try:
                modules.append(plugin(scope_id))
            except Exception as exc:
                LOG.error('Rating module %s could not be created for scope '
                          '%s: %s', name, scope_id, exc)
                raise
        return modules

    def entry_point_name(self, module):
        """The entry-point name of a module instance (for logs)."""
        for _prio, name, plugin in self._plugins or ():
            if type(module) is plugin:
                return name
        return None


def module_label(modules, module):
    """How logs name a rating module: its entry-point name if known."""
    lookup = getattr(modules, 'entry_point_name', None)
    name = lookup(module) if lookup is not None else None
    return name or getattr(module, 'module_name', None) or (
        type(module).__name__)


_RELOAD_TAKES_START = {}


def reload_takes_start(module):
    """Whether ``module.reload_config`` accepts the period start.

    Modules written for older releases declare ``reload_config(self)``:
    they are reloaded without argument.
    """
    cls = type(module)
    known = _RELOAD_TAKES_START.get(cls)
    if known is None:
        try:
            params = inspect.signature(module.reload_config).parameters
        except (TypeError, ValueError):
            known = True
        else:
            known = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                   p.VAR_POSITIONAL)
                        for p in params.values())
        _RELOAD_TAKES_START[cls] = known
    return known
