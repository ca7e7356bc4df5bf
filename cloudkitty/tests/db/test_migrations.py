"""Core chain: migrations build exactly the models' schema."""
import pytest
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.db import api
from cloudkitty.db import models
from cloudkitty.tests.db import migration_sync


def _copy_metadata():
    metadata = sa.MetaData()
    for table in models.Base.metadata.tables.values():
        table.to_metadata(metadata)
    return metadata


def test_chain_revisions():
    chain = api.get_migration()
    assert chain.version_table == 'cloudkitty_alembic'
    assert chain.heads() == ('fd77fd4e38c6',)


def test_models_match_migrations(sql_backend_url):
    chain = api.get_migration()
    migration_sync.assert_models_match(chain, models.Base.metadata)
    assert chain.current_revisions() == ('fd77fd4e38c6',)
    tables = set(sa.inspect(db.get_engine()).get_table_names())
    assert {'states', 'modules_state', 'service_to_collector_mappings',
            'cloudkitty_alembic'} <= tables


@pytest.mark.parametrize('change', ['column', 'nullable', 'type', 'table'])
def test_comparison_detects_differences(sqlite_url, change):
    metadata = _copy_metadata()
    table = metadata.tables['modules_state']
    if change == 'column':
        table.append_column(sa.Column('extra', sa.Integer()))
    elif change == 'nullable':
        table.c.priority.nullable = False
    elif change == 'type':
        table.c.name.type = sa.String(64)
    else:
        metadata.remove(metadata.tables['states'])
    with pytest.raises(AssertionError, match='differ'):
        migration_sync.assert_models_match(api.get_migration(), metadata)


def test_upgrade_is_idempotent_and_stamp(sqlite_url):
    chain = api.get_migration()
    chain.upgrade('2ac2217dcbd9')
    assert chain.version() == '2ac2217dcbd9'
    chain.upgrade()
    chain.upgrade()
    assert chain.version() == 'fd77fd4e38c6 (head)'
