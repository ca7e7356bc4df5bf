"""Storage factory.

``get_storage()`` loads the storage driver selected by ``[storage]
backend`` and ``[storage] version``: a v2 driver, or with ``version = 1``
a legacy v1 driver wrapped in ``V1StorageAdapter``.
"""
from oslo_config import cfg
from oslo_log import log as logging
from stevedore import driver

from cloudkitty.storage.v2 import InvalidQuery  # noqa: F401 (re-export)
from cloudkitty.storage.v2 import NoTimeFrame  # noqa: F401 (re-export)
from cloudkitty.storage import validation

LOG = logging.getLogger(__name__)

storage_opts = [
    cfg.StrOpt('backend',
               default='influxdb',
               help='Name of the storage backend driver.'),
    cfg.IntOpt('version',
               min=1, max=2,
               default=2,
               help='Storage version to use.'),
]

retention_opts = [
    cfg.IntOpt('retention_period',
               default=2400,
               help='Time of data retention in hours.'),
]

CONF = cfg.CONF
CONF.register_opts(storage_opts, 'storage')
CONF.register_opts(retention_opts, 'storage')

StorageConfigError = validation.StorageConfigError

V1_NAMESPACE = 'cloudkitty.storage.v1.backends'
V2_NAMESPACE = 'cloudkitty.storage.v2.backends'


class StorageVersionNotSupported(RuntimeError):
    """Kept for compatibility: every storage version is shipped."""


def get_storage(**kwargs):
    """The storage driver, loaded with ``period`` and the given kwargs.

    ``backend`` and ``version`` override ``[storage] backend`` and
    ``[storage] version``; every other keyword is passed to the driver.
    """
    CONF.import_opt('period', 'cloudkitty.collector', 'collect')
    args = {'period': CONF.collect.period}
    args.update({k: v for k, v in kwargs.items()
                 if k not in ('backend', 'version')})
    version = kwargs.get('version') or CONF.storage.version
    backend = kwargs.get('backend') or CONF.storage.backend
    # An unknown or unloadable driver is one line (StorageConfigError)
    # naming the option and the fix, not a stevedore NoMatches.
    validation.load_driver_class(version, backend)
    if int(version) == 1:
        from cloudkitty.storage import v1 as storage_v1
        return storage_v1.V1StorageAdapter(args, V1_NAMESPACE, backend)
    if int(version) > 1:
        LOG.warning('V2 Storage is in beta. Its API is considered stable '
                    'but its implementation may still evolve.')
    return driver.DriverManager(
        V2_NAMESPACE, backend, invoke_on_load=True,
        invoke_kwds=args).driver
