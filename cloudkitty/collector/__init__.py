"""Collectors: base class and metrics.yml validation.

A collector turns the usage of one metric, for one scope and one period,
into a list of DataPoints (price 0). The metric definitions come from
metrics.yml, validated here with voluptuous: every error names the metric
and the key at fault.
"""
import abc
import decimal
import fractions
import math

from oslo_config import cfg
from oslo_log import log as logging
from stevedore import driver
import voluptuous
import yaml

from cloudkitty.collector.exceptions import CollectError  # noqa: F401
from cloudkitty.collector.exceptions import InvalidConfiguration
from cloudkitty.collector.exceptions import NoDataCollected
from cloudkitty import dataframe
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)

COLLECTORS_NAMESPACE = 'cloudkitty.collector.backends'

collect_opts = [
    cfg.StrOpt('collector',
               default='gnocchi',
               help='Data collector (cloudkitty.collector.backends).'),
    cfg.IntOpt('period',
               default=3600,
               min=1,
               help='Rating period in seconds.'),
    cfg.IntOpt('wait_periods',
               default=2,
               min=0,
               help='Number of periods to wait before collecting a period.'),
    cfg.StrOpt('metrics_conf',
               default='/etc/cloudkitty/metrics.yml',
               help='Metrology configuration file.'),
    cfg.StrOpt('scope_key',
               default='project_id',
               help='Key defining a scope in collected data. Appended to '
                    'the groupby of every metric.'),
]

CONF = cfg.CONF
CONF.register_opts(collect_opts, 'collect')

__all__ = [
    'BaseCollector', 'CollectError', 'InvalidConfiguration',
    'NoDataCollected', 'CONF_BASE_SCHEMA', 'METRIC_BASE_SCHEMA', 'MUTATORS',
    'MetricDict', 'check_duplicates', 'check_metrics', 'load_conf',
    'make_point', 'validate_conf', 'validate_map_mutator', 'get_collector',
    'get_collector_class', 'Converter', 'exact_decimal',
]

MUTATORS = ('NONE', 'NUMBOOL', 'NOTNUMBOOL', 'FLOOR', 'CEIL', 'MAP')

# Separator between the data source name and the alt_name in metric keys.
KEY_SEPARATOR = '@#'


def _non_empty_string(value):
    if not isinstance(value, str):
        raise voluptuous.Invalid('expected a string')
    if not value:
        raise voluptuous.Invalid('expected a non-empty string')
    return value


def _number(value):
    """int, float, or anything a Fraction accepts ("1/1048576", "0.5")."""
    if isinstance(value, bool):
        raise voluptuous.Invalid(
            'expected a number or a fraction such as "1/1024"')
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise voluptuous.Invalid('expected a finite number')
        return value
    try:
        return fractions.Fraction(value)
    except (ValueError, TypeError, ZeroDivisionError,
            decimal.InvalidOperation):
        raise voluptuous.Invalid(
            'expected a number or a fraction such as "1/1024", got %r'
            % (value,))


