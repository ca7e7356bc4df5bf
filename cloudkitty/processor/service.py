"""The cotyledon services of ``cloudkitty-processor``.

A processing worker loops over every scope the fetcher lists; a
reprocessing worker over the reprocessing tasks. A scope (or task) is
processed under its tooz lock, so that workers of any host share them.
"""
import copy
import gc
import random
import threading

import cotyledon
from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import db
from cloudkitty import processor
from cloudkitty.processor import endpoints
from cloudkitty.processor import loading
from cloudkitty.processor import locks
from cloudkitty.processor import schedule as timing
from cloudkitty.processor import skip
from cloudkitty.processor import worker as workers
from cloudkitty import service as ck_service
from cloudkitty import storage as ck_storage
from cloudkitty.utils import lazy

# Imported on first use, for start-up time (futurist imports eventlet,
# storage_state SQLAlchemy).
futurist = lazy.LazyModule('futurist')
messaging = lazy.LazyModule('cloudkitty.messaging')
storage_state = lazy.LazyModule('cloudkitty.storage_state')

CONF = cfg.CONF
LOG = logging.getLogger(processor.LOGGER_NAME)

# Seconds before a new cycle when scopes were skipped because another
# worker held their lock, or failed (instead of the next period start).
LOCKED_RETRY_DELAY = 5
FAILED_RETRY_DELAY = 15
FETCHER_RETRY_MAX_DELAY = 600
# Seconds between two looks for new reprocessing tasks.
REPROCESSING_POLL_DELAY = 10


class CycleStats(object):
    """What one cycle of a worker process did, for its summary line."""

    def __init__(self):
        self.scopes = 0
        self.processed = 0
        self.periods = 0
        self.empty = 0
        # scope label -> periods still due after its run
        self.behind = {}

    def add(self, worker, label):
        self.processed += 1
        self.periods += worker.periods_done
        self.empty += worker.empty_periods
        if worker.behind:
            self.behind[label] = worker.behind

    def summary(self, locked, failed):
        text = ('%d scope(s), %d processed, %d period(s) rated (%d without '
                'usage), %d locked by another worker, %d failed'
                % (self.scopes, self.processed, self.periods, self.empty,
                   locked, failed))
        if not self.behind:
            return text + ('; every processed scope is up to date'
                           if self.processed else '; nothing was due')
        worst = sorted(self.behind.items(), key=lambda item: -item[1])
        more = len(worst) - 5
        return text + '; behind: ' + ', '.join(
            '%s by %d period(s)' % item for item in worst[:5]) + (
            ' and %d more' % more if more > 0 else '')


