"""The processor: collects, rates and stores the usage of every scope.

Modules of this package:

- ``schedule``: period arithmetic (which period is due, how many are
  behind), pure;
- ``locks``: the tooz lock names of scopes and reprocessing tasks;
- ``skip``: ``skip_datapoints_expression`` evaluation, pure;
- ``loading``: fetcher, collector and rating module loading;
- ``worker``: the processing of the due periods of one scope or task;
- ``reset``: the scope reset (imported by the API as well);
- ``endpoints``: the RPC endpoints of a processor worker;
- ``service``: the cotyledon services run by ``cloudkitty-processor``.

The options of the ``[orchestrator]`` group are declared here, so that any
module of the package can read them.
"""
from oslo_config import cfg

orchestrator_opts = [
    cfg.StrOpt('coordination_url',
               secret=True,
               default='file:///var/lib/cloudkitty/locks',
               help='Coordination backend URL'),
    # None (unset) means one worker per CPU, counted where the option is
    # read (cloudkitty-processor start-up), not when this module is
    # imported.
    cfg.IntOpt('max_workers',
               default=None,
               sample_default=4,
               min=0,
               help='Max number of workers to execute the rating process. '
                    'Defaults to the number of available CPU cores.'),
    cfg.IntOpt('max_workers_reprocessing',
               default=None,
               sample_default=4,
               min=0,
               help='Max number of workers to execute the reprocessing. '
                    'Defaults to the number of available CPU cores.'),
    cfg.IntOpt('max_threads',
               default=16,
               min=1,
               deprecated_name='max_greenthreads',
               advanced=True,
               help='Maximal number of threads to use per worker.'),
    cfg.StrOpt('skip_datapoints_expression',
               default='False',
               advanced=True,
               help='Python expression deciding whether a rated data point '
                    'is dropped before storage.'),
    cfg.IntOpt('collector_request_timeout',
               default=300,
               min=30,
               advanced=True,
               help='Seconds to wait for the collection of a period.'),
]

cfg.CONF.register_opts(orchestrator_opts, group='orchestrator')

# The processor logged under the name of its former single module
# (cloudkitty.orchestrator): operators' logging configuration and log
# searches name that logger, so every module of the package keeps it.
LOGGER_NAME = 'cloudkitty.orchestrator'
