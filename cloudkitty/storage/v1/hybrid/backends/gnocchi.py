"""The ``gnocchi`` backend of the v1 hybrid storage.

Layout in Gnocchi:

* one resource type ``rating_service_<metric>`` per metric type (``.``
  and other characters Gnocchi refuses in names become ``_``), with the
  required string attributes ``unit`` and ``resource_id`` and one optional
  ``ckmeta_<name>`` attribute per metadata or group-by attribute;
* one resource per rated resource (the ``id`` attribute of the point, or
  its other attributes) and tenant, owned by the tenant (``project_id``),
  its id derived from them (a uuid5, so a re-run finds it again), with the
  metrics ``price`` and ``<metric type>`` (the quantity);
* one measure per period, at the period start, in the archive policy
  ``[storage_gnocchi] archive_policy_name`` (created at ``init()`` from
  ``archive_policy_definition``; aggregation methods std, count, min, max,
  sum, mean; back window 0).

The time attributes collectors add (``day_of_the_year``...) change every
period: they are not resource attributes and are not restored on read.
Gnocchi stores floats: quantities and prices keep ~15 significant digits.
Measures are aggregated by ``gnocchi-metricd``: they are readable once it
has processed them.
"""
import collections
import datetime
import decimal
import json
import re
import uuid

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty.common import keystoneauth
from cloudkitty import dataframe
from cloudkitty.storage.v1 import hybrid
from cloudkitty.storage.v1.hybrid import backends
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

RESOURCE_TYPE_PREFIX = 'rating_service_'
META_PREFIX = 'ckmeta_'
PRICE_METRIC = 'price'
TIME_KEYS = frozenset(('day_of_the_year', 'week_of_the_year', 'month',
                       'year'))
AGGREGATION_METHODS = ['std', 'count', 'min', 'max', 'sum', 'mean']
_NAMESPACE = uuid.UUID('8f4b2bb6-3b0f-4d55-9d7d-3c6d1b1f0a5e')
_BAD_CHARS = re.compile(r'[^A-Za-z0-9_]')
ZERO = decimal.Decimal(0)


def alt_name(name):
    """``name`` with the characters Gnocchi refuses in names replaced."""
    return _BAD_CHARS.sub('_', str(name))


def resource_type_name(res_type):
    return RESOURCE_TYPE_PREFIX + alt_name(res_type)


def _attribute(required=False):
    return {'type': 'string', 'required': required, 'min_length': 0,
            'max_length': 255}


def _decimal(value):
    if value is None:
        return ZERO
    return dataframe.to_decimal(value)


