"""Quotes: the price of a usage payload, rated by the enabled modules.

The payload is the ``quote`` RPC one (``{"usage": ...}``); the API sends
it to a processor, or rates it here when there is no RPC transport.
"""
import datetime
import decimal

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import dataframe
from cloudkitty.rating import registry
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF


def resources_to_usage(resources):
    """``{"usage": ...}`` RPC payload of the v1 quote resources.

    ``resources`` is a list of ``{"service", "volume", "desc"}`` dicts.
    Quantities are sent as strings so no precision is lost on the wire.
    """
    usage = {}
    for res in resources:
        usage.setdefault(res['service'], []).append({
            'vol': {'unit': 'undef', 'qty': str(res['volume'])},
            'desc': res.get('desc') or {},
        })
    return {'usage': usage}


def usage_to_frame(res_data, start=None):
    """DataFrame of a ``quote`` payload, for the period starting now."""
    start = start or tzutils.localized_now()
    end = tzutils.add_delta(
        start, datetime.timedelta(seconds=CONF.collect.period))
    frame = dataframe.DataFrame(start, end)
    for metric, entries in (res_data.get('usage') or {}).items():
        for entry in entries:
            vol = entry.get('vol') or {}
            desc = entry.get('desc') or {}
            frame.add_point(dataframe.DataPoint(
                unit=vol.get('unit'),
                qty=decimal.Decimal(str(vol.get('qty', 0))),
                price=0,
                groupby=desc.get('groupby') or {},
                metadata=desc.get('metadata') or {}), metric)
    return frame


def _log_load_failure(manager, entrypoint, exc):
    LOG.warning('Rating module %s could not be loaded: %s',
                entrypoint.name, exc)


def enabled_modules(tenant_id=None):
    """Enabled rating modules, highest priority first."""
    return registry.enabled_modules(tenant_id, on_failure=_log_load_failure)


def rate_quote(res_data):
    """Rate a quote payload in-process; returns the total as a string."""
    frame = usage_to_frame(res_data)
    for module in enabled_modules():
        module.reload_config()
        frame = module.quote(frame)
    total = decimal.Decimal(0)
    for _metric, point in frame.iterpoints():
        total += point.price
    return str(total)