def bounded_int(low, high=None):
    """Voluptuous validator: an int (not a bool) in [low, high]."""
    def validator(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise voluptuous.Invalid('expected an integer')
        if value < low or (high is not None and value > high):
            if high is None:
                raise voluptuous.Invalid(
                    'expected an integer greater than or equal to %s' % low)
            raise voluptuous.Invalid(
                'expected an integer between %s and %s' % (low, high))
        return value
    return validator


def _mutate_map(value):
    """A mapping of numbers to numbers (keys are compared to the qty)."""
    if not isinstance(value, dict):
        raise voluptuous.Invalid('expected a mapping')
    for key, mapped in value.items():
        for item in (key, mapped):
            try:
                exact_decimal(_number(item))
            except (voluptuous.Invalid, decimal.InvalidOperation):
                raise voluptuous.Invalid(
                    'expected a mapping of numbers to numbers, got %r: %r'
                    % (key, mapped))
    return value


def _mapping(value):
    if not isinstance(value, dict):
        raise voluptuous.Invalid('expected a mapping')
    return value


METRIC_BASE_SCHEMA = {
    voluptuous.Required('unit'): _non_empty_string,
    voluptuous.Optional('description'): _non_empty_string,
    voluptuous.Optional('factor', default=1): _number,
    voluptuous.Optional('offset', default=0): _number,
    voluptuous.Optional('alt_name'): _non_empty_string,
    voluptuous.Optional('groupby', default=list): [_non_empty_string],
    voluptuous.Optional('metadata', default=list): [_non_empty_string],
    voluptuous.Optional('mutate', default='NONE'): voluptuous.In(
        MUTATORS, msg='expected one of %s' % ', '.join(MUTATORS)),
    voluptuous.Optional('mutate_map'): _mutate_map,
    voluptuous.Optional('extra_args'): _mapping,
    voluptuous.Optional('skip_datapoints_expression'): _non_empty_string,
}


def MetricDict(value):  # noqa: N802 - the reference's name
    """Voluptuous validator: a non-empty dict or a non-empty list of them."""
    if isinstance(value, dict) and value:
        return value
    if isinstance(value, list) and value and all(
            isinstance(item, dict) and item for item in value):
        return value
    raise voluptuous.Invalid(
        'Not a dict with at least one key or a list with at least one dict '
        'with at least one key. Provided value: %s' % (value,))


# Top-level schema, for third-party collectors validating a whole file
# (check_metrics below gives more precise messages).
CONF_BASE_SCHEMA = {voluptuous.Required('metrics'): {str: MetricDict}}


def _format_path(path):
    out = ''
    for item in path:
        if isinstance(item, int):
            out += '[%d]' % item
        else:
            out += ('.' if out else '') + str(item)
    return out


def _where(metric, index):
    where = "metric '%s'" % metric
    if index is not None:
        where += ' (definition %d)' % (index + 1)
    return where


def validate_metric(schema, definition, metric, index=None):
    """Validate one metric definition; errors name the metric and key."""
    if not isinstance(schema, voluptuous.Schema):
        schema = voluptuous.Schema(schema)
    try:
        return schema(definition)
    except voluptuous.MultipleInvalid as exc:
        errors = sorted(
            exc.errors, key=lambda e: [str(p) for p in e.path])
        details = '; '.join(
            '%s: %s' % (_format_path(e.path) or 'definition', e.msg)
            if e.path else e.msg for e in errors)
        raise InvalidConfiguration('metrics.yml: %s: %s'
                                   % (_where(metric, index), details))
    except voluptuous.Invalid as exc:
        raise InvalidConfiguration('metrics.yml: %s: %s'
                                   % (_where(metric, index), exc.msg))


def _definitions(conf):
    """Yield (name, index or None, definition) after the top-level checks."""
    if not isinstance(conf, dict):
        raise InvalidConfiguration(
            "metrics.yml: expected a mapping with a 'metrics' key, got %r"
            % (conf,))
    extra = sorted(str(k) for k in conf if k != 'metrics')
    if extra:
        raise InvalidConfiguration(
            'metrics.yml: %s: extra keys not allowed (only "metrics")'
            % ', '.join(extra))
    if 'metrics' not in conf:
        raise InvalidConfiguration(
            'metrics.yml: metrics: required key not provided')
    metrics = conf['metrics']
    if not isinstance(metrics, dict) or not metrics:
        raise InvalidConfiguration(
            'metrics.yml: metrics: expected a non-empty mapping of metric '
            'names to definitions')
    for name, value in metrics.items():
        if not isinstance(name, str) or not name:
            raise InvalidConfiguration(
                'metrics.yml: metrics: metric names must be non-empty '
                'strings, got %r' % (name,))
        if isinstance(value, list):
            if not value:
                raise InvalidConfiguration(
                    "metrics.yml: metric '%s': expected a non-empty mapping "
                    "or a non-empty list of non-empty mappings" % name)
            for index, item in enumerate(value):
                if not isinstance(item, dict) or not item:
                    raise InvalidConfiguration(
                        "metrics.yml: %s: expected a non-empty mapping"
                        % _where(name, index))
                yield name, index, item
        elif isinstance(value, dict) and value:
            yield name, None, value
        else:
            raise InvalidConfiguration(
                "metrics.yml: metric '%s': expected a non-empty mapping or "
                "a non-empty list of non-empty mappings" % name)


def check_metrics(conf, extra_schema=None, extra_groupby=None):
    """Validate and normalise a raw metrics.yml dict (first validator).

    Returns ``{metric_key: definition}`` where metric_key is the metric
    name, or ``name@#alt_name`` when an alt_name is set. The scope key (and
    ``extra_groupby(definition)`` when given) are appended to groupby.
    """
    base = voluptuous.Schema(METRIC_BASE_SCHEMA)
    full = base.extend(extra_schema) if extra_schema else None
    scope_key = CONF.collect.scope_key
    output = {}
    stored_names = {}
    for name, index, definition in _definitions(conf):
        metric = validate_metric(base, definition, name, index)
        key = name
        if metric.get('alt_name'):
            key = name + KEY_SEPARATOR + metric['alt_name']
        if key in output:
            # (sic) "thealt_name": the reference message, kept verbatim.
            raise InvalidConfiguration(
                'Metric %s already exists, you should change the'
                'alt_name for metric: %s' % (key, definition))
        # Points are stored under alt_name (or the key): two definitions
        # with one stored name would overwrite each other's data in a
        # period, silently (the reference accepted this).
        stored = metric.get('alt_name') or key
        if stored in stored_names:
            raise InvalidConfiguration(
                "metrics.yml: %s: alt_name: '%s' is already the rated name "
                "of metric '%s'" % (_where(name, index), stored,
                                    stored_names[stored]))
        stored_names[stored] = name
        if scope_key not in metric['groupby']:
            metric['groupby'].append(scope_key)
        if full is not None:
            metric = validate_metric(full, metric, name, index)
        if extra_groupby:
            for attribute in extra_groupby(metric):
                if attribute not in metric['groupby']:
                    metric['groupby'].append(attribute)
        output[key] = metric
    return output


def metric_name(key):
    """The data source name of a normalised metric key."""
    return key.split(KEY_SEPARATOR)[0]


def load_conf(path):
    """Load a metrics.yml file (safe_load; an empty file is ``{}``).

    OSError propagates (the info API reports it); a YAML syntax error is an
    InvalidConfiguration.
    """
    with open(path) as handle:
        try:
            return yaml.safe_load(handle) or {}
        except yaml.YAMLError as exc:
            raise InvalidConfiguration(
                'metrics.yml: %s is not valid YAML: %s' % (path, exc))


def exact_decimal(value):
    """Decimal of a factor/offset without binary float noise.

    Fractions are divided in decimal (``3600/1000000`` is exactly 0.0036)
    and floats go through ``str()``, as DataPoint does. The reference went
    through binary floats, which put noise into quantities and prices.
    """
    if isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, str):
        value = fractions.Fraction(value)
    if isinstance(value, fractions.Fraction):
        if value.denominator == 1:
            return decimal.Decimal(value.numerator)
        return (decimal.Decimal(value.numerator)
                / decimal.Decimal(value.denominator))
    if isinstance(value, float):
        return decimal.Decimal(str(value))
    return decimal.Decimal(value)


