"""The processor: scope workers, reprocessing workers and RPC endpoints.

Import this module only after the configuration is parsed: option defaults
(CPU count) are computed at import time.
"""
import copy
import datetime
import gc
import hashlib
import inspect
import math
import multiprocessing
import random
import threading
import uuid

import cotyledon
from oslo_config import cfg
from oslo_log import log as logging
from stevedore import driver
from stevedore import extension
import yaml

from cloudkitty.collector import exceptions as collector_exc
from cloudkitty import dataframe
from cloudkitty import db
from cloudkitty import storage as ck_storage
from cloudkitty.utils import lazy
from cloudkitty.utils import tz as tzutils

# Imported on first use, for start-up time: every process imports this
# module to register its options (futurist and tooz import eventlet,
# storage_state SQLAlchemy).
coordination = lazy.LazyModule('tooz.coordination')
futurist = lazy.LazyModule('futurist')
messaging = lazy.LazyModule('cloudkitty.messaging')
oslo_messaging = lazy.LazyModule('oslo_messaging')
storage_state = lazy.LazyModule('cloudkitty.storage_state')
waiters = lazy.LazyModule('futurist.waiters')

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

LOG = logging.getLogger(__name__)

FETCHERS_NAMESPACE = 'cloudkitty.fetchers'
COLLECTORS_NAMESPACE = 'cloudkitty.collector.backends'
PROCESSORS_NAMESPACE = 'cloudkitty.rating.processors'

# Part of the reprocessing lock names (processor.md §2.1): the reference
# puts the repr of its ReprocessingWorker class there, so mixed
# deployments must use the very same text.
REPROCESSING_LOCK_PREFIX = (
    "<class 'cloudkitty.orchestrator.ReprocessingWorker'>")


# Seconds before a new cycle when scopes were skipped because another
# worker held their lock, or failed (instead of the next period start).
LOCKED_RETRY_DELAY = 5
FAILED_RETRY_DELAY = 15
# Seconds between two looks for new reprocessing tasks.
REPROCESSING_POLL_DELAY = 10


# -- time -----------------------------------------------------------------

def _period():
    return datetime.timedelta(seconds=CONF.collect.period)


def check_time_state(last=None, period=None, wait_periods=None, now=None):
    """Start of the period due after ``last``, or None (processor.md §3).

    ``last`` is the start of the last processed period (None: the scope
    was never processed, so it starts at the current month's start).
    ``period`` in seconds, ``wait_periods`` a count; defaults from the
    configuration.
    """
    if period is None:
        period = CONF.collect.period
    if wait_periods is None:
        wait_periods = CONF.collect.wait_periods
    if last is None:
        return tzutils.get_month_start(now)
    now = now or tzutils.localized_now()
    nxt = tzutils.add_delta(last, datetime.timedelta(seconds=period))
    wait = datetime.timedelta(seconds=wait_periods * period)
    if tzutils.add_delta(nxt, wait) < now:
        return nxt
    return None


def seconds_until_due(period=None, wait_periods=None, now=None):
    """Seconds until the next period of an up-to-date scope is due.

    Periods are aligned on the epoch, and one becomes due just after an
    aligned boundary; sleeping until then (plus one second, as due is
    strict) instead of a full period avoids the reference's drift.
    """
    period = period or CONF.collect.period
    now = now or tzutils.localized_now()
    boundary = tzutils.add_delta(tzutils.align(now, period),
                                 datetime.timedelta(seconds=period))
    return max(1, tzutils.diff_seconds(boundary, now) + 1)


def periods_behind(last, period=None, wait_periods=None, now=None):
    """How many periods are due after ``last`` (as check_time_state says).

    ``last`` is the start of the last processed period; None (never
    processed) counts from the start of the current month.
    """
    period = period or CONF.collect.period
    if wait_periods is None:
        wait_periods = CONF.collect.wait_periods
    now = now or tzutils.localized_now()
    if last is None:
        first = tzutils.get_month_start(now)
        return 1 + periods_behind(first, period, wait_periods, now)
    # Due: last + k * period + wait_periods * period < now, for k >= 1.
    span = (tzutils.local_to_utc(now) - tzutils.local_to_utc(last)
            ).total_seconds() - wait_periods * period
    if span <= period:
        return 0
    return int(math.ceil(span / period)) - 1


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


# -- locks ----------------------------------------------------------------

