"""The hashmap migration chain on SQLite, MariaDB and PostgreSQL."""
import datetime
import decimal

import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.rating.hash import db_api
from cloudkitty.rating.hash import models

REVISIONS = ['3dd7e13527f3', '4fa888fd7eda', '54cc17accf2c', '10d2738b67df',
             'f8c799db4aa0', 'c88a06b1cfce', '4da82e1c11c8', '644faa4491fd',
             'Ifbf5b2515c7', '4e0232ce', '8a591f85865f', 'b12a7814608d']


def test_chain_revisions():
    chain = db_api.get_migration()
    assert chain.heads() == ('b12a7814608d',)
    from alembic import script
    directory = script.ScriptDirectory.from_config(chain.config())
    revs = [r.revision for r in directory.walk_revisions()]
    assert list(reversed(revs)) == REVISIONS


def test_upgrade_head_and_models_match(sql_backend_url):
    chain = db_api.get_migration()
    chain.upgrade('head')
    assert chain.current_revisions() == ('b12a7814608d',)
    tables = set(sa.inspect(db.get_engine()).get_table_names())
    assert set(models.Base.metadata.tables) <= tables
    try:
        from cloudkitty.tests.db import migration_sync
    except ImportError:
        migration_sync = None
    if migration_sync is not None:
        migration_sync.assert_models_match(chain, models.Base.metadata)
    # Exact money on every backend, through the API of the module.
    api = db_api.get_instance()
    svc = api.create_service('svc')['service_id']
    m = api.create_mapping(
        cost=decimal.Decimal('0.1234567890123456789012345678'),
        service_id=svc)
    assert str(api.get_mapping(m['mapping_id'])['cost']) == \
        '0.1234567890123456789012345678'
    t = api.create_threshold(decimal.Decimal('123456789012.12345678'),
                             decimal.Decimal(0), service_id=svc)
    got = api.get_threshold(t['threshold_id'])
    assert (str(got['level']), str(got['cost'])) == (
        '123456789012.12345678', '0E-28')
    _exercise_api(api, svc)


def _exercise_api(api, svc):
    """The queries of the DB API and of rating, on this backend."""
    D = decimal.Decimal
    rated = api.create_service('rated')['service_id']
    fld = api.create_field(rated, 'f')['field_id']
    grp = api.create_group('g')['group_id']
    start = datetime.datetime(2030, 1, 1)
    end = datetime.datetime(2030, 2, 1)
    api.create_mapping(cost=D('5'), field_id=fld, value='1',
                       start=start)
    m = api.create_mapping(cost=D('2'), field_id=fld, value='a',
                           group_id=grp, tenant_id='T', start=start,
                           end=end, description='Some Text')
    try:
        api.create_mapping(cost=D('3'), field_id=fld, value='a',
                           group_id=grp, tenant_id='T', start=start)
    except db_api.MappingAlreadyExists:
        pass
    else:
        raise AssertionError('conflict not detected')
    api.create_threshold(D(1), D(1), 'rate', field_id=fld, tenant_id='T')
    try:
        api.create_threshold(D(1), D(2), 'rate', field_id=fld,
                             tenant_id='T')
    except db_api.ThresholdAlreadyExists:
        pass
    else:
        raise AssertionError('threshold conflict not detected')
    found = api.list_mappings(field_uuid=fld, description='some',
                              start=start, end=end + datetime.timedelta(1),
                              filter_tenant=True, tenant_uuid='T')
    assert [x['mapping_id'] for x in found] == [m['mapping_id']]
    from cloudkitty import dataframe
    from cloudkitty.rating import hash as hashmap
    module = hashmap.HashMap(tenant_id='T')
    module.reload_config(start)
    frame = dataframe.DataFrame(
        start.replace(tzinfo=datetime.timezone.utc),
        end.replace(tzinfo=datetime.timezone.utc),
        usage={'rated': [dataframe.DataPoint('u', 3, 0, {'f': '1'}, {})]})
    price = [p.price for _, p in module.process(frame).iterpoints()]
    # Flat 5 for value "1", the tenant's field threshold (level 1, rate 1).
    assert price == [D(15)]
    api.delete_group(grp, recurse=True)
    api.delete_service(uuid=svc)
    api.delete_service(uuid=rated)
    assert api.list_services() == []


def test_upgrade_keeps_existing_rules(sql_backend_url):
    """Data of an older schema survives; old mappings get defaults."""
    chain = db_api.get_migration()
    chain.upgrade('Ifbf5b2515c7')
    engine = db.get_engine()
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO hashmap_services (id, service_id, name) VALUES "
            "(1, '6c1b8a30-797f-4b7e-ad66-000000000001', 'cpu')"))
        conn.execute(sa.text(
            "INSERT INTO hashmap_mappings (id, mapping_id, value, cost, "
            "map_type, service_id) VALUES (1, "
            "'6c1b8a30-797f-4b7e-ad66-000000000002', '', '1.5', 'flat', 1)"))
    chain.upgrade('head')
    mapping = db_api.get_instance().get_mapping(
        '6c1b8a30-797f-4b7e-ad66-000000000002')
    assert mapping['cost'] == decimal.Decimal('1.5')
    assert mapping['start'] == datetime.datetime(1970, 1, 1)
    assert mapping['created_by'] == 'migration'
    assert len(mapping['name']) == 32
    assert mapping['service_id'] == '6c1b8a30-797f-4b7e-ad66-000000000001'
