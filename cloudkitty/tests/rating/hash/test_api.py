"""HTTP API of the hashmap module over WSGI."""
import datetime
import logging

import pytest

MAPPING_KEYS = ['mapping_id', 'value', 'type', 'cost', 'service_id',
                'field_id', 'group_id', 'tenant_id', 'created_at', 'start',
                'end', 'name', 'description', 'deleted', 'created_by',
                'updated_by', 'deleted_by']
THRESHOLD_KEYS = ['threshold_id', 'level', 'type', 'cost', 'service_id',
                  'field_id', 'group_id', 'tenant_id']
BASE = 'http://localhost:8889/v1/rating/module_config/hashmap/'


def fault(resp):
    return resp.data['faultstring']


def future(days=30):
    return (datetime.datetime.utcnow()
            + datetime.timedelta(days=days)).replace(microsecond=0)


@pytest.fixture
def svc(client):
    return client.post('services', {'name': 'compute'}).data['service_id']


@pytest.fixture
def fld(client, svc):
    return client.post('fields', {'name': 'flavor', 'service_id': svc}
                       ).data['field_id']


@pytest.fixture
def grp(client):
    return client.post('groups', {'name': 'g1'}).data['group_id']


class TestTypes(object):

    def test_types(self, client):
        for path in ('types', 'types/'):
            resp = client.get(path)
            assert resp.status_int == 200
            assert resp.data == ['flat', 'rate']

    def test_bare_root_is_405(self, client):
        assert client.get('/v1/rating/module_config/hashmap').status_int \
            == 405


class TestServices(object):

    def test_crud(self, client):
        assert client.get('services').data == {'services': []}
        resp = client.post('services', {'name': 'cpu',
                                        'service_id': 'ignored-0000'})
        assert resp.status_int == 400       # invalid UUID even if ignored
        assert fault(resp) == ("Invalid input for field/attribute "
                               "service_id. Value: 'ignored-0000'. Invalid "
                               "UUID, got 'ignored-0000'")
        resp = client.post('services', {'name': 'cpu'})
        assert resp.status_int == 201
        sid = resp.data['service_id']
        assert list(resp.data) == ['service_id', 'name']
        assert resp.headers['Location'] == BASE + 'services/' + sid
        resp = client.post('services/', {'name': 'mem'})
        assert resp.headers['Location'] == BASE + 'services/' + \
            resp.data['service_id']
        assert client.get('services/' + sid).data == {'service_id': sid,
                                                      'name': 'cpu'}
        assert [s['name'] for s in client.get('services/').data[
            'services']] == ['cpu', 'mem']
        resp = client.post('services', {'name': 'cpu'})
        assert resp.status_int == 409
        assert fault(resp) == 'Service cpu already exists (UUID: %s)' % sid
        resp = client.delete('services/', {'service_id': sid})
        assert resp.status_int == 204 and resp.body == b''
        resp = client.get('services/' + sid)
        assert resp.status_int == 404
        assert fault(resp) == 'No such service: None (UUID: %s)' % sid
        assert client.delete('services/' + sid).status_int == 404
        assert client.get('services/42').status_int == 404

    def test_bad_input(self, client):
        resp = client.post('services', {})
        assert resp.status_int == 400
        assert fault(resp) == ("Invalid input for field/attribute name. "
                               "Value: 'None'. Mandatory field missing.")
        resp = client.post('services', {'name': 'x', 'foo': 1})
        assert resp.status_int == 400
        assert 'foo' in fault(resp)
        resp = client.post('services?force=true', {'name': 'x'})
        assert resp.status_int == 400
        assert fault(resp) == 'Unknown argument: "force"'
        resp = client.post('services', {'name': 'x' * 256})
        assert resp.status_int == 400 and 'name' in fault(resp)
        resp = client.post('services', raw='{bad')
        assert resp.status_int == 400
        assert client.get('services').data == {'services': []}

    def test_cascade(self, client, svc, fld):
        client.post('mappings', {'service_id': svc, 'cost': 1})
        client.post('mappings', {'field_id': fld, 'value': 'a', 'cost': 1})
        client.post('thresholds', {'field_id': fld, 'level': 1, 'cost': 1})
        client.delete('services/' + svc)
        assert client.get('fields/' + fld).status_int == 404
        assert client.get('mappings').data == {'mappings': []}


