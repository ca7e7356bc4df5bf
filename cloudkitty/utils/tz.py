"""Timezone-aware datetime helpers.

Every datetime CloudKitty handles carries a timezone. The database stores
naive UTC; the API renders the server's local time zone.
"""
import calendar
import datetime

from dateutil import tz
import iso8601

_LOCAL_TZ = tz.tzlocal()
UTC = datetime.timezone.utc


def get_local_tz():
    return _LOCAL_TZ


def localized(dt):
    """``dt`` with a timezone: naive values are taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(_LOCAL_TZ)


def localized_now():
    """Now, in the local time zone, microseconds dropped."""
    return datetime.datetime.now(_LOCAL_TZ).replace(microsecond=0)


def aware_utcnow():
    """Now, aware UTC, microseconds dropped.

    ``cloudkitty.utils.naive_utcnow`` is the naive form the database
    stores (microseconds kept).
    """
    return datetime.datetime.now(UTC).replace(microsecond=0)


def local_to_utc(dt, naive=False):
    """Convert to UTC; a naive input is taken as UTC."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    output = dt.astimezone(UTC)
    return output.replace(tzinfo=None) if naive else output


def naive_utc(dt):
    """``dt`` as the database stores it: naive UTC (None stays None).

    A naive input is taken as UTC already.
    """
    if dt is None:
        return None
    return local_to_utc(dt, naive=True)


def utc_to_local(dt):
    """Convert to the local tz; a naive input is taken as UTC."""
    return localized(dt)


def dt_from_iso(time_str, as_utc=False):
    """Parse ISO 8601 (naive means UTC), microseconds dropped.

    The result is in the local tz, or UTC with ``as_utc``.
    """
    try:
        parsed = iso8601.parse_date(time_str.strip(), default_timezone=UTC)
        parsed = parsed.astimezone(UTC if as_utc else _LOCAL_TZ)
    except (iso8601.ParseError, AttributeError, TypeError, ValueError,
            OverflowError) as exc:
        # ValueError/OverflowError: parsed, but out of range (offset, year)
        raise ValueError('%r is not a valid ISO 8601 date: %s'
                         % (time_str, exc))
    return parsed.replace(microsecond=0)


def dt_from_ts(ts, as_utc=False):
    """Aware datetime (local tz, or UTC with ``as_utc``) of a timestamp."""
    return datetime.datetime.fromtimestamp(
        ts, UTC if as_utc else _LOCAL_TZ)


def add_delta(dt, delta):
    """Add a timedelta in UTC (no DST anomaly), return local time."""
    return utc_to_local(local_to_utc(dt, naive=True) + delta)


def substract_delta(dt, delta):
    """Subtract a timedelta in UTC (no DST anomaly), return local time."""
    return utc_to_local(local_to_utc(dt, naive=True) - delta)


def get_month_start(dt=None, naive=False):
    """First day of ``dt``'s month (default: now) at 00:00 local."""
    if dt is None:
        dt = localized_now()
    else:
        dt = localized(dt)
    output = dt.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # Midnight may have another UTC offset than ``dt`` (DST).
    output = output.replace(tzinfo=None).replace(tzinfo=_LOCAL_TZ)
    return output.replace(tzinfo=None) if naive else output


def get_next_month(dt=None, naive=False):
    """First day of the month after ``dt``'s month at 00:00 local."""
    start = get_month_start(dt)
    days = calendar.monthrange(start.year, start.month)[1]
    output = get_month_start(add_delta(start, datetime.timedelta(
        days=days, hours=12)))
    return output.replace(tzinfo=None) if naive else output


def diff_seconds(one, two):
    """Absolute number of seconds between two datetimes (DST-safe)."""
    return abs(int((local_to_utc(one, naive=True)
                    - local_to_utc(two, naive=True)).total_seconds()))


def align(dt, period):
    """Start of the ``period``-second period containing ``dt``.

    Periods are aligned on the Unix epoch, in UTC.
    """
    utc = local_to_utc(dt)
    ts = calendar.timegm(utc.utctimetuple())
    return utc_to_local(datetime.datetime.fromtimestamp(
        ts - ts % int(period), UTC))


def is_aligned(dt, period):
    return align(dt, period) == localized(dt)


def isotime(dt):
    """ISO 8601 rendering used on the wire (``isoformat()``)."""
    return dt.isoformat()
