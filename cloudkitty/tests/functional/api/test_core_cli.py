"""Rating modules, quotes and collector commands through the real CLI.

One noauth API process serves the module; every command is the real
``cloudkitty`` CLI (python-cloudkittyclient) with API version 1 and 2.
"""
from concurrent import futures
import decimal
import functools

import pytest


def _modules(result):
    result.check()
    return {row['Module']: row for row in result.json()}


def _module_row(result):
    rows = result.check().json()
    assert len(rows) == 1
    return rows[0]


def _parallel(*calls):
    """Run independent CLI commands at once (each start costs seconds)."""
    with futures.ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(*c) for c in calls]]


@pytest.mark.parametrize('version', ['1', '2'])
def test_module_commands(api_server, version):
    cli = functools.partial(api_server.cli, version=version)
    listed, got = _parallel((cli, 'module', 'list', '-f', 'json'),
                            (cli, 'module', 'get', 'noop', '-f', 'json'))
    modules = _modules(listed)
    assert modules['noop'] == {'Module': 'noop', 'Enabled': True,
                               'Priority': 1}
    assert list(modules) == sorted(modules)
    assert _module_row(got) == {'Module': 'noop', 'Enabled': True,
                                'Priority': 1}
    others = [n for n in modules if n != 'noop']
    if not others:
        pytest.skip('only the noop module is installed')
    name = others[-1]
    row = _module_row(cli('module', 'enable', name, '-f', 'json'))
    assert row['Module'] == name and row['Enabled'] is True
    row = _module_row(cli('module', 'set', 'priority', name, '42', '-f',
                          'json'))
    assert row == {'Module': name, 'Enabled': True, 'Priority': 42}
    # Both API versions read the same state.
    v1 = api_server.get('/v1/rating/modules/' + name).json()
    assert (v1['enabled'], v1['priority']) == (True, 42)
    v2 = api_server.get('/v2/rating/modules/' + name).json()
    assert (v2['enabled'], v2['priority']) == (True, 42)
    row = _module_row(cli('module', 'disable', name, '-f', 'json'))
    assert row == {'Module': name, 'Enabled': False, 'Priority': 42}
    resp = api_server.put('/v2/rating/modules/' + name,
                          json={'priority': 1})
    assert resp.status_code == 204


def test_module_get_unknown(api_server):
    result = api_server.cli('module', 'get', 'nosuchmodule', version='2')
    assert result.returncode != 0
    assert "Module 'nosuchmodule' not found" in (result.stderr
                                                 + result.stdout)


def test_noop_state_cannot_change(api_server):
    resp = api_server.put('/v2/rating/modules/noop',
                          json={'enabled': False, 'priority': 9})
    assert resp.status_code == 204
    assert api_server.get('/v2/rating/modules/noop').json() == {
        'module_id': 'noop', 'description': 'Dummy test module.',
        'enabled': True, 'hot_config': False, 'priority': 1}


def test_quote_with_noop_only(api_server):
    client = api_server.client('1')
    for ext in client.rating.get_module()['modules']:
        if ext['module_id'] != 'noop' and ext['enabled']:
            client.rating.update_module(module_id=ext['module_id'],
                                        enabled=False)
    total = client.rating.get_quotation(res_data=[
        {'service': 'instance', 'volume': '2',
         'desc': {'groupby': {'id': 'abc', 'project_id': 'p1'},
                  'metadata': {'flavor_id': '42'}}},
        {'service': 'image.size', 'volume': 1.5, 'desc': {}},
    ])
    # noop prices nothing: the sum of the zero prices.
    assert isinstance(total, str)
    assert decimal.Decimal(total) == 0


def test_reload_modules(api_server):
    client = api_server.client('1')
    assert client.rating.reload_modules() is None
    resp = api_server.get('/v1/rating/reload_modules/')
    assert resp.status_code == 204
    assert resp.content == b''


