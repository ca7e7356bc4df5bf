"""Gnocchi collector.

Usage comes from Gnocchi's dynamic aggregates API (``POST
/v1/aggregates``) grouped by the metric's groupby, with resource metadata
from a resource search, as the reference does.
"""
import copy
import datetime

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from oslo_config import cfg
from oslo_log import log as logging
import voluptuous

from cloudkitty import collector
from cloudkitty.common import keystoneauth
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)

COLLECTOR_GNOCCHI_OPTS = 'collector_gnocchi'

collector_gnocchi_opts = [
    cfg.StrOpt('gnocchi_auth_type',
               default='keystone',
               choices=['keystone', 'basic'],
               help='Gnocchi auth type (keystone or basic). Keystone '
                    'credentials can be specified through the "auth_section" '
                    'parameter'),
    cfg.StrOpt('gnocchi_user',
               default='',
               help='Gnocchi user (for basic auth only)'),
    cfg.StrOpt('gnocchi_endpoint',
               default='',
               help='Gnocchi endpoint (for basic auth only)'),
    cfg.StrOpt('interface',
               default='internalURL',
               help='Endpoint URL type (for keystone auth only)'),
    cfg.StrOpt('region_name',
               default='RegionOne',
               help='Region Name'),
    cfg.IntOpt('http_pool_maxsize',
               default=10,
               min=1,
               help='If the value is not defined, we use the value defined '
                    'by requests.adapters.DEFAULT_POOLSIZE'),
]

CONF = cfg.CONF
CONF.register_opts(collector_gnocchi_opts, COLLECTOR_GNOCCHI_OPTS)
keystoneauth.register(COLLECTOR_GNOCCHI_OPTS)

_BASIC_METHODS = ['mean', 'sum', 'last', 'max', 'min', 'std', 'median',
                  'first', 'count']
BASIC_AGGREGATION_METHODS = _BASIC_METHODS + ['rate:' + m
                                              for m in _BASIC_METHODS]
AGGREGATION_METHODS = (
    _BASIC_METHODS + ['%dpct' % i for i in range(1, 100)])
AGGREGATION_METHODS += ['rate:' + m for m in AGGREGATION_METHODS]


def _one_of(values, description):
    return voluptuous.In(values, msg='expected %s' % description)


GNOCCHI_EXTRA_SCHEMA = {
    voluptuous.Required('extra_args'): {
        voluptuous.Required('resource_type'): collector._non_empty_string,
        voluptuous.Required('resource_key', default='id'):
            collector._non_empty_string,
        voluptuous.Required('aggregation_method', default='max'): _one_of(
            AGGREGATION_METHODS, 'one of %s, 1pct..99pct, or one of those '
            'prefixed by "rate:"' % ', '.join(_BASIC_METHODS)),
        voluptuous.Required('re_aggregation_method', default='max'):
            _one_of(BASIC_AGGREGATION_METHODS, 'one of %s, or one of those '
                    'prefixed by "rate:"' % ', '.join(_BASIC_METHODS)),
        voluptuous.Required('force_granularity', default=3600):
            collector.bounded_int(0),
        voluptuous.Required('use_all_resource_revisions', default=True):
            voluptuous.Boolean(msg='expected a boolean'),
        voluptuous.Required('custom_query', default=''): str,
    },
}


def gen_filter(cop='=', lop='and', **kwargs):
    """One ``{cop: {key: value}}`` per kwarg, combined with ``lop``."""
    filters = [{cop: {key: kwargs[key]}} for key in sorted(kwargs)]
    if not filters:
        return {}
    if len(filters) == 1:
        return filters[0]
    return {lop: filters}


def extend_filter(*filters, lop='and'):
    """Combine filters (dicts or lists of dicts), dropping empty ones."""
    flat = []
    for item in filters:
        if isinstance(item, list):
            flat.extend(f for f in item if f)
        elif item:
            flat.append(item)
    if not flat:
        return {}
    if len(flat) == 1:
        return flat[0]
    return {lop: flat}


