"""Workers: the processing of the due periods of one scope or task."""
import datetime

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty.collector import exceptions as collector_exc
from cloudkitty import dataframe
from cloudkitty import processor as ck_processor
from cloudkitty.processor import loading
from cloudkitty.processor import schedule as timing
from cloudkitty.processor import skip
from cloudkitty.utils import lazy
from cloudkitty.utils import tz as tzutils

# Imported on first use, for start-up time (futurist imports eventlet,
# storage_state SQLAlchemy).
futurist = lazy.LazyModule('futurist')
storage_state = lazy.LazyModule('cloudkitty.storage_state')
waiters = lazy.LazyModule('futurist.waiters')

CONF = cfg.CONF
LOG = logging.getLogger(ck_processor.LOGGER_NAME)


class ScopeProcessingError(Exception):
    """A period of a scope could not be processed."""


class Worker(object):
    """Processes the due periods of one scope.

    A period is exactly once in storage: ``storage.push`` replaces the
    scope's data of each frame's period (idempotent), and the scope state
    moves only after it succeeded. A crash anywhere repeats the periods
    not committed yet, never doubles or skips one.

    While catching up, up to ``BATCH_PERIODS`` consecutive periods (and
    about ``BATCH_POINTS`` points) are pushed in one storage call followed
    by one state update, instead of one of each per period.
    """

    BATCH_PERIODS = 24
    BATCH_POINTS = 50000

    def __init__(self, collector, storage, scope_id, worker_id=0,
                 executor=None, modules=None, state=None,
                 skip_expressions=None, default_skip=None, stop_event=None):
        self._collector = collector
        self._storage = storage
        self._scope_id = scope_id
        self._worker_id = worker_id
        self._period = CONF.collect.period
        self._delta = datetime.timedelta(seconds=self._period)
        self._wait_periods = CONF.collect.wait_periods
        self._state = state or storage_state.StateManager()
        # Metrics are collected one after the other, in this thread, when
        # the collector computes in memory; otherwise in a thread pool
        # (the processor's, or one created on first use).
        self._concurrent = getattr(collector, 'concurrent_retrieve', True)
        self._own_executor = False
        self._executor = executor
        if modules is None:
            modules = loading.RatingModules()
        self._processors = modules.for_scope(scope_id)
        self._labels = {id(p): loading.module_label(modules, p)
                        for p in self._processors}
        self._loaded = set()
        if skip_expressions is None:
            skip_expressions = skip.build_skip_expressions(
                loading.load_metrics_conf())
        self._skip = skip_expressions
        self._default_skip = default_skip or skip.SkipExpression(
            CONF.orchestrator.skip_datapoints_expression)
        # No expression can skip a point: frames need no filtering copy.
        self._skip_never = self._default_skip.never and all(
            expr.never for expr in self._skip.values())
        self._stop = stop_event
        self._metrics = sorted(self._collector.conf)
        self.periods_done = 0
        self.empty_periods = 0
        # Periods still due after this run (logged, for the cycle summary).
        self.behind = 0

    @property
    def scope_id(self):
        return self._scope_id

    def _log_prefix(self):
        return '[scope: %s, worker: %s]' % (self._scope_id, self._worker_id)

    def close(self):
        if self._own_executor:
            self._executor.shutdown(wait=False)
            self._executor = None
            self._own_executor = False

    # position: where the scope (or task) stands ---------------------------

    def load_position(self):
        """Start of the last processed period (None: never processed)."""
        return self._state.get_last_processed_timestamp(self._scope_id)

    def next_after(self, position):
        """Start of the period due after ``position``, or None."""
        return timing.check_time_state(position, self._period,
                                       self._wait_periods)

    def next_timestamp(self):
        return self.next_after(self.load_position())

    def is_active(self, position):
        """False when the scope has a state and is deactivated.

        Checked once per scope run (the reference checks before every
        period): a deactivation takes effect at the latest at the next
        cycle.
        """
        if position is None:
            return True
        try:
            return self._state.is_storage_scope_active(self._scope_id)
        except storage_state.NoSuchScope:
            return True

    def _stopping(self):
        return self._stop is not None and self._stop.is_set()

    def run(self):
        """Process every due period; returns how many were committed."""
        try:
            position = self.load_position()
            if not self.is_active(position):
                LOG.debug('%s Scope is inactive, skipped.',
                          self._log_prefix())
                return 0
            ts = self.next_after(position)
            self.behind = self.remaining(position) if ts is not None else 0
            while ts is not None and not self._stopping():
                batch, points = [], 0
                try:
                    while (ts is not None and len(batch) < self.BATCH_PERIODS
                           and points < self.BATCH_POINTS
                           and not self._stopping()):
                        frame = self.process_period(ts)
                        batch.append((ts, frame))
                        points += len(frame)
                        ts = self.next_after(ts)
                finally:
                    # Periods completed before a failure are kept.
                    if batch:
                        self.push([frame for _ts, frame in batch])
                        self.commit(batch[-1][0])
                        self.periods_done += len(batch)
                        self.log_progress(batch)
        finally:
            self.close()
        return self.periods_done

    def remaining(self, position):
        """Periods due after ``position``."""
        return timing.periods_behind(position, self._period,
                                     self._wait_periods)

    def log_progress(self, batch):
        """One INFO line per committed batch: what was rated, what is due."""
        self.behind = self.remaining(batch[-1][0])
        empty = sum(1 for _ts, frame in batch if not len(frame))
        hint = ''
        if empty == len(batch):
            hint = ('; no usage at all: if this scope is no longer used, '
                    'consider de-activating it')
        LOG.info('%s Rated %d period(s) from %s to %s (%d without usage); '
                 '%d period(s) behind%s.', self._log_prefix(), len(batch),
                 batch[0][0], batch[-1][0], empty, self.behind, hint)

    # collection ----------------------------------------------------------

    def _collect_one(self, metric, start, end):
        try:
            # The scope positionally: collectors name that parameter
            # project_id, scope_id, tenant_id...
            name, points = self._collector.retrieve(
                metric, start, end, self._scope_id)
            if not points:
                raise collector_exc.NoDataCollected(
                    getattr(self._collector, 'collector_name', ''), metric)
            return name, points
        except collector_exc.NoDataCollected:
            LOG.debug('%s No data collected for metric %s at timestamp %s',
                      self._log_prefix(), metric, start)
            return metric, None
        except Exception as exc:
            # The reference's wording, which operators grep for.
            LOG.error('%s Error while collecting metric %s for scope %s '
                      'at timestamp %s (collector %s): %s',
                      self._log_prefix(), metric, self._scope_id, start,
                      CONF.collect.collector, exc)
            raise ScopeProcessingError(
                'collection of metric %s for scope %s at %s failed: %s'
                % (metric, self._scope_id, start, exc)) from exc

    def collect_all(self, start, end):
        if not self._concurrent:
            return self._merge(self._collect_one(metric, start, end)
                               for metric in self._metrics)
        if self._executor is None:
            self._own_executor = True
            self._executor = futurist.ThreadPoolExecutor(
                max_workers=CONF.orchestrator.max_threads)
        futures = [self._executor.submit(self._collect_one, metric, start,
                                         end) for metric in self._metrics]
        timeout = CONF.orchestrator.collector_request_timeout
        _done, not_done = waiters.wait_for_all(futures, timeout)
        if not_done:
            for future in not_done:
                future.cancel()
            raise ScopeProcessingError(
                'collection for scope %s at %s timed out after %s s'
                % (self._scope_id, start, timeout))
        # result() re-raises a metric's error.
        return self._merge(future.result() for future in futures)

    @staticmethod
    def _merge(results):
        """{name: points} from (name, points or None), in metric order."""
        usage = {}
        for name, points in results:
            if points is not None:
                usage.setdefault(name, []).extend(points)
        return usage

    # rating and storage ----------------------------------------------------

    def _module_failed(self, processor, frame, exc):
        label = self._labels.get(id(processor)) or type(processor).__name__
        LOG.error('%s Rating module %s failed for scope %s, period [%s, '
                  '%s): %s', self._log_prefix(), label, self._scope_id,
                  frame.start, frame.end, exc)
        return ScopeProcessingError(
            'rating module %s failed for scope %s at %s: %s'
            % (label, self._scope_id, frame.start, exc))

    def rate(self, frame, start):
        # Rules valid at the period start (date-bound rules). A module whose
        # process() selects date-bound rules by the frame's period itself
        # declares ``reload_per_period = False``: it is loaded once per
        # scope run. A module failing fails the period (not committed).
        for processor in self._processors:
            if (getattr(processor, 'reload_per_period', True)
                    or id(processor) not in self._loaded):
                try:
                    if loading.reload_takes_start(processor):
                        processor.reload_config(start)
                    else:
                        processor.reload_config()
                except Exception as exc:
                    raise self._module_failed(processor, frame, exc) from exc
                self._loaded.add(id(processor))
        for processor in self._processors:
            try:
                rated = processor.process(frame)
                if not isinstance(rated, dataframe.DataFrame):
                    raise TypeError('process() returned %r instead of a '
                                    'DataFrame' % (rated,))
            except Exception as exc:
                raise self._module_failed(processor, frame, exc) from exc
            frame = rated
        return frame

    def apply_skip(self, frame):
        if self._skip_never and all(
                points for _metric, points in frame.itertypes()):
            return frame
        output = dataframe.DataFrame(frame.start, frame.end)
        for metric_name, points in frame.itertypes():
            expr = self._skip.get(metric_name, self._default_skip)
            kept, _excluded = expr.filter(metric_name, points, self)
            if kept:
                output.add_points(kept, metric_name)
        return output

    def push(self, frames):
        try:
            self._storage.push(frames, self._scope_id)
        except Exception as exc:
            LOG.error('%s Storage %s: could not store scope %s, periods '
                      '[%s, %s): %s', self._log_prefix(),
                      CONF.storage.backend, self._scope_id, frames[0].start,
                      frames[-1].end, exc)
            raise

    def commit(self, ts):
        self._state.set_last_processed_timestamp(self._scope_id, ts)

    def process_period(self, ts):
        """Collect and rate one period; returns its (rated) frame."""
        start = ts
        end = tzutils.add_delta(ts, self._delta)
        usage = self.collect_all(start, end)
        frame = dataframe.DataFrame(start, end, usage)
        if usage:
            return self.apply_skip(self.rate(frame, start))
        # Summed up in the batch's progress line, not a warning each.
        self.empty_periods += 1
        LOG.debug('%s No usage data for storage scope %s between %s and '
                  '%s.', self._log_prefix(), self._scope_id, start, end)
        # Pushed even when empty: the push replaces the scope's data of the
        # period, so a re-processed period that lost its data is cleared.
        return frame


