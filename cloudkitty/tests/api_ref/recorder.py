"""Example requests and responses of the API reference, from a real API.

``record(server)`` runs a fixed scenario against a running API (see
``cloudkitty.tests.functional.api_server``) and returns ``{file name:
JSON document}`` for ``api-ref/source/<version>/samples/``. Values that
change from run to run (generated UUIDs, creation times) are replaced by
stable ones so that the committed samples can be compared with a new
recording: ``tools/record_api_samples.py`` writes them, and
``test_samples.py`` checks that they still match what the API answers.
"""
import re

UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                     r'[0-9a-f]{12}')
# Times the server takes from its clock.
VOLATILE_TIMES = {
    'created_at': '2026-01-01T12:00:00.000000',
    # rules start at their creation time unless told otherwise
    'start': '2026-01-01T12:00:00.000000',
    'scope_activation_toggle_date': '2026-01-01T12:00:00+00:00',
}

PUBLIC_URL = 'http://cloudkitty.example.com:8889'
PROJECT = 'fe9c35372db6420089883805b37a34af'
OTHER_PROJECT = '8f82cc70e50c466e862424bdea811375'
BEGIN = '2026-01-01T00:00:00+00:00'
END = '2026-02-01T00:00:00+00:00'


def _frame(hour, project, flavor, price, qty='1'):
    return {
        'period': {'begin': '2026-01-01T%02d:00:00+00:00' % hour,
                   'end': '2026-01-01T%02d:00:00+00:00' % (hour + 1)},
        'usage': {
            'instance': [{
                'vol': {'unit': 'instance', 'qty': qty},
                'rating': {'price': price},
                'groupby': {'id': 'vm-%s' % project[:4],
                            'project_id': project,
                            'user_id': 'u-%s' % project[:4]},
                'metadata': {'flavor_name': flavor},
            }],
        },
    }


PUSHED_FRAMES = [
    _frame(0, PROJECT, 'm1.tiny', '1.5'),
    _frame(1, PROJECT, 'm1.tiny', '1.5'),
    _frame(0, OTHER_PROJECT, 'm1.large', '4'),
]


