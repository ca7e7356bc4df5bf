"""The rating modules installed (``cloudkitty.rating.processors``).

The one place that discovers them: the processor, the API, the in-process
quote and ``cloudkitty-dbsync`` all list modules through here.
"""
from stevedore import extension
from stevedore import named

NAMESPACE = 'cloudkitty.rating.processors'


def extensions(args=(), instantiate=True, names=None, on_failure=None,
               fresh=False):
    """stevedore extensions of the rating modules, in entry point order.

    ``args`` are passed positionally to each module's constructor (a
    module may name its scope parameter as it likes; none: its default).
    ``instantiate=False`` only imports the classes. ``names`` restricts
    the lookup (and the imports) to those modules. ``on_failure`` is
    stevedore's ``(manager, entrypoint, exc)`` callback of a module that
    could not be loaded, which is then absent. ``fresh`` forgets the
    entry points cached by stevedore (modules installed since).
    """
    if fresh:
        cache = getattr(extension.ExtensionManager, 'ENTRY_POINT_CACHE',
                        None)
        if isinstance(cache, dict):
            cache.pop(NAMESPACE, None)
    kwargs = {'invoke_on_load': instantiate,
              'invoke_args': tuple(args),
              'invoke_kwds': {},
              'on_load_failure_callback': on_failure}
    if names is None:
        manager = extension.ExtensionManager(NAMESPACE, **kwargs)
    else:
        manager = named.NamedExtensionManager(NAMESPACE, list(names),
                                              **kwargs)
    return list(manager)


def by_priority(loaded):
    """The enabled extensions of ``loaded``, highest priority first.

    The sort is stable: modules of equal priority keep the entry point
    order.
    """
    enabled = [ext for ext in loaded if ext.obj.enabled]
    enabled.sort(key=lambda ext: ext.obj.priority, reverse=True)
    return enabled


def enabled_modules(scope_id=None, on_failure=None):
    """Enabled module instances for ``scope_id``, by priority."""
    return [ext.obj for ext in by_priority(
        extensions(args=(scope_id,), on_failure=on_failure))]


def module_states():
    """The stored enabled flags and priorities of the modules."""
    from cloudkitty.db import api as db_api
    return db_api.get_module_state_manager()