def test_collector_mappings(api_server):
    cli = api_server.cli
    rows = cli('collector-mapping', 'create', 'compute', 'gnocchi', '-f',
               'json').check().json()
    assert rows == [{'Service': 'compute', 'Collector': 'gnocchi'}]
    resp = api_server.post('/v1/collector/mappings/prometheus/image')
    assert resp.json() == {'service': 'image', 'collector': 'prometheus'}
    got, listed, filtered = _parallel(
        (cli, 'collector-mapping', 'get', 'compute', '-f', 'json'),
        (cli, 'collector-mapping', 'list', '-f', 'json'),
        (cli, 'collector-mapping', 'list', '--collector', 'prometheus',
         '-f', 'json'))
    assert got.check().json() == [{'Service': 'compute',
                                   'Collector': 'gnocchi'}]
    assert listed.check().json() == [
        {'Service': 'compute', 'Collector': 'gnocchi'},
        {'Service': 'image', 'Collector': 'prometheus'}]
    assert filtered.check().json() == [{'Service': 'image',
                                        'Collector': 'prometheus'}]
    # Re-pointing a service is an upsert.
    resp = api_server.post('/v1/collector/mappings',
                           json={'service': 'compute',
                                 'collector': 'prometheus'})
    assert resp.json() == {'service': 'compute', 'collector': 'prometheus'}
    cli('collector-mapping', 'delete', 'compute').check()
    resp = api_server.get('/v1/collector/mappings/compute')
    assert resp.status_code == 404
    assert resp.json()['faultstring'] == 'No mapping for service: compute'
    result = cli('collector-mapping', 'delete', 'compute')
    assert result.returncode != 0
    assert 'No mapping for service: compute' in result.stderr
    assert api_server.get('/v1/collector/mappings').json() == {
        'mappings': [{'service': 'image', 'collector': 'prometheus'}]}


def test_collector_states(api_server):
    cli = api_server.cli
    rows = cli('collector', 'state', 'get', 'gnocchi', '-f',
               'json').check().json()
    assert rows == [{'Collector': 'gnocchi', 'State': False}]
    rows = cli('collector', 'enable', 'gnocchi', '-f', 'json').check().json()
    assert rows == [{'Collector': 'gnocchi', 'State': True}]
    assert api_server.get('/v1/collector/states/gnocchi').json() == {
        'name': 'gnocchi', 'enabled': True}
    rows = cli('collector', 'disable', 'gnocchi', '-f', 'json').check().json()
    assert rows == [{'Collector': 'gnocchi', 'State': False}]
    # Collector states do not show up as rating modules.
    modules = api_server.get('/v1/rating/modules').json()['modules']
    assert 'collector_gnocchi' not in [m['module_id'] for m in modules]


DOUBLE_SCRIPT = """\
for _metric, _points in data['usage'].items():
    for _point in _points:
        _point['rating']['price'] = _point['rating']['price'] * 2
"""


def _set_module(api_server, name, enabled, priority):
    # Plain HTTP: the module commands are covered above, and each CLI
    # start costs seconds.
    resp = api_server.put('/v2/rating/modules/' + name,
                          json={'enabled': enabled, 'priority': priority})
    assert resp.status_code == 204, resp.text


def test_quote_chain_priority_order(api_server, tmp_path):
    """Modules run by priority: hashmap then pyscripts, and swapped."""
    modules = [m['module_id'] for m in
               api_server.get('/v2/rating/modules').json()['modules']]
    if not {'hashmap', 'pyscripts'} <= set(modules):
        pytest.skip('hashmap and pyscripts modules are needed')
    cli = api_server.cli
    service = cli('hashmap', 'service', 'create', 'instance', '-f',
                  'json').check().json()
    service_id = (service[0] if isinstance(service, list)
                  else service)['Service ID']
    cli('hashmap', 'mapping', 'create', '0.5', '-s', service_id, '-t',
        'flat').check()
    script = tmp_path / 'double.py'
    script.write_text(DOUBLE_SCRIPT)
    cli('pyscript', 'create', 'double', str(script)).check()
    client = api_server.client('1')
    resources = [{'service': 'instance', 'volume': '2',
                  'desc': {'groupby': {'id': 'vm1'}, 'metadata': {}}}]
    try:
        _set_module(api_server, 'hashmap', True, 2)
        _set_module(api_server, 'pyscripts', True, 1)
        total = client.rating.get_quotation(res_data=resources)
        assert decimal.Decimal(total) == decimal.Decimal('2.0')
        # Swapped: the script doubles 0, then hashmap adds 1.0.
        _set_module(api_server, 'pyscripts', True, 3)
        total = client.rating.get_quotation(res_data=resources)
        assert decimal.Decimal(total) == decimal.Decimal('1.0')
        # Disabled modules do not take part.
        _set_module(api_server, 'pyscripts', False, 3)
        total = client.rating.get_quotation(res_data=resources)
        assert decimal.Decimal(total) == decimal.Decimal('1.0')
        # Unknown metric types are priced 0 by hashmap.
        total = client.rating.get_quotation(res_data=[
            {'service': 'other', 'volume': '5', 'desc': {}}])
        assert decimal.Decimal(total) == 0
    finally:
        _set_module(api_server, 'hashmap', False, 1)
        _set_module(api_server, 'pyscripts', False, 1)
