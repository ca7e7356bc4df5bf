"""Every ``cloudkitty pyscript`` command against a real API process.

The real python-cloudkittyclient CLI (``cloudkitty``) drives a started
``cloudkitty-api`` (noauth, SQLite); results are checked field by field.
Quotes then show the scripts at work, alone and chained after hashmap in
priority order (highest priority first).
"""
import datetime
import decimal
import hashlib

D = decimal.Decimal
P = '/v1/rating/module_config/pyscripts/scripts'
COLUMNS = ['Name', 'Script ID', 'Checksum', 'Data', 'Script Start Date',
           'Script End Date', 'Script Description']

DOUBLE = '''\
import decimal

# Double every price set by the modules that ran before.
for points in data["usage"].values():
    for point in points:
        point["rating"]["price"] = (
            decimal.Decimal(point["rating"]["price"]) * 2)
'''
FLAVORS = '''\
import decimal

PRICES = {"m1.tiny": decimal.Decimal("0.01"),
          "m1.large": decimal.Decimal("0.08")}

for point in data["usage"].get("instance", []):
    flavor = point["metadata"].get("flavor_name")
    unit_price = PRICES.get(flavor, decimal.Decimal(0))
    point["rating"] = {"price": decimal.Decimal(point["vol"]["qty"])
                       * unit_price}
'''


def sha512(text):
    return hashlib.sha512(text.encode('utf-8')).hexdigest()


def run(server, *args):
    """Run ``cloudkitty <args> -f json``; return the parsed output."""
    result = server.cli(*(args + ('-f', 'json')))
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.json()


def run_plain(server, *args):
    result = server.cli(*args)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def fails(server, *args):
    result = server.cli(*args)
    assert result.returncode != 0, (args, result.stdout)
    out = result.stdout + result.stderr
    # The status, not any '500' inside a generated UUID in the text.
    assert 'Traceback' not in out and '(HTTP 500)' not in out, out
    return out


def one(rows):
    assert len(rows) == 1, rows
    return rows[0]


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def quote(server, service, qty, **metadata):
    client = server.client()
    return D(client.rating.get_quotation(res_data=[
        {'service': service, 'volume': str(qty),
         'desc': {'metadata': metadata,
                  'groupby': {'project_id': 'p1', 'id': 'r1'}}}]))