def _first_value(group):
    aggregated = group['measures']['measures']['aggregated']
    return aggregated[0][2] if aggregated else None


def collapse_revisions(data):
    """One entry per resource id: the latest revision, values summed."""
    if not data or 'id' not in data[0].get('group', {}):
        return data
    latest = {}
    totals = {}
    for entry in data:
        group = entry['group']
        resource_id = group.get('id')
        if resource_id is None:
            continue
        value = _first_value(entry)
        if value is not None:
            totals[resource_id] = totals.get(resource_id, 0) + value
        current = latest.get(resource_id)
        if current is None or (
                str(group.get('revision_start') or '')
                >= str(current['group'].get('revision_start') or '')):
            latest[resource_id] = entry
    output = []
    for resource_id, entry in latest.items():
        aggregated = entry['measures']['measures']['aggregated']
        if aggregated and resource_id in totals:
            entry = copy.deepcopy(entry)
            first = list(aggregated[0])
            first[2] = totals[resource_id]
            entry['measures']['measures']['aggregated'][0] = first
        output.append(entry)
    return output


def is_metric_not_found(exc):
    from gnocchiclient import exceptions as gnocchi_exc
    if isinstance(exc, gnocchi_exc.MetricNotFound):
        return True
    if isinstance(exc, gnocchi_exc.BadRequest):
        return 'Metrics not found' in str(
            getattr(exc, 'message', '') or '') + str(exc)
    return False


def get_client(group):
    """A gnocchiclient v1 client configured from the options of ``group``.

    ``group`` is ``collector_gnocchi`` or ``fetcher_gnocchi`` (same options).
    """
    # Deferred for start-up time: gnocchiclient and requests are slow to
    # import, and every process imports this module for its options.
    from gnocchiclient import auth as gnocchi_auth
    from gnocchiclient import client as gnocchi_client
    import requests

    opts = CONF[group]
    verify = opts.cafile or not opts.insecure
    adapter_options = {'connect_retries': 3,
                       'region_name': opts.region_name}
    if opts.gnocchi_auth_type == 'keystone':
        auth = keystoneauth.load_auth(group)
        adapter_options['interface'] = opts.interface
    else:
        auth = gnocchi_auth.GnocchiBasicPlugin(
            user=opts.gnocchi_user, endpoint=opts.gnocchi_endpoint)
    http = requests.Session()
    for scheme in ('http://', 'https://'):
        http.mount(scheme, requests.adapters.HTTPAdapter(
            pool_maxsize=opts.http_pool_maxsize))
    session = ks_session.Session(auth=auth, session=http, verify=verify,
                                 timeout=opts.timeout)
    return gnocchi_client.Client('1', session=session,
                                 adapter_options=adapter_options)