class ReprocessingWorker(Worker):
    """Re-rates the window of one reprocessing schedule.

    The first period of the task deletes the whole window's data for the
    scope; the periods are then pushed (the push replaces each period) and
    the task's ``current_reprocess_time`` moves only after the push, so a
    crash repeats periods and never doubles or skips one. Unlike the
    reference, the deletion covers the last period too (``end`` is the
    start of the last period, inclusive), so no period is duplicated.
    """

    def __init__(self, collector, storage, schedule, worker_id=0,
                 scheduler=None, **kwargs):
        self._schedule = schedule
        self._scheduler = scheduler or storage_state.ReprocessingSchedulerDb()
        state = kwargs.get('state') or storage_state.StateManager()
        kwargs['state'] = state
        rows = state.get_all(identifier=schedule.identifier, limit=None)
        if not rows:
            raise ScopeProcessingError(
                'Scope [%s] scheduled for reprocessing does not seem to '
                'exist anymore.' % schedule.identifier)
        if len(rows) > 1:
            raise ScopeProcessingError(
                'Unexpected number of storage state entries found for '
                'scope [%s].' % schedule.identifier)
        self._scope_key = rows[0].scope_key or CONF.collect.scope_key
        super().__init__(collector, storage, schedule.identifier,
                         worker_id, **kwargs)

    def load_position(self):
        row = self._scheduler.get_from_db(
            self._schedule.identifier, self._schedule.start_reprocess_time,
            self._schedule.end_reprocess_time)
        if row is None:
            return _DONE
        return row.current_reprocess_time

    def next_after(self, position):
        if position is _DONE:
            return None
        return timing.next_in_window(
            self._schedule.start_reprocess_time,
            self._schedule.end_reprocess_time, position, self._period)

    def remaining(self, position):
        count, ts = 0, self.next_after(position)
        while ts is not None:
            count += 1
            ts = self.next_after(ts)
        return count

    def is_active(self, position):
        try:
            return self._state.is_storage_scope_active(self._scope_id)
        except storage_state.NoSuchScope:
            return False

    def process_period(self, ts):
        start = tzutils.local_to_utc(self._schedule.start_reprocess_time)
        if start == tzutils.local_to_utc(ts):
            end = tzutils.add_delta(self._schedule.end_reprocess_time,
                                    self._delta)
            LOG.info('%s Deleting data of scope %s from %s to %s before '
                     'reprocessing it.', self._log_prefix(),
                     self._scope_id, start, end)
            self._storage.delete(
                begin=tzutils.local_to_utc(start, naive=True),
                end=tzutils.local_to_utc(end, naive=True),
                filters={self._scope_key: self._scope_id})
        return super().process_period(ts)

    def commit(self, ts):
        self._scheduler.update_reprocessing_time(
            self._schedule.identifier, self._schedule.start_reprocess_time,
            self._schedule.end_reprocess_time, ts)


# Position of a finished (or vanished) reprocessing task.
_DONE = object()
