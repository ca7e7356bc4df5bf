"""/v1/report: tenants, total, summary."""
import decimal

import pytest

from cloudkitty.tests.api.data_fixtures import as_admin
from cloudkitty.tests.api.data_fixtures import as_member
from cloudkitty.tests.api.data_fixtures import PERIOD
from cloudkitty.tests.api.data_fixtures import PROJECT_A
from cloudkitty.tests.api.data_fixtures import PROJECT_B
from cloudkitty.tests.api.data_fixtures import TOTAL_A
from cloudkitty.tests.api.data_fixtures import TOTAL_B


@pytest.fixture
def client(data_client):
    return data_client


@pytest.fixture
def ks(data_keystone_client):
    return data_keystone_client


def _total(client, **query):
    query = dict(PERIOD, **query)
    resp = client.get('/v1/report/total', query)
    assert resp.status == 200, resp.text
    return resp.json()


# --- tenants -----------------------------------------------------------

def test_tenants_of_the_period(client, loaded_storage):
    resp = client.get('/v1/report/tenants', PERIOD)
    assert resp.status == 200
    assert sorted(resp.json()) == sorted([PROJECT_A, PROJECT_B])


def test_tenants_outside_period_is_empty(client, loaded_storage):
    resp = client.get('/v1/report/tenants', {
        'begin': '2016-01-01', 'end': '2016-02-01'})
    assert resp.status == 200
    assert resp.json() == []


def test_tenants_begin_after_end_is_empty(client, loaded_storage):
    resp = client.get('/v1/report/tenants', {
        'begin': '2015-02-01', 'end': '2015-01-01'})
    assert resp.status == 200
    assert resp.json() == []


def test_tenants_client_datetime_format(client, loaded_storage):
    # python-cloudkittyclient sends str(datetime): a space separator.
    resp = client.get('/v1/report/tenants', {
        'begin': '2015-01-01 00:00:00', 'end': '2015-01-01 01:00:00'})
    assert resp.status == 200
    assert sorted(resp.json()) == sorted([PROJECT_A, PROJECT_B])


def test_tenants_malformed_date(client, loaded_storage):
    resp = client.get('/v1/report/tenants', {'begin': 'garbage'})
    assert resp.status == 400
    assert 'begin' in resp.json()['faultstring']


@pytest.mark.parametrize('path', ['/v1/report/tenants', '/v1/report/total',
                                  '/v1/report/summary',
                                  '/v1/storage/dataframes'])
def test_out_of_range_offset_is_400(client, loaded_storage, path):
    resp = client.get(path, {'end': '2019-01-01T00:00:00+99:00'})
    assert resp.status == 400
    assert 'Invalid datetime' in resp.json()['faultstring']


# --- total -------------------------------------------------------------

def test_total_all_tenants(client, loaded_storage):
    value = _total(client, all_tenants='True')
    assert isinstance(value, str)
    assert decimal.Decimal(value) == TOTAL_A + TOTAL_B


def test_total_noauth_without_project_is_everything(client, loaded_storage):
    assert decimal.Decimal(_total(client)) == TOTAL_A + TOTAL_B


def test_total_of_tenant(client, loaded_storage):
    assert decimal.Decimal(_total(client, tenant_id=PROJECT_A)) == TOTAL_A
    assert decimal.Decimal(_total(client, tenant_id=PROJECT_B)) == TOTAL_B


def test_total_caller_project_is_default_tenant(client, loaded_storage):
    client.headers = {'X-Project-Id': PROJECT_B}
    assert decimal.Decimal(_total(client)) == TOTAL_B


def test_total_all_tenants_wins_over_tenant(client, loaded_storage):
    value = _total(client, tenant_id=PROJECT_B, all_tenants='true')
    assert decimal.Decimal(value) == TOTAL_A + TOTAL_B


def test_total_of_service(client, loaded_storage):
    value = _total(client, tenant_id=PROJECT_A, service='image.size')
    assert value == '0.5'


def test_total_exact_decimal_string(client, loaded_storage):
    assert _total(client, tenant_id=PROJECT_A) == '8.174'


def test_total_no_data(client, loaded_storage):
    assert _total(client, begin='2016-01-01', end='2016-02-01') == '0'


def test_total_begin_after_end(client, loaded_storage):
    assert _total(client, begin='2015-02-01', end='2015-01-01') == '0'


def test_total_defaults_to_current_month(client, loaded_storage):
    resp = client.get('/v1/report/total')
    assert resp.status == 200
    assert resp.json() == '0'  # the data set is in 2015


@pytest.mark.parametrize('value', ['false', 'False', '0', 'no', ''])
def test_total_all_tenants_false_values(client, loaded_storage, value):
    client.headers = {'X-Project-Id': PROJECT_B}
    assert decimal.Decimal(_total(client, all_tenants=value)) == TOTAL_B


def test_total_ambiguous_bool(client, loaded_storage):
    resp = client.get('/v1/report/total', {'all_tenants': 'maybe'})
    assert resp.status == 400
    body = resp.json()
    assert body['faultcode'] == 'Client'
    assert 'all_tenants' in body['faultstring']


def test_total_unknown_argument(client, loaded_storage):
    resp = client.get('/v1/report/total', {'foo': 'bar'})
    assert resp.status == 400
    assert 'foo' in resp.json()['faultstring']


def test_total_malformed_end(client, loaded_storage):
    resp = client.get('/v1/report/total', {'end': 'not-a-date'})
    assert resp.status == 400
    assert 'end' in resp.json()['faultstring']


# --- summary -----------------------------------------------------------

def _summary(client, **query):
    query = dict(PERIOD, **query)
    resp = client.get('/v1/report/summary', query)
    assert resp.status == 200, resp.text
    return resp.json()['summary']


