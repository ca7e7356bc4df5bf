"""Rating modules, quotes and collector commands through the real CLI.

One noauth API process serves the module; every command is the real
``cloudkitty`` CLI (python-cloudkittyclient) with API version 1 and 2.
"""
import decimal

import pytest


def _modules(result):
    result.check()
    return {row['Module']: row for row in result.json()}


def _module_row(result):
    rows = result.check().json()
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize('version', ['1', '2'])
def test_module_list_and_get(api_server, version):
    modules = _modules(api_server.cli('module', 'list', '-f', 'json',
                                      version=version))
    assert modules['noop'] == {'Module': 'noop', 'Enabled': True,
                               'Priority': 1}
    assert list(modules) == sorted(modules)
    noop = _module_row(api_server.cli('module', 'get', 'noop', '-f', 'json',
                                      version=version))
    assert noop == {'Module': 'noop', 'Enabled': True, 'Priority': 1}


@pytest.mark.parametrize('version', ['1', '2'])
def test_module_get_unknown(api_server, version):
    result = api_server.cli('module', 'get', 'nosuchmodule', version=version)
    assert result.returncode != 0
    assert 'not found' in (result.stderr + result.stdout).lower()


@pytest.mark.parametrize('version', ['1', '2'])
def test_module_enable_disable_priority(api_server, version):
    # pyscripts when installed, else any module other than noop.
    names = [n for n in _modules(api_server.cli(
        'module', 'list', '-f', 'json', version=version)) if n != 'noop']
    if not names:
        pytest.skip('only the noop module is installed')
    name = names[-1]
    row = _module_row(api_server.cli('module', 'enable', name, '-f', 'json',
                                     version=version))
    assert row['Module'] == name and row['Enabled'] is True
    row = _module_row(api_server.cli('module', 'set', 'priority', name,
                                     '42', '-f', 'json', version=version))
    assert row == {'Module': name, 'Enabled': True, 'Priority': 42}
    # Both API versions read the same state.
    other = '2' if version == '1' else '1'
    row = _module_row(api_server.cli('module', 'get', name, '-f', 'json',
                                     version=other))
    assert row == {'Module': name, 'Enabled': True, 'Priority': 42}
    row = _module_row(api_server.cli('module', 'disable', name, '-f',
                                     'json', version=version))
    assert row == {'Module': name, 'Enabled': False, 'Priority': 42}
    api_server.cli('module', 'set', 'priority', name, '1',
                   version=version).check()


def test_noop_state_cannot_change(api_server):
    row = _module_row(api_server.cli('module', 'disable', 'noop', '-f',
                                     'json', version='2'))
    assert row == {'Module': 'noop', 'Enabled': True, 'Priority': 1}
    row = _module_row(api_server.cli('module', 'set', 'priority', 'noop',
                                     '9', '-f', 'json', version='1'))
    assert row == {'Module': 'noop', 'Enabled': True, 'Priority': 1}


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
    cli('collector-mapping', 'create', 'image', 'prometheus').check()
    rows = cli('collector-mapping', 'get', 'compute', '-f',
               'json').check().json()
    assert rows == [{'Service': 'compute', 'Collector': 'gnocchi'}]
    rows = cli('collector-mapping', 'list', '-f', 'json').check().json()
    assert rows == [{'Service': 'compute', 'Collector': 'gnocchi'},
                    {'Service': 'image', 'Collector': 'prometheus'}]
    rows = cli('collector-mapping', 'list', '--collector', 'prometheus',
               '-f', 'json').check().json()
    assert rows == [{'Service': 'image', 'Collector': 'prometheus'}]
    # Re-pointing a service is an upsert.
    rows = cli('collector-mapping', 'create', 'compute', 'prometheus',
               '-f', 'json').check().json()
    assert rows == [{'Service': 'compute', 'Collector': 'prometheus'}]
    cli('collector-mapping', 'delete', 'compute').check()
    result = cli('collector-mapping', 'get', 'compute')
    assert result.returncode != 0
    assert 'No mapping for service: compute' in result.stderr + result.stdout
    result = cli('collector-mapping', 'delete', 'compute')
    assert result.returncode != 0
    rows = cli('collector-mapping', 'list', '-f', 'json').check().json()
    assert rows == [{'Service': 'image', 'Collector': 'prometheus'}]


def test_collector_states(api_server):
    cli = api_server.cli
    rows = cli('collector', 'state', 'get', 'gnocchi', '-f',
               'json').check().json()
    assert rows == [{'Collector': 'gnocchi', 'State': False}]
    rows = cli('collector', 'enable', 'gnocchi', '-f', 'json').check().json()
    assert rows == [{'Collector': 'gnocchi', 'State': True}]
    rows = cli('collector', 'state', 'get', 'gnocchi', '-f',
               'json').check().json()
    assert rows == [{'Collector': 'gnocchi', 'State': True}]
    rows = cli('collector', 'disable', 'gnocchi', '-f', 'json').check().json()
    assert rows == [{'Collector': 'gnocchi', 'State': False}]
    # Collector states do not show up as rating modules.
    modules = _modules(cli('module', 'list', '-f', 'json', version='1'))
    assert 'collector_gnocchi' not in modules


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
    """rating-modules.md §6.3: hashmap then pyscripts, and swapped."""
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
