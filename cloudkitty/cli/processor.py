"""``cloudkitty-processor``: the processing and reprocessing workers."""
import multiprocessing
import sys

import cotyledon
from cotyledon import oslo_config_glue
from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import service

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def check_plugins():
    """Check fetcher, collector, metrics.yml and storage before forking.

    Any of them failing would otherwise make every worker die at start-up
    and be re-forked forever. Returns an error line, or None.
    """
    from cloudkitty.cli import checks
    return checks.processor_error()


def worker_count(option):
    """``[orchestrator] <option>``; unset (None) means one per CPU."""
    value = getattr(CONF.orchestrator, option)
    return multiprocessing.cpu_count() if value is None else value


def main(argv=None):
    # messaging registers the transport options, so that a bad value
    # among them stops the start-up with one line like any other option.
    from cloudkitty import messaging  # noqa: F401
    manager = cotyledon.ServiceManager()
    service.prepare_service(argv if argv is not None else sys.argv)
    oslo_config_glue.setup(manager, CONF)
    error = check_plugins()
    if error:
        sys.exit('cloudkitty-processor: error: %s' % error)
    from cloudkitty.processor import service as processor_service

    workers = worker_count('max_workers')
    if workers > 0:
        manager.add(processor_service.CloudKittyProcessor, workers=workers)
    else:
        LOG.info('No worker configured for CloudKitty processing.')
    workers = worker_count('max_workers_reprocessing')
    if workers > 0:
        manager.add(processor_service.CloudKittyReprocessor,
                    workers=workers)
    else:
        LOG.info('No worker configured for CloudKitty reprocessing.')
    manager.run()


if __name__ == '__main__':
    main()