class GnocchiCollector(collector.BaseCollector):
    """Usage from Gnocchi's dynamic aggregates API."""

    collector_name = 'gnocchi'

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._conn = get_client(COLLECTOR_GNOCCHI_OPTS)

    @staticmethod
    def check_configuration(conf):
        return collector.check_metrics(
            conf, extra_schema=GNOCCHI_EXTRA_SCHEMA,
            extra_groupby=lambda m: [m['extra_args']['resource_key']])

    @staticmethod
    def gen_filter(cop='=', lop='and', **kwargs):
        return gen_filter(cop=cop, lop=lop, **kwargs)

    @staticmethod
    def extend_filter(*filters, **kwargs):
        return extend_filter(*filters, **kwargs)

    def _operations(self, metric_key, extra):
        name = collector.metric_name(metric_key)
        custom = extra.get('custom_query')
        if custom:
            return (custom
                    .replace('RE_AGGREGATION_METHOD',
                             extra['re_aggregation_method'])
                    .replace('AGGREGATION_METHOD',
                             extra['aggregation_method'])
                    .replace('METRIC_NAME', name))
        return ['aggregate', extra['re_aggregation_method'],
                ['metric', name, extra['aggregation_method']]]

    def _aggregates(self, metric_key, start, end, scope_id):
        from gnocchiclient import exceptions as gnocchi_exc
        metric = self.conf[metric_key]
        extra = metric['extra_args']
        search = {'=': {'type': extra['resource_type']}}
        if scope_id:
            search = {'and': [search, {'=': {
                CONF.collect.scope_key: scope_id}}]}
        granularity = extra['force_granularity']
        if extra['re_aggregation_method'].startswith('rate:'):
            start = tzutils.substract_delta(
                start, datetime.timedelta(seconds=granularity))
        kwargs = {
            'resource_type': extra['resource_type'],
            'start': start,
            'stop': end,
            'use_history': True,
            'groupby': list(metric['groupby']),
            'search': search,
        }
        if granularity > 0:
            kwargs['granularity'] = granularity
        try:
            return self._conn.aggregates.fetch(
                self._operations(metric_key, extra), **kwargs)
        except (gnocchi_exc.ClientException, ks_exc.ClientException) as exc:
            if is_metric_not_found(exc):
                LOG.warning('[%s] Metric %s not found in Gnocchi for '
                            'resource type %s: %s', scope_id, metric_key,
                            extra['resource_type'], exc)
                return []
            raise collector.CollectError(
                'Gnocchi aggregates query of metric %s failed: %s'
                % (metric_key, exc))

    def _resources(self, metric_key, start, end, scope_id):
        from gnocchiclient import exceptions as gnocchi_exc
        metric = self.conf[metric_key]
        extra = metric['extra_args']
        key = extra['resource_key']
        period = datetime.timedelta(seconds=self.period)
        window_start = tzutils.substract_delta(start, period)
        window_end = tzutils.add_delta(end, period)
        query = [
            {'or': [{'=': {'ended_at': None}},
                    {'>=': {'ended_at': window_start.isoformat()}}]},
            {'<=': {'started_at': window_end.isoformat()}},
        ]
        if scope_id:
            query.append({'=': {CONF.collect.scope_key: scope_id}})
        query = extend_filter(query)
        resources = {}
        marker = None
        try:
            while True:
                page = self._conn.resource.search(
                    resource_type=extra['resource_type'], query=query,
                    details=True, marker=marker,
                    sorts=['%s:asc' % key])
                if not page:
                    break
                new = False
                for resource in page:
                    if resource.get(key) not in resources:
                        new = True
                    resources[resource.get(key)] = resource
                if not new:
                    break
                marker = page[-1].get(key)
        except (gnocchi_exc.ClientException, ks_exc.ClientException) as exc:
            raise collector.CollectError(
                'Gnocchi resource search for metric %s failed: %s'
                % (metric_key, exc))
        return resources

    def fetch_all(self, metric_name, start, end, scope_id=None,
                  q_filter=None):
        metric = self.conf[metric_name]
        extra = metric['extra_args']
        data = self._aggregates(metric_name, start, end, scope_id)
        if not extra['use_all_resource_revisions']:
            data = collapse_revisions(data)
        resources = {}
        if metric['metadata']:
            resources = self._resources(metric_name, start, end, scope_id)
        convert = self.converter(metric_name)
        key = extra['resource_key']
        points = []
        for group in data:
            aggregated = group['measures']['measures']['aggregated']
            if not aggregated:
                continue
            metadata = {}
            if metric['metadata']:
                resource_id = group['group'].get(key)
                resource = resources.get(resource_id)
                if resource is None:
                    LOG.warning(
                        '[%s] An error occured during data collection '
                        'between %s and %s: Resource with %s=%s could not '
                        'be found', scope_id, start, end, key, resource_id)
                    continue
                metadata = {m: resource.get(m, '')
                            for m in metric['metadata']}
            qty = convert(aggregated[0][2])
            points.append(collector.make_point(
                metric, qty, 0, group['group'], metadata, start))
        return points