def test_summary_no_grouping(client, loaded_storage):
    rows = _summary(client, all_tenants='True')
    assert rows == [{
        'begin': '2015-01-01T00:00:00', 'end': '2015-02-01T00:00:00',
        'tenant_id': 'ALL', 'res_type': 'ALL', 'rate': '16.174'}]


@pytest.mark.parametrize('query', [
    {'begin': '2016-01-01', 'end': '2016-02-01'},
    {'begin': '2016-01-01', 'end': '2016-02-01', 'all_tenants': 'true'},
    {'begin': '2015-01-01', 'end': '2015-02-01', 'tenant_id': 'nobody'},
    {'begin': '2015-02-01', 'end': '2015-01-01'},
    {'service': 'unknown.metric'},
])
def test_summary_no_data_is_empty(client, loaded_storage, query):
    # As the reference on the v2 storage: no rated data, no row (not one
    # row with a rate of 0).
    assert _summary(client, **query) == []


def test_summary_grouped_no_data_is_empty(client, loaded_storage):
    rows = _summary(client, begin='2016-01-01', end='2016-02-01',
                    groupby='tenant_id')
    assert rows == []


def test_summary_by_tenant_sorted_by_rate(client, loaded_storage):
    rows = _summary(client, groupby='tenant_id')
    assert [(r['tenant_id'], r['res_type'], r['rate']) for r in rows] == [
        (PROJECT_B, 'ALL', '8.0'), (PROJECT_A, 'ALL', '8.174')]


def test_summary_by_type(client, loaded_storage):
    rows = _summary(client, groupby='res_type', tenant_id=PROJECT_A)
    assert [(r['tenant_id'], r['res_type'], r['rate']) for r in rows] == [
        (PROJECT_A, 'image.size', '0.5'), (PROJECT_A, 'instance', '7.674')]


def test_summary_by_tenant_and_type(client, loaded_storage):
    rows = _summary(client, groupby='tenant_id,res_type')
    assert [(r['tenant_id'], r['res_type'], r['rate']) for r in rows] == [
        (PROJECT_A, 'image.size', '0.5'),
        (PROJECT_A, 'instance', '7.674'),
        (PROJECT_B, 'instance', '8.0')]


def test_summary_groupby_is_a_substring_test(client, loaded_storage):
    rows = _summary(client, groupby='xres_typex', tenant_id=PROJECT_B)
    assert [r['res_type'] for r in rows] == ['instance']
    rows = _summary(client, groupby='foo', tenant_id=PROJECT_B)
    assert [(r['res_type'], r['rate']) for r in rows] == [('ALL', '8.0')]


def test_summary_service_filter(client, loaded_storage):
    rows = _summary(client, service='instance', all_tenants='True')
    assert [(r['tenant_id'], r['res_type'], r['rate']) for r in rows] == [
        ('ALL', 'instance', '15.674')]


def test_summary_begin_end_are_naive_utc(client, loaded_storage):
    rows = _summary(client, begin='2015-01-01T01:00:00+01:00',
                    end='2015-01-01T03:00:00+01:00')
    assert rows[0]['begin'] == '2015-01-01T00:00:00'
    assert rows[0]['end'] == '2015-01-01T02:00:00'
    assert rows[0]['rate'] == '16.174'


def test_summary_ambiguous_all_tenants(client, loaded_storage):
    resp = client.get('/v1/report/summary', {'all_tenants': 'nope'})
    assert resp.status == 400


# --- policies (keystone mode) ------------------------------------------

def test_policy_tenants_admin_only(ks, loaded_storage):
    as_member(ks)
    resp = ks.get('/v1/report/tenants', PERIOD)
    assert resp.status == 403
    assert 'report:list_tenants' in resp.json()['faultstring']
    as_admin(ks)
    resp = ks.get('/v1/report/tenants', PERIOD)
    assert resp.status == 200
    assert sorted(resp.json()) == sorted([PROJECT_A, PROJECT_B])


@pytest.mark.parametrize('role', ['reader', 'member,reader'])
def test_policy_member_sees_own_total(ks, loaded_storage, role):
    as_member(ks, PROJECT_A, role=role)
    assert decimal.Decimal(_total(ks)) == TOTAL_A
    assert decimal.Decimal(
        _total(ks, tenant_id=PROJECT_A)) == TOTAL_A


def test_policy_member_other_project_forbidden(ks,
                                               loaded_storage):
    as_member(ks, PROJECT_A, role='reader')
    for path in ('/v1/report/total', '/v1/report/summary'):
        resp = ks.get(path, dict(PERIOD, tenant_id=PROJECT_B))
        assert resp.status == 403, path
        resp = ks.get(path, dict(PERIOD, all_tenants='True'))
        assert resp.status == 403, path


def test_policy_member_summary_own_project(ks, loaded_storage):
    as_member(ks, PROJECT_B, role='reader')
    rows = _summary(ks, groupby='tenant_id')
    assert [(r['tenant_id'], r['rate']) for r in rows] == [(PROJECT_B, '8.0')]


def test_policy_no_role_forbidden(ks, loaded_storage):
    as_member(ks, PROJECT_A, role='other')
    resp = ks.get('/v1/report/total', PERIOD)
    assert resp.status == 403


def test_policy_admin_all_tenants(ks, loaded_storage):
    as_admin(ks)
    value = _total(ks, all_tenants='True')
    assert decimal.Decimal(value) == TOTAL_A + TOTAL_B


@pytest.mark.parametrize('path', ['/v1/report', '/v1/storage'])
def test_roots_are_405(client, path):
    assert client.get(path).status == 405