_ZERO = decimal.Decimal(0)
_ONE_F = decimal.Decimal('1.0')
_ZERO_F = decimal.Decimal('0.0')


class Converter(object):
    """Quantity conversion and mutation of one metric.

    ``qty * factor + offset`` then the mutator; built once per metric so
    per-point work is a couple of Decimal operations.
    """

    def __init__(self, metric):
        self.factor = exact_decimal(metric.get('factor', 1))
        self.offset = exact_decimal(metric.get('offset', 0))
        self.mode = metric.get('mutate', 'NONE')
        self.identity = self.factor == 1 and self.offset == 0
        self.mutate_map = {}
        for key, mapped in (metric.get('mutate_map') or {}).items():
            self.mutate_map[exact_decimal(_number(key))] = exact_decimal(
                _number(mapped))

    def __call__(self, raw):
        qty = dataframe.to_decimal(raw)
        if not self.identity:
            qty = qty * self.factor + self.offset
        mode = self.mode
        if mode == 'NONE':
            return qty
        if mode == 'NUMBOOL':
            return _ONE_F if qty != 0 else _ZERO_F
        if mode == 'NOTNUMBOOL':
            return _ONE_F if qty == 0 else _ZERO_F
        if mode == 'FLOOR':
            return decimal.Decimal(math.floor(qty))
        if mode == 'CEIL':
            return decimal.Decimal(math.ceil(qty))
        # MAP: numeric equality of keys (Decimal('0.0') == Decimal('0')).
        return self.mutate_map.get(qty, _ZERO_F)


def time_groupby(start):
    """The four calendar keys the reference adds to every groupby."""
    return {
        'week_of_the_year': start.strftime('%U'),
        'day_of_the_year': str(start.timetuple().tm_yday),
        'month': str(start.month),
        'year': start.strftime('%Y'),
    }


def make_point(metric_conf, qty, price, groupby, metadata, start):
    """A DataPoint of ``metric_conf`` with the calendar keys in groupby."""
    start = start or tzutils.localized_now()
    groupby = dict(groupby or {})
    groupby.update(time_groupby(start))
    return dataframe.DataPoint(metric_conf['unit'], qty, price, groupby,
                               metadata or {},
                               metric_conf.get('description'))


def _create_data_point(metric, qty, price, groupby, metadata, start):
    """``make_point`` as the reference's collectors call it.

    The calendar keys are added to the caller's ``groupby`` dict itself,
    as the reference does (some collectors read them back).
    """
    start = start or tzutils.localized_now()
    if groupby is None:
        groupby = {}
    groupby.update(time_groupby(start))
    return dataframe.DataPoint(metric['unit'], qty, price, groupby,
                               metadata or {}, metric.get('description'))