def test_pyscript_commands(api_server, tmp_path):
    s = api_server
    assert run(s, 'pyscript', 'list') == []

    # create from a file ------------------------------------------------
    path = tmp_path / 'flavors.py'
    path.write_text(FLAVORS)
    flavors = one(run(s, 'pyscript', 'create', 'flavors', str(path)))
    assert list(flavors) == COLUMNS
    assert flavors['Name'] == 'flavors'
    assert flavors['Data'] == FLAVORS
    assert flavors['Checksum'] == sha512(FLAVORS)
    assert flavors['Script End Date'] is None
    assert flavors['Script Description'] is None
    start = datetime.datetime.fromisoformat(flavors['Script Start Date'])
    assert abs(start - utc_now()) < datetime.timedelta(minutes=1)
    fid = flavors['Script ID']
    raw = s.get('%s/%s' % (P, fid)).json()
    assert raw['created_by'] == 'unknown'
    assert raw['created_at'] == flavors['Script Start Date']

    # create inline, with a validity period and a description ------------
    begin = (utc_now() + datetime.timedelta(days=1)).replace(microsecond=0)
    later = one(run(s, 'pyscript', 'create', 'later', 'a = 0',
                    '--start', begin.isoformat(),
                    '--end', '2100-01-01', '--description', 'not yet'))
    assert later['Data'] == 'a = 0'
    assert later['Checksum'] == (
        '4c612e33c0e40b7bf53cf95fad47dbfbeab9dd62f9bc181a9d1c6f40a0877822'
        '23c23f793e747b0466b9e6998c6ea54f4edbd20febd13edb13b55074b5ee1a5a')
    assert later['Script Start Date'] == begin.isoformat()
    assert later['Script End Date'] == '2100-01-01T23:59:59'
    assert later['Script Description'] == 'not yet'
    lid = later['Script ID']

    assert 'already exists' in fails(s, 'pyscript', 'create', 'flavors',
                                     'a = 1')

    # get / list ----------------------------------------------------------
    assert one(run(s, 'pyscript', 'get', fid)) == flavors
    assert run(s, 'pyscript', 'list') == [flavors, later]
    no_data = run(s, 'pyscript', 'list', '-n')
    assert [row['Data'] for row in no_data] == [None, None]
    assert 'data' not in s.get(P, no_data='True').json()['scripts'][0]
    assert [dict(row, Data=None) for row in no_data] == [
        dict(flavors, Data=None), dict(later, Data=None)]
    assert 'No such script' in fails(s, 'pyscript', 'get', 'nope')

    # update: a script that has not started can change everything --------
    new_begin = begin + datetime.timedelta(days=1)
    new_path = tmp_path / 'new.py'
    new_path.write_text('b = 1\n')
    updated = one(run(s, 'pyscript', 'update', lid, '-d', str(new_path),
                      '--start', new_begin.isoformat(),
                      '--description', 'updated'))
    assert updated['Script ID'] == lid
    assert updated['Name'] == 'later'
    assert updated['Data'] == 'b = 1\n'
    assert updated['Checksum'] == sha512('b = 1\n')
    assert updated['Script Start Date'] == new_begin.isoformat()
    assert updated['Script End Date'] == '2100-01-01T23:59:59'
    assert updated['Script Description'] == 'updated'
    raw = s.get('%s/%s' % (P, lid)).json()
    assert (raw['data'], raw['start'], raw['description']) == (
        'b = 1\n', new_begin.isoformat(), 'updated')

    # update: a running script only takes an end date (its data, sent back
    # unchanged by the client, is no change) ------------------------------
    assert 'only the attribute [end]' in fails(
        s, 'pyscript', 'update', fid, '-d', 'a = 2')
    end = (utc_now() + datetime.timedelta(days=30)).replace(microsecond=0)
    ended = one(run(s, 'pyscript', 'update', fid, '--end', end.isoformat()))
    assert ended == dict(flavors, **{'Script End Date': end.isoformat()})
    raw = s.get('%s/%s' % (P, fid)).json()
    assert raw['updated_by'] == 'unknown'
    assert raw['data'] == FLAVORS and raw['checksum'] == sha512(FLAVORS)

    # delete --------------------------------------------------------------
    run_plain(s, 'pyscript', 'delete', lid)
    assert 'No such script' in fails(s, 'pyscript', 'delete', lid)
    assert s.get('%s/%s' % (P, lid)).status_code == 404
    deleted = s.get(P, deleted='true').json()['scripts']
    assert [d['script_id'] for d in deleted] == [fid, lid]
    assert deleted[1]['deleted_by'] == 'unknown'
    # A deleted script's name can be used again.
    assert s.post(P, json={'name': 'later', 'data': 'a = 0'}
                  ).status_code == 201

    # quote with the script -----------------------------------------------
    client = s.client()
    assert quote(s, 'instance', 3, flavor_name='m1.large') == D(0)
    client.rating.update_module(module_id='pyscripts', enabled=True)
    try:
        assert quote(s, 'instance', 3, flavor_name='m1.large') == D('0.24')
        assert quote(s, 'instance', 2, flavor_name='m1.tiny') == D('0.02')
        assert quote(s, 'volume.size', 2) == D(0)
    finally:
        client.rating.update_module(module_id='pyscripts', enabled=False)
    for script in client.rating.pyscripts.list_scripts()['scripts']:
        client.rating.pyscripts.delete_script(script_id=script['script_id'])


