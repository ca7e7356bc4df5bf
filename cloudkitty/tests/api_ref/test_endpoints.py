"""Every endpoint of the API contract is documented in api-ref/source."""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
API_REF = os.path.join(ROOT, 'api-ref', 'source')

# The endpoint tables of the API specification (v1, hashmap, pyscripts,
# v2) as written there when this test was: ``[/...]`` marks an optional
# path part, ``?x=`` a query parameter, ``{x}``/``<x>`` a path parameter.
ENDPOINTS = [
    ('GET', '/'),
    ('HEAD', '/'),
    ('GET', '/v1'),
    ('GET', '/v1/info/config'),
    ('GET', '/v1/info/metrics'),
    ('GET', '/v1/info/metrics/{id}'),
    ('GET', '/v1/info/services[/{id}]'),
    ('GET', '/v1/rating/modules'),
    ('GET', '/v1/rating/modules/{id}'),
    ('PUT', '/v1/rating/modules/{id}'),
    ('POST', '/v1/rating/quote'),
    ('GET', '/v1/rating/reload_modules'),
    ('any', '/v1/rating/module_config/{module}/...'),
    ('GET', '/v1/report/tenants'),
    ('GET', '/v1/report/total'),
    ('GET', '/v1/report/summary'),
    ('GET', '/v1/storage/dataframes'),
    ('GET', '/v1/collector/mappings[/{service}]'),
    ('POST', '/v1/collector/mappings[/{collector}/{service}]'),
    ('DELETE', '/v1/collector/mappings[/{service}]'),
    ('GET', '/v1/collector/states/{name}'),
    ('PUT', '/v1/collector/states/{name}'),
    ('GET', '/v1/rating/module_config/hashmap/types'),
    ('GET', '/v1/rating/module_config/hashmap/services'),
    ('GET', '/v1/rating/module_config/hashmap/services/{service_id}'),
    ('POST', '/v1/rating/module_config/hashmap/services'),
    ('DELETE', '/v1/rating/module_config/hashmap/services/{service_id}'),
    ('GET',
     '/v1/rating/module_config/hashmap/services/{service_id}/fields'),
    ('GET',
     '/v1/rating/module_config/hashmap/services/{service_id}/mappings'),
    ('GET', '/v1/rating/module_config/hashmap/fields?service_id='),
    ('GET', '/v1/rating/module_config/hashmap/fields/{field_id}'),
    ('POST', '/v1/rating/module_config/hashmap/fields'),
    ('DELETE', '/v1/rating/module_config/hashmap/fields/{field_id}'),
    ('GET', '/v1/rating/module_config/hashmap/groups'),
    ('GET', '/v1/rating/module_config/hashmap/groups/{group_id}'),
    ('POST', '/v1/rating/module_config/hashmap/groups'),
    ('DELETE',
     '/v1/rating/module_config/hashmap/groups/{group_id}[?recursive=]'),
    ('GET', '/v1/rating/module_config/hashmap/groups/mappings?group_id='),
    ('GET',
     '/v1/rating/module_config/hashmap/groups/thresholds?group_id='),
    ('GET', '/v1/rating/module_config/hashmap/mappings'),
    ('GET', '/v1/rating/module_config/hashmap/mappings/{mapping_id}'),
    ('GET',
     '/v1/rating/module_config/hashmap/mappings/group?mapping_id='),
    ('POST', '/v1/rating/module_config/hashmap/mappings[?force=]'),
    ('PUT', '/v1/rating/module_config/hashmap/mappings/{mapping_id}'),
    ('DELETE', '/v1/rating/module_config/hashmap/mappings/{mapping_id}'),
    ('GET', '/v1/rating/module_config/hashmap/thresholds'),
    ('GET',
     '/v1/rating/module_config/hashmap/thresholds/{threshold_id}'),
    ('GET',
     '/v1/rating/module_config/hashmap/thresholds/group?threshold_id='),
    ('POST', '/v1/rating/module_config/hashmap/thresholds'),
    ('PUT',
     '/v1/rating/module_config/hashmap/thresholds/{threshold_id}'),
    ('DELETE',
     '/v1/rating/module_config/hashmap/thresholds/{threshold_id}'),
    ('GET', '/v1/rating/module_config/pyscripts/scripts'),
    ('GET', '/v1/rating/module_config/pyscripts/scripts/{script_id}'),
    ('POST', '/v1/rating/module_config/pyscripts/scripts[?force=]'),
    ('PUT', '/v1/rating/module_config/pyscripts/scripts/{script_id}'),
    ('DELETE', '/v1/rating/module_config/pyscripts/scripts/{script_id}'),
    ('GET', '/v2/scope'),
    ('PUT', '/v2/scope'),
    ('PATCH', '/v2/scope'),
    ('POST', '/v2/scope'),
    ('POST', '/v2/dataframes'),
    ('GET', '/v2/dataframes'),
    ('GET', '/v2/summary'),
    ('POST', '/v2/task/reprocesses'),
    ('GET', '/v2/task/reprocesses'),
    ('GET', '/v2/task/reprocesses/<path_scope_id>'),
    ('GET', '/v2/rating/modules'),
    ('GET', '/v2/rating/modules/<module_id>'),
    ('PUT', '/v2/rating/modules/<module_id>'),
]

PARAM_RE = re.compile(r'\{[^}/]*\}|<[^>/]*>')


def _normal(path):
    return PARAM_RE.sub('{}', path.split('?')[0]).rstrip('/') or '/'


def _expand(verb, path):
    """The concrete (verb, path) pairs a spec line stands for."""
    path = re.sub(r'\[\?[^\]]*\]', '', path)
    if path.endswith('/...'):
        # Every path below a module: its root is what is documented.
        path = path[:-len('/...')]
    if verb == 'any':
        verb = 'GET'
    optional = re.search(r'\[(/[^\]]*)\]', path)
    if optional:
        shorter = path[:optional.start()] + path[optional.end():]
        longer = path[:optional.start()] + optional.group(1) + \
            path[optional.end():]
        return _expand(verb, shorter) + _expand(verb, longer)
    return [(verb, _normal(path))]


def documented():
    found = set()
    for name in glob.glob(os.path.join(API_REF, '*', '*.inc')):
        with open(name) as source:
            for match in re.finditer(r'^\.\. rest_method:: (\S+) (\S+)',
                                     source.read(), re.M):
                found.add((match.group(1), _normal(match.group(2))))
    return found


def test_every_endpoint_is_documented():
    found = documented()
    missing = [e for verb, path in ENDPOINTS
               for e in _expand(verb, path) if e not in found]
    assert not missing, missing


def test_expansion():
    assert _expand('POST', '/v1/collector/mappings[/{collector}/{service}]'
                   ) == [('POST', '/v1/collector/mappings'),
                         ('POST', '/v1/collector/mappings/{}/{}')]
    assert _expand('GET', '/v2/rating/modules/<module_id>') == [
        ('GET', '/v2/rating/modules/{}')]
    assert _expand('DELETE', '/x/groups/{g}[?recursive=]') == [
        ('DELETE', '/x/groups/{}')]
