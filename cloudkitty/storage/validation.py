"""Checks of the ``[storage]`` options, before a driver is built.

A wrong storage name or a missing driver option would otherwise show up
in every worker as a stevedore ``NoMatches`` traceback or an
``AttributeError`` deep in a client library. ``check_config()`` turns
each of them into one line naming the option, its value and the fix.
No connection is made: that is the driver's ``init()``.
"""
from importlib import metadata

from oslo_config import cfg

CONF = cfg.CONF

NAMESPACE = 'cloudkitty.storage.v%d.backends'

# Backends of the reference implementation that this one does not ship.
NOT_SHIPPED = {
    1: ('gnocchi',),
    2: ('elasticsearch', 'opensearch', 'loki'),
}


class StorageConfigError(RuntimeError):
    """The storage options cannot work; the message is one line."""


def available_backends(version):
    """Names of the storage drivers installed for ``version``."""
    group = NAMESPACE % version
    return sorted({ep.name for ep in metadata.entry_points(group=group)})


def _entry_point(version, backend):
    for ep in metadata.entry_points(group=NAMESPACE % version):
        if ep.name == backend:
            return ep
    return None


def _unknown_backend(version, backend, names):
    installed = ', '.join(names) or 'none'
    if not names:
        return ('[storage] version = %d: no v%d storage driver is installed; '
                'set [storage] version = 2' % (version, version))
    if backend in NOT_SHIPPED.get(version, ()):
        what = 'is not available in this CloudKitty'
    else:
        what = 'is not a v%d storage driver' % version
    fix = 'sqlalchemy' if 'sqlalchemy' in names else names[0]
    other = ''
    if version == 1 and backend in available_backends(2):
        other = ', or [storage] version = 2 to keep backend = %s' % backend
    elif version == 2 and backend in available_backends(1):
        other = ', or [storage] version = 1 to keep backend = %s' % backend
    return ('[storage] backend = %s %s (installed with [storage] version = '
            '%d: %s): set [storage] backend = %s%s'
            % (backend, what, version, installed, fix, other))


def load_driver_class(version=None, backend=None):
    """The driver class of the storage options, or StorageConfigError."""
    version = int(version or CONF.storage.version)
    backend = backend or CONF.storage.backend
    ep = _entry_point(version, backend)
    if ep is None:
        raise StorageConfigError(_unknown_backend(
            version, backend, available_backends(version)))
    try:
        return ep.load()
    except Exception as exc:
        detail = (str(exc).strip().splitlines() or [''])[0]
        raise StorageConfigError(
            '[storage] backend = %s: its driver (%s) cannot be loaded: '
            '%s: %s' % (backend, ep.value, exc.__class__.__name__, detail))


def _check_influxdb():
    conf = CONF.storage_influxdb
    if conf.version != 1:
        return ('[storage_influxdb] version = %s is not supported: the '
                'influxdb backend writes with the InfluxDB 1.x API; set '
                '[storage_influxdb] version = 1 (an InfluxDB 2 server '
                'serves that API too: set host, port, database, username '
                'and password for it) or use [storage] backend = sqlalchemy'
                % conf.version)
    if not conf.database:
        return ('[storage_influxdb] database is not set ([storage] backend = '
                'influxdb is the default): set [storage_influxdb] database '
                '(with host, port, username, password), or set [storage] '
                'backend = sqlalchemy to keep rated data in the [database] '
                'connection')
    return None


# Checks of the shipped drivers' options, by (version, backend). A
# third-party driver may define a ``check_config()`` class method
# returning an error line or None.
_CHECKS = {
    (2, 'influxdb'): _check_influxdb,
}


def check_config(version=None, backend=None):
    """Raise StorageConfigError when the storage options cannot work."""
    version = int(version or CONF.storage.version)
    backend = backend or CONF.storage.backend
    driver_class = load_driver_class(version, backend)
    check = _CHECKS.get((version, backend))
    if check is None:
        check = getattr(driver_class, 'check_config', None)
    error = check() if check is not None else None
    if error:
        raise StorageConfigError(error)
    return driver_class


def config_error(version=None, backend=None):
    """The one-line error of the storage options, or None."""
    try:
        check_config(version, backend)
    except StorageConfigError as exc:
        return str(exc)
    return None
