"""RPC (oslo.messaging): transport, client, server, module notices, quotes.

The payload conversions and the in-process rating of quotes are in
``cloudkitty.rating.quote`` (re-exported here under their old names).

Messaging is optional: without ``[DEFAULT] transport_url`` there is no
transport, module notices are not sent (processors re-read module state
for every scope anyway) and the API rates quotes itself.
"""
import threading

from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging

from cloudkitty.utils import lazy

# The rating package (pecan, SQLAlchemy) is imported on first use: every
# service imports this module for its options.
rating_quote = lazy.LazyModule('cloudkitty.rating.quote')

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

TOPIC = 'cloudkitty'
VERSION = '1.0'
RATING_NAMESPACE = 'rating'
NOTICE_RETRY = 3

_TRANSPORTS = {}
_LOCK = threading.Lock()


def get_transport(url=None):
    """The RPC transport of ``url`` (default ``[DEFAULT] transport_url``).

    Returns None when no transport URL is configured. Transports are
    cached per URL.
    """
    if url is None:
        url = configured_url()
    if not url:
        return None
    with _LOCK:
        transport = _TRANSPORTS.get(url)
        if transport is None:
            transport = oslo_messaging.get_rpc_transport(CONF, url=url)
            _TRANSPORTS[url] = transport
        return transport


def configured_url():
    """``[DEFAULT] transport_url`` when set by the operator, else None.

    oslo.messaging's own default (``rabbit://``) does not count: without
    an explicit URL CloudKitty runs without messaging.
    """
    value = CONF.transport_url
    if not value:
        return None
    location = CONF.get_location('transport_url')
    if location is not None and location.location == cfg.Locations.opt_default:
        return None
    return value


def cleanup():
    """Close the cached transports (tests, shutdown)."""
    with _LOCK:
        for transport in _TRANSPORTS.values():
            transport.cleanup()
        _TRANSPORTS.clear()


def _ensure_registered():
    # transport_url is registered by oslo.messaging when a transport is
    # first built; register it early so get_transport() can read it.
    oslo_messaging.set_transport_defaults('cloudkitty')
    try:
        CONF.register_opts(oslo_messaging.transport._transport_opts)
    except cfg.DuplicateOptError:
        pass


_ensure_registered()


def get_target(topic=TOPIC, version=VERSION, server=None, namespace=None,
               fanout=None):
    return oslo_messaging.Target(topic=topic, version=version, server=server,
                                 namespace=namespace, fanout=fanout)


def get_client(topic=TOPIC, version=VERSION, transport=None):
    """RPC client on ``topic``; None when there is no transport."""
    transport = transport or get_transport()
    if transport is None:
        return None
    target = get_target(topic=topic, version=version)
    return oslo_messaging.get_rpc_client(transport, target)


def get_server(target, endpoints, transport=None, executor='threading'):
    """RPC server for ``endpoints`` (raises if there is no transport)."""
    transport = transport or get_transport()
    if transport is None:
        raise RuntimeError('No RPC transport: set [DEFAULT] transport_url')
    access_policy = oslo_messaging.DefaultRPCAccessPolicy
    return oslo_messaging.get_rpc_server(transport, target, endpoints,
                                         executor=executor,
                                         access_policy=access_policy)


def notify_modules(method, name=None):
    """Fan-out cast of a module notice to every processor.

    ``method`` is ``enable_module``, ``disable_module``, ``reload_module``
    (with ``name``) or ``reload_modules``. No-op without a transport.
    """
    client = get_client()
    if client is None:
        return
    kwargs = {}
    if name is not None:
        kwargs['name'] = name
    # The reference prepares reload_modules with version 1.1, which the
    # 1.0 servers reject: it never arrived. Sent as 1.0 here so that it
    # does (the processors only log it).
    # A bounded retry: a broker outage must not hang the API request.
    prepare = {'namespace': RATING_NAMESPACE, 'fanout': True,
               'retry': NOTICE_RETRY}
    try:
        client.prepare(**prepare).cast({}, method, **kwargs)
    except Exception:
        # A notice is informational: processors re-read module state for
        # every scope, so a failed cast must not fail the API call.
        LOG.exception('Could not send %s(%s) to the processors',
                      method, name or '')


def wake_workers():
    """Fan-out cast of ``wake_up`` to every processor worker.

    Sent after a scope reset: the worker that received the reset may not
    be the one that rates the scope (a reprocessing worker, another
    host's). No-op without a transport; a failure is only logged (the
    scope is then re-rated at the next period boundary).
    """
    client = get_client()
    if client is None:
        return
    try:
        client.prepare(fanout=True, retry=NOTICE_RETRY).cast({}, 'wake_up')
    except Exception:
        LOG.exception('Could not wake the processor workers up')


def quote(res_data):
    """Price ``{"usage": ...}``: over RPC when configured, else here.

    Returns the total as a string (``str(Decimal)``).
    """
    client = get_client()
    if client is None:
        return rating_quote.rate_quote(res_data)
    return client.prepare(namespace=RATING_NAMESPACE).call(
        {}, 'quote', res_data=res_data)


# Former names of the quote helpers, now in cloudkitty.rating.quote.
_QUOTE_NAMES = frozenset(('enabled_modules', 'rate_quote',
                          'resources_to_usage', 'usage_to_frame'))


def __getattr__(name):
    if name in _QUOTE_NAMES:
        return getattr(rating_quote, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
