"""Helpers shared across CloudKitty, and imported by third-party plugins.

Collectors, fetchers, rating modules and storage drivers written for the
reference's classes import these module-level functions: names, keyword
names and behaviour are kept. Unless stated otherwise, the date helpers
work on naive UTC datetimes (``cloudkitty.utils.tz`` has the aware ones).
"""
import calendar
import contextlib
import datetime
import decimal
import fractions
import math
import shutil
import string as string_utils
import tempfile

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

_ISO8601_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S'
_ISO8601_TIME_FORMAT_SUBSECOND = '%Y-%m-%dT%H:%M:%S.%f'


# -- naive UTC dates ----------------------------------------------------------

def naive_utcnow():
    """Now, naive UTC, microseconds kept (the form the database stores).

    ``cloudkitty.utils.tz.aware_utcnow`` is the aware form.
    """
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


# The reference's name, imported by plugins (and patched by their tests:
# the helpers below call it by this name).
utcnow = naive_utcnow


def isotime(at=None, subsecond=False):
    """ISO 8601 text of ``at`` (default now): ``2019-02-14T20:53:07Z``.

    Naive and UTC datetimes end with ``Z``; others with their tz name.
    """
    if not at:
        at = utcnow()
    text = at.strftime(_ISO8601_TIME_FORMAT_SUBSECOND if subsecond
                       else _ISO8601_TIME_FORMAT)
    name = at.tzinfo.tzname(at) if at.tzinfo else 'UTC'
    return text + ('Z' if name in ('UTC', 'UTC+00:00', 'Z') else name)


def iso8601_from_timestamp(timestamp, microsecond=False):
    """ISO 8601 text (``...Z``) of a Unix timestamp."""
    return isotime(ts2dt(timestamp), microsecond)


def dt2ts(orig_dt):
    """Unix timestamp of a datetime, read as UTC (``calendar.timegm``)."""
    return calendar.timegm(orig_dt.timetuple())


