"""The rating modules seen by the API process (stevedore discovery)."""
import threading

from oslo_log import log

from cloudkitty.rating import registry

LOG = log.getLogger(__name__)

PROCESSORS_NAMESPACE = registry.NAMESPACE

_LOCK = threading.Lock()
_EXTENSIONS = None


def _discover():
    """(extensions sorted by name, True when every module loaded)."""
    failed = []

    def _on_load_failure(manager, entrypoint, exc):
        # A module that cannot load is skipped (absent from listings), as
        # in the reference; say why in the log.
        failed.append(entrypoint)
        LOG.warning('Rating module %s could not be loaded: %s',
                    getattr(entrypoint, 'name', entrypoint), exc)

    # Built without argument, as the reference does: a module may name
    # its (defaulted) scope parameter as it likes. Entry points are looked
    # up again: a module installed since is listed.
    loaded = registry.extensions(on_failure=_on_load_failure, fresh=True)
    # Sorted by plugin name, whatever the entry-point order.
    return sorted(loaded, key=lambda ext: ext.name), not failed


def get_extensions(reload=False):
    """Loaded module extensions (``ext.name``, ``ext.obj``), by name.

    A module that failed to load (e.g. the API started before
    ``cloudkitty-dbsync upgrade`` created its tables) is retried on the
    next call instead of staying absent until the API restarts.
    """
    global _EXTENSIONS
    with _LOCK:
        if _EXTENSIONS is None or reload:
            extensions, complete = _discover()
            _EXTENSIONS = extensions if complete else None
            return list(extensions)
        return list(_EXTENSIONS)


def get_extension(name):
    """The extension of plugin ``name``, or None."""
    for ext in get_extensions():
        if ext.name == name:
            return ext
    return None


def module_info(ext):
    """``module_info`` of an extension with ``module_id`` (plugin name)."""
    info = dict(ext.obj.module_info)
    info['module_id'] = info.pop('name', None) or ext.name
    return info
