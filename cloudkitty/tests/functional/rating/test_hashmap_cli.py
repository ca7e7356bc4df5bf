"""Every ``cloudkitty hashmap`` command against a real API process.

The real python-cloudkittyclient CLI (``cloudkitty``) drives a started
``cloudkitty-api`` (noauth, SQLite); results are checked field by field,
and a quote shows the rules at work.
"""
import contextlib
import datetime
import decimal
import io
import json
import logging
import os
from unittest import mock

from cloudkittyclient import shell
import pytest

D = decimal.Decimal

MAPPING_COLUMNS = ['Mapping ID', 'Value', 'Cost', 'Type', 'Field ID',
                   'Service ID', 'Group ID', 'Project ID']
THRESHOLD_COLUMNS = ['Threshold ID', 'Level', 'Cost', 'Type', 'Field ID',
                     'Service ID', 'Group ID', 'Project ID']


class _Result(object):
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr

    def json(self):
        return json.loads(self.stdout)


def cli(server, *args):
    """The ``cloudkitty`` CLI (its console-script entry point) in-process.

    A CLI process costs seconds of start-up on a loaded machine; the
    entry point called here is the one the console script runs, with the
    same environment (``server.cli`` runs the real process: used below
    for a few commands to cover that path too).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
    env.update({'OS_AUTH_TYPE': 'cloudkitty-noauth',
                'OS_ENDPOINT': server.url})
    out, err = io.StringIO(), io.StringIO()
    argv = ['--os-rating-api-version', '1'] + [str(a) for a in args]
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with mock.patch.dict(os.environ, env, clear=True), \
                contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            try:
                code = shell.main(argv)
            except SystemExit as exc:
                code = exc.code
    finally:
        # cliff configures the root logger on every run: undo it.
        root.handlers[:] = handlers
        root.setLevel(level)
    return _Result(code, out.getvalue(), err.getvalue())


def run(server, *args):
    """Run ``cloudkitty <args> -f json``; return the parsed output."""
    result = cli(server, *(args + ('-f', 'json')))
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.json()


def run_plain(server, *args):
    result = cli(server, *args)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result


def fails(server, *args):
    result = cli(server, *args)
    assert result.returncode != 0, (args, result.stdout)
    return result.stdout + result.stderr


def run_process(server, *args):
    """The real ``cloudkitty`` process, ``-f json`` output parsed."""
    result = server.cli(*(args + ('-f', 'json')))
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.json()


def one(rows):
    assert len(rows) == 1, rows
    return rows[0]


def test_hashmap_commands(api_server):
    s = api_server
    assert run_process(s, 'hashmap', 'mapping-types', 'list') == [
        {'Mapping types': 'flat'}, {'Mapping types': 'rate'}]

    # Services ------------------------------------------------------------
    assert run(s, 'hashmap', 'service', 'list') == []
    svc = one(run_process(s, 'hashmap', 'service', 'create', 'instance'))
    assert svc['Name'] == 'instance'
    sid = svc['Service ID']
    vol = one(run(s, 'hashmap', 'service', 'create', 'volume.size'))
    assert one(run(s, 'hashmap', 'service', 'get', sid)) == svc
    assert run(s, 'hashmap', 'service', 'list') == [svc, vol]
    assert 'already exists' in fails(s, 'hashmap', 'service', 'create',
                                     'instance')

    # Fields --------------------------------------------------------------
    field = one(run(s, 'hashmap', 'field', 'create', sid, 'flavor_id'))
    assert (field['Name'], field['Service ID']) == ('flavor_id', sid)
    fid = field['Field ID']
    assert one(run(s, 'hashmap', 'field', 'get', fid)) == field
    assert run(s, 'hashmap', 'field', 'list', sid) == [field]
    tmp_field = one(run(s, 'hashmap', 'field', 'create', sid, 'tmp'))
    run_plain(s, 'hashmap', 'field', 'delete', tmp_field['Field ID'])
    assert run(s, 'hashmap', 'field', 'list', sid) == [field]
    assert 'No such field' in fails(s, 'hashmap', 'field', 'get',
                                    tmp_field['Field ID'])

    # Groups --------------------------------------------------------------
    group = one(run(s, 'hashmap', 'group', 'create', 'instance_flavor'))
    assert group['Name'] == 'instance_flavor'
    gid = group['Group ID']
    assert run(s, 'hashmap', 'group', 'list') == [group]

    # Mappings ------------------------------------------------------------
    m1 = one(run(s, 'hashmap', 'mapping', 'create', '0.01',
                 '--field-id', fid, '--value', 'm1.small', '-g', gid,
                 '--description', 'small flavor'))
    assert (m1['Value'], D(m1['Cost']), m1['Cost'], m1['Type'],
            m1['Field ID'], m1['Service ID'], m1['Group ID'],
            m1['Project ID']) == (
        'm1.small', D('0.01'), '0.0100000000000000000000000000', 'flat',
        fid, None, gid, None)
    assert len(m1['Mapping Name']) == 24
    assert m1['Mapping End Date'] is None
    m1_id = m1['Mapping ID']
    shown = one(run(s, 'hashmap', 'mapping', 'get', m1_id))
    assert list(shown) == MAPPING_COLUMNS
    assert shown == {k: m1[k] for k in MAPPING_COLUMNS}
    svc_map = one(run(s, 'hashmap', 'mapping', 'create', '2', '-s', sid,
                      '-t', 'rate', '--name', 'instance-rate'))
    assert (svc_map['Type'], svc_map['Cost'], svc_map['Value'],
            svc_map['Service ID'], svc_map['Mapping Name']) == (
        'rate', '2.0000000000000000000000000000', None, sid,
        'instance-rate')
    tenant_map = one(run(s, 'hashmap', 'mapping', 'create', '0.05',
                         '--field-id', fid, '--value', 'm1.small',
                         '-p', 'project-a'))
    assert tenant_map['Project ID'] == 'project-a'
    assert [m['Mapping ID'] for m in run(
        s, 'hashmap', 'mapping', 'list', '--field-id', fid)] == [
        m1_id, tenant_map['Mapping ID']]
    assert [m['Mapping ID'] for m in run(
        s, 'hashmap', 'mapping', 'list', '--field-id', fid,
        '--filter-tenant')] == [m1_id]
    assert [m['Mapping ID'] for m in run(
        s, 'hashmap', 'mapping', 'list', '--field-id', fid,
        '--filter-tenant', '-p', 'project-a')] == [tenant_map['Mapping ID']]
    assert [m['Mapping ID'] for m in run(
        s, 'hashmap', 'mapping', 'list', '-s', sid)] == [
        svc_map['Mapping ID']]
    assert [m['Mapping ID'] for m in run(
        s, 'hashmap', 'mapping', 'list', '-g', gid)] == [m1_id]
    assert [m['Mapping ID'] for m in run(
        s, 'hashmap', 'mapping', 'list', '--field-id', fid,
        '--no-group')] == [tenant_map['Mapping ID']]
    assert [m['Mapping ID'] for m in run(
        s, 'hashmap', 'group', 'mappings', 'get', gid)] == [m1_id]
    # A mapping of the future can change its cost, start and end...
    start = (datetime.datetime.utcnow() + datetime.timedelta(days=30)
             ).replace(microsecond=0)
    future = one(run(s, 'hashmap', 'mapping', 'create', '1',
                     '--field-id', fid, '--value', 'm1.large',
                     '--start', start.isoformat()))
    assert future['Mapping Start Date'] == start.isoformat()
    updated = one(run(s, 'hashmap', 'mapping', 'update',
                      future['Mapping ID'], '--cost', '1.25',
                      '--end', '2100-01-01'))
    assert (updated['Mapping ID'], updated['Cost'], updated['Value']) == (
        future['Mapping ID'], '1.2500000000000000000000000000', 'm1.large')
    got = s.get('/v1/rating/module_config/hashmap/mappings/' +
                future['Mapping ID']).json()
    assert got['end'] == '2100-01-01T23:59:59'
    assert got['updated_by'] == 'unknown'
    # ...a running one only its end: the client's full object is accepted.
    end = (datetime.datetime.utcnow() + datetime.timedelta(days=3)
           ).replace(microsecond=0).isoformat()
    updated = one(run_process(s, 'hashmap', 'mapping', 'update', svc_map[
        'Mapping ID'], '--end', end))
    assert updated['Cost'] == svc_map['Cost']
    got = s.get('/v1/rating/module_config/hashmap/mappings/' +
                svc_map['Mapping ID']).json()
    assert got['end'] == end
    out = fails(s, 'hashmap', 'mapping', 'update', m1_id, '--cost', '5')
    assert 'You are allowed to update only the attribute [end]' in out
    assert 'No such mapping' in fails(
        s, 'hashmap', 'mapping', 'get', '6c1b8a30-797f-4b7e-ad66-00000000')

    # Thresholds ----------------------------------------------------------
    vid = vol['Service ID']
    thr_group = one(run(s, 'hashmap', 'group', 'create', 'volume_thr'))
    tgid = thr_group['Group ID']
    run(s, 'hashmap', 'mapping', 'create', '0.001', '-s', vid, '-g', tgid)
    t50 = one(run(s, 'hashmap', 'threshold', 'create', '50', '0.98',
                  '-s', vid, '-g', tgid, '-t', 'rate'))
    assert (t50['Level'], t50['Cost'], t50['Type'], t50['Service ID'],
            t50['Field ID'], t50['Group ID'], t50['Project ID']) == (
        '50.00000000', '0.9800000000000000000000000000', 'rate', vid, None,
        tgid, None)
    tid = t50['Threshold ID']
    t200 = one(run(s, 'hashmap', 'threshold', 'create', '200', '0.9',
                   '-s', vid, '-t', 'rate'))
    shown = one(run(s, 'hashmap', 'threshold', 'get', tid))
    assert list(shown) == THRESHOLD_COLUMNS and shown == t50
    assert run(s, 'hashmap', 'threshold', 'list', '-s', vid) == [t50, t200]
    assert run(s, 'hashmap', 'threshold', 'list', '-s', vid,
               '--no-group') == [t200]
    assert run(s, 'hashmap', 'threshold', 'list', '-g', tgid) == [t50]
    assert run(s, 'hashmap', 'group', 'thresholds', 'get', tgid) == [t50]
    updated = one(run(s, 'hashmap', 'threshold', 'update',
                      t200['Threshold ID'], '--cost', '0.95', '-g', tgid))
    assert (updated['Level'], updated['Cost'], updated['Type'],
            updated['Group ID']) == (
        '200.00000000', '0.9500000000000000000000000000', 'rate', tgid)

    # Quote: volume 250 GiB → 0.001 × 250 × 0.95; instance m1.small →
    # rate 2 (instance-rate has no group) ... group g: flat 0.01.
    run_plain(s, 'module', 'enable', 'hashmap')
    client = s.client()
    total = client.rating.get_quotation(res_data=[
        {'service': 'volume.size', 'volume': '250',
         'desc': {'metadata': {}, 'groupby': {'project_id': 'p'}}},
        {'service': 'instance', 'volume': '2',
         'desc': {'metadata': {'flavor_id': 'm1.small'},
                  'groupby': {'project_id': 'p'}}},
    ])
    # instance: default group has only a rate (no flat) → 0; group g:
    # 0.01 × 2 = 0.02. volume: 0.001 × 250 × 0.95 = 0.2375.
    assert D(total) == D('0.2575')
    run_plain(s, 'module', 'disable', 'hashmap')

    # Deletions -----------------------------------------------------------
    run_plain(s, 'hashmap', 'threshold', 'delete', t200['Threshold ID'])
    assert run(s, 'hashmap', 'threshold', 'list', '-s', vid) == [t50]
    run_plain(s, 'hashmap', 'mapping', 'delete', m1_id)
    assert run(s, 'hashmap', 'group', 'mappings', 'get', gid) == []
    assert 'No such mapping' in fails(s, 'hashmap', 'mapping', 'delete',
                                      m1_id)
    run_plain(s, 'hashmap', 'group', 'delete', gid)
    run_plain(s, 'hashmap', 'group', 'delete', '--recursive', tgid)
    assert run(s, 'hashmap', 'group', 'list') == []
    assert run(s, 'hashmap', 'threshold', 'list', '-s', vid) == []
    run_plain(s, 'hashmap', 'service', 'delete', sid)
    run_plain(s, 'hashmap', 'service', 'delete', vid)
    assert run(s, 'hashmap', 'service', 'list') == []
    assert 'No such service' in fails(s, 'hashmap', 'service', 'get', sid)
    assert 'No such field' in fails(s, 'hashmap', 'field', 'get', fid)


@pytest.mark.parametrize('args', [
    ('hashmap', 'mapping', 'create', '1'),
    ('hashmap', 'threshold', 'create', 'abc', '1', '-s',
     '6c1b8a30-797f-4b7e-ad66-000000000001'),
    ('hashmap', 'mapping', 'create', '1', '-s', 'not-a-uuid'),
])
def test_bad_input_is_a_client_error(api_server, args):
    out = fails(api_server, *args)
    # The status, not any '500' inside a generated UUID in the text.
    assert 'Traceback' not in out and '(HTTP 500)' not in out, out


def test_update_of_running_and_ended_rules(api_server):
    """``hashmap mapping update`` on rules already running (end only)."""
    s = api_server
    base = '/v1/rating/module_config/hashmap/'
    sid = one(run(s, 'hashmap', 'service', 'create', 'running.svc')
              )['Service ID']
    fid = one(run(s, 'hashmap', 'field', 'create', sid, 'f'))['Field ID']

    def past_rule(value, **extra):
        resp = s.post(base + 'mappings', params={'force': 'true'}, json=dict(
            field_id=fid, value=value, cost='0.2', type='rate',
            start='2014-01-01', **extra))
        assert resp.status_code == 201, resp.text
        return resp.json()

    # A real change to a running rule: the reference's whole text, no
    # attribute appended.
    running = past_rule('a')
    out = fails(s, 'hashmap', 'mapping', 'update', running['mapping_id'],
                '--cost', '5')
    assert ('You are allowed to update only the attribute [end] as this '
            'rule is already running as it started on '
            '[2014-01-01 00:00:00]') in out
    assert 'cannot change' not in out
    # A rule that already has an end: refused before any comparison.
    ended = past_rule('b', end='2014-01-02')
    for args in (('--cost', '5'), ('--end', '2100-01-01')):
        out = fails(s, 'hashmap', 'mapping', 'update', ended['mapping_id'],
                    *args)
        assert ('Cannot update a rule that was already processed and has '
                'a defined end date.') in out
    resp = s.put(base + 'mappings/' + ended['mapping_id'],
                 json={'type': 'rate', 'cost': '0.2', 'value': ''},
                 allow_redirects=False)
    assert resp.status_code == 400
    assert resp.json()['faultstring'] == (
        'Cannot update a rule that was already processed and has a defined '
        'end date.')
    assert s.get(base + 'mappings/' + ended['mapping_id']).json() == ended

    # A rule that has not started: what PUT never updates is ignored.
    start = (datetime.datetime.utcnow() + datetime.timedelta(days=30)
             ).replace(microsecond=0)
    future = one(run(s, 'hashmap', 'mapping', 'create', '1', '--field-id',
                     fid, '--value', 'c', '--start', start.isoformat()))
    updated = one(run(s, 'hashmap', 'mapping', 'update',
                      future['Mapping ID'], '--cost', '2', '--value', 'z',
                      '-p', 'other-project', '--name', 'renamed'))
    assert (updated['Cost'], updated['Value'], updated['Project ID']) == (
        '2.0000000000000000000000000000', 'c', None)
    got = s.get(base + 'mappings/' + future['Mapping ID']).json()
    assert got['name'] == future['Mapping Name']
