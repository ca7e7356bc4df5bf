"""Former home of the processor, kept for its import path.

The processor lives in the ``cloudkitty.processor`` package; this module
re-exports the names that tools, tests and third-party plugin tests import
from here. New code imports the package's modules.
"""
from stevedore import extension  # noqa: F401

from cloudkitty import dataframe  # noqa: F401
from cloudkitty.processor.endpoints import RatingEndpoint  # noqa: F401
from cloudkitty.processor.endpoints import ScopeEndpoint  # noqa: F401
from cloudkitty.processor.loading import COLLECTORS_NAMESPACE  # noqa: F401
from cloudkitty.processor.loading import FETCHERS_NAMESPACE  # noqa: F401
from cloudkitty.processor.loading import get_collector  # noqa: F401
from cloudkitty.processor.loading import get_fetcher  # noqa: F401
from cloudkitty.processor.loading import load_metrics_conf  # noqa: F401
from cloudkitty.processor.loading import module_label  # noqa: F401
from cloudkitty.processor.loading import PROCESSORS_NAMESPACE  # noqa: F401
from cloudkitty.processor.loading import RatingModules  # noqa: F401
from cloudkitty.processor.loading import reload_takes_start  # noqa: F401
from cloudkitty.processor.locks import get_coordinator  # noqa: F401
from cloudkitty.processor.locks import get_lock  # noqa: F401
from cloudkitty.processor.locks import get_lock_name  # noqa: F401
from cloudkitty.processor.locks import reprocessing_lock_base  # noqa: F401
from cloudkitty.processor.locks import REPROCESSING_LOCK_PREFIX  # noqa: F401
from cloudkitty.processor import orchestrator_opts  # noqa: F401
from cloudkitty.processor.reset import reset_scope_state  # noqa: F401
from cloudkitty.processor.schedule import check_time_state  # noqa: F401
from cloudkitty.processor.schedule import next_reprocess_time  # noqa: F401
from cloudkitty.processor.schedule import period_delta as _period  # noqa
from cloudkitty.processor.schedule import periods_behind  # noqa: F401
from cloudkitty.processor.schedule import seconds_until_due  # noqa: F401
from cloudkitty.processor.service import CloudKittyProcessor  # noqa: F401
from cloudkitty.processor.service import CloudKittyReprocessor  # noqa: F401
from cloudkitty.processor.service import CycleStats  # noqa: F401
from cloudkitty.processor.service import FAILED_RETRY_DELAY  # noqa: F401
from cloudkitty.processor.service import LOCKED_RETRY_DELAY  # noqa: F401
from cloudkitty.processor.service import REPROCESSING_POLL_DELAY  # noqa
from cloudkitty.processor.skip import build_skip_expressions  # noqa: F401
from cloudkitty.processor.skip import SkipExpression  # noqa: F401
from cloudkitty.processor.worker import ReprocessingWorker  # noqa: F401
from cloudkitty.processor.worker import ScopeProcessingError  # noqa: F401
from cloudkitty.processor.worker import Worker  # noqa: F401
