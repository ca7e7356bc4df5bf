"""pyscripts_alembic: revisions, in-place upgrade of old data, models."""
import datetime
import hashlib
import zlib

import pytest
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import models
from cloudkitty.tests.db import migration_sync
from cloudkitty import utils

HEAD = '5360da4dc57b'


def _chain():
    return pyscripts_db.get_instance().get_migration()


def test_chain_identity():
    chain = _chain()
    assert chain.version_table == 'pyscripts_alembic'
    assert chain.heads() == (HEAD,)


def test_models_match_migrations(sql_backend_url):
    chain = _chain()
    migration_sync.assert_models_match(chain, models.Base.metadata)
    assert chain.current_revisions() == (HEAD,)


def _insert_legacy(source, name):
    scripts = sa.table('pyscripts_scripts',
                       sa.column('script_id'), sa.column('name'),
                       sa.column('data', sa.LargeBinary()),
                       sa.column('checksum'))
    with db.get_engine().begin() as conn:
        conn.execute(scripts.insert().values(
            script_id='6c1b8a30-797f-4b7e-ad66-%012d' % len(name),
            name=name,
            data=zlib.compress(source.encode('utf-8')),
            checksum=hashlib.sha1(source.encode('utf-8')).hexdigest()))


def test_upgrade_in_place_keeps_scripts(sql_backend_url):
    """Rows of the first revisions survive, rehashed and dated 2014."""
    chain = _chain()
    chain.upgrade('4f9efa4601c0')
    _insert_legacy('a = 0', 'policy1')
    _insert_legacy('b = 1', 'policy22')
    chain.upgrade('head')
    assert chain.version() == '%s (head)' % HEAD

    api = pyscripts_db.get_instance()
    scripts = api.list_scripts()
    assert [s.name for s in scripts] == ['policy1', 'policy22']
    first = scripts[0]
    assert first.data == 'a = 0'
    assert first.checksum == (
        '4c612e33c0e40b7bf53cf95fad47dbfbeab9dd62f9bc181a9d1c6f40a0877822'
        '23c23f793e747b0466b9e6998c6ea54f4edbd20febd13edb13b55074b5ee1a5a')
    assert first.start == datetime.datetime(2014, 1, 1)
    assert first.created_by == 'migration'
    assert first.created_at is not None
    assert first.end is None and first.deleted is None
    # The name is no longer unique once the script is deleted.
    api.delete_script(first.script_id)
    again = api.create_script('policy1', 'a = 2')
    assert again.name == 'policy1'


def test_downgrade_to_base(sql_backend_url):
    chain = _chain()
    chain.upgrade('head')
    chain.downgrade('base')
    assert chain.current_revisions() == ()
    assert 'pyscripts_scripts' not in sa.inspect(
        db.get_engine()).get_table_names()
    chain.upgrade('head')
    assert chain.current_revisions() == (HEAD,)


def test_db_api_on_every_backend(sql_backend_url):
    """One round of every DB API call on the migrated schema."""
    _chain().upgrade('head')
    api = pyscripts_db.get_instance()
    now = utils.naive_utcnow()
    day = datetime.timedelta(days=1)
    source = '# é\nprice = 1\n' * 2000
    script = api.create_script('s' * 255, source, start=now + day,
                               end=now + 2 * day, description='D' * 256,
                               created_by='u' * 32)
    got = api.get_script(script.script_id)
    assert got.data == source and got.checksum == pyscripts_db.checksum(
        source)
    # Microseconds survive on every backend (DATETIME(6) on MariaDB).
    assert got.created_at == script.created_at
    assert got.start == now + day and got.end == now + 2 * day
    assert [s.name for s in api.get_active_scripts(now + day)] == [
        's' * 255]
    updated = api.update_script(script.script_id,
                                lambda cur: {'data': 'a = 1', 'end': None},
                                updated_by='v')
    assert (updated.data, updated.end, updated.updated_by) == (
        'a = 1', None, 'v')
    assert [s.name for s in api.list_scripts(description='dd',
                                             is_active=False)] == ['s' * 255]
    api.delete_script(script.script_id, deleted_by='w')
    assert api.list_scripts() == []
    # Ids no script can have are unknown, not database errors.
    for bad in ('a\x00b', 5, 'x' * 37):
        with pytest.raises(pyscripts_db.NoSuchScript):
            api.get_script(bad)
        with pytest.raises(pyscripts_db.NoSuchScript):
            api.delete_script(bad)
        with pytest.raises(pyscripts_db.NoSuchScript):
            api.update_script(bad, lambda cur: {})
    assert api.create_script('s' * 255, 'b = 2').name == 's' * 255
