"""``cloudkitty-storage-init``: prepare the storage backend and the scope
state tables."""
import sys

from oslo_log import log as logging

from cloudkitty import service

LOG = logging.getLogger(__name__)


def init_storage():
    # Imported after configuration parsing: the storage factory reads
    # options to pick the driver.
    from cloudkitty import storage
    from cloudkitty.storage import validation
    from cloudkitty import storage_state

    validation.check_config()
    storage.get_storage().init()
    storage_state.StateManager().init()


def main(argv=None):
    argv = sys.argv if argv is None else argv
    service.prepare_service(argv)
    from cloudkitty.storage import validation
    try:
        init_storage()
    except validation.StorageConfigError as exc:
        sys.exit('cloudkitty-storage-init: error: %s' % exc)
    except Exception as exc:
        LOG.debug('Storage initialisation failed', exc_info=True)
        lines = str(exc).strip().splitlines()
        sys.exit('cloudkitty-storage-init: error: %s: %s' % (
            exc.__class__.__name__, lines[0] if lines else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
