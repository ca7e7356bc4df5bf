"""``cloudkitty-processor``: the processing and reprocessing workers."""
import sys

import cotyledon
from cotyledon import oslo_config_glue
from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import service

CONF = cfg.CONF
LOG = logging.getLogger(__name__)


def check_plugins():
    """Load metrics.yml and the collector once before forking workers.

    A missing or invalid metrics.yml, or an unknown collector, would
    otherwise make every worker die at start-up and be re-forked forever.
    Returns an error line, or None when everything loads.
    """
    from stevedore import exception as stevedore_exc

    from cloudkitty import collector
    try:
        collector.get_collector_class()
        collector.get_collector(
            conf=collector.load_conf(CONF.collect.metrics_conf))
    except OSError as exc:
        return 'cannot read [collect] metrics_conf %s: %s' % (
            CONF.collect.metrics_conf, exc.strerror or exc)
    except stevedore_exc.NoMatches:
        return 'unknown collector [collect] collector = %s' % (
            CONF.collect.collector)
    except collector.InvalidConfiguration as exc:
        return str(exc).replace('\n', ' ')
    except ValueError as exc:
        return 'invalid metrics definitions in %s: %s' % (
            CONF.collect.metrics_conf, str(exc).replace('\n', ' '))
    return None


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
