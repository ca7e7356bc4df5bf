"""/v1/info: config, metrics and the deprecated services aliases."""
import pytest

from cloudkitty.tests.api.data_fixtures import as_member
from cloudkitty.tests.api import memory_storage


@pytest.fixture
def data_storage(conf, monkeypatch):
    # The info API does not read rated data: one storage is enough.
    from cloudkitty import storage as ck_storage
    backend = memory_storage.MemoryStorage(period=3600)
    monkeypatch.setattr(ck_storage, 'get_storage', lambda **kw: backend)
    return backend


@pytest.fixture
def client(data_client):
    return data_client


@pytest.fixture
def ks(data_keystone_client):
    return data_keystone_client


@pytest.mark.parametrize('path', ['/v1/info/config', '/v1/info/config/'])
def test_config_is_the_raw_file(client, path):
    resp = client.get(path)
    assert resp.status == 200, resp.text
    body = resp.json()
    assert list(body['metrics']) == ['cpu', 'image.size', 'volume.size']
    # Raw: no defaults added, factor kept as written.
    assert body['metrics']['image.size']['factor'] == '1/1048576'
    assert body['metrics']['cpu'] == {
        'unit': 'instance', 'alt_name': 'instance',
        'groupby': ['id', 'user_id', 'project_id'],
        'metadata': ['flavor_name', 'flavor_id', 'vcpus'],
        'mutate': 'NUMBOOL',
        'extra_args': {'aggregation_method': 'mean',
                       'resource_type': 'instance'}}


@pytest.mark.parametrize('collection', ['metrics', 'services'])
@pytest.mark.parametrize('slash', ['', '/'])
def test_metric_list(client, collection, slash):
    resp = client.get('/v1/info/%s%s' % (collection, slash))
    assert resp.status == 200, resp.text
    metrics = resp.json()['metrics']
    assert [m['metric_id'] for m in metrics] == [
        'instance', 'image.size', 'volume.size']
    assert [m['unit'] for m in metrics] == ['instance', 'MiB', 'GiB']
    assert sorted(metrics[0]['metadata']) == [
        'flavor_id', 'flavor_name', 'vcpus']
    assert metrics[2]['metadata'] == ['volume_type']


@pytest.mark.parametrize('collection', ['metrics', 'services'])
@pytest.mark.parametrize('slash', ['', '/'])
def test_metric_get_by_alt_name(client, collection, slash):
    resp = client.get('/v1/info/%s/instance%s' % (collection, slash))
    assert resp.status == 200, resp.text
    body = resp.json()
    assert body['metric_id'] == 'instance'
    assert body['unit'] == 'instance'
    assert sorted(body['metadata']) == ['flavor_id', 'flavor_name', 'vcpus']


def test_metric_get_by_yaml_key_is_404(client):
    resp = client.get('/v1/info/metrics/cpu')
    assert resp.status == 404
    assert resp.json()['faultstring'] == 'cpu'


def test_metric_unknown(client):
    resp = client.get('/v1/info/metrics/unknown')
    assert resp.status == 404
    body = resp.json()
    assert body == {'faultcode': 'Client', 'faultstring': 'unknown',
                    'debuginfo': None}


def test_singular_collection_is_405(client):
    assert client.get('/v1/info/metric/instance').status == 405


def test_info_root_is_405(client):
    assert client.get('/v1/info').status == 405


def test_invalid_metrics_conf_is_405(client, metrics_conf):
    metrics_conf.write_text('metrics:\n  cpu:\n    groupby: [id]\n')
    for path in ('/v1/info/metrics', '/v1/info/metrics/cpu',
                 '/v1/info/services'):
        resp = client.get(path)
        assert resp.status == 405, path
        assert resp.json()['faultstring'] == (
            'Invalid endpoint: no metrics in current configuration.')
    # The raw document is still served.
    resp = client.get('/v1/info/config')
    assert resp.status == 200
    assert resp.json() == {'metrics': {'cpu': {'groupby': ['id']}}}


def test_empty_metrics_conf_is_405(client, metrics_conf):
    metrics_conf.write_text('')
    assert client.get('/v1/info/metrics').status == 405
    assert client.get('/v1/info/config').json() == {}


def test_missing_metrics_conf_is_500(client, metrics_conf):
    metrics_conf.unlink()
    for path in ('/v1/info/config', '/v1/info/metrics'):
        resp = client.get(path)
        assert resp.status == 500
        body = resp.json()
        assert body['faultcode'] == 'Server'
        assert 'No such file or directory' in body['faultstring']


def test_metric_list_as_list_of_definitions(client, metrics_conf):
    metrics_conf.write_text(
        'metrics:\n'
        '  volume.size:\n'
        '    - unit: GiB\n'
        '      alt_name: volume\n'
        '      extra_args: {resource_type: volume}\n'
        '    - unit: GiB\n'
        '      alt_name: volume_backup\n'
        '      extra_args: {resource_type: volume}\n')
    resp = client.get('/v1/info/metrics')
    assert resp.status == 200, resp.text
    assert [m['metric_id'] for m in resp.json()['metrics']] == [
        'volume', 'volume_backup']
    assert client.get('/v1/info/metrics/volume_backup').status == 200


def test_policy_any_member_may_read(ks):
    as_member(ks, 'any-project', role='reader')
    assert ks.get('/v1/info/metrics').status == 200
    assert ks.get('/v1/info/metrics/instance').status == 200
    assert ks.get('/v1/info/config').status == 200
