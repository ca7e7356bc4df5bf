"""Period arithmetic of the processor: which period is due, and when.

Pure: no I/O. Periods are in seconds; defaults come from ``[collect]``.
"""
import datetime
import math

from oslo_config import cfg

from cloudkitty.utils import tz as tzutils

CONF = cfg.CONF


def period_delta():
    """``[collect] period`` as a timedelta."""
    return datetime.timedelta(seconds=CONF.collect.period)


def check_time_state(last=None, period=None, wait_periods=None, now=None):
    """Start of the period due after ``last``, or None.

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


def next_in_window(start, end, position, period=None):
    """Next period of a reprocessing window, aware UTC, or None when done.

    The window's periods start at ``start`` and the last one at ``end``
    (inclusive); ``position`` is the start of the last re-rated period
    (None: none yet). Naive datetimes are UTC, as stored.
    """
    delta = datetime.timedelta(seconds=period or CONF.collect.period)
    nxt = tzutils.local_to_utc(start)
    if position is not None:
        nxt = tzutils.local_to_utc(position) + delta
    if nxt <= tzutils.local_to_utc(end):
        return nxt
    return None


def next_reprocess_time(row, period=None):
    """Next period of a schedule row, aware UTC, or None when done."""
    if row is None:
        return None
    return next_in_window(row.start_reprocess_time, row.end_reprocess_time,
                          row.current_reprocess_time, period)