class TestFields(object):

    def test_crud(self, client, svc):
        resp = client.post('fields', {'name': 'flavor', 'service_id': svc})
        assert resp.status_int == 201
        fid = resp.data['field_id']
        assert resp.data == {'field_id': fid, 'name': 'flavor',
                             'service_id': svc}
        assert resp.headers['Location'] == BASE + 'fields/' + fid
        assert client.get('fields/' + fid).data == resp.data
        for path in ('fields?service_id=' + svc,
                     'services/%s/fields' % svc):
            assert client.get(path).data == {'fields': [resp.data]}
        # Filter as a JSON body (tempest).
        assert client.get('fields/', body={'service_id': svc}).data == {
            'fields': [resp.data]}
        resp = client.post('fields', {'name': 'flavor', 'service_id': svc})
        assert resp.status_int == 409
        assert fault(resp) == 'Field flavor already exists (UUID: %s)' % fid
        # Same name in another service is fine.
        other = client.post('services', {'name': 'other'}).data
        assert client.post('fields', {'name': 'flavor', 'service_id':
                                      other['service_id']}).status_int == 201
        assert client.delete('fields/', {'field_id': fid}).status_int == 204
        resp = client.get('fields/' + fid)
        assert resp.status_int == 404
        assert fault(resp) == 'No such field: %s' % fid

    def test_errors(self, client):
        resp = client.get('fields')
        assert resp.status_int == 400
        assert fault(resp) == 'Missing argument: "service_id"'
        unknown = '6c1b8a30-797f-4b7e-ad66-000000000009'
        assert client.get('fields?service_id=' + unknown).data == {
            'fields': []}
        resp = client.post('fields', {'name': 'f', 'service_id': unknown})
        assert resp.status_int == 400
        assert fault(resp) == 'No such service: None (UUID: %s)' % unknown
        resp = client.post('fields', {'name': 'f'})
        assert resp.status_int == 400 and 'service_id' in fault(resp)


class TestGroups(object):

    def test_crud(self, client, svc):
        resp = client.post('groups', {'name': 'g'})
        assert resp.status_int == 201
        gid = resp.data['group_id']
        assert resp.headers['Location'] == BASE + 'groups/' + gid
        assert client.get('groups').data == {'groups': [resp.data]}
        assert client.get('groups/' + gid).data == resp.data
        resp = client.post('groups', {'name': 'g'})
        assert resp.status_int == 409
        assert fault(resp) == 'Group g already exists (UUID: %s)' % gid
        m = client.post('mappings', {'service_id': svc, 'cost': 1,
                                     'group_id': gid}).data
        t = client.post('thresholds', {'service_id': svc, 'cost': 1,
                                       'level': 2, 'group_id': gid}).data
        for path in ('groups/mappings?group_id=' + gid,
                     'groups/%s/mappings' % gid):
            assert client.get(path).data == {'mappings': [m]}
        for path in ('groups/thresholds?group_id=' + gid,
                     'groups/%s/thresholds' % gid):
            assert client.get(path).data == {'thresholds': [t]}
        assert client.get('mappings/%s/group' % m['mapping_id']).data == {
            'group_id': gid, 'name': 'g'}
        assert client.get('mappings/group?mapping_id=' + m['mapping_id']
                          ).data['group_id'] == gid
        assert client.get('thresholds/group?threshold_id=' +
                          t['threshold_id']).data['group_id'] == gid
        resp = client.get('groups/mappings')
        assert resp.status_int == 400
        assert fault(resp) == 'Missing argument: "group_id"'
        # Non-recursive delete detaches the rules.
        resp = client.delete('groups/', {'group_id': gid,
                                         'recursive': False})
        assert resp.status_int == 204
        assert client.get('mappings/' + m['mapping_id']).data[
            'group_id'] is None
        resp = client.get('mappings/%s/group' % m['mapping_id'])
        assert resp.status_int == 404
        assert fault(resp) == 'Mapping has no group (UUID: %s)' % \
            m['mapping_id']
        resp = client.get('thresholds/%s/group' % t['threshold_id'])
        assert fault(resp) == 'Threshold has no group (UUID: %s)' % \
            t['threshold_id']
        resp = client.get('groups/' + gid)
        assert resp.status_int == 404
        assert fault(resp) == 'No such group: None (UUID: %s)' % gid

    def test_recursive_delete(self, client, svc, grp):
        m = client.post('mappings', {'service_id': svc, 'cost': 1,
                                     'group_id': grp}).data
        client.post('thresholds', {'service_id': svc, 'cost': 1,
                                   'level': 2, 'group_id': grp})
        resp = client.delete('groups/%s?recursive=true' % grp)
        assert resp.status_int == 204
        assert client.get('mappings/' + m['mapping_id']).status_int == 404
        assert client.get('thresholds?service_id=' + svc).data == {
            'thresholds': []}

    def test_recursive_false_string_is_false(self, client, svc, grp):
        # The reference reads "?recursive=false" as true: fixed.
        m = client.post('mappings', {'service_id': svc, 'cost': 1,
                                     'group_id': grp}).data
        assert client.delete('groups/%s?recursive=false' % grp
                             ).status_int == 204
        assert client.get('mappings/' + m['mapping_id']).status_int == 200
        resp = client.delete('groups/%s?recursive=maybe' % grp)
        assert resp.status_int == 400 and 'recursive' in fault(resp)


