"""The rating module registry: discovery, priority order, failures."""
from stevedore import extension

from cloudkitty.rating import registry


class Module(object):
    def __init__(self, priority, enabled=True):
        self.priority = priority
        self.enabled = enabled


def _ext(name, obj):
    return extension.Extension(name, None, type(obj), obj)


def test_installed_modules_are_listed_without_instantiation():
    names = [ext.name for ext in registry.extensions(instantiate=False)]
    assert {'noop', 'hashmap', 'pyscripts'} <= set(names)
    assert all(ext.obj is None
               for ext in registry.extensions(instantiate=False))


def test_named_lookup_loads_only_that_module():
    loaded = registry.extensions(instantiate=False, names=['noop'])
    assert [ext.name for ext in loaded] == ['noop']


def test_enabled_by_priority_ties_keep_discovery_order():
    loaded = [_ext('a', Module(1)), _ext('b', Module(5)),
              _ext('off', Module(9, enabled=False)), _ext('c', Module(1))]
    assert [ext.name for ext in registry.by_priority(loaded)] == [
        'b', 'a', 'c']


def test_load_failure_reaches_the_callback(monkeypatch):
    seen = []

    def manager(namespace, on_load_failure_callback, **kwargs):
        on_load_failure_callback(None, 'broken-entry-point',
                                 ImportError('boom'))
        return []
    monkeypatch.setattr(extension, 'ExtensionManager', manager)
    assert registry.extensions(
        on_failure=lambda mgr, ep, exc: seen.append((ep, str(exc)))) == []
    assert seen == [('broken-entry-point', 'boom')]