class BaseCollector(object, metaclass=abc.ABCMeta):
    """Base class of collectors (``cloudkitty.collector.backends``)."""

    collector_name = None

    # Whether the processor calls retrieve() for the metrics of a period
    # concurrently, in its thread pool (and under its request timeout).
    # A collector computing in memory, without I/O, sets False: threads
    # would only add GIL contention.
    concurrent_retrieve = True

    def __init__(self, **kwargs):
        for key in ('period', 'conf'):
            if key not in kwargs:
                raise ValueError('Missing argument (%s)' % key)
        self.period = kwargs['period']
        self.conf = self.check_configuration(kwargs['conf'])
        # Built on first use: a third-party collector converts quantities
        # its own way and may normalise definitions differently.
        self._converters = {}

    @staticmethod
    def check_configuration(conf):
        """Validate a raw metrics.yml dict: ``{metric_key: definition}``."""
        return check_metrics(conf)

    def converter(self, metric_key):
        try:
            return self._converters[metric_key]
        except KeyError:
            converter = Converter(self.conf[metric_key])
            self._converters[metric_key] = converter
            return converter

    # A helper of subclasses: DataPoint with the calendar keys in groupby.
    _create_data_point = staticmethod(_create_data_point)

    @abc.abstractmethod
    def fetch_all(self, metric_name, start, end, project_id=None,
                  q_filter=None):
        """DataPoints of one metric for one scope over [start, end).

        Subclasses name the scope parameter as they like (shipped
        collectors: ``scope_id``): it is always passed positionally.
        """

    def retrieve(self, metric_name, start, end, project_id=None,
                 q_filter=None):
        """``(stored name, points)``; NoDataCollected when no point.

        The processor passes the scope positionally; so does this call to
        ``fetch_all``, whatever a subclass names that parameter.
        """
        data = self.fetch_all(metric_name, start, end, project_id,
                              q_filter=q_filter)
        name = self.conf[metric_name].get('alt_name') or metric_name
        if not data:
            raise NoDataCollected(self.collector_name, name)
        return name, data

    @classmethod
    def get_metadata(cls, resource_name, conf=None):
        """Attributes and unit of a metric, for the v1 info API."""
        info = {'metadata': [], 'unit': 'undefined'}
        if conf and resource_name in conf:
            metric = conf[resource_name]
            info['metadata'] = (list(metric.get('groupby', []))
                                + list(metric.get('metadata', [])))
            info['unit'] = metric.get('unit', 'undefined')
        return info


def get_collector_class(name=None):
    """The collector class registered under ``name`` (default: option)."""
    name = name or CONF.collect.collector
    return driver.DriverManager(COLLECTORS_NAMESPACE, name,
                                invoke_on_load=False).driver


def get_collector(name=None, period=None, conf=None):
    """Load and instantiate the configured collector.

    ``conf`` defaults to the file of ``[collect] metrics_conf``; an
    invalid file raises InvalidConfiguration.
    """
    if conf is None:
        conf = load_conf(CONF.collect.metrics_conf)
    return driver.DriverManager(
        COLLECTORS_NAMESPACE, name or CONF.collect.collector,
        invoke_on_load=True,
        invoke_kwds={'period': period or CONF.collect.period,
                     'conf': conf}).driver


def validate_conf(conf, collector=None):
    """Second validator (the one the v1 info API applies).

    Validates ``conf`` with the base schema plus the extra schema of
    ``collector`` (a class, a name, or the configured ``[collect]
    collector``), then sets ``alt_name`` to the key when absent,
    de-duplicates groupby/metadata, and rejects an attribute present in
    both or an inconsistent MAP / mutate_map.
    """
    if collector is None or isinstance(collector, str):
        collector = get_collector_class(collector)
    output = {}
    for key, metric in collector.check_configuration(conf).items():
        metric = dict(metric)
        metric.setdefault('alt_name', key)
        check_duplicates(key, metric)
        validate_map_mutator(key, metric)
        output[key] = metric
    return output


def check_duplicates(metric_name, metric):
    """De-duplicate ``groupby``/``metadata`` of ``metric`` (in place).

    An attribute in both is an InvalidConfiguration. Returns ``metric``.
    """
    groupby = list(dict.fromkeys(metric.get('groupby') or []))
    metadata = list(dict.fromkeys(metric.get('metadata') or []))
    if set(groupby) & set(metadata):
        raise InvalidConfiguration(
            'Metric %s has duplicates in groupby and metadata: %s'
            % (metric_name, metric))
    metric['groupby'] = groupby
    metric['metadata'] = metadata
    return metric


def validate_map_mutator(metric_name, metric):
    """Refuse MAP without ``mutate_map``, or ``mutate_map`` without MAP."""
    mutate = metric.get('mutate')
    mutate_map = metric.get('mutate_map')
    if mutate == 'MAP' and mutate_map is None:
        raise InvalidConfiguration(
            'Metric %s uses MAP mutator but mutate_map is missing: %s'
            % (metric_name, metric))
    if mutate != 'MAP' and mutate_map is not None:
        raise InvalidConfiguration(
            'Metric %s not using MAP mutator but mutate_map is present: %s'
            % (metric_name, metric))