def get_lock_name(base):
    """The tooz lock name of a scope (processor.md §2.1)."""
    text = '-'.join(('cloudkitty', str(base), CONF.collect.collector,
                     CONF.fetcher.backend, CONF.collect.scope_key))
    # UTF-8: the same bytes as the reference's ASCII for ASCII ids (same
    # names in mixed deployments); a non-ASCII scope id (the API accepts
    # any text) raised UnicodeEncodeError (a 500 on a scope reset).
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def get_lock(coordinator, base):
    name = get_lock_name(base)
    return name, coordinator.get_lock(name.encode('ascii'))


def reprocessing_lock_base(identifier, start, end):
    """Lock base of a reprocessing schedule.

    ``start``/``end`` are the stored (naive UTC) datetimes, or aware ones
    converted to them.
    """
    start = tzutils.local_to_utc(start, naive=True)
    end = tzutils.local_to_utc(end, naive=True)
    return '%s-id=%s-start=%s-end=%s' % (REPROCESSING_LOCK_PREFIX,
                                         identifier, start, end)


def get_coordinator(url=None):
    """A started tooz coordinator with its own random member id."""
    url = url or CONF.orchestrator.coordination_url
    member_id = str(uuid.uuid4()).encode('ascii')
    coordinator = coordination.get_coordinator(url, member_id)
    coordinator.start(start_heart=True)
    return coordinator


# -- plugins --------------------------------------------------------------

def load_metrics_conf(path=None):
    """metrics.yml as loaded (an empty file is ``{}``)."""
    path = path or CONF.collect.metrics_conf
    with open(path) as stream:
        return yaml.safe_load(stream) or {}


def get_fetcher():
    return driver.DriverManager(FETCHERS_NAMESPACE, CONF.fetcher.backend,
                                invoke_on_load=True).driver


def get_collector(metrics_conf=None):
    if metrics_conf is None:
        metrics_conf = load_metrics_conf()
    return driver.DriverManager(
        COLLECTORS_NAMESPACE, CONF.collect.collector, invoke_on_load=True,
        invoke_kwds={'period': CONF.collect.period,
                     'conf': metrics_conf}).driver


