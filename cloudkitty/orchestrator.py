"""The processor: scope workers, reprocessing workers and RPC endpoints."""
import multiprocessing

from oslo_config import cfg

orchestrator_opts = [
    cfg.StrOpt('coordination_url',
               secret=True,
               default='file:///var/lib/cloudkitty/locks',
               help='Coordination backend URL'),
    cfg.IntOpt('max_workers',
               default=multiprocessing.cpu_count(),
               sample_default=4,
               min=0,
               help='Max number of workers to execute the rating process. '
                    'Defaults to the number of available CPU cores.'),
    cfg.IntOpt('max_workers_reprocessing',
               default=multiprocessing.cpu_count(),
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

CONF = cfg.CONF
CONF.register_opts(orchestrator_opts, group='orchestrator')
