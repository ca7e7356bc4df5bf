"""RPC endpoints of a processor worker: module notices, quotes, resets."""
import threading

from oslo_log import log as logging

from cloudkitty import processor
from cloudkitty.processor import locks
from cloudkitty.processor import reset
from cloudkitty import storage as ck_storage
from cloudkitty.utils import lazy

# Imported on first use, for start-up time (oslo.messaging imports
# eventlet, storage_state and the rating package SQLAlchemy).
messaging = lazy.LazyModule('cloudkitty.messaging')
quote = lazy.LazyModule('cloudkitty.rating.quote')
oslo_messaging = lazy.LazyModule('oslo_messaging')
storage_state = lazy.LazyModule('cloudkitty.storage_state')

LOG = logging.getLogger(processor.LOGGER_NAME)


class RatingEndpoint(object):
    """RPC namespace ``rating``: quotes and rating module notices."""

    @property
    def target(self):
        # A property: oslo.messaging (and eventlet) is imported on first use.
        return oslo_messaging.Target(namespace='rating', version='1.0')

    def __init__(self, modules=None):
        self._modules = modules

    def _record(self, command, name=None):
        LOG.info('Received %s command%s', command,
                 ' for module %s' % name if name else '')
        if self._modules is not None:
            # The next scope uses the new module list and priorities.
            self._modules.invalidate()

    def quote(self, ctxt, res_data):
        LOG.debug('Received quote request %s', res_data)
        return quote.rate_quote(res_data)

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
                self._coordinator = locks.get_coordinator()
                self._storage = ck_storage.get_storage()
                self._state = storage_state.StateManager()
        return self._coordinator, self._storage, self._state

    def reset_state(self, ctxt, res_data):
        LOG.info('Received reset_state command for %d scope(s)',
                 len(res_data.get('scopes') or []))
        coordinator, storage, state = self._resources()
        try:
            reset.reset_scope_state(res_data, coordinator, storage, state)
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
