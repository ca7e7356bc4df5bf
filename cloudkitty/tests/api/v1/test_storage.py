"""/v1/storage/dataframes."""
import pytest

from cloudkitty.tests.api.data_fixtures import as_admin
from cloudkitty.tests.api.data_fixtures import as_member
from cloudkitty.tests.api.data_fixtures import PERIOD
from cloudkitty.tests.api.data_fixtures import PROJECT_A
from cloudkitty.tests.api.data_fixtures import PROJECT_B

PATH = '/v1/storage/dataframes'


@pytest.fixture
def client(data_client):
    return data_client


@pytest.fixture
def ks(data_keystone_client):
    return data_keystone_client


def _frames(client, **query):
    resp = client.get(PATH, dict(PERIOD, **query))
    assert resp.status == 200, resp.text
    return resp.json()['dataframes']


def test_one_entry_per_frame_type_and_tenant(client, loaded_storage):
    frames = _frames(client)
    entries = [(f['begin'], f['end'], f['tenant_id'],
                [r['service'] for r in f['resources']]) for f in frames]
    # Frames come in period order; the order of types inside a period is
    # the storage's.
    assert [e[0] for e in entries] == sorted(e[0] for e in entries)
    assert sorted(entries) == [
        ('2015-01-01T00:00:00', '2015-01-01T01:00:00', PROJECT_B,
         ['instance']),
        ('2015-01-01T00:00:00', '2015-01-01T01:00:00', PROJECT_A,
         ['image.size']),
        ('2015-01-01T00:00:00', '2015-01-01T01:00:00', PROJECT_A,
         ['instance', 'instance']),
        ('2015-01-01T01:00:00', '2015-01-01T02:00:00', PROJECT_B,
         ['instance']),
        ('2015-01-01T01:00:00', '2015-01-01T02:00:00', PROJECT_A,
         ['image.size']),
        ('2015-01-01T01:00:00', '2015-01-01T02:00:00', PROJECT_A,
         ['instance', 'instance']),
    ]
    for frame in frames:
        assert all(r['desc']['project_id'] == frame['tenant_id']
                   for r in frame['resources'])


def test_resource_fields(client, loaded_storage):
    frames = _frames(client, tenant_id=PROJECT_A, resource_type='instance')
    resource = frames[0]['resources'][0]
    assert resource == {
        'service': 'instance',
        'volume': '1',
        'rating': '1.337',
        'desc': {
            'flavor_name': 'm1.tiny', 'project_id': PROJECT_A, 'id': 'vm1',
            'user_id': 'u-' + PROJECT_A[:4], 'year': '2015', 'month': '1',
            'day_of_the_year': '1', 'week_of_the_year': '00',
            'tenant_id': PROJECT_A,
        },
    }


def test_volume_is_normalised(client, loaded_storage):
    frames = _frames(client, tenant_id=PROJECT_A,
                     resource_type='image.size')
    assert [f['resources'][0]['volume'] for f in frames] == ['10.5', '10.5']
    assert [f['resources'][0]['rating'] for f in frames] == ['0.25', '0.25']


def test_admin_without_tenant_sees_everything(client, loaded_storage):
    frames = _frames(client)
    assert {f['tenant_id'] for f in frames} == {PROJECT_A, PROJECT_B}
    assert sum(len(f['resources']) for f in frames) == 8


def test_resource_type_filter(client, loaded_storage):
    frames = _frames(client, resource_type='image.size')
    assert len(frames) == 2
    assert all(r['service'] == 'image.size'
               for f in frames for r in f['resources'])


def test_no_data(client, loaded_storage):
    assert _frames(client, begin='2016-01-01', end='2016-02-01') == []
    assert _frames(client, resource_type='nothing') == []


def test_begin_after_end_is_empty(client, loaded_storage):
    assert _frames(client, begin='2015-02-01', end='2015-01-01') == []


def test_storage_called_with_period_and_filters(client, loaded_storage):
    _frames(client, tenant_id=PROJECT_B, resource_type='instance')
    name, kwargs = loaded_storage.calls[-1]
    assert name == 'retrieve'
    assert kwargs['filters'] == {'project_id': PROJECT_B}
    assert kwargs['metric_types'] == ['instance']
    assert kwargs['paginate'] is False
    assert kwargs['begin'].isoformat() == '2015-01-01T00:00:00+00:00'


def test_malformed_date(client, loaded_storage):
    resp = client.get(PATH, {'begin': 'yesterday-ish'})
    assert resp.status == 400
    assert 'begin' in resp.json()['faultstring']


def test_unknown_argument(client, loaded_storage):
    resp = client.get(PATH, {'tenant': 'x'})
    assert resp.status == 400


def test_undefined_tenant(client, data_storage):
    from cloudkitty import dataframe
    from cloudkitty.tests.api import data_fixtures
    frame = dataframe.DataFrame(data_fixtures.BEGIN,
                                data_fixtures.BEGIN + data_fixtures.HOUR)
    frame.add_point(dataframe.DataPoint('u', 1, 1, {'id': 'x'}, {}), 'm')
    data_storage.push([frame])
    frames = _frames(client)
    assert frames[0]['tenant_id'] == '__UNDEF__'
    assert frames[0]['resources'][0]['desc'] == {'id': 'x'}


# --- policies ----------------------------------------------------------

def test_policy_member_sees_own_project(ks, loaded_storage):
    as_member(ks, PROJECT_B, role='reader')
    frames = _frames(ks)
    assert {f['tenant_id'] for f in frames} == {PROJECT_B}
    frames = _frames(ks, tenant_id=PROJECT_B)
    assert {f['tenant_id'] for f in frames} == {PROJECT_B}


def test_policy_member_other_project_forbidden(ks, loaded_storage):
    as_member(ks, PROJECT_A, role='reader')
    resp = ks.get(PATH, dict(PERIOD, tenant_id=PROJECT_B))
    assert resp.status == 403
    assert resp.json()['faultstring'] == (
        "Policy doesn't allow storage:list_data_frames to be performed.")


def test_policy_admin_sees_everything(ks, loaded_storage):
    as_admin(ks)
    frames = _frames(ks)
    assert {f['tenant_id'] for f in frames} == {PROJECT_A, PROJECT_B}


def test_desc_keeps_json_types(client, data_storage):
    from cloudkitty import dataframe
    from cloudkitty.tests.api import data_fixtures
    frame = dataframe.DataFrame(data_fixtures.BEGIN,
                                data_fixtures.BEGIN + data_fixtures.HOUR)
    frame.add_point(dataframe.DataPoint(
        'nothing', '1.00', '1.337', {'project_id': PROJECT_A, 'id': 'x'},
        {'dummy': True, 'fake_meta': 1.5, 'tags': ['a', 'b'],
         'nested': {'k': None}}), 'cpu')
    data_storage.push([frame])
    resource = _frames(client)[0]['resources'][0]
    assert resource['desc'] == {
        'dummy': True, 'fake_meta': 1.5, 'tags': ['a', 'b'],
        'nested': {'k': None}, 'project_id': PROJECT_A, 'id': 'x',
        'tenant_id': PROJECT_A}
    assert resource['volume'] == '1'
    assert resource['rating'] == '1.337'
