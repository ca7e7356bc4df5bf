"""The API's rating module registry."""
from cloudkitty.api import modules
from cloudkitty.db import api as db_api
from cloudkitty.rating import pyscripts


def _names():
    return [ext.name for ext in modules.get_extensions(reload=True)]


def test_module_missing_its_tables_is_retried(sqlite_url):
    db_api.get_migration().upgrade('head')
    # Before its migration, pyscripts cannot load its scripts: skipped.
    assert 'pyscripts' not in _names()
    assert 'noop' in _names()
    pyscripts.PyScripts.db_api.get_migration().upgrade('head')
    # No API restart needed: the next lookup finds it.
    assert modules.get_extension('pyscripts') is not None
    assert 'pyscripts' in [ext.name for ext in modules.get_extensions()]