class CloudKittyProcessor(cotyledon.Service):
    """A processing worker process."""

    name = 'cloudkitty-processor'

    def __init__(self, worker_id):
        super().__init__(worker_id)
        self._worker_id = worker_id
        # Forked from the manager: never reuse its SQL connections.
        db.reset()
        self._stop = threading.Event()
        # Set to end a wait early (stop, scope reset received over RPC).
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self.fetcher = loading.get_fetcher()
        self._metrics_conf = loading.load_metrics_conf()
        self.collector = loading.get_collector(
            copy.deepcopy(self._metrics_conf))
        self.storage = ck_storage.get_storage()
        self._state = storage_state.StateManager()
        self._modules = loading.RatingModules()
        self._skip = skip.build_skip_expressions(self._metrics_conf)
        self._default_skip = skip.SkipExpression(
            CONF.orchestrator.skip_datapoints_expression)
        # Shared by the scopes' workers; an in-memory collector needs none.
        self._executor = None
        if getattr(self.collector, 'concurrent_retrieve', True):
            self._executor = futurist.ThreadPoolExecutor(
                max_workers=CONF.orchestrator.max_threads)
        self._rating_endpoint = endpoints.RatingEndpoint(self._modules)
        self._scope_endpoint = endpoints.ScopeEndpoint(
            on_reset=self._wake.set)
        self._rpc_server = None
        self._start_rpc()
        self.coord = locks.get_coordinator()

    def _start_rpc(self):
        if messaging.get_transport() is None:
            LOG.debug('No RPC transport configured: no RPC server.')
            return
        target = messaging.get_target(server=ck_service.get_host())
        self._rpc_server = messaging.get_server(
            target, [self._rating_endpoint, self._scope_endpoint])
        self._rpc_server.start()

    # scopes and workers; overridden by the reprocessor
    def load_scopes(self):
        scopes = list(self.fetcher.get_tenants())
        random.shuffle(scopes)
        LOG.info('[Worker: %s] scopes [%s] loaded for fetcher %s',
                 self._worker_id, len(scopes),
                 getattr(self.fetcher, 'name', CONF.fetcher.backend))
        return scopes

    def lock_base(self, scope):
        return scope

    def scope_label(self, scope):
        return scope

    def next_timestamp(self, scope):
        return timing.check_time_state(
            self._state.get_last_processed_timestamp(scope))

    def make_worker(self, scope):
        return workers.Worker(
            self.collector, self.storage, scope, self._worker_id,
            executor=self._executor, modules=self._modules,
            state=self._state, skip_expressions=self._skip,
            default_skip=self._default_skip, stop_event=self._stop)

    def process_scope(self, scope):
        if self.next_timestamp(scope) is None:
            return 0
        worker = self.make_worker(scope)
        try:
            return worker.run()
        finally:
            stats = getattr(self, '_cycle', None)
            if stats is not None:
                stats.add(worker, self.scope_label(scope))

    def internal_run(self):
        """One cycle over every scope.

        Returns (periods processed, scopes skipped because locked, scopes
        that failed).
        """
        self._modules.invalidate()
        done = locked = failed = 0
        self._cycle = stats = CycleStats()
        scopes = self.load_scopes()
        stats.scopes = len(scopes)
        for scope in scopes:
            if self._stop.is_set():
                break
            lock = locks.get_lock(self.coord, self.lock_base(scope))
            try:
                acquired = lock.acquire(blocking=False)
            except Exception:
                LOG.exception('[Worker: %s] Cannot take the lock of scope '
                              '%s', self._worker_id, self.scope_label(scope))
                failed += 1
                continue
            if not acquired:
                LOG.debug('[Worker: %s] Scope %s is locked by another '
                          'worker, skipped.', self._worker_id,
                          self.scope_label(scope))
                locked += 1
                continue
            try:
                done += self.process_scope(scope)
            except Exception:
                failed += 1
                LOG.exception('[Worker: %s] Error processing scope %s, we '
                              'will try it again later.', self._worker_id,
                              self.scope_label(scope))
            finally:
                try:
                    lock.release()
                except Exception:
                    LOG.warning('[Worker: %s] Could not release the lock '
                                'of scope %s', self._worker_id,
                                self.scope_label(scope), exc_info=True)
        self.log_cycle(stats, locked, failed)
        return done, locked, failed

    def log_cycle(self, stats, locked, failed):
        LOG.info('[Worker: %s] Cycle done: %s', self._worker_id,
                 stats.summary(locked, failed))

    def run(self):
        # What start-up loaded (modules, plugins, configuration) lives as
        # long as the process: frozen out of the garbage collector, whose
        # full collections rating triggers would otherwise scan it all.
        gc.collect()
        gc.freeze()
        self._idle.clear()
        fetch_failures = 0
        try:
            while not self._stop.is_set():
                try:
                    done, locked, failed = self.internal_run()
                except Exception as exc:
                    # The fetcher's source (Keystone, Gnocchi, Prometheus)
                    # is unreachable: one line per attempt and a growing
                    # pause, instead of a traceback and a worker restart
                    # every few seconds until it is back.
                    fetch_failures += 1
                    delay = min(FAILED_RETRY_DELAY * 2 ** min(
                        fetch_failures - 1, 6), FETCHER_RETRY_MAX_DELAY)
                    LOG.error('[Worker: %s] Cannot list the scopes '
                              '(fetcher %s): %s; retrying in %d s',
                              self._worker_id, CONF.fetcher.backend, exc,
                              delay)
                    LOG.debug('Fetcher failure', exc_info=True)
                    self._wake.wait(delay)
                    self._wake.clear()
                    continue
                fetch_failures = 0
                if done:
                    # Work was due: look again at once (catching up).
                    continue
                delay = self.idle_delay()
                if locked:
                    # Another worker may be catching up, or a dead one's
                    # lock may expire: look again soon.
                    delay = min(delay, LOCKED_RETRY_DELAY)
                if failed:
                    delay = min(delay, FAILED_RETRY_DELAY)
                self._wake.wait(delay)
                self._wake.clear()
        finally:
            self._idle.set()

    def idle_delay(self):
        """Seconds to wait when a cycle found nothing to do."""
        return timing.seconds_until_due()

    def terminate(self):
        self._stop.set()
        self._wake.set()
        # Let the current period finish (it is safe to kill, but a clean
        # stop avoids redoing it).
        self._idle.wait(30)
        if self._rpc_server is not None:
            try:
                self._rpc_server.stop()
                self._rpc_server.wait()
            except Exception:
                LOG.debug('Error stopping the RPC server', exc_info=True)
        self._scope_endpoint.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=False)
        try:
            self.coord.stop()
        except Exception:
            LOG.debug('Error stopping coordinator', exc_info=True)


class CloudKittyReprocessor(CloudKittyProcessor):
    """A reprocessing worker process."""

    name = 'cloudkitty-reprocessor'

    def __init__(self, worker_id):
        super().__init__(worker_id)
        self._scheduler = storage_state.ReprocessingSchedulerDb()

    def load_scopes(self):
        schedules = self._scheduler.get_all(remove_finished=True, limit=100)
        random.shuffle(schedules)
        LOG.debug('[Reprocessing worker: %s] %s schedules loaded',
                  self._worker_id, len(schedules))
        return schedules

    def idle_delay(self):
        # Tasks are created through the API at any time.
        return min(timing.seconds_until_due(), REPROCESSING_POLL_DELAY)

    def log_cycle(self, stats, locked, failed):
        # Looked for every few seconds: a line only when there was work.
        log = LOG.info if (stats.processed or failed) else LOG.debug
        log('[Reprocessing worker: %s] Cycle done: %s', self._worker_id,
            stats.summary(locked, failed).replace('scope(s)', 'task(s)'))

    def lock_base(self, schedule):
        return locks.reprocessing_lock_base(schedule.identifier,
                                            schedule.start_reprocess_time,
                                            schedule.end_reprocess_time)

    def scope_label(self, schedule):
        return '%s [%s, %s]' % (schedule.identifier,
                                schedule.start_reprocess_time,
                                schedule.end_reprocess_time)

    def next_timestamp(self, schedule):
        return timing.next_reprocess_time(self._scheduler.get_from_db(
            schedule.identifier, schedule.start_reprocess_time,
            schedule.end_reprocess_time))

    def make_worker(self, schedule):
        return workers.ReprocessingWorker(
            self.collector, self.storage, schedule, self._worker_id,
            scheduler=self._scheduler, executor=self._executor,
            modules=self._modules, state=self._state,
            skip_expressions=self._skip, default_skip=self._default_skip,
            stop_event=self._stop)