class Recorder(object):
    def __init__(self, server):
        self.server = server
        self.samples = {}
        self.ids = {}
        self._uuids = {}

    def _stable(self, value):
        if isinstance(value, dict):
            return {k: (VOLATILE_TIMES[k] if k in VOLATILE_TIMES and v
                        else self._stable(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [self._stable(v) for v in value]
        if isinstance(value, str):
            # The server listens on a free port: show the usual endpoint.
            value = value.replace(self.server.url, PUBLIC_URL)
            return UUID_RE.sub(self._uuid, value)
        return value

    def _uuid(self, match):
        real = match.group(0)
        if real not in self._uuids:
            self._uuids[real] = '00000000-0000-4000-8000-%012d' % (
                len(self._uuids) + 1)
        return self._uuids[real]

    def call(self, name, method, path, status, body=None, params=None):
        """One request; keeps its body and its answer as samples."""
        resp = self.server.request(method, path, json=body, params=params,
                                   allow_redirects=False)
        if resp.status_code != status:
            raise AssertionError('%s %s: %s instead of %s: %s' % (
                method, path, resp.status_code, status, resp.text))
        if body is not None:
            self.samples['%s-request.json' % name] = self._stable(body)
        data = resp.json() if resp.text.strip() else None
        if data is not None and name:
            self.samples['%s-response.json' % name] = self._stable(data)
        return data


def record(server):
    """Run the scenario; ``{'v1/samples/x.json': document, ...}``."""
    v1 = Recorder(server)
    v2 = Recorder(server)
    # One UUID numbering for both versions: the same service or scope has
    # the same id in every sample.
    v2._uuids = v1._uuids
    _record_v1(v1)
    _record_v2(v2)
    out = {}
    for prefix, rec in (('v1', v1), ('v2', v2)):
        for name, doc in rec.samples.items():
            out['%s/samples/%s' % (prefix, name)] = doc
    return out


def _record_v1(r):
    hm = '/v1/rating/module_config/hashmap'
    ps = '/v1/rating/module_config/pyscripts/scripts'
    r.call('versions', 'GET', '/', 200)
    r.call('info-config-get', 'GET', '/v1/info/config', 200)
    r.call('info-metrics-list', 'GET', '/v1/info/metrics', 200)
    r.call('info-metric-get', 'GET', '/v1/info/metrics/instance', 200)
    r.call('info-services-list', 'GET', '/v1/info/services', 200)
    r.call('info-service-get', 'GET', '/v1/info/services/instance', 200)

    r.call('modules-list', 'GET', '/v1/rating/modules', 200)
    r.call('module-update', 'PUT', '/v1/rating/modules/hashmap', 302,
           body={'module_id': 'hashmap', 'enabled': True, 'priority': 2})
    r.call('module-get', 'GET', '/v1/rating/modules/hashmap', 200)
    r.call(None, 'GET', '/v1/rating/reload_modules', 204)

    # hashmap: a service, a field, a group, mappings and thresholds.
    r.call('hashmap-types', 'GET', hm + '/types', 200)
    service = r.call('hashmap-service-create', 'POST', hm + '/services',
                     201, body={'name': 'instance'})
    sid = service['service_id']
    r.call('hashmap-service-get', 'GET', hm + '/services/' + sid, 200)
    r.call('hashmap-services-list', 'GET', hm + '/services', 200)
    field = r.call('hashmap-field-create', 'POST', hm + '/fields', 201,
                   body={'name': 'flavor_name', 'service_id': sid})
    fid = field['field_id']
    r.call('hashmap-field-get', 'GET', hm + '/fields/' + fid, 200)
    r.call('hashmap-fields-list', 'GET', hm + '/fields', 200,
           params={'service_id': sid})
    group = r.call('hashmap-group-create', 'POST', hm + '/groups', 201,
                   body={'name': 'instance_uptime_flavor'})
    gid = group['group_id']
    r.call('hashmap-group-get', 'GET', hm + '/groups/' + gid, 200)
    r.call('hashmap-groups-list', 'GET', hm + '/groups', 200)
    mapping = r.call(
        'hashmap-mapping-create', 'POST', hm + '/mappings', 201,
        body={'field_id': fid, 'value': 'm1.tiny', 'cost': '1.5',
              'type': 'flat', 'group_id': gid, 'name': 'tiny-flavor',
              'description': 'Price of an m1.tiny instance per hour'})
    mid = mapping['mapping_id']
    r.call('hashmap-service-mapping-create', 'POST', hm + '/mappings', 201,
           body={'service_id': sid, 'cost': '0.01', 'type': 'flat',
                 'name': 'instance-base'})
    r.call('hashmap-mapping-get', 'GET', hm + '/mappings/' + mid, 200)
    r.call('hashmap-mappings-list', 'GET', hm + '/mappings', 200,
           params={'field_id': fid})
    r.call('hashmap-mapping-group', 'GET', hm + '/mappings/group', 200,
           params={'mapping_id': mid})
    r.call('hashmap-mapping-update', 'PUT', hm + '/mappings/' + mid, 302,
           body=dict(mapping, end='2030-12-31T23:59:59'))
    threshold = r.call(
        'hashmap-threshold-create', 'POST', hm + '/thresholds', 201,
        body={'service_id': sid, 'level': '10', 'cost': '0.9',
              'type': 'rate', 'group_id': gid})
    tid = threshold['threshold_id']
    r.call('hashmap-threshold-get', 'GET', hm + '/thresholds/' + tid, 200)
    r.call('hashmap-thresholds-list', 'GET', hm + '/thresholds', 200,
           params={'service_id': sid})
    r.call('hashmap-threshold-group', 'GET', hm + '/thresholds/group', 200,
           params={'threshold_id': tid})
    r.call('hashmap-threshold-update', 'PUT', hm + '/thresholds/' + tid,
           302, body={'threshold_id': tid, 'service_id': sid,
                      'level': '10', 'cost': '0.8', 'type': 'rate',
                      'group_id': gid})
    r.call('hashmap-group-mappings', 'GET', hm + '/groups/mappings', 200,
           params={'group_id': gid})
    r.call('hashmap-group-thresholds', 'GET', hm + '/groups/thresholds',
           200, params={'group_id': gid})
    r.call('quote', 'POST', '/v1/rating/quote', 200, body={
        'resources': [{'service': 'instance', 'volume': '2',
                       'desc': {'metadata': {'flavor_name': 'm1.tiny'},
                                'groupby': {'project_id': PROJECT}}}]})

    # pyscripts
    script = r.call('pyscript-create', 'POST', ps, 201, body={
        'name': 'double-gpu-price',
        'data': "for period in data:\n"
                "    for metric, points in period['usage'].items():\n"
                "        if metric == 'gpu':\n"
                "            for point in points:\n"
                "                point['rating']['price'] *= 2\n"})
    script_id = script['script_id']
    r.call('pyscript-get', 'GET', ps + '/' + script_id, 200)
    r.call('pyscripts-list', 'GET', ps, 200)
    r.call('pyscript-update', 'PUT', ps + '/' + script_id, 201, body={
        'name': 'double-gpu-price', 'data': script['data'],
        'end': '2030-12-31T23:59:59'})
    r.call(None, 'DELETE', ps + '/' + script_id, 204)

    # deletes of the hashmap objects (the quote above used them)
    r.call(None, 'DELETE', hm + '/thresholds/' + tid, 204)
    r.call(None, 'DELETE', hm + '/mappings/' + mid, 204)
    r.call(None, 'DELETE', hm + '/groups/' + gid, 204)
    r.call(None, 'DELETE', hm + '/fields/' + fid, 204)
    r.call(None, 'DELETE', hm + '/services/' + sid, 204)

    # collector mappings and states (deprecated)
    r.call('collector-mapping-create', 'POST', '/v1/collector/mappings',
           200, body={'collector': 'gnocchi', 'service': 'instance'})
    r.call('collector-mapping-get', 'GET',
           '/v1/collector/mappings/instance', 200)
    r.call('collector-mappings-list', 'GET', '/v1/collector/mappings',
           200)
    r.call(None, 'DELETE', '/v1/collector/mappings/instance', 204)
    r.call('collector-state-update', 'PUT', '/v1/collector/states/gnocchi',
           200, body={'name': 'gnocchi', 'enabled': True})
    r.call('collector-state-get', 'GET', '/v1/collector/states/gnocchi',
           200)

    # rated data, pushed through the v2 API
    r.server.request('POST', '/v2/dataframes',
                     json={'dataframes': PUSHED_FRAMES}).raise_for_status()
    period = {'begin': '2026-01-01T00:00:00', 'end': '2026-02-01T00:00:00'}
    r.call('report-tenants', 'GET', '/v1/report/tenants', 200,
           params=period)
    r.call('report-total', 'GET', '/v1/report/total', 200,
           params=dict(period, tenant_id=PROJECT))
    r.call('report-summary', 'GET', '/v1/report/summary', 200,
           params=dict(period, groupby='tenant_id,res_type',
                       all_tenants='true'))
    r.call('storage-dataframes', 'GET', '/v1/storage/dataframes', 200,
           params=dict(period, tenant_id=PROJECT))


def _record_v2(r):
    r.call('dataframes-add', 'POST', '/v2/dataframes', 204,
           body={'dataframes': [_frame(2, PROJECT, 'm1.small', '2.5')]})
    r.call('dataframes-get', 'GET', '/v2/dataframes', 200,
           params={'begin': BEGIN, 'end': END,
                   'filters': 'project_id:%s' % PROJECT})
    r.call('summary-get-table', 'GET', '/v2/summary', 200,
           params={'begin': BEGIN, 'end': END,
                   'groupby': 'type,project_id'})
    r.call('summary-get-object', 'GET', '/v2/summary', 200,
           params={'begin': BEGIN, 'end': END, 'groupby': 'project_id',
                   'response_format': 'object'})

    r.call('scope-create', 'POST', '/v2/scope', 200, body={
        'scope_id': PROJECT, 'scope_key': 'project_id',
        'fetcher': 'keystone', 'collector': 'gnocchi',
        'last_processed_timestamp': '2026-01-01T10:00:00+00:00'})
    r.call('scope-get', 'GET', '/v2/scope', 200,
           params={'scope_id': PROJECT})
    r.call('scope-patch', 'PATCH', '/v2/scope', 200,
           body={'scope_id': PROJECT, 'collector': 'prometheus'})
    r.call('scope-reset', 'PUT', '/v2/scope', 202, body={
        'scope_id': PROJECT,
        'last_processed_timestamp': '2026-01-01T08:00:00+00:00'})

    r.call('task-reprocess-create', 'POST', '/v2/task/reprocesses', 202,
           body={'scope_ids': [PROJECT],
                 'start_reprocess_time': '2026-01-01T00:00:00+00:00',
                 'end_reprocess_time': '2026-01-01T02:00:00+00:00',
                 'reason': 'hashmap price of m1.tiny fixed'})
    r.call('task-reprocesses-list', 'GET', '/v2/task/reprocesses', 200)
    r.call('task-reprocesses-get', 'GET',
           '/v2/task/reprocesses/' + PROJECT, 200)

    r.call('rating-modules-list', 'GET', '/v2/rating/modules', 200)
    r.call('rating-module-update', 'PUT', '/v2/rating/modules/pyscripts',
           204, body={'enabled': True, 'priority': 3})
    r.call('rating-module-get', 'GET', '/v2/rating/modules/pyscripts',
           200)
