"""Synthetic collector: deterministic generated usage from metrics.yml.

It needs no data source: the embedded default (``make run``) and the
benchmarks use it. For a metric, a scope and a period it returns
``resources`` points; each resource keeps its identity and attributes from
one period to the next, and the quantities are drawn from a Mersenne
Twister seeded with a stable hash (BLAKE2b) of (seed, metric, scope, period
start), so collecting a period again, in any process, gives exactly the
same points (re-rating and crash recovery stay exact).

Options, in the metric's ``extra_args`` (all optional; other keys, such as
a Gnocchi ``resource_type``, are accepted and ignored so one metrics.yml
serves several collectors):

``resources`` (int >= 0, default 10)
    Resources (points) per scope and period.
``qty`` (number)
    Fixed raw quantity of every point. When absent the quantity is drawn in
    [``min``, ``max``] with ``precision`` decimals.
``min`` / ``max`` (numbers, default 0 / 100)
    Bounds of drawn quantities.
``precision`` (int 0-9, default 2)
    Decimals of drawn quantities.
``values`` (mapping attribute -> list of strings)
    Value set of a groupby or metadata attribute, e.g.
    ``{flavor_name: [m1.small, m1.large]}``. Built-in sets exist for
    ``flavor_name``, ``flavor_id``, ``vcpus``, ``memory_mb``,
    ``volume_type``, ``container_format``, ``disk_format``, ``state``,
    ``code`` and ``instance``; any other attribute takes values
    ``<attribute>-0`` .. ``<attribute>-2``. A resource picks the same index
    in every set (so flavor_name and flavor_id agree).
``seed`` (string, default "")
    Changes every generated value.

The scope key is the scope id; ``id`` is a UUID stable per (metric, scope,
resource); ``user_id`` is one of three UUIDs per scope. factor, offset and
mutate apply to the generated quantity as with any collector. The
collector ignores ``q_filter``.
"""
import decimal
import hashlib
import random
import threading
import types
import uuid

import voluptuous

from cloudkitty import collector
from cloudkitty import dataframe
from cloudkitty.utils import tz as tzutils

DEFAULT_VALUES = {
    'flavor_name': ['m1.tiny', 'm1.small', 'm1.medium', 'm1.large'],
    'flavor_id': ['1', '2', '3', '4'],
    'vcpus': ['1', '1', '2', '4'],
    'memory_mb': ['512', '2048', '4096', '8192'],
    'volume_type': ['ceph', 'lvm', 'ssd'],
    'container_format': ['bare', 'ovf'],
    'disk_format': ['qcow2', 'raw', 'iso'],
    'state': ['up', 'down'],
    'code': ['200', '404', '500'],
    'instance': ['instance-0', 'instance-1', 'instance-2'],
}

USERS_PER_SCOPE = 3
QTY_CACHE_SIZE = 100000
_ZERO = decimal.Decimal(0)


def _values(value):
    if not isinstance(value, dict):
        raise voluptuous.Invalid('expected a mapping of attribute names to '
                                 'lists of values')
    output = {}
    for attribute, items in value.items():
        if (not isinstance(items, list) or not items
                or not all(isinstance(i, (str, int, float)) for i in items)):
            raise voluptuous.Invalid(
                '%s: expected a non-empty list of values' % attribute)
        output[str(attribute)] = [str(i) for i in items]
    return output


def _min_max(extra):
    if 'qty' not in extra and extra['max'] < extra['min']:
        raise voluptuous.Invalid('max must be greater than or equal to min',
                                 path=['max'])
    return extra


SYNTHETIC_EXTRA_SCHEMA = {
    voluptuous.Required('extra_args', default={}): voluptuous.All(
        voluptuous.Schema({
            voluptuous.Optional('resources', default=10):
                collector.bounded_int(0),
            voluptuous.Optional('qty'): collector._number,
            voluptuous.Optional('min', default=0): collector._number,
            voluptuous.Optional('max', default=100): collector._number,
            voluptuous.Optional('precision', default=2):
                collector.bounded_int(0, 9),
            voluptuous.Optional('values', default={}): _values,
            voluptuous.Optional('seed', default=''): voluptuous.Coerce(str),
        }, extra=voluptuous.ALLOW_EXTRA),
        _min_max),
}


def _digest(text):
    return hashlib.blake2b(text.encode('utf-8'), digest_size=16).digest()