def test_modules_run_in_priority_order(api_server):
    """hashmap flat 0.5 and a doubling script, both priority orders."""
    client = api_server.client()
    rating = client.rating
    modules = rating.get_module()['modules']
    assert {'hashmap', 'pyscripts'} <= {m['module_id'] for m in modules}

    sid = rating.hashmap.create_service(name='instance')['service_id']
    mapping = rating.hashmap.create_mapping(cost='0.5', service_id=sid,
                                            type='flat')
    script = rating.pyscripts.create_script(name='double', data=DOUBLE)
    try:
        rating.update_module(module_id='hashmap', enabled=True, priority=2)
        rating.update_module(module_id='pyscripts', enabled=True,
                             priority=1)
        # hashmap first: 0.5 × 2 = 1.0, then doubled.
        assert quote(api_server, 'instance', 2) == D('2.0')

        rating.update_module(module_id='hashmap', priority=1)
        rating.update_module(module_id='pyscripts', priority=2)
        # pyscripts first doubles 0, then hashmap adds 1.0.
        assert quote(api_server, 'instance', 2) == D('1.0')
    finally:
        rating.update_module(module_id='hashmap', enabled=False, priority=1)
        rating.update_module(module_id='pyscripts', enabled=False,
                             priority=1)
        rating.hashmap.delete_mapping(mapping_id=mapping['mapping_id'])
        rating.hashmap.delete_service(service_id=sid)
        rating.pyscripts.delete_script(script_id=script['script_id'])


def test_failing_script_fails_the_quote(api_server):
    client = api_server.client()
    script = client.rating.pyscripts.create_script(
        name='broken', data='data["usage"]["instance"][0]["desc"] = {}\n')
    client.rating.update_module(module_id='pyscripts', enabled=True)
    try:
        resp = api_server.post('/v1/rating/quote', json={'resources': [
            {'service': 'instance', 'volume': '1',
             'desc': {'metadata': {}, 'groupby': {}}}]})
        # A client error naming the script, not a bare 500.
        assert resp.status_code == 400
        assert "'broken'" in resp.json()['faultstring']
        assert "isn't a valid DataFrame" in resp.json()['faultstring']
    finally:
        client.rating.update_module(module_id='pyscripts', enabled=False)
        client.rating.pyscripts.delete_script(script_id=script['script_id'])


def test_script_that_does_not_compile_is_stored(api_server):
    """Stored as the reference does; a quote names the script and line."""
    created = one(run(api_server, 'pyscript', 'create', 'no-compile',
                      'return 0'))
    assert created['Data'] == 'return 0'
    script_id = created['Script ID']
    assert one(run(api_server, 'pyscript', 'get', script_id)) == created
    client = api_server.client()
    client.rating.update_module(module_id='pyscripts', enabled=True)
    try:
        resp = api_server.post('/v1/rating/quote', json={'resources': [
            {'service': 'instance', 'volume': '1',
             'desc': {'metadata': {}, 'groupby': {}}}]})
        assert resp.status_code == 400
        assert resp.json()['faultstring'] == (
            "PyScripts script 'no-compile' (%s): cannot be compiled: "
            "line 1: 'return' outside function" % script_id)
    finally:
        client.rating.update_module(module_id='pyscripts', enabled=False)
        run_plain(api_server, 'pyscript', 'delete', script_id)


def test_bad_input_is_a_client_error(api_server):
    s = api_server
    for body in ([1, 2], {'name': 'x'},
                 {'name': 'x', 'data': 'a', 'checksum': 'c'},
                 {'name': 'x', 'data': 'a', 'start': 'garbage'}):
        resp = s.post(P, json=body)
        assert resp.status_code == 400, resp.text
        assert resp.json()['faultcode'] == 'Client'
    assert s.get(P, deleted='maybe').status_code == 400
    assert s.get('/v1/rating/module_config/pyscripts').status_code == 405
    assert s.get(P + '/nope').status_code == 404
    assert s.put(P + '/nope', json={'name': 'x'}).status_code == 404
    assert s.delete(P + '/nope').status_code == 404
