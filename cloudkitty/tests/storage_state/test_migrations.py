"""Scope state chain: models match, existing rows survive upgrades."""
import datetime

import sqlalchemy as sa

from cloudkitty import db
from cloudkitty import storage_state
from cloudkitty.storage_state import models
from cloudkitty.tests.db import migration_sync


def test_chain_revisions():
    chain = storage_state.get_migration()
    assert chain.version_table == 'storage_states_alembic'
    assert chain.heads() == ('238032e480a2',)


def test_models_match_migrations(sql_backend_url):
    chain = storage_state.get_migration()
    migration_sync.assert_models_match(chain, models.Base.metadata)
    assert chain.version() == '238032e480a2 (head)'
    engine = db.get_engine()
    uniques = sa.inspect(engine).get_unique_constraints(
        'cloudkitty_storage_states')
    assert [(u['name'], sorted(u['column_names'])) for u in uniques] == [
        ('uq_cloudkitty_storage_states_identifier',
         ['collector', 'fetcher', 'identifier', 'scope_key'])]


def test_upgrade_in_place_keeps_rows(sql_backend_url):
    chain = storage_state.get_migration()
    chain.upgrade('d9d103dd4dcf')
    engine = db.get_engine()
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO cloudkitty_storage_states "
            "(identifier, state, scope_key, collector, fetcher) VALUES "
            "('old', '2020-01-01 10:00:00', NULL, NULL, NULL), "
            "('older', '2020-01-01 11:00:00', 'project_id', 'gnocchi', "
            "'keystone')"))
    chain.upgrade()
    assert chain.version() == '238032e480a2 (head)'
    manager = storage_state.StateManager()
    rows = manager.get_all(active=None)
    assert [(r.id, r.identifier, r.active) for r in rows] == [
        (1, 'old', True), (2, 'older', True)]
    assert rows[1].last_processed_timestamp == datetime.datetime(
        2020, 1, 1, 11, tzinfo=datetime.timezone.utc)
    assert rows[0].scope_activation_toggle_date is not None
    # The id sequence continues after the copied rows.
    created = manager.create_scope('new', rows[0].last_processed_timestamp,
                                   'keystone', 'gnocchi', 'project_id')
    assert created.id == 3
    # The identifier is no longer unique on its own.
    manager.create_scope('old', rows[0].last_processed_timestamp,
                         'source', 'gnocchi', 'project_id')
    assert len(manager.get_all(identifier='old', active=None)) == 2
