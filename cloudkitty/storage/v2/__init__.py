"""The v2 storage contract (the reference's ``BaseStorage``).

Every v2 driver subclasses ``BaseStorage`` and is loaded by
``cloudkitty.storage.get_storage()`` from the namespace
``cloudkitty.storage.v2.backends``.

Conventions shared by the drivers:

* ``begin``/``end`` default to the start of the current month and of the
  next month (local time zone); aware or naive (naive = UTC) datetimes are
  accepted; a point matches when its period start is in ``[begin, end)``.
* ``filters`` maps an attribute to a value or a list of values (a list is
  an OR); every filter of a call is honoured (AND between keys).
* ``metric_types`` is a string or a list of strings (OR).
* ``groupby`` entries: ``type`` (metric type), ``time`` (one bucket per
  stored period), anything else: a group-by (or metadata) attribute;
  ``time-d|w|m|y`` are aliases of ``day_of_the_year``,
  ``week_of_the_year``, ``month`` and ``year``.
* ``push()`` is idempotent per (scope, period): see each driver.
"""
import abc
import datetime
import functools

from oslo_config import cfg
from oslo_log import log as logging
from werkzeug import exceptions as http_exc

from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

TIME_GROUPBY = {
    'd': 'day_of_the_year',
    'w': 'week_of_the_year',
    'm': 'month',
    'y': 'year',
}


class NoTimeFrame(Exception):
    """No data for the requested time frame (legacy v1 signal)."""

    def __init__(self, message='No time frame available'):
        super().__init__(message)


class InvalidQuery(http_exc.BadRequest, ValueError):
    """A storage query argument is invalid (an HTTP 400 for the API).

    It is both a ``ValueError`` and a werkzeug ``BadRequest`` whose
    description is the message, so flask-restful renders
    ``{"message": <message>}`` with status 400 when it escapes a v2
    handler.
    """

    def __init__(self, message):
        http_exc.BadRequest.__init__(self, description=message)
        self.args = (message,)

    def __str__(self):
        return self.description


# The drivers read their filter values through this name.
as_list = utils.as_list


def normalize_filters(filters):
    """{key: [values]}, dropping keys whose value list is empty."""
    output = {}
    for key, value in (filters or {}).items():
        values = as_list(value)
        if values:
            output[str(key)] = values
    return output


class _method_or_function(object):  # noqa: N801 - used as a decorator
    """A method, also callable on the class without an instance.

    ``driver.f(x)`` and ``BaseStorage.f(driver, x)`` are the usual method
    calls; ``BaseStorage.f(x)`` (one argument, on the class) works too, as
    callers of the former static function do.
    """

    def __init__(self, func):
        self.func = func
        functools.update_wrapper(self, func)

    def __get__(self, obj, owner=None):
        if obj is not None:
            return self.func.__get__(obj, owner)
        func = self.func

        @functools.wraps(func)
        def on_class(*args, **kwargs):
            if len(args) + len(kwargs) == 1:
                return func(None, *args, **kwargs)
            return func(*args, **kwargs)
        return on_class


class BaseStorage(object, metaclass=abc.ABCMeta):
    """Base class of the v2 storage drivers."""

    def __init__(self, *args, **kwargs):
        self._period = kwargs.get('period') or CONF.collect.period
        self._conf = kwargs.get('conf')

    @staticmethod
    def _default_bounds(begin=None, end=None):
        """(begin, end) aware in the local tz; month bounds by default."""
        begin = tzutils.localized(begin) if begin else \
            tzutils.get_month_start()
        end = tzutils.localized(end) if end else tzutils.get_next_month()
        return begin, end

    @staticmethod
    def _scope_key():
        CONF.import_opt('scope_key', 'cloudkitty.collector', 'collect')
        return CONF.collect.scope_key

    @abc.abstractmethod
    def init(self):
        """One-time preparation of the backend (cloudkitty-storage-init)."""

    @abc.abstractmethod
    def push(self, dataframes, scope_id=None):
        """Store ``dataframes`` (a list of DataFrame), idempotently."""

    @abc.abstractmethod
    def retrieve(self, begin=None, end=None, filters=None,
                 metric_types=None, offset=0, limit=1000, paginate=True):
        """Rated data points.

        :returns: ``{"total": <number of matching points>,
                  "dataframes": [DataFrame, ...]}``; pagination applies to
                  points, which are then grouped into frames sorted by
                  (start, end).
        """

    @abc.abstractmethod
    def delete(self, begin=None, end=None, filters=None):
        """Delete the points in [begin, end) matching every filter.

        A None bound is open.
        """

    @abc.abstractmethod
    def total(self, groupby=None, begin=None, end=None, metric_types=None,
              filters=None, custom_fields=None, offset=0, limit=1000,
              paginate=True):
        """Aggregated totals.

        :returns: ``{"total": <number of result rows before pagination>,
                  "results": [{"begin", "end", <aggregates>,
                  <groupby attributes>}, ...]}``
        """

    def get_retention(self):
        """How long rated data is kept."""
        return datetime.timedelta(hours=CONF.storage.retention_period)

    def get_tenants(self, begin=None, end=None):
        """Distinct scope ids having rated data in [begin, end).

        Upstream returns every known scope whatever the period (a quirk);
        this looks at the stored data of the period instead.
        """
        begin, end = self._default_bounds(begin, end)
        if begin >= end:
            return []
        key = self._scope_key()
        result = self.total(groupby=[key], begin=begin, end=end,
                            paginate=False)
        return [row[key] for row in result['results']
                if row.get(key) not in (None, '')]

    @_method_or_function
    def parse_groupby_syntax_to_groupby_elements(self, groupbys):
        """Translate ``time-d|w|m|y`` to the matching attribute names.

        A method, as in the reference (drivers call it on ``self``).
        """
        return parse_groupby_syntax(groupbys)


def groupby_keys(groupby):
    """(whether grouped by ``time``, the other keys once each, in order).

    ``groupby``: already parsed (see ``parse_groupby_syntax``), or None.
    """
    groupby = groupby or []
    keys = []
    for key in groupby:
        if key != 'time' and key not in keys:
            keys.append(key)
    return 'time' in groupby, keys


def parse_groupby_syntax(groupbys):
    """Translate ``time-d|w|m|y`` groupbys to the matching attributes.

    None or empty is returned as is; ``time-<x>`` with another suffix is
    an InvalidQuery (HTTP 400); other entries are kept.
    """
    if not groupbys:
        return groupbys
    output = []
    for entry in groupbys:
        if 'time' not in entry:
            output.append(entry)
            continue
        parts = entry.split('-')
        if len(parts) == 2:
            option = TIME_GROUPBY.get(parts[1])
            if option is None:
                raise InvalidQuery(
                    'Invalid groupby time option. There is no groupby '
                    'processing for [%s].' % entry)
            output.append(option)
        else:
            if len(parts) > 2:
                LOG.warning('The groupby [%s] is not a time option '
                            'and is used as it is.', entry)
            output.append(entry)
    return output