def _ts(dt):
    return tzutils.localized(dt).astimezone(
        datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S+00:00')


def _naive(value):
    """A measure's timestamp (ISO text or datetime) as naive UTC."""
    if isinstance(value, str):
        value = tzutils.dt_from_iso(value)
    return tzutils.naive_utc(value)


class GnocchiStorage(backends.BaseHybridBackend):
    """Rated points as Gnocchi measures."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._period = kwargs.get('period') or CONF.collect.period
        self._client = None
        self._conf = CONF[hybrid.STORAGE_GNOCCHI_OPTS]
        self._archive_policy = self._conf.archive_policy_name
        # resource type name -> set of attribute names
        self._types = {}
        # resource id -> True once known to exist
        self._resources = {}
        # tenant -> {(resource id, metric name, timestamp): value}
        self._measures = {}

    @property
    def client(self):
        if self._client is None:
            from gnocchiclient import client as gnocchi_client
            session = keystoneauth.load_session(hybrid.STORAGE_GNOCCHI_OPTS)
            self._client = gnocchi_client.Client(
                '1', session=session,
                adapter_options={'interface': self._conf.interface,
                                 'connect_retries': 3})
        return self._client

    # -- preparation ------------------------------------------------------
    def init(self):
        from gnocchiclient import exceptions as gexc
        try:
            self.client.archive_policy.get(self._archive_policy)
        except gexc.NotFound:
            definition = [dict(item) for item in
                          self._conf.archive_policy_definition]
            LOG.info('Creating the Gnocchi archive policy %s',
                     self._archive_policy)
            self.client.archive_policy.create({
                'name': self._archive_policy,
                'back_window': 0,
                'aggregation_methods': AGGREGATION_METHODS,
                'definition': definition})
        for name, metric in self._metrics_conf().items():
            keys = list(metric.get('groupby') or []) + list(
                metric.get('metadata') or [])
            self._ensure_type(name, keys)

    @staticmethod
    def _metrics_conf():
        try:
            from cloudkitty import orchestrator
            conf = orchestrator.load_metrics_conf()
        except Exception as exc:  # no metrics.yml: types made on push
            LOG.warning('Gnocchi resource types not created at init: %s',
                        exc)
            return {}
        return (conf or {}).get('metrics', {}) or {}

    def _ensure_type(self, res_type, keys):
        from gnocchiclient import exceptions as gexc
        name = resource_type_name(res_type)
        wanted = {META_PREFIX + alt_name(k) for k in keys
                  if k not in TIME_KEYS}
        known = self._types.get(name)
        if known is None:
            try:
                known = set(self.client.resource_type.get(name)[
                    'attributes'])
            except gexc.NotFound:
                attributes = {'unit': _attribute(True),
                              'resource_id': _attribute(True)}
                attributes.update({a: _attribute() for a in wanted})
                try:
                    self.client.resource_type.create(
                        {'name': name, 'attributes': attributes})
                except gexc.ResourceTypeAlreadyExists:
                    pass
                known = set(self.client.resource_type.get(name)[
                    'attributes'])
            self._types[name] = known
        missing = sorted(wanted - known)
        if missing:
            self.client.resource_type.update(name, [
                {'op': 'add', 'path': '/attributes/%s' % a,
                 'value': _attribute()} for a in missing])
            known.update(missing)
        return name

    # -- writes -----------------------------------------------------------
    @staticmethod
    def _identity(res_type, desc, tenant_id):
        if desc.get('id') not in (None, ''):
            key = str(desc['id'])
        else:
            key = json.dumps(sorted(
                (str(k), str(v)) for k, v in desc.items()
                if k not in TIME_KEYS))
        return key, str(uuid.uuid5(_NAMESPACE, json.dumps(
            [str(tenant_id), str(res_type), key])))

    def _ensure_resource(self, res_type, desc, unit, tenant_id):
        from gnocchiclient import exceptions as gexc
        key, rid = self._identity(res_type, desc, tenant_id)
        if rid in self._resources:
            return rid
        type_name = self._ensure_type(res_type, list(desc))
        body = {
            'id': rid,
            'project_id': str(tenant_id) if tenant_id else None,
            'unit': str(unit),
            'resource_id': key[:255],
            'metrics': {
                PRICE_METRIC: {'archive_policy_name': self._archive_policy},
                str(res_type): {'archive_policy_name': self._archive_policy},
            },
        }
        for k, v in desc.items():
            if k not in TIME_KEYS and v is not None:
                body[META_PREFIX + alt_name(k)] = str(v)[:255]
        try:
            self.client.resource.create(type_name, body)
        except gexc.ResourceAlreadyExists:
            pass
        self._resources[rid] = True
        return rid

    def append_time_frame(self, res_type, point, tenant_id, begin, end):
        desc = dict(point.get('desc') or {})
        vol = point.get('vol') or {}
        rid = self._ensure_resource(res_type, desc, vol.get('unit'),
                                    tenant_id)
        price = _decimal((point.get('rating') or {}).get('price'))
        qty = _decimal(vol.get('qty'))
        measures = self._measures.setdefault(tenant_id, {})
        ts = _ts(begin)
        for metric, value in ((PRICE_METRIC, price), (str(res_type), qty)):
            key = (rid, metric, ts)
            measures[key] = measures.get(key, ZERO) + value

    def commit(self, tenant_id):
        measures = self._measures.pop(tenant_id, None)
        if not measures:
            return
        batch = collections.defaultdict(lambda: collections.defaultdict(
            list))
        for (rid, metric, ts), value in measures.items():
            batch[rid][metric].append({'timestamp': ts,
                                       'value': float(value)})
        self.client.metric.batch_resources_metrics_measures(
            {rid: dict(metrics) for rid, metrics in batch.items()})

    # -- reads ------------------------------------------------------------
    def _rating_types(self, res_type=None):
        if res_type:
            return [resource_type_name(res_type)]
        return sorted(t['name'] for t in self.client.resource_type.list()
                      if t['name'].startswith(RESOURCE_TYPE_PREFIX))

    def _search(self, type_name, tenant_id):
        from gnocchiclient import exceptions as gexc
        query = {'=': {'project_id': tenant_id}} if tenant_id else None
        marker = None
        while True:
            try:
                page = self.client.resource.search(
                    resource_type=type_name, query=query, details=True,
                    limit=500, marker=marker, sorts=['id:asc'])
            except gexc.NotFound:
                return
            for resource in page:
                yield resource
            if len(page) < 500:
                return
            marker = page[-1]['id']

    def _measures_of(self, metric_id, begin, end):
        measures = self.client.metric.get_measures(
            metric_id, start=_ts(begin), stop=_ts(end), aggregation='sum',
            granularity=self._period)
        output = {}
        for ts, _granularity, value in measures:
            output[_naive(ts)] = value
        return output

    def _points(self, begin, end, res_type=None, tenant_id=None):
        """(begin, end, tenant, type, legacy point) of the period."""
        period = datetime.timedelta(seconds=self._period)
        points = []
        for type_name in self._rating_types(res_type):
            for resource in self._search(type_name, tenant_id):
                metrics = resource.get('metrics') or {}
                names = [m for m in metrics if m != PRICE_METRIC]
                if PRICE_METRIC not in metrics or not names:
                    continue
                metric_name = names[0]
                prices = self._measures_of(metrics[PRICE_METRIC], begin,
                                           end)
                qtys = self._measures_of(metrics[metric_name], begin, end)
                desc = {k[len(META_PREFIX):]: v for k, v in resource.items()
                        if k.startswith(META_PREFIX) and v is not None}
                if resource.get('project_id'):
                    desc['tenant_id'] = resource['project_id']
                for start in sorted(set(prices) | set(qtys)):
                    stop = start + period
                    if start < begin or stop > end:
                        continue
                    points.append((start, stop, resource.get('project_id'),
                                   metric_name, {
                                       'desc': dict(desc),
                                       'vol': {'unit': resource.get('unit'),
                                               'qty': _decimal(
                                                   qtys.get(start))},
                                       'rating': {'price': _decimal(
                                           prices.get(start))}}))
        points.sort(key=lambda p: (p[0], p[3]))
        return points

    def get_time_frame(self, begin, end, **filters):
        points = self._points(begin, end, filters.get('res_type'),
                              filters.get('tenant_id'))
        if not points:
            raise backends.NoTimeFrame()
        return [{'period': {'begin': start, 'end': stop},
                 'usage': {metric: [point]}}
                for start, stop, _tenant, metric, point in points]

    def get_total(self, begin=None, end=None, tenant_id=None, service=None,
                  groupby=None):
        columns = [c.strip() for c in (groupby or '').split(',')
                   if c.strip() in ('res_type', 'tenant_id')]
        sums = collections.OrderedDict()
        for _start, _stop, tenant, metric, point in self._points(
                begin, end, service, tenant_id):
            values = {'res_type': metric, 'tenant_id': tenant}
            key = tuple(values[c] for c in columns)
            sums[key] = sums.get(key, ZERO) + point['rating']['price']
        if not columns and not sums:
            sums[()] = None
        results = []
        for key, rate in sums.items():
            row = dict(zip(columns, key))
            row.update({'begin': begin, 'end': end, 'rate': rate})
            results.append(row)
        results.sort(key=lambda r: r['rate'] or ZERO)
        return results

    def get_tenants(self, begin, end):
        return [row['tenant_id'] for row in self.get_total(
            begin, end, groupby='tenant_id') if row.get('tenant_id')]