def iso2dt(iso_date):
    """Parse ISO 8601 text; the result is naive UTC."""
    import iso8601
    parsed = iso8601.parse_date(iso_date,
                                default_timezone=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def ts2dt(timestamp):
    """Naive UTC datetime of a Unix timestamp (int, float or str)."""
    if not isinstance(timestamp, float):
        timestamp = float(timestamp)
    return datetime.datetime.fromtimestamp(
        timestamp, datetime.timezone.utc).replace(tzinfo=None)


def ts2iso(timestamp):
    """ISO 8601 text (``...Z``) of a Unix timestamp."""
    return iso8601_from_timestamp(timestamp)


def dt2iso(orig_dt):
    """ISO 8601 text (``...Z``) of a datetime."""
    return isotime(orig_dt)


def get_month_days(dt):
    """Number of days of ``dt``'s month."""
    return calendar.monthrange(dt.year, dt.month)[1]


def get_month_start(dt=None):
    """First instant of ``dt``'s month (default: now), naive."""
    if not dt:
        dt = utcnow()
    return datetime.datetime(dt.year, dt.month, 1)


def get_month_start_timestamp(dt=None):
    return dt2ts(get_month_start(dt))


def get_month_end(dt=None):
    """First instant of the last day of ``dt``'s month (default: now)."""
    start = get_month_start(dt)
    return start.replace(day=get_month_days(start))


def get_last_month(dt=None):
    """First instant of the month before ``dt``'s (default: now)."""
    return get_month_start(get_month_start(dt) - datetime.timedelta(days=1))


def get_next_month(dt=None):
    """First instant of the month after ``dt``'s (default: now)."""
    return get_month_end(dt) + datetime.timedelta(days=1)


def get_next_month_timestamp(dt=None):
    return dt2ts(get_next_month(dt))


def add_days(base_dt, days, stay_on_month=True):
    """``base_dt`` plus ``days`` days.

    With ``stay_on_month``, a number of days larger than the month's gives
    the month's end (``get_month_end``) instead.
    """
    if stay_on_month and days > get_month_days(base_dt):
        return get_month_end(base_dt)
    return base_dt + datetime.timedelta(days=days)


def _same_day(month_start, dt, stay_on_month):
    """``dt``'s day and time in the month starting at ``month_start``."""
    last = get_month_days(month_start)
    moved = month_start.replace(hour=dt.hour, minute=dt.minute,
                                second=dt.second,
                                microsecond=dt.microsecond,
                                tzinfo=dt.tzinfo)
    if dt.day <= last:
        return moved.replace(day=dt.day)
    if stay_on_month:
        return moved.replace(day=last)
    # Past the month's end: spill over into the following month.
    return moved + datetime.timedelta(days=dt.day - 1)


def add_month(dt, stay_on_month=True):
    """Same day and time one month later.

    Jan 31 gives Feb 28 (or 29) with ``stay_on_month``, else Mar 3 (2;
    the days past the shorter month's end spill into the next one). (The
    reference counted the days from the month start, one day too far.)
    """
    return _same_day(get_next_month(dt), dt, stay_on_month)


def sub_month(dt, stay_on_month=True):
    """Same day and time one month earlier (see ``add_month``)."""
    return _same_day(get_last_month(dt), dt, stay_on_month)


# -- plugins and files --------------------------------------------------------

def refresh_stevedore(namespace=None):
    """Drop stevedore's entry-point cache of ``namespace`` (default: all).

    The next manager of that namespace looks for plugins again, e.g.
    after a package was installed in the running process.
    """
    from stevedore import extension
    cache = extension.ExtensionManager.ENTRY_POINT_CACHE
    if namespace:
        cache.pop(namespace, None)
    else:
        cache.clear()


def check_time_state(timestamp=None, period=0, wait_periods=0):
    """Start of the period due after ``timestamp``, or None.

    Without ``timestamp`` (a scope never processed): the current month's
    start, localized. Otherwise ``timestamp + period`` when that period,
    plus ``wait_periods`` periods, is over; else None. ``period`` in
    seconds; the arithmetic is done in UTC (DST-safe).
    """
    from cloudkitty.utils import tz as tzutils
    if not timestamp:
        return tzutils.get_month_start()
    delta = datetime.timedelta(seconds=period)
    next_timestamp = tzutils.add_delta(timestamp, delta)
    if tzutils.add_delta(next_timestamp,
                         wait_periods * delta) < tzutils.localized_now():
        return next_timestamp
    return None


def load_conf(conf_path):
    """YAML file ``conf_path`` (safe_load); an empty file is ``{}``."""
    import yaml
    with open(conf_path) as conf:
        return yaml.safe_load(conf) or {}


@contextlib.contextmanager
def tempdir(**kwargs):
    """A ``tempfile.mkdtemp(**kwargs)`` directory, removed on exit."""
    tmpdir = tempfile.mkdtemp(**kwargs)
    try:
        yield tmpdir
    finally:
        try:
            shutil.rmtree(tmpdir)
        except OSError as exc:
            LOG.debug('Could not remove tmpdir: %s', exc)


# -- quantities ---------------------------------------------------------------

def mutate(value, mode='NONE', mutate_map=None):
    """Apply a metrics.yml mutator to a collected quantity.

    ``NUMBOOL``: 1.0 when not 0, else 0.0; ``NOTNUMBOOL``: the reverse;
    ``FLOOR``/``CEIL``: an int; ``MAP``: ``mutate_map``'s value for the
    quantity (keys compared numerically, so ``0.0`` matches Decimal 0),
    0.0 when absent; ``NONE`` (or anything else): unchanged.
    """
    if mode == 'NUMBOOL':
        return float(value != 0.0)
    if mode == 'NOTNUMBOOL':
        return float(value == 0.0)
    if mode == 'FLOOR':
        return math.floor(value)
    if mode == 'CEIL':
        return math.ceil(value)
    if mode == 'MAP':
        if not mutate_map:
            return 0.0
        for key, mapped in mutate_map.items():
            try:
                if decimal.Decimal(str(key)) == value:
                    return mapped
            except (decimal.InvalidOperation, ValueError, TypeError):
                continue
        return 0.0
    return value


def num2decimal(num):
    """Decimal of a number, a Fraction or a fraction string ("1/1024").

    A Decimal passes through; fractions go through a float, and floats
    become their exact binary expansion (as in the reference, so
    ``"3600/1000000"`` is not exactly 0.0036).
    """
    if isinstance(num, decimal.Decimal):
        return num
    if isinstance(num, str) and '/' in num:
        num = float(fractions.Fraction(num))
    if isinstance(num, fractions.Fraction):
        num = float(num)
    return decimal.Decimal(num)


def convert_unit(value, factor, offset):
    """``value * factor + offset``, each operand through num2decimal."""
    return num2decimal(value) * num2decimal(factor) + num2decimal(offset)


def flat_dict(item, parent=None):
    """The leaves of a nested dict in one dict (later keys win)."""
    if not parent:
        parent = {}
    for key, value in item.items():
        if isinstance(value, dict):
            parent = flat_dict(value, parent)
        else:
            parent[key] = value
    return parent


def template_str_substitute(string, replace_map):
    """``string.Template(string).substitute(replace_map)``.

    A missing or malformed placeholder is logged, then re-raised
    (KeyError, ValueError).
    """
    try:
        return string_utils.Template(string).substitute(replace_map)
    except (KeyError, ValueError) as exc:
        LOG.error('Error when substituting the placeholders of %r (check '
                  'the metrics configuration): %s', string, exc)
        raise


def as_list(value):
    """``value`` as a list: None -> [], a scalar -> [scalar].

    Filters accept one value or a collection of them.
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]
