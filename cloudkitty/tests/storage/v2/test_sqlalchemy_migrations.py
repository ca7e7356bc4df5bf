"""The models of the sqlalchemy storage match its migration chain."""
from cloudkitty.storage.v2 import sqlalchemy as sql_storage
from cloudkitty.storage.v2.sqlalchemy import models
from cloudkitty.tests.db import migration_sync


def test_models_match_migrations(sql_backend_url):
    chain = sql_storage.get_chain()
    migration_sync.assert_models_match(chain, models.metadata)
    assert chain.current_revisions() == chain.heads()


def test_downgrade_and_upgrade_again(sql_backend_url):
    chain = sql_storage.get_chain()
    chain.upgrade('head')
    chain.downgrade('base')
    assert chain.current_revisions() == ()
    chain.upgrade('head')
    migration_sync.assert_models_match(chain, models.metadata,
                                       upgrade=False)
