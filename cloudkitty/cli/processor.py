"""``cloudkitty-processor``: the processing and reprocessing workers."""
import sys

import cotyledon
from cotyledon import oslo_config_glue
from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import service

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def main(argv=None):
    manager = cotyledon.ServiceManager()
    service.prepare_service(argv if argv is not None else sys.argv)
    oslo_config_glue.setup(manager, CONF)
    # Imported once the configuration is parsed (processor.md §1).
    from cloudkitty import orchestrator

    if CONF.orchestrator.max_workers > 0:
        manager.add(orchestrator.CloudKittyProcessor,
                    workers=CONF.orchestrator.max_workers)
    else:
        LOG.info('No worker configured for CloudKitty processing.')
    if CONF.orchestrator.max_workers_reprocessing > 0:
        manager.add(orchestrator.CloudKittyReprocessor,
                    workers=CONF.orchestrator.max_workers_reprocessing)
    else:
        LOG.info('No worker configured for CloudKitty reprocessing.')
    manager.run()


if __name__ == '__main__':
    main()
