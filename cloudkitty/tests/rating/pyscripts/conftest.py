"""Fixtures of the pyscripts tests."""
import pytest

from cloudkitty.rating.pyscripts import db as pyscripts_db


@pytest.fixture
def scripts_db(sqlite_url):
    """A SQLite database at the pyscripts head; the DB API on it."""
    api = pyscripts_db.get_instance()
    api.get_migration().upgrade('head')
    return api
