"""The ``sqlalchemy`` v2 storage: rated data in ``[database] connection``.

The driver is ``driver.SQLAlchemyStorage`` (entry point
``cloudkitty.storage.v2.sqlalchemy:SQLAlchemyStorage``), see its module
for the write semantics and the rollups. The package:

* ``layout``: the stored layout of points, sums entries and rollups;
* ``codec``: JSON and decimal codecs of stored points;
* ``arithmetic``: rollup arithmetic (exact decimal sums, UTC ranges);
* ``packing``: pushed frames packed into blocks and rollup deltas;
* ``queries``: per-dialect SQL of the reads, filters and aggregates;
* ``bulk``: bulk writes of blocks and rollup upserts;
* ``engine``: engines (SQLite settings shared with ``cloudkitty.db``,
  WAL checkpoints, fork hooks) and write transactions;
* ``locks``: PostgreSQL advisory locks of pushes;
* ``sqlite_functions``: exact decimal SQL functions for SQLite;
* ``models`` (tables), ``rollups`` (check and rebuild of the rollups).

``layout``, ``codec``, ``arithmetic`` and ``packing`` import neither
SQLAlchemy nor a database driver: this package loads the storage driver
on first use of one of its names.
"""
import importlib

_SUBMODULES = frozenset([
    'arithmetic', 'bulk', 'codec', 'driver', 'engine', 'layout', 'locks',
    'models', 'packing', 'queries', 'rollups', 'sqlite_functions'])


def __getattr__(name):
    if name in _SUBMODULES:
        # ``from <this package> import codec`` asks for the attribute
        # before importing the submodule: import only that one.
        return importlib.import_module('%s.%s' % (__name__, name))
    if name.startswith('__'):
        raise AttributeError(name)
    # Names of the driver module (SQLAlchemyStorage, get_chain...), loaded
    # on first use.
    driver = importlib.import_module(__name__ + '.driver')
    try:
        return getattr(driver, name)
    except AttributeError:
        raise AttributeError('module %r has no attribute %r'
                             % (__name__, name)) from None
