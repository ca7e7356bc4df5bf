"""Scope fetchers with fake back ends."""
import pytest

from cloudkitty.collector import prometheus as collector_prometheus
from cloudkitty import fetcher
from cloudkitty.fetcher import gnocchi
from cloudkitty.fetcher import keystone
from cloudkitty.fetcher import prometheus
from cloudkitty.fetcher import source


def test_source(conf):
    assert fetcher.get_fetcher('source').get_tenants() == []
    conf.set_override('sources', ['a', 'b', 'a'], 'fetcher_source')
    loaded = fetcher.get_fetcher('source')
    assert isinstance(loaded, source.SourceFetcher)
    assert loaded.get_tenants() == ['a', 'b']
    conf.set_override('backend', 'source', 'fetcher')
    assert fetcher.get_fetcher().get_tenants() == ['a', 'b']


def test_base_is_abstract():
    with pytest.raises(TypeError):
        fetcher.BaseFetcher()


@pytest.mark.parametrize('version,major', [
    ('3', 3), ('v3', 3), ('3.0', 3), ('2.0', 2), ('2', 2)])
def test_keystone_versions(version, major):
    assert keystone._major_version(version) == major


def test_keystone_unsupported_version(conf):
    conf.set_override('keystone_version', '1', 'fetcher_keystone')
    with pytest.raises(keystone.VersionNotAvailable):
        keystone.KeystoneFetcher()
    with pytest.raises(keystone.VersionNotAvailable):
        keystone._major_version('latest')


class FakePrometheus(object):
    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def query(self, query, time=None):
        self.calls.append((query, time))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def make_prometheus(conf, answer, **options):
    conf.set_override('metric', 'openstack_identity_project_info',
                      'fetcher_prometheus')
    conf.set_override('prometheus_url', 'http://prom/api/v1',
                      'fetcher_prometheus')
    for key, value in options.items():
        conf.set_override(key, value, 'fetcher_prometheus')
    loaded = prometheus.PrometheusFetcher()
    loaded._client = FakePrometheus(answer)
    return loaded


def test_prometheus_fetcher(conf):
    answer = {'status': 'success', 'data': {'result': [
        {'metric': {'project_id': 'a'}, 'value': [0, '1']},
        {'metric': {'project_id': 'b'}, 'value': [0, '1']},
        {'metric': {'project_id': 'a'}, 'value': [0, '1']},
        {'metric': {}, 'value': [0, '1']}]}}
    loaded = make_prometheus(conf, answer, filters={'region': 'one'})
    assert loaded.get_tenants() == ['a', 'b']
    assert loaded._client.calls == [(
        'max(openstack_identity_project_info{region="one"}) by '
        '(project_id)', None)]
    loaded = make_prometheus(conf, {'data': {'result': []}}, filters={})
    assert loaded.get_tenants() == []
    assert loaded._client.calls[0][0] == (
        'max(openstack_identity_project_info) by (project_id)')


def test_prometheus_fetcher_errors(conf):
    for answer in ({'status': 'error'}, ['x']):
        loaded = make_prometheus(conf, answer)
        with pytest.raises(prometheus.PrometheusFetcherError) as exc:
            loaded.get_tenants()
        assert str(exc.value) == (
            'Unexpected Prometheus server response "%s" for "max('
            'openstack_identity_project_info) by (project_id)"' % (answer,))
    loaded = make_prometheus(
        conf, collector_prometheus.PrometheusResponseError('down'))
    with pytest.raises(prometheus.PrometheusFetcherError):
        loaded.get_tenants()


class FakeGnocchiResources(object):
    def __init__(self, pages):
        self.pages = pages
        self.calls = []

    def search(self, resource_type, query=None, details=False):
        self.calls.append((resource_type, query, details))
        return self.pages.get((resource_type, str(query)), [])


class FakeGnocchi(object):
    def __init__(self, pages):
        self.resource = FakeGnocchiResources(pages)


def test_gnocchi_fetcher(conf):
    conf.set_override('gnocchi_auth_type', 'basic', 'fetcher_gnocchi')
    conf.set_override('gnocchi_endpoint', 'http://gnocchi',
                      'fetcher_gnocchi')
    conf.set_override('resource_types', ['instance', 'volume'],
                      'fetcher_gnocchi')
    loaded = gnocchi.GnocchiFetcher()
    not_in_a_b = {'not': {'in': {'project_id': ['a', 'b']}}}
    loaded._conn = FakeGnocchi({
        ('instance', 'None'): [{'project_id': 'b'}, {'project_id': 'a'},
                               {'project_id': None}],
        ('volume', 'None'): [{'project_id': 'a'}, {'project_id': 'c'}],
        ('volume', str(not_in_a_b)): [{'project_id': 'c'}],
    })
    assert loaded.get_tenants() == ['b', 'a', 'c']
    calls = loaded._conn.resource.calls
    assert calls[0] == ('instance', None, True)
    assert calls[1] == ('instance', not_in_a_b, True)
    assert calls[2] == ('volume', None, True)
    conf.set_override('resource_types', [], 'fetcher_gnocchi')
    assert loaded.get_tenants() == []