class TestMappings(object):

    def test_create_service_mapping(self, client, svc):
        resp = client.post('mappings', {'service_id': svc, 'cost': 0.95})
        assert resp.status_int == 201
        m = resp.data
        assert list(m) == MAPPING_KEYS
        assert resp.headers['Location'] == BASE + 'mappings/' + \
            m['mapping_id']
        # Exact decimal at the scale of the column (money is never a float).
        assert m['cost'] == '0.9500000000000000000000000000'
        assert m['value'] == '' and m['type'] == 'flat'
        assert m['created_by'] == 'unknown'
        assert m['start'] == m['created_at']
        assert len(m['name']) == 32
        assert (m['end'], m['deleted'], m['updated_by'], m['deleted_by'],
                m['description'], m['group_id'], m['tenant_id'],
                m['field_id']) == (None,) * 8
        assert client.get('mappings/' + m['mapping_id']).data == m
        resp = client.post('mappings', {'service_id': svc, 'cost': '2'})
        assert resp.status_int == 409
        assert fault(resp) == ("Mapping '' already exists for service "
                               "'%s', tenant: 'None'" % svc)

    def test_client_create_body(self, client, svc, fld, grp):
        # What python-cloudkittyclient sends: explicit nulls, a name.
        body = {'cost': 1.5, 'value': None, 'service_id': svc,
                'group_id': None, 'field_id': None, 'tenant_id': None,
                'type': 'rate', 'name': 'a1b2c3d4e5f6a1b2c3d4e5f6'}
        resp = client.post('mappings/', body)
        assert resp.status_int == 201
        assert resp.data['value'] is None
        assert resp.data['type'] == 'rate'
        assert resp.data['name'] == 'a1b2c3d4e5f6a1b2c3d4e5f6'
        assert resp.data['cost'] == '1.5000000000000000000000000000'
        # "" and null do not collide (quirk kept).
        assert client.post('mappings', {'service_id': svc, 'cost': 1}
                           ).status_int == 201
        # Same name: conflict.
        resp = client.post('mappings', dict(body, service_id=None,
                                            field_id=fld, value='x'))
        assert resp.status_int == 409
        assert fault(resp) == ("Mapping 'x' already exists for field "
                               "'%s', tenant: 'None'" % fld)

    def test_create_errors_in_order(self, client, svc, fld):
        unknown = 'de23e3fe-0097-11e6-a44d-2b09512e61d9'
        cases = [
            ({'service_id': svc, 'type': 'fail', 'cost': 1},
             "Invalid input for field/attribute type. Value: 'fail'. "
             "Value should be one of: flat, rate"),
            ({'service_id': svc},
             "Invalid input for field/attribute cost. Value: 'None'. "
             "Mandatory field missing."),
            ({'service_id': svc, 'cost': 'abc'},
             "Invalid input for field/attribute cost. Value: 'abc'. "
             "Value should be a number"),
            ({'service_id': 'abc', 'cost': 1},
             "Invalid input for field/attribute service_id. Value: 'abc'. "
             "Invalid UUID, got 'abc'"),
            ({'service_id': svc, 'cost': 1, 'start': '2014-01-01'},
             'Cannot create a rule with start in the past. '
             'start=[2014-01-01 00:00:00] current time=['),
            ({'service_id': svc, 'cost': 1, 'start': '3000-01-02',
              'end': '3000-01-01'},
             'Cannot create a rule with start after end. '
             'start=[3000-01-02 00:00:00] end=[3000-01-01 23:59:59].'),
            ({'service_id': svc, 'cost': 1, 'end': '2001-01-01'},
             'Cannot create a rule with start after end.'),
            ({'service_id': svc, 'field_id': fld, 'cost': 1,
              'start': '3000-01-01', 'name': 'teste7'},
             'You can only specify one parent.'),
            ({'cost': 1}, 'You must specify one parent.'),
            ({'service_id': svc, 'value': 'v', 'cost': 1},
             "You can't specify a value and a service_id."),
            ({'field_id': fld, 'cost': 1, 'start': '3000-01-01'},
             'You must specify a value for a field mapping.'),
            ({'service_id': unknown, 'cost': 1, 'start': '3000-01-01'},
             'No such service: None (UUID: %s)' % unknown),
            ({'field_id': unknown, 'value': 'a', 'cost': 1},
             'No such field: %s' % unknown),
            ({'service_id': svc, 'group_id': unknown, 'cost': 1},
             'No such group: None (UUID: %s)' % unknown),
            ({'service_id': svc, 'cost': 1, 'start': 'garbage'},
             "Invalid input for field/attribute start. Value: 'garbage'."),
            ({'service_id': svc, 'cost': 1, 'name': 'x' * 33},
             'Invalid input for field/attribute name.'),
            ({'service_id': svc, 'cost': '1e20'},
             'Invalid input for field/attribute cost.'),
        ]
        for body, message in cases:
            resp = client.post('mappings', body)
            assert resp.status_int == 400, (body, resp.body)
            assert fault(resp).startswith(message), (body, fault(resp))
        assert client.get('mappings').data == {'mappings': []}

    def test_force_and_dates(self, client, svc, fld):
        resp = client.post('mappings?force=true', {
            'service_id': svc, 'type': 'flat', 'start': '2014-01-01',
            'name': 'teste10', 'cost': '0.10000000'})
        assert resp.status_int == 201
        assert resp.data['cost'] == '0.1000000000000000000000000000'
        assert resp.data['start'] == '2014-01-01T00:00:00'
        assert client.post('mappings?force=false', {
            'field_id': fld, 'value': 'a', 'start': '2014-01-01',
            'cost': 1}).status_int == 400
        resp = client.post('mappings', {
            'field_id': fld, 'value': 'b', 'cost': 1,
            'start': '3000-01-01T10:00:00+02:00',
            'end': '3000-02-01 10:00:00'})
        assert resp.status_int == 201
        # Aware values are converted to UTC; an end without "T" ends the day.
        assert resp.data['start'] == '3000-01-01T08:00:00'
        assert resp.data['end'] == '3000-02-01T23:59:59'
        resp = client.post('mappings', {
            'field_id': fld, 'value': 'c', 'cost': 1,
            'end': '3000-01-01T23:00:00'})
        assert resp.data['end'] == '3000-01-01T23:00:00'

    def test_window_conflicts(self, client, fld):
        base = {'field_id': fld, 'value': 'a', 'cost': 1}
        assert client.post('mappings', dict(
            base, start='3000-01-01', end='3000-06-01')).status_int == 201
        # Overlapping window → 409; after it → fine.
        assert client.post('mappings', dict(
            base, start='3000-05-01', end='3000-07-01')).status_int == 409
        assert client.post('mappings', dict(
            base, start='3000-06-02', end='3000-07-01')).status_int == 201
        # Other tenant: no conflict.
        assert client.post('mappings', dict(
            base, start='3000-05-01', end='3000-07-01',
            tenant_id='t1')).status_int == 201

    def test_list_filters(self, client, svc, fld, grp):
        glob = client.post('mappings', {'service_id': svc, 'cost': 1}).data
        ten = client.post('mappings', {'service_id': svc, 'cost': 1,
                                       'tenant_id': 'T'}).data
        fm = client.post('mappings', {'field_id': fld, 'value': 'a',
                                      'cost': 1, 'group_id': grp,
                                      'description': 'Big Flavor'}).data

        def ids(path):
            resp = client.get(path)
            assert resp.status_int == 200, resp.body
            return [m['mapping_id'] for m in resp.data['mappings']]

        assert ids('mappings') == [glob['mapping_id'], ten['mapping_id'],
                                   fm['mapping_id']]
        assert ids('mappings?service_id=' + svc) == [glob['mapping_id'],
                                                     ten['mapping_id']]
        assert ids('services/%s/mappings' % svc) == ids(
            'mappings?service_id=' + svc)
        assert ids('mappings?service_id=%s&filter_tenant=true' % svc) == [
            glob['mapping_id']]
        assert ids('mappings?service_id=%s&filter_tenant=True&tenant_id=T'
                   % svc) == [ten['mapping_id']]
        assert ids('mappings?field_id=' + fld) == [fm['mapping_id']]
        assert ids('mappings?group_id=' + grp) == [fm['mapping_id']]
        assert ids('mappings?no_group=True') == [glob['mapping_id'],
                                                 ten['mapping_id']]
        # "false" is false (the reference reads it as true).
        assert len(ids('mappings?no_group=false')) == 3
        assert ids('mappings?description=big') == [fm['mapping_id']]
        assert ids('mappings?created_by=unknown&is_active=true') == [
            glob['mapping_id'], ten['mapping_id'], fm['mapping_id']]
        assert ids('mappings?service_id=6c1b8a30-797f-4b7e-ad66-0000000000'
                   '09') == []
        resp = client.get('mappings?all=false')
        assert resp.status_int == 400
        assert fault(resp) == ('You must specify either service_uuid, '
                               'field_uuid or group_uuid.')
        assert client.get('mappings?no_group=maybe').status_int == 400
        resp = client.get('mappings?start=garbage')
        assert resp.status_int == 400 and 'start' in fault(resp)
        assert client.get('mappings?foo=1').status_int == 400
        client.delete('mappings/' + glob['mapping_id'])
        assert ids('mappings?service_id=' + svc) == [ten['mapping_id']]
        assert ids('mappings?service_id=%s&deleted=true' % svc) == [
            glob['mapping_id'], ten['mapping_id']]

    def test_update_future_rule(self, client, fld):
        start = future()
        m = client.post('mappings', {
            'field_id': fld, 'value': 'a', 'cost': 1,
            'start': start.isoformat()}).data
        body = dict(m, cost='2.5', description='new',
                    end=(start + datetime.timedelta(days=1)).isoformat())
        resp = client.put('mappings/', body)
        assert resp.status_int == 302
        assert resp.headers['Location'] == BASE + 'mappings/'
        assert resp.body == b''
        got = client.get('mappings/' + m['mapping_id']).data
        assert got['cost'] == '2.5000000000000000000000000000'
        assert got['description'] == 'new'
        assert got['updated_by'] == 'unknown'
        # Repeating the same PUT (keystoneauth follows the 302) works.
        assert client.put('mappings/', body).status_int == 302
        # PUT never updates value, type, tenant, group, name or parents:
        # on a rule that has not started they are ignored (302).
        resp = client.put('mappings/' + m['mapping_id'], {
            'cost': 3, 'value': 'other', 'type': 'rate', 'tenant_id': 't',
            'name': 'renamed', 'group_id': None,
            'service_id': '6c1b8a30-797f-4b7e-ad66-000000000009',
            'field_id': '6c1b8a30-797f-4b7e-ad66-000000000008'})
        assert resp.status_int == 302, resp.body
        got = client.get('mappings/' + m['mapping_id']).data
        assert got == dict(m, cost='3.0000000000000000000000000000',
                           updated_by='unknown', end=None)
        resp = client.put('mappings/' + m['mapping_id'],
                          {'cost': 3, 'start': '2014-01-01'})
        assert resp.status_int == 400
        assert fault(resp).startswith(
            'Cannot create a rule with start in the past.')
        resp = client.put('mappings/' + m['mapping_id'], {'value': 'a'})
        assert resp.status_int == 400 and 'cost' in fault(resp)
        resp = client.put('mappings/', {'cost': 1})
        assert resp.status_int == 400
        assert fault(resp) == 'Missing argument: "mapping_id"'
        resp = client.put('mappings/6c1b8a30-797f-4b7e-ad66-000000000009',
                          {'cost': 1})
        assert resp.status_int == 404

    def test_update_running_rule_with_client_body(self, client, svc, fld):
        m = client.post('mappings?force=true', {
            'field_id': fld, 'value': 'a', 'cost': '0.2', 'type': 'rate',
            'start': '2014-01-01'}).data
        # The client PUTs the whole GET object, cost as a string.
        end = future(10).isoformat()
        body = dict(m, end=end)
        resp = client.put('mappings/', body)
        assert resp.status_int == 302, resp.body
        got = client.get('mappings/' + m['mapping_id']).data
        assert got['end'] == end
        assert got['cost'] == m['cost']
        # The repeat sent after the redirect is accepted as a no-op...
        assert client.put('mappings/', body).status_int == 302
        # ...but a different end is refused once an end is set.
        resp = client.put('mappings/', dict(body, end=future(20).isoformat()))
        assert resp.status_int == 400
        assert fault(resp) == ('Cannot update a rule that was already '
                               'processed and has a defined end date.')

    def test_update_ended_rule_refused_first(self, client, fld):
        m = client.post('mappings?force=true', {
            'field_id': fld, 'value': 'f17a', 'cost': '0.2', 'type': 'rate',
            'start': '2014-01-01', 'end': '2014-01-02'}).data
        # "value" differs, yet the end is what the reference checks first.
        for body in ({'type': 'rate', 'cost': '0.2', 'value': ''},
                     {'type': 'flat', 'cost': '9', 'value': 'x'},
                     dict(m, end=future().isoformat())):
            resp = client.put('mappings/' + m['mapping_id'], body)
            assert resp.status_int == 400
            assert fault(resp) == ('Cannot update a rule that was already '
                                   'processed and has a defined end date.')
        assert client.get('mappings/' + m['mapping_id']).data == m

    def test_update_running_rule_changes_refused(self, client, svc, fld,
                                                 caplog):
        m = client.post('mappings?force=true', {
            'field_id': fld, 'value': 'f17a', 'cost': '0.2', 'type': 'rate',
            'start': '2014-01-01'}).data
        running = ('You are allowed to update only the attribute [end] as '
                   'this rule is already running as it started on '
                   '[2014-01-01 00:00:00]')
        with caplog.at_level(logging.INFO):
            resp = client.put('mappings/' + m['mapping_id'], {
                'type': 'rate', 'cost': '0.3', 'value': 'f17a'})
        assert resp.status_int == 400
        # The reference's whole text; the attribute is named in the log.
        assert fault(resp) == running
        assert 'attribute [cost] cannot change' in caplog.text
        with caplog.at_level(logging.INFO):
            resp = client.put('mappings/' + m['mapping_id'], dict(
                m, field_id='6c1b8a30-797f-4b7e-ad66-000000000009'))
        assert resp.status_int == 400 and fault(resp) == running
        assert 'attribute [field_id] cannot change' in caplog.text
        # Falsy values are no change (tempest sends "cost": 0).
        for body in ({'cost': 0, 'value': '', 'type': 'rate'},
                     {'cost': '0.2', 'value': None, 'name': ''}):
            resp = client.put('mappings/' + m['mapping_id'], body)
            assert resp.status_int == 302, resp.body
        assert client.get('mappings/' + m['mapping_id']).data == dict(
            m, updated_by='unknown')
        m = client.get('mappings/' + m['mapping_id']).data
        resp = client.put('mappings/' + m['mapping_id'], dict(
            m, end='2015-01-01T00:00:00'))
        assert resp.status_int == 400
        assert fault(resp).startswith('End date must be in the future.')
        assert client.get('mappings/' + m['mapping_id']).data == m

    def test_soft_delete(self, client, svc):
        m = client.post('mappings', {'service_id': svc, 'cost': 1}).data
        resp = client.delete('mappings/', {'mapping_id': m['mapping_id']})
        assert resp.status_int == 204
        got = client.get('mappings/' + m['mapping_id'])
        assert got.status_int == 200
        assert got.data['deleted'] is not None
        assert got.data['deleted_by'] == 'unknown'
        assert client.get('mappings').data == {'mappings': []}
        resp = client.delete('mappings/' + m['mapping_id'])
        assert resp.status_int == 404
        assert fault(resp) == 'No such mapping: %s' % m['mapping_id']
        resp = client.put('mappings/' + m['mapping_id'], {'cost': 1})
        assert resp.status_int == 404
        # The deleted rule no longer conflicts.
        assert client.post('mappings', {'service_id': svc, 'cost': 2}
                           ).status_int == 201
        assert client.get('mappings/42').status_int == 404

    def test_audit_user_from_token(self, client, svc):
        resp = client.post('mappings', {'service_id': svc, 'cost': 1},
                           headers={'X-Auth-Token': 't',
                                    'X-User-Id': 'user-1'})
        assert resp.data['created_by'] == 'user-1'


