"""DB API of the pyscripts module on SQLite: checksums, periods, filters."""
import datetime
import zlib

import pytest
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty import utils

A0_SHA512 = (
    '4c612e33c0e40b7bf53cf95fad47dbfbeab9dd62f9bc181a9d1c6f40a0877822'
    '23c23f793e747b0466b9e6998c6ea54f4edbd20febd13edb13b55074b5ee1a5a')
DAY = datetime.timedelta(days=1)


def test_checksum_is_sha512_of_utf8():
    assert pyscripts_db.checksum('a = 0') == A0_SHA512
    assert pyscripts_db.checksum('é = 1') == pyscripts_db.checksum('é = 1')
    assert len(pyscripts_db.checksum('')) == 128


def test_create_stores_compressed_source_and_checksum(scripts_db):
    script = scripts_db.create_script('policy1', 'a = 0', created_by='u1')
    assert script.checksum == A0_SHA512
    assert script.data == 'a = 0'
    assert script.created_by == 'u1'
    assert script.start == script.created_at
    assert script.end is None and script.deleted is None
    assert script.created_at.microsecond is not None
    with db.get_engine().connect() as conn:
        raw = conn.execute(sa.text(
            'SELECT data, checksum FROM pyscripts_scripts')).one()
    assert zlib.decompress(raw.data) == b'a = 0'
    assert raw.checksum == A0_SHA512


def test_unicode_source_round_trips(scripts_db):
    source = '# prix en €\nprice = "5 €"\n'
    script = scripts_db.create_script('euro', source)
    assert scripts_db.get_script(script.script_id).data == source
    assert script.checksum == pyscripts_db.checksum(source)


def test_names_unique_among_live_scripts(scripts_db):
    first = scripts_db.create_script('policy1', 'a = 0')
    with pytest.raises(pyscripts_db.ScriptAlreadyExists) as excinfo:
        scripts_db.create_script('policy1', 'a = 1')
    assert str(excinfo.value) == (
        'Script policy1 already exists (UUID: %s)' % first.script_id)
    scripts_db.delete_script(first.script_id, deleted_by='u2')
    second = scripts_db.create_script('policy1', 'a = 1')
    assert second.script_id != first.script_id


def test_get_and_delete_unknown(scripts_db):
    with pytest.raises(pyscripts_db.NoSuchScript) as excinfo:
        scripts_db.get_script('nope')
    assert str(excinfo.value) == 'No such script: None (UUID: nope)'
    with pytest.raises(pyscripts_db.NoSuchScript):
        scripts_db.delete_script('nope')


def test_soft_delete(scripts_db):
    script = scripts_db.create_script('s', 'a = 0')
    scripts_db.delete_script(script.script_id, deleted_by='someone')
    with pytest.raises(pyscripts_db.NoSuchScript):
        scripts_db.get_script(script.script_id)
    with pytest.raises(pyscripts_db.NoSuchScript):
        scripts_db.delete_script(script.script_id)
    assert scripts_db.list_scripts() == []
    (deleted,) = scripts_db.list_scripts(deleted=True)
    assert deleted.deleted is not None and deleted.deleted_by == 'someone'


def test_update_prepare_decides(scripts_db):
    script = scripts_db.create_script('s', 'a = 0')
    seen = []

    def prepare(cur):
        seen.append(cur.checksum)
        return {'data': 'a = 1', 'description': 'new'}

    updated = scripts_db.update_script(script.script_id, prepare,
                                       updated_by='u3')
    assert seen == [A0_SHA512]
    assert updated.data == 'a = 1'
    assert updated.checksum == pyscripts_db.checksum('a = 1')
    assert updated.description == 'new' and updated.updated_by == 'u3'

    def refuse(cur):
        raise ValueError('no')

    with pytest.raises(ValueError):
        scripts_db.update_script(script.script_id, refuse)
    assert scripts_db.get_script(script.script_id).data == 'a = 1'
    with pytest.raises(pyscripts_db.NoSuchScript):
        scripts_db.update_script('nope', prepare)


def test_long_user_ids_are_cut_to_the_column(scripts_db):
    script = scripts_db.create_script('s', 'a = 0', created_by='x' * 64)
    assert script.created_by == 'x' * 32


def test_active_scripts_follow_validity_periods(scripts_db):
    now = utils.naive_utcnow()
    past = scripts_db.create_script('past', 'a = 0', start=now - 3 * DAY,
                                    end=now - DAY)
    current = scripts_db.create_script('current', 'a = 1',
                                       start=now - 2 * DAY)
    bounded = scripts_db.create_script('bounded', 'a = 2',
                                       start=now - 2 * DAY, end=now + DAY)
    future = scripts_db.create_script('future', 'a = 3', start=now + DAY)
    deleted = scripts_db.create_script('deleted', 'a = 4',
                                       start=now - 2 * DAY)
    scripts_db.delete_script(deleted.script_id)

    def active(at):
        return [s.name for s in scripts_db.get_active_scripts(at)]

    assert active(now) == ['current', 'bounded']
    # start inclusive, end exclusive.
    assert active(past.start) == ['past']
    assert active(past.end) == ['current', 'bounded']
    assert active(past.end - datetime.timedelta(microseconds=1)) == [
        'past', 'current', 'bounded']
    assert active(bounded.end - datetime.timedelta(microseconds=1)) == [
        'current', 'bounded']
    assert active(bounded.end) == ['current', 'future']
    assert active(future.start) == ['current', 'future']
    assert active(now - 10 * DAY) == []
    assert current.script_id


def test_list_filters(scripts_db):
    now = utils.naive_utcnow()
    one = scripts_db.create_script('one', 'a = 1', start=now - DAY,
                                   description='Flavor PRICES',
                                   created_by='alice')
    two = scripts_db.create_script('two', 'a = 2', start=now + DAY,
                                   end=now + 3 * DAY, created_by='bob')
    three = scripts_db.create_script('three', 'a = 3', start=now - DAY,
                                     end=now + 2 * DAY,
                                     description='50% off_')
    scripts_db.delete_script(three.script_id, deleted_by='carol')

    def names(**kwargs):
        return [s.name for s in scripts_db.list_scripts(**kwargs)]

    assert names() == ['one', 'two']
    assert names(deleted=True) == ['one', 'two', 'three']
    assert names(start=now) == ['two']
    assert names(end=now + 4 * DAY) == ['two']
    assert names(end=now + 4 * DAY, deleted=True) == ['two', 'three']
    assert names(created_by='alice') == ['one']
    assert names(deleted_by='carol', deleted=True) == ['three']
    assert names(description='prices') == ['one']
    assert names(description='50%', deleted=True) == ['three']
    assert names(description='%') == []
    assert names(is_active=True) == ['one']
    assert names(is_active=False) == ['two']
    without = scripts_db.list_scripts(with_data=False)
    assert [s.data for s in without] == [None, None]
    assert without[0].checksum == one.checksum
    assert two.end == now + 3 * DAY