class _MetricPlan(object):
    """Pre-computed generation parameters of one metric."""

    def __init__(self, key, metric, scope_key):
        extra = metric['extra_args']
        self.key = key
        self.metric = metric
        self.scope_key = scope_key
        self.resources = extra['resources']
        self.seed = extra['seed']
        self.values = dict(DEFAULT_VALUES)
        self.values.update(extra['values'])
        self.convert = collector.Converter(metric)
        self.fixed = None
        if 'qty' in extra:
            self.fixed = self.convert(
                collector.exact_decimal(extra['qty']))
        precision = extra['precision']
        self.scale = 10 ** precision
        self.low = collector.exact_decimal(extra['min'])
        self.steps = int(
            (collector.exact_decimal(extra['max']) - self.low)
            * self.scale) + 1
        self.precision = precision
        # No factor, offset or mutator: the drawn quantity is the point's.
        self.raw = self.convert.identity and self.convert.mode == 'NONE'
        # Converted quantities by draw: a few thousand distinct values for
        # the usual ranges, so most points cost a dict lookup.
        self._cache = {}
        self.attributes = [a for a in metric['groupby'] if a != scope_key]
        self.metadata = list(metric['metadata'])
        self.unit = metric['unit']
        self.description = metric.get('description')

    def _value(self, attribute, scope_id, index, choice):
        if attribute == 'id':
            return str(uuid.UUID(version=4, bytes=_digest(
                '%s|%s|%s|%d' % (self.seed, self.key, scope_id, index))))
        if attribute == 'user_id':
            return str(uuid.UUID(version=4, bytes=_digest('%s|user|%s|%d' % (
                self.seed, scope_id, choice % USERS_PER_SCOPE))))
        values = self.values.get(attribute)
        if values is None:
            return '%s-%d' % (attribute, choice % 3)
        return values[choice % len(values)]

    def resource_attributes(self, scope_id):
        """[(groupby, metadata)] per resource: stable across periods."""
        output = []
        for index in range(self.resources):
            choice = int.from_bytes(_digest('%s|%s|%s|%d|attrs' % (
                self.seed, self.key, scope_id, index))[:8], 'big')
            groupby = {self.scope_key: scope_id or ''}
            for attribute in self.attributes:
                groupby[attribute] = self._value(
                    attribute, scope_id, index, choice)
            metadata = {attribute: self._value(attribute, scope_id, index,
                                               choice)
                        for attribute in self.metadata}
            # Frozen once: points share the (read-only) metadata mapping.
            output.append((groupby, types.MappingProxyType(metadata)))
        return output

    def quantities(self, scope_id, period_ts):
        """The quantity of every resource for one period."""
        if self.fixed is not None:
            return [self.fixed] * self.resources
        # One hash per (metric, scope, period) seeds a Mersenne Twister
        # (integer seeding and getrandbits are stable across Python
        # versions); one hash per point would cost more than the point.
        seed = int.from_bytes(_digest('%s|%s|%s|%d' % (
            self.seed, self.key, scope_id, period_ts)), 'big')
        draws = random.Random(seed).getrandbits
        steps = self.steps
        cache = self._cache
        convert = None if self.raw else self.convert
        low = self.low
        exponent = -self.precision
        output = []
        for _ in range(self.resources):
            draw = draws(64) % steps
            qty = cache.get(draw)
            if qty is None:
                qty = low + decimal.Decimal(draw).scaleb(exponent)
                if convert is not None:
                    qty = convert(qty)
                if len(cache) < QTY_CACHE_SIZE:
                    cache[draw] = qty
            output.append(qty)
        return output


class SyntheticCollector(collector.BaseCollector):
    """Deterministic generated usage (no data source needed)."""

    collector_name = 'synthetic'

    # Computed in memory: threads would not overlap anything.
    concurrent_retrieve = False

    # Resource attributes per (metric, scope), bounded so that millions of
    # scopes do not grow memory forever.
    _CACHE_SIZE = 4096

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        scope_key = collector.CONF.collect.scope_key
        self._plans = {key: _MetricPlan(key, metric, scope_key)
                       for key, metric in self.conf.items()}
        self._cache = {}
        self._lock = threading.Lock()

    @staticmethod
    def check_configuration(conf):
        return collector.check_metrics(
            conf, extra_schema=SYNTHETIC_EXTRA_SCHEMA)

    def _attributes(self, plan, scope_id, calendar):
        """[(groupby with ``calendar``, metadata)] of the resources.

        Cached per (metric, scope) with the calendar keys of the last
        period asked: they change once a day, not every period.
        """
        cache_key = (plan.key, scope_id)
        entry = self._cache.get(cache_key)
        if entry is not None and entry[0] == calendar:
            return entry[1]
        base = (plan.resource_attributes(scope_id) if entry is None
                else entry[2])
        frozen = types.MappingProxyType
        attributes = [(frozen({**groupby, **calendar}), metadata)
                      for groupby, metadata in base]
        with self._lock:
            if len(self._cache) >= self._CACHE_SIZE:
                self._cache.clear()
            self._cache[cache_key] = (calendar, attributes, base)
        return attributes

    def fetch_all(self, metric_name, start, end, scope_id=None,
                  q_filter=None):
        plan = self._plans[metric_name]
        start = start or tzutils.localized_now()
        period_ts = int(tzutils.local_to_utc(start).timestamp())
        calendar = collector.time_groupby(start)
        unit = plan.unit
        description = plan.description
        # Every field is already what DataPoint() would make of it (a
        # Decimal quantity, a non-empty unit, read-only mappings): build
        # the points directly, without converting each field again.
        make = dataframe.DataPoint._make
        return [
            make((unit, qty, _ZERO, groupby, metadata, description))
            for (groupby, metadata), qty in zip(
                self._attributes(plan, scope_id, calendar),
                plan.quantities(scope_id, period_ts))]
