"""Modules imported on first use, to keep process start-up fast.

Every CloudKitty process imports the modules that declare options (to
register them), including some that use slow-to-import libraries
(futurist and eventlet, tooz, SQLAlchemy...) only at run time.
"""
import importlib


class LazyModule(object):
    """Stands for the module ``name``, imported on first attribute access.

    ``futurist = LazyModule('futurist')`` at module level, then
    ``futurist.ThreadPoolExecutor`` imports futurist the first time.
    """

    def __init__(self, name):
        self._lazy_name = name

    def __getattr__(self, attr):
        # Only called for attributes the proxy itself does not have.
        if attr.startswith('__') and attr.endswith('__'):
            raise AttributeError(attr)
        return getattr(importlib.import_module(self._lazy_name), attr)

    def __repr__(self):
        return '<lazily imported module %r>' % self._lazy_name


class LazyAttribute(object):
    """A class attribute naming an object imported on first access.

    ``controller = LazyAttribute('pkg.module', 'Name')`` reads as
    ``pkg.module.Name`` on the class and its instances, importing
    ``pkg.module`` the first time.
    """

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __get__(self, obj, owner=None):
        return getattr(importlib.import_module(self.module), self.name)
