"""Tooz lock names of scopes and reprocessing tasks, and the coordinator.

The names must stay byte-identical to the reference's: processors of both
kinds may share a coordination backend in a mixed deployment.
"""
import hashlib
import uuid

from oslo_config import cfg

from cloudkitty.utils import lazy
from cloudkitty.utils import tz as tzutils

# tooz imports eventlet: imported on first use.
coordination = lazy.LazyModule('tooz.coordination')

CONF = cfg.CONF

# Part of the reprocessing lock names: the reference puts the repr of its
# ReprocessingWorker class there, so mixed deployments must use the very
# same text.
REPROCESSING_LOCK_PREFIX = (
    "<class 'cloudkitty.orchestrator.ReprocessingWorker'>")


def get_lock_name(base):
    """The tooz lock name of a scope (sha256 of the scope and plugins)."""
    text = '-'.join(('cloudkitty', str(base), CONF.collect.collector,
                     CONF.fetcher.backend, CONF.collect.scope_key))
    # UTF-8: the same bytes as the reference's ASCII for ASCII ids (same
    # names in mixed deployments); a non-ASCII scope id (the API accepts
    # any text) raised UnicodeEncodeError (a 500 on a scope reset).
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def get_lock(coordinator, base):
    """The tooz lock of ``base`` (a scope id or a reprocessing lock base)."""
    return coordinator.get_lock(get_lock_name(base).encode('ascii'))


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
