"""The API's rating module registry."""
from cloudkitty.api import modules
from cloudkitty.db import api as db_api
from cloudkitty.rating import hash as hashmap


def _names():
    return [ext.name for ext in modules.get_extensions(reload=True)]


def test_module_missing_its_tables_is_retried(sqlite_url):
    db_api.get_migration().upgrade('head')
    # Before its migration, hashmap cannot load its rules: it is skipped.
    assert 'hashmap' not in _names()
    assert 'noop' in _names()
    hashmap.HashMap.db_api.get_migration().upgrade('head')
    # No API restart needed: the next lookup finds it.
    assert modules.get_extension('hashmap') is not None
    assert 'hashmap' in [ext.name for ext in modules.get_extensions()]