class TestThresholds(object):

    def test_crud(self, client, svc, grp):
        body = {'service_id': svc, 'level': '2', 'type': 'flat',
                'cost': 0.2, 'field_id': None, 'group_id': None,
                'tenant_id': '24a7fdae-27ff-11e6-8c4f-6b725a05bf50'}
        resp = client.post('thresholds/', body)
        assert resp.status_int == 201
        t = resp.data
        assert list(t) == THRESHOLD_KEYS
        assert resp.headers['Location'] == BASE + 'thresholds/' + \
            t['threshold_id']
        assert (t['level'], t['cost'], t['tenant_id'], t['group_id']) == (
            '2.00000000', '0.2000000000000000000000000000',
            body['tenant_id'], None)
        resp = client.post('thresholds', body)
        assert resp.status_int == 409
        assert fault(resp) == ("Threshold '2' already exists for service "
                               "'%s', tenant: 'None'" % svc)
        # Global thresholds may be duplicated (quirk kept).
        glob = dict(body, tenant_id=None)
        assert client.post('thresholds', glob).status_int == 201
        assert client.post('thresholds', glob).status_int == 201

        def ids(path):
            return [x['threshold_id']
                    for x in client.get(path).data['thresholds']]

        assert len(ids('thresholds?service_id=' + svc)) == 3
        assert len(ids('thresholds?service_id=%s&filter_tenant=true'
                       % svc)) == 2
        assert ids('thresholds?service_id=%s&filter_tenant=true'
                   '&tenant_id=%s' % (svc, body['tenant_id'])) == [
            t['threshold_id']]
        resp = client.get('thresholds')
        assert resp.status_int == 400
        assert fault(resp) == ('You must specify either service_uuid, '
                               'field_uuid or group_uuid.')
        # Update: the client PUTs the whole object, id in the body.
        resp = client.put('thresholds/', dict(t, level='3', cost='0.5',
                                              type='rate', group_id=grp))
        assert resp.status_int == 302
        assert resp.headers['Location'] == BASE + 'thresholds/'
        got = client.get('thresholds/' + t['threshold_id']).data
        assert (got['level'], got['cost'], got['type'], got['group_id'],
                got['tenant_id']) == ('3.00000000',
                                      '0.5000000000000000000000000000',
                                      'rate', grp, body['tenant_id'])
        # Omitting type resets it, omitting tenant_id clears it.
        resp = client.put('thresholds/' + t['threshold_id'],
                          {'level': 3, 'cost': 1})
        assert resp.status_int == 302
        got = client.get('thresholds/' + t['threshold_id']).data
        assert (got['type'], got['tenant_id'], got['group_id']) == (
            'flat', None, grp)
        assert client.delete('thresholds/', {'threshold_id': t[
            'threshold_id']}).status_int == 204
        resp = client.get('thresholds/' + t['threshold_id'])
        assert resp.status_int == 404
        assert fault(resp) == 'No such threshold: %s' % t['threshold_id']
        assert client.delete('thresholds/' + t['threshold_id']
                             ).status_int == 404

    def test_errors(self, client, svc, fld):
        unknown = '6c1b8a30-797f-4b7e-ad66-000000000009'
        cases = [
            ({'service_id': svc, 'cost': 1},
             "Invalid input for field/attribute level. Value: 'None'. "
             "Mandatory field missing."),
            ({'service_id': svc, 'level': 'x', 'cost': 1},
             "Invalid input for field/attribute level. Value: 'x'."),
            ({'service_id': svc, 'field_id': fld, 'level': 1, 'cost': 1},
             'You can only specify one parent.'),
            ({'level': 1, 'cost': 1}, 'You must specify one parent.'),
            ({'field_id': unknown, 'level': 1, 'cost': 1},
             'No such field: %s' % unknown),
            ({'service_id': unknown, 'level': 1, 'cost': 1},
             'No such service: None (UUID: %s)' % unknown),
            ({'service_id': svc, 'group_id': unknown, 'level': 1,
              'cost': 1}, 'No such group: None (UUID: %s)' % unknown),
        ]
        for body, message in cases:
            resp = client.post('thresholds', body)
            assert resp.status_int == 400, (body, resp.body)
            assert fault(resp).startswith(message), fault(resp)
        resp = client.post('thresholds?force=1', {'service_id': svc,
                                                  'level': 1, 'cost': 1})
        assert resp.status_int == 400
        resp = client.put('thresholds/' + unknown, {'level': 1, 'cost': 1})
        assert resp.status_int == 404


