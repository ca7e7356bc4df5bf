"""Helpers shared by the v2 endpoints that read rated data."""
from oslo_config import cfg

from cloudkitty.utils import tz as tzutils

CONF = cfg.CONF


def period(begin, end):
    """(begin, end), defaulting to the current month.

    An end at or before begin (also when only one bound is given) is an
    empty period, as in the reference: no data, not a client error.
    """
    begin = begin or tzutils.get_month_start()
    end = end or tzutils.get_next_month()
    return begin, end


def is_empty(begin, end):
    """Whether no rated data can lie between ``begin`` and ``end``."""
    return end <= begin


def scoped_filters(context, filters):
    """``filters`` restricted to the caller's project for non-admins.

    Returns None when a non-admin caller has no project (it owns no data).
    """
    filters = dict(filters or {})
    if context.is_admin:
        return filters
    if not context.project_id:
        return None
    # Whatever the client asked, a project only sees its own data.
    filters[CONF.collect.scope_key] = context.project_id
    return filters
