"""Endpoints and the personas allowed on them (keystone mode).

A table others extend: each ``Case`` names a request and the personas
that may perform it; every other persona must get a 403. Personas:

``admin``         role admin (implies member, reader) on project A
``member``        role member on project A
``reader``        role reader on project A
``other_member``  role member on project B
``other_reader``  role reader on project B

``{project}`` in a path or body is replaced by project A's id.
"""
import collections

ADMIN = 'admin'
MEMBER = 'member'
READER = 'reader'
OTHER_MEMBER = 'other_member'
OTHER_READER = 'other_reader'
PERSONAS = (ADMIN, MEMBER, READER, OTHER_MEMBER, OTHER_READER)
EVERYONE = frozenset(PERSONAS)
ADMIN_ONLY = frozenset([ADMIN])
OWN_PROJECT_READERS = frozenset([ADMIN, MEMBER, READER])

Case = collections.namedtuple(
    'Case', ['id', 'method', 'path', 'body', 'allowed', 'ok_status'])


def case(id, method, path, allowed, ok_status, body=None):
    return Case(id, method, path, body, frozenset(allowed), ok_status)


QUOTE_BODY = {'resources': [{'service': 'instance', 'volume': '1',
                             'desc': {}}]}

# Endpoints served by the API framework (api-core).
CORE_CASES = [
    case('v1-modules-list', 'GET', '/v1/rating/modules', ADMIN_ONLY, 200),
    case('v1-modules-get', 'GET', '/v1/rating/modules/noop', ADMIN_ONLY,
         200),
    case('v1-modules-put', 'PUT', '/v1/rating/modules/noop', ADMIN_ONLY,
         302, body={'module_id': 'noop', 'enabled': True, 'priority': 1}),
    case('v1-quote', 'POST', '/v1/rating/quote', EVERYONE, 200,
         body=QUOTE_BODY),
    case('v1-billing-quote', 'POST', '/v1/billing/quote', EVERYONE, 200,
         body=QUOTE_BODY),
    case('v1-reload-modules', 'GET', '/v1/rating/reload_modules',
         ADMIN_ONLY, 204),
    # No configuration API: 409 for everyone, no policy (reference).
    case('v1-module-config-noop', 'GET', '/v1/rating/module_config/noop',
         EVERYONE, 409),
    case('v1-module-config-hashmap', 'GET',
         '/v1/rating/module_config/hashmap/services', ADMIN_ONLY, 200),
    case('v1-module-config-pyscripts', 'GET',
         '/v1/rating/module_config/pyscripts/scripts', ADMIN_ONLY, 200),
    case('v1-collector-mappings-list', 'GET', '/v1/collector/mappings',
         ADMIN_ONLY, 200),
    case('v1-collector-mappings-post', 'POST',
         '/v1/collector/mappings/gnocchi/compute', ADMIN_ONLY, 200),
    case('v1-collector-mappings-get', 'GET',
         '/v1/collector/mappings/compute', ADMIN_ONLY, 200),
    case('v1-collector-mappings-delete', 'DELETE',
         '/v1/collector/mappings/nosuchservice', ADMIN_ONLY, 404),
    case('v1-collector-state-get', 'GET', '/v1/collector/states/gnocchi',
         ADMIN_ONLY, 200),
    case('v1-collector-state-put', 'PUT', '/v1/collector/states/gnocchi',
         ADMIN_ONLY, 200, body={'name': 'gnocchi', 'enabled': True}),
    case('v2-modules-list', 'GET', '/v2/rating/modules', ADMIN_ONLY, 200),
    case('v2-modules-get', 'GET', '/v2/rating/modules/noop', ADMIN_ONLY,
         200),
    case('v2-modules-put', 'PUT', '/v2/rating/modules/noop', ADMIN_ONLY,
         204, body={'enabled': True}),
]

# Endpoints of the data API (report, storage, info, summary, dataframes).
# Readers see their own project: without a tenant the v1 report and the v2
# reads are scoped to the caller's project, so every persona is allowed;
# naming project A is only allowed to project A's personas.
DATA_FRAME_BODY = {'dataframes': [{
    'period': {'begin': '2014-01-01T00:00:00Z',
               'end': '2014-01-01T01:00:00Z'},
    'usage': {'instance': [{
        'vol': {'unit': 'instance', 'qty': 1},
        'rating': {'price': 1},
        'groupby': {'project_id': 'policy-test', 'id': 'vm'},
        'metadata': {}}]}}]}
DATA_CASES = [
    case('v1-info-config', 'GET', '/v1/info/config', EVERYONE, 200),
    case('v1-info-metrics', 'GET', '/v1/info/metrics', EVERYONE, 200),
    case('v1-info-metric', 'GET', '/v1/info/metrics/instance', EVERYONE,
         200),
    case('v1-info-services', 'GET', '/v1/info/services', EVERYONE, 200),
    case('v1-report-tenants', 'GET', '/v1/report/tenants', ADMIN_ONLY, 200),
    case('v1-report-total-own', 'GET', '/v1/report/total', EVERYONE, 200),
    case('v1-report-total-project', 'GET',
         '/v1/report/total?tenant_id={project}', OWN_PROJECT_READERS, 200),
    case('v1-report-total-all', 'GET', '/v1/report/total?all_tenants=true',
         ADMIN_ONLY, 200),
    case('v1-report-summary-project', 'GET',
         '/v1/report/summary?tenant_id={project}', OWN_PROJECT_READERS, 200),
    case('v1-report-summary-all', 'GET',
         '/v1/report/summary?all_tenants=true', ADMIN_ONLY, 200),
    case('v1-storage-dataframes-project', 'GET',
         '/v1/storage/dataframes?tenant_id={project}', OWN_PROJECT_READERS,
         200),
    case('v1-storage-dataframes-own', 'GET', '/v1/storage/dataframes',
         EVERYONE, 200),
    case('v2-summary', 'GET', '/v2/summary', EVERYONE, 200),
    case('v2-summary-filter-other', 'GET',
         '/v2/summary?filters=project_id:{project}', EVERYONE, 200),
    # No data in the current month: 404 for those allowed to look.
    case('v2-dataframes-get', 'GET', '/v2/dataframes', EVERYONE, 404),
    case('v2-dataframes-post', 'POST', '/v2/dataframes', ADMIN_ONLY, 204,
         body=DATA_FRAME_BODY),
]

ALL_CASES = list(CORE_CASES) + DATA_CASES