class RatingModules(object):
    """Which rating modules are enabled, and in which order.

    The module list, their enabled flags and priorities are read once per
    processing cycle (``refresh()``), or when the API announces a change
    over RPC (``invalidate()``), not for every scope as the reference
    does. Module instances are created per scope (``for_scope``) because
    a module loads the rules of the scope it is created for (tenant
    specific rules); rules valid at a date are then selected with
    ``reload_config(period_start)`` before each period, or, for modules
    declaring ``reload_per_period = False`` (hashmap), loaded once per
    scope run and selected by ``process`` from the frame's start.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._plugins = None
        self._stale = True

    def invalidate(self):
        with self._lock:
            self._stale = True

    def refresh(self, force=False):
        with self._lock:
            if not (force or self._stale) and self._plugins is not None:
                return self._plugins
            self._stale = False
        failures = []

        def on_failure(manager, entrypoint, exc):
            failures.append((entrypoint.name, exc))

        # No argument: a module's constructor parameter may have any name
        # (the reference names it tenant_id), with a None default.
        mgr = extension.ExtensionManager(
            PROCESSORS_NAMESPACE, invoke_on_load=True, invoke_kwds={},
            on_load_failure_callback=on_failure)
        if failures:
            from cloudkitty.db import api as db_api
            states = db_api.get_module_state_manager()
            for name, exc in failures:
                # Rating without an enabled module would store wrong
                # prices: fail (the period is retried) instead.
                if states.get_state(name):
                    self.invalidate()
                    raise RuntimeError('Enabled rating module %s could '
                                       'not be loaded: %s' % (name, exc))
                LOG.warning('Disabled rating module %s could not be '
                            'loaded: %s', name, exc)
        plugins = []
        try:
            for ext in mgr:
                if ext.obj.enabled:
                    plugins.append((ext.obj.priority, ext.name, ext.plugin))
        except Exception:
            self.invalidate()
            raise
        # Stable sort: ties keep the entry point order.
        plugins.sort(key=lambda item: item[0], reverse=True)
        with self._lock:
            self._plugins = plugins
        return plugins

    def names(self):
        return [name for _prio, name, _plugin in self.refresh()]

    def for_scope(self, scope_id):
        """Enabled module instances for ``scope_id``, by priority.

        The scope is passed positionally, whatever the module calls it.
        """
        modules = []
        for _prio, name, plugin in self.refresh():
            try:
                modules.append(plugin(scope_id))
            except Exception as exc:
                LOG.error('Rating module %s could not be created for scope '
                          '%s: %s', name, scope_id, exc)
                raise
        return modules

    def entry_point_name(self, module):
        """The entry-point name of a module instance (for logs)."""
        for _prio, name, plugin in self._plugins or ():
            if type(module) is plugin:
                return name
        return None


def module_label(modules, module):
    """How logs name a rating module: its entry-point name if known."""
    lookup = getattr(modules, 'entry_point_name', None)
    name = lookup(module) if lookup is not None else None
    return name or getattr(module, 'module_name', None) or (
        type(module).__name__)


_RELOAD_TAKES_START = {}


def reload_takes_start(module):
    """Whether ``module.reload_config`` accepts the period start.

    Modules written for older releases declare ``reload_config(self)``:
    they are reloaded without argument.
    """
    cls = type(module)
    known = _RELOAD_TAKES_START.get(cls)
    if known is None:
        try:
            params = inspect.signature(module.reload_config).parameters
        except (TypeError, ValueError):
            known = True
        else:
            known = any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                   p.VAR_POSITIONAL)
                        for p in params.values())
        _RELOAD_TAKES_START[cls] = known
    return known


# -- skip expressions -------------------------------------------------------

class SkipExpression(object):
    """A compiled ``skip_datapoints_expression`` (processor.md §5.4)."""

    def __init__(self, text):
        self.text = text
        # The default ("False") keeps everything: no per-point evaluation.
        self.never = text.strip() in ('False', '0', 'None', '')
        self.code = None if self.never else compile(
            text, '<skip_datapoints_expression>', 'eval')

    def filter(self, metric_name, points, owner=None):
        if self.never:
            return points, []
        kept, excluded = [], []
        for point in points:
            namespace = {
                'datapoint': point.as_dict(mutable=True),
                'excluded_datapoints': excluded,
                'filtered_datapoints': kept,
                'skip_datapoint_expression': self.text,
                'usage_data_metric_name': metric_name,
                'self': owner,
            }
            if eval(self.code, namespace):  # noqa: S307 - operator config
                excluded.append(point)
            else:
                kept.append(point)
        return kept, excluded


def build_skip_expressions(metrics_conf):
    """{usage name: SkipExpression} from the raw metrics.yml."""
    expressions = {}
    for key, definitions in ((metrics_conf or {}).get('metrics')
                             or {}).items():
        if not isinstance(definitions, list):
            definitions = [definitions]
        for definition in definitions:
            if not isinstance(definition, dict):
                continue
            text = definition.get('skip_datapoints_expression')
            if text is not None:
                name = definition.get('alt_name') or key
                expressions[name] = SkipExpression(str(text))
    return expressions


# -- workers ----------------------------------------------------------------

class ScopeProcessingError(Exception):
    """A period of a scope could not be processed."""


class Worker(object):
    """Processes the due periods of one scope (processor.md §5).

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
            modules = RatingModules()
        self._processors = modules.for_scope(scope_id)
        self._labels = {id(p): module_label(modules, p)
                        for p in self._processors}
        self._loaded = set()
        if skip_expressions is None:
            skip_expressions = build_skip_expressions(load_metrics_conf())
        self._skip = skip_expressions
        self._default_skip = default_skip or SkipExpression(
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
        return check_time_state(position, self._period, self._wait_periods)

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
        return periods_behind(position, self._period, self._wait_periods)

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
                    if reload_takes_start(processor):
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
    """Re-rates the window of one reprocessing schedule (processor.md §6).

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
        start = tzutils.local_to_utc(self._schedule.start_reprocess_time)
        end = tzutils.local_to_utc(self._schedule.end_reprocess_time)
        nxt = start if position is None else (
            tzutils.local_to_utc(position) + self._delta)
        return nxt if nxt <= end else None

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


def next_reprocess_time(row, period=None):
    """Next period of a schedule row, aware UTC, or None when done."""
    if row is None:
        return None
    period = datetime.timedelta(seconds=period or CONF.collect.period)
    start = tzutils.local_to_utc(row.start_reprocess_time)
    end = tzutils.local_to_utc(row.end_reprocess_time)
    nxt = start
    if row.current_reprocess_time is not None:
        nxt = tzutils.local_to_utc(row.current_reprocess_time) + period
    if nxt <= end:
        return nxt
    return None


# -- scope reset ------------------------------------------------------------

def reset_scope_state(res_data, coordinator=None, storage=None, state=None):
    """Reset the state of scopes (PUT /v2/scope; processor.md §7.2).

    ``res_data`` = ``{"scopes": [{"scope_id", "scope_key", "fetcher",
    "collector"}...], "last_processed_timestamp": <ISO string or
    datetime>}``. Under each scope's processing lock, the scope's data
    from that date on is deleted and its state is set so that the first
    deleted period is processed next. (The reference stores the date
    itself, so the period starting at the date is deleted and never
    re-rated; that lost period is fixed here.)

    Called by the ``reset_state`` RPC endpoint and, when no RPC transport
    is configured, by the API itself.
    """
    own_coordinator = coordinator is None
    if own_coordinator:
        coordinator = get_coordinator()
    storage = storage or ck_storage.get_storage()
    state = state or storage_state.StateManager()
    ts = res_data['last_processed_timestamp']
    if isinstance(ts, str):
        ts = tzutils.dt_from_iso(ts)
    else:
        ts = tzutils.localized(ts).replace(microsecond=0)
    new_state = tzutils.substract_delta(ts, _period())
    scopes = list(res_data.get('scopes') or [])
    random.shuffle(scopes)
    try:
        for scope in scopes:
            scope_id = scope['scope_id']
            scope_key = scope.get('scope_key') or CONF.collect.scope_key
            _name, lock = get_lock(coordinator, scope_id)
            LOG.info('Resetting the state of scope %s to %s.', scope_id, ts)
            with lock:
                storage.delete(begin=ts, end=None,
                               filters={scope_key: scope_id})
                state.set_last_processed_timestamp(
                    scope_id, new_state, fetcher=scope.get('fetcher'),
                    collector=scope.get('collector'),
                    scope_key=scope.get('scope_key'))
            LOG.info('Scope %s reset: data from %s deleted, next period '
                     'to process starts at %s.', scope_id, ts, ts)
    finally:
        if own_coordinator:
            coordinator.stop()


# -- RPC endpoints ------------------------------------------------------------

class RatingEndpoint(object):
    """RPC namespace ``rating`` (processor.md §7)."""

    @property
    def target(self):
        # A property: oslo.messaging (and eventlet) is imported on first use.
        return oslo_messaging.Target(namespace='rating', version='1.0')

    def __init__(self, modules=None):
        self._modules = modules
        self._lock = threading.Lock()
        self.requests = []

    def _record(self, command, name=None):
        LOG.info('Received %s command%s', command,
                 ' for module %s' % name if name else '')
        with self._lock:
            self.requests.append((command, name))
            del self.requests[:-100]
        if self._modules is not None:
            # The next scope uses the new module list and priorities.
            self._modules.invalidate()

    def quote(self, ctxt, res_data):
        LOG.debug('Received quote request %s', res_data)
        return messaging.rate_quote(res_data)

    def reload_modules(self, ctxt):
        self._record('reload_modules')

    def reload_module(self, ctxt, name):
        self._record('reload_module', name)

    def enable_module(self, ctxt, name):
        self._record('enable_module', name)

    def disable_module(self, ctxt, name):
        self._record('disable_module', name)


class ScopeEndpoint(object):
    """RPC endpoint without namespace: ``reset_state`` and ``wake_up``.

    A ``reset_state`` cast reaches one worker of the host, processing or
    reprocessing alike, and any worker may own the scope's lock next:
    once the state is reset, the receiving worker fans ``wake_up`` out to
    every worker, so that the one that takes the scope re-rates it at
    once instead of at the next period boundary.
    """

    @property
    def target(self):
        # A property: oslo.messaging (and eventlet) is imported on first use.
        return oslo_messaging.Target(version='1.0')

    def __init__(self, on_reset=None):
        self._coordinator = None
        self._storage = None
        self._state = None
        self._lock = threading.Lock()
        self._on_reset = on_reset

    def _resources(self):
        with self._lock:
            if self._coordinator is None:
                self._coordinator = get_coordinator()
                self._storage = ck_storage.get_storage()
                self._state = storage_state.StateManager()
        return self._coordinator, self._storage, self._state

    def reset_state(self, ctxt, res_data):
        LOG.info('Received reset_state command for %d scope(s)',
                 len(res_data.get('scopes') or []))
        coordinator, storage, state = self._resources()
        try:
            reset_scope_state(res_data, coordinator, storage, state)
        except Exception:
            LOG.exception('Could not reset the state of scopes %s',
                          res_data)
        if self._on_reset is not None:
            # Re-rate the deleted periods now, not at the next period.
            self._on_reset()
        messaging.wake_workers()

    def wake_up(self, ctxt):
        LOG.debug('Received wake_up command')
        if self._on_reset is not None:
            self._on_reset()

    def stop(self):
        with self._lock:
            if self._coordinator is not None:
                try:
                    self._coordinator.stop()
                except Exception:
                    LOG.debug('Error stopping coordinator', exc_info=True)
                self._coordinator = None


# -- services -------------------------------------------------------------

class CloudKittyProcessor(cotyledon.Service):
    """A processing worker process (processor.md §1-§2)."""

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
        self.fetcher = get_fetcher()
        self._metrics_conf = load_metrics_conf()
        self.collector = get_collector(copy.deepcopy(self._metrics_conf))
        self.storage = ck_storage.get_storage()
        self._state = storage_state.StateManager()
        self._modules = RatingModules()
        self._skip = build_skip_expressions(self._metrics_conf)
        self._default_skip = SkipExpression(
            CONF.orchestrator.skip_datapoints_expression)
        # Shared by the scopes' workers; an in-memory collector needs none.
        self._executor = None
        if getattr(self.collector, 'concurrent_retrieve', True):
            self._executor = futurist.ThreadPoolExecutor(
                max_workers=CONF.orchestrator.max_threads)
        self._rating_endpoint = RatingEndpoint(self._modules)
        self._scope_endpoint = ScopeEndpoint(on_reset=self._wake.set)
        self._rpc_server = None
        self._start_rpc()
        self.coord = get_coordinator()

    def _start_rpc(self):
        if messaging.get_transport() is None:
            LOG.debug('No RPC transport configured: no RPC server.')
            return
        target = messaging.get_target(server=CONF.host)
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
        return check_time_state(
            self._state.get_last_processed_timestamp(scope))

    def make_worker(self, scope):
        return Worker(self.collector, self.storage, scope, self._worker_id,
                      executor=self._executor, modules=self._modules,
                      state=self._state, skip_expressions=self._skip,
                      default_skip=self._default_skip,
                      stop_event=self._stop)

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
            _name, lock = get_lock(self.coord, self.lock_base(scope))
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
        try:
            while not self._stop.is_set():
                try:
                    done, locked, failed = self.internal_run()
                except Exception:
                    # A fetcher failure: let cotyledon restart the worker.
                    LOG.exception('[Worker: %s] Cannot list the scopes '
                                  '(fetcher %s)', self._worker_id,
                                  CONF.fetcher.backend)
                    raise
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
        return seconds_until_due()

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
    """A reprocessing worker process (processor.md §6)."""

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
        return min(seconds_until_due(), REPROCESSING_POLL_DELAY)

    def log_cycle(self, stats, locked, failed):
        # Looked for every few seconds: a line only when there was work.
        log = LOG.info if (stats.processed or failed) else LOG.debug
        log('[Reprocessing worker: %s] Cycle done: %s', self._worker_id,
            stats.summary(locked, failed).replace('scope(s)', 'task(s)'))

    def lock_base(self, schedule):
        return reprocessing_lock_base(schedule.identifier,
                                      schedule.start_reprocess_time,
                                      schedule.end_reprocess_time)

    def scope_label(self, schedule):
        return '%s [%s, %s]' % (schedule.identifier,
                                schedule.start_reprocess_time,
                                schedule.end_reprocess_time)

    def next_timestamp(self, schedule):
        return next_reprocess_time(self._scheduler.get_from_db(
            schedule.identifier, schedule.start_reprocess_time,
            schedule.end_reprocess_time))

    def make_worker(self, schedule):
        return ReprocessingWorker(
            self.collector, self.storage, schedule, self._worker_id,
            scheduler=self._scheduler, executor=self._executor,
            modules=self._modules, state=self._state,
            skip_expressions=self._skip, default_skip=self._default_skip,
            stop_event=self._stop)
