"""Helpers shared by the v2 endpoints that read rated data."""
from oslo_config import cfg
from werkzeug import exceptions as http_exc

from cloudkitty.utils import tz as tzutils

CONF = cfg.CONF


def period(begin, end):
    """(begin, end), defaulting to the current month.

    An end before begin is a client error (400), not an empty answer.
    """
    begin = begin or tzutils.get_month_start()
    end = end or tzutils.get_next_month()
    if end < begin:
        raise http_exc.BadRequest(
            'Invalid period: end (%s) is before begin (%s).'
            % (end.isoformat(), begin.isoformat()))
    return begin, end


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
