"""Scope reset: delete a scope's data from a date and rewind its state.

Run by a processor worker (the ``reset_state`` RPC endpoint) or, without
an RPC transport, by the API itself: both import this module, not the
processor's services.
"""
import random

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import processor
from cloudkitty.processor import locks
from cloudkitty.processor import schedule as timing
from cloudkitty import storage as ck_storage
from cloudkitty.utils import lazy
from cloudkitty.utils import tz as tzutils

# SQLAlchemy: imported on first use.
storage_state = lazy.LazyModule('cloudkitty.storage_state')

CONF = cfg.CONF
LOG = logging.getLogger(processor.LOGGER_NAME)


def reset_scope_state(res_data, coordinator=None, storage=None, state=None):
    """Reset the state of scopes (PUT /v2/scope).

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
        coordinator = locks.get_coordinator()
    storage = storage or ck_storage.get_storage()
    state = state or storage_state.StateManager()
    ts = res_data['last_processed_timestamp']
    if isinstance(ts, str):
        ts = tzutils.dt_from_iso(ts)
    else:
        ts = tzutils.localized(ts).replace(microsecond=0)
    new_state = tzutils.substract_delta(ts, timing.period_delta())
    scopes = list(res_data.get('scopes') or [])
    random.shuffle(scopes)
    try:
        for scope in scopes:
            scope_id = scope['scope_id']
            scope_key = scope.get('scope_key') or CONF.collect.scope_key
            lock = locks.get_lock(coordinator, scope_id)
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