@pytest.mark.parametrize('method,path,raw,status,name', [
    ('POST', 'services', '[1,2]', 400, 'service_data'),
    ('POST', 'services', '"x"', 400, 'service_data'),
    ('POST', 'mappings', '[1]', 400, 'mapping_data'),
    ('PUT', 'mappings/', '[1]', 400, 'mapping'),
    ('POST', 'thresholds', '1', 400, 'threshold_data'),
    ('PUT', 'thresholds/', '{"level": 1, "cost": 1}', 400, 'threshold_id'),
    ('POST', 'mappings', '{"cost": [1], "service_id": "%(s)s"}', 400,
     'cost'),
    ('POST', 'mappings', '{"cost": "NaN", "service_id": "%(s)s"}', 400,
     'cost'),
    ('POST', 'mappings', '{"cost": 1, "service_id": "%(s)s", "start": 5}',
     400, 'start'),
    ('POST', 'mappings', '{"cost": 1, "service_id": "%(s)s", "value": 5}',
     400, 'value'),
    ('POST', 'mappings', '{"cost": 1, "service_id": "%(s)s", '
     '"start": "99999-01-01"}', 400, 'start'),
    ('POST', 'thresholds', '{"cost": 1, "service_id": "%(s)s", '
     '"level": "1e50"}', 400, 'level'),
    ('POST', 'thresholds', '{"cost": 1, "service_id": "%(s)s", '
     '"level": true}', 400, 'level'),
    ('GET', 'mappings', '[1]', 400, 'JSON dict'),
    ('GET', 'mappings', '{"no_group": "x"}', 400, 'no_group'),
    ('DELETE', 'groups/', '{"group_id": null}', 400, 'group_id'),
    ('DELETE', 'groups/', '{"group_id": "abc", "recursive": "x"}', 400,
     'recursive'),
    ('DELETE', 'services/', '{"service_id": 5}', 404, 'UUID: 5'),
])
def test_bad_bodies(client, svc, method, path, raw, status, name):
    resp = client.request(method, path, raw=raw % {'s': svc})
    assert resp.status_int == status, resp.body
    assert name in fault(resp)
    assert client.get('mappings').data == {'mappings': []}


def test_policy_module_config(client, conf):
    """Every request needs rating:module_config (admin by default)."""
    conf.set_override('auth_strategy', 'keystone')
    member = {'X-Roles': 'member,reader', 'X-Project-Id': 'p1',
              'X-User-Id': 'u1', 'X-Auth-Token': 't'}
    admin = dict(member, **{'X-Roles': 'admin,member,reader'})
    for method, path in (('GET', 'services'), ('POST', 'groups'),
                         ('GET', 'types')):
        resp = client.request(method, path, body={'name': 'n'}
                              if method == 'POST' else None,
                              headers=member)
        assert resp.status_int == 403, (path, resp.body)
    assert client.get('groups', headers=member).status_int == 403
    resp = client.post('groups', {'name': 'g'}, headers=admin)
    assert resp.status_int == 201
    assert client.get('groups', headers=admin).data['groups'] == [
        resp.data]
