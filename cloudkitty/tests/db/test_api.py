"""Core database API on every SQL backend."""
import pytest

from cloudkitty.db import api


@pytest.fixture
def core_db(sql_backend_url):
    api.get_migration().upgrade()
    return sql_backend_url


def test_module_state(core_db):
    manager = api.get_module_state_manager()
    # No row: disabled, priority 1.
    assert manager.get_state('hashmap') is False
    assert manager.get_priority('hashmap') == 1
    # A row created by a priority update is disabled.
    assert manager.set_priority('hashmap', 3) == 3
    assert manager.get_state('hashmap') is False
    assert manager.get_priority('hashmap') == 3
    # A row created by a state update has priority 1.
    assert manager.set_state('pyscripts', True) is True
    assert manager.get_priority('pyscripts') == 1
    assert manager.get_state('pyscripts') is True
    # Updates keep the other column.
    assert manager.set_state('hashmap', True) is True
    assert manager.get_priority('hashmap') == 3
    assert manager.set_priority('pyscripts', 5) == 5
    assert manager.get_state('pyscripts') is True
    assert manager.set_state('pyscripts', False) is False
    assert manager.get_state('pyscripts') is False
    # 0 (accepted by v1) reads back as 1; negatives are kept.
    assert manager.set_priority('hashmap', 0) == 0
    assert manager.get_priority('hashmap') == 1
    assert manager.set_priority('hashmap', -2) == -2
    assert manager.get_priority('hashmap') == -2
    # Collector states share the table.
    manager.set_state('collector_gnocchi', True)
    assert manager.list_states() == {
        'hashmap': (True, -2), 'pyscripts': (False, 5),
        'collector_gnocchi': (True, 1)}


def test_service_to_collector_mappings(core_db):
    manager = api.get_service_to_collector_mapping_manager()
    assert manager.list_mappings() == []
    with pytest.raises(api.NoSuchMapping,
                       match='^No mapping for service: compute$'):
        manager.get_mapping('compute')
    assert manager.set_mapping('compute', 'gnocchi') == ('compute',
                                                         'gnocchi')
    manager.set_mapping('image', 'gnocchi')
    manager.set_mapping('volume', 'prometheus')
    mapping = manager.get_mapping('compute')
    assert (mapping.service, mapping.collector) == ('compute', 'gnocchi')
    # Upsert: re-point a service.
    manager.set_mapping('image', 'prometheus')
    assert sorted(manager.list_services()) == ['compute', 'image', 'volume']
    assert sorted(manager.list_services('prometheus')) == ['image',
                                                           'volume']
    assert manager.list_mappings('gnocchi') == [('compute', 'gnocchi')]
    assert manager.list_mappings('nothing') == []
    manager.delete_mapping('compute')
    with pytest.raises(api.NoSuchMapping):
        manager.delete_mapping('compute')
    assert sorted(m.service for m in manager.list_mappings()) == [
        'image', 'volume']


def test_mappings_keep_insertion_order_on_sqlite(sqlite_url):
    api.get_migration().upgrade()
    manager = api.get_service_to_collector_mapping_manager()
    for service in ('zeta', 'alpha', 'mid'):
        manager.set_mapping(service, 'c')
    assert manager.list_services() == ['zeta', 'alpha', 'mid']


def test_legacy_states(sqlite_url):
    api.get_migration().upgrade()
    manager = api.get_state_manager()
    assert manager.get_state('x') is None
    with pytest.raises(api.NoSuchState):
        manager.get_metadata('x')
    assert manager.set_state('x', 12) == 12
    assert manager.get_metadata('x') is None
    manager.set_metadata('x', '{"a": 1}')
    assert manager.set_state('x', 2 ** 40) == 2 ** 40
    assert manager.get_state('x') == 2 ** 40
    assert manager.get_metadata('x') == '{"a": 1}'
