"""The data API (report, summary, dataframes, info) against a running
``cloudkitty-api`` (sqlalchemy storage on SQLite).

Every command is run once through the real ``cloudkitty`` CLI (each run
costs a process start); variants are checked with the same client library
in-process and over raw HTTP.
"""
import datetime
import json

import pytest

PROJECT_A = 'aaaa1111aaaa1111aaaa1111aaaa1111'
PROJECT_B = 'bbbb2222bbbb2222bbbb2222bbbb2222'


def _point(project, res_id, qty, price, **metadata):
    return {
        'vol': {'unit': 'instance', 'qty': qty},
        'rating': {'price': price},
        'groupby': {'project_id': project, 'id': res_id,
                    'user_id': 'user', 'year': '2015', 'month': '1',
                    'day_of_the_year': '1', 'week_of_the_year': '00'},
        'metadata': metadata,
    }


def _frames():
    frames = []
    for hour in (0, 1):
        frames.append({
            'period': {'begin': '2015-01-01T%02d:00:00+00:00' % hour,
                       'end': '2015-01-01T%02d:00:00+00:00' % (hour + 1)},
            'usage': {
                'instance': [
                    _point(PROJECT_A, 'vm1', 1, '1.25',
                           flavor_name='m1.tiny'),
                    _point(PROJECT_B, 'vm2', 1, '2.5',
                           flavor_name='m1.small'),
                ],
                'image.size': [
                    dict(_point(PROJECT_A, 'img', '10', '0.5',
                                disk_format='raw'),
                         vol={'unit': 'MiB', 'qty': '10'}),
                ],
            },
        })
    return frames


BEGIN = '2015-01-01T00:00:00+00:00'
END = '2015-02-01T00:00:00+00:00'
UTC = datetime.timezone.utc
V1_BEGIN = datetime.datetime(2015, 1, 1)
V1_END = datetime.datetime(2015, 2, 1)
V2_BEGIN = datetime.datetime(2015, 1, 1, tzinfo=UTC)
V2_END = datetime.datetime(2015, 2, 1, tzinfo=UTC)


@pytest.fixture(scope='module')
def server(api_server, tmp_path_factory):
    if not getattr(api_server, 'storage_ready', True):
        pytest.fail('cloudkitty-storage-init failed: %s'
                    % api_server.setup_output)
    path = tmp_path_factory.mktemp('frames') / 'frames.json'
    path.write_text(json.dumps({'dataframes': _frames()}))
    api_server.cli('dataframes', 'add', str(path), version='2').check()
    # Pushing the same periods again replaces them (no double count).
    api_server.client('2').dataframes.add_dataframes(
        dataframes={'dataframes': _frames()})
    return api_server


@pytest.fixture(scope='module')
def v1(server):
    return server.client('1')


@pytest.fixture(scope='module')
def v2(server):
    return server.client('2')


def _json(server, *args, version='1'):
    return server.cli(*(args + ('-f', 'json')), version=version).check(
    ).json()


# --- v1 report ---------------------------------------------------------

def test_report_tenant_list(server, v1):
    rows = _json(server, 'report', 'tenant', 'list',
                 '-b', '2015-01-01T00:00:00', '-e', '2015-02-01T00:00:00')
    assert sorted(r['Tenant ID'] for r in rows) == [PROJECT_A, PROJECT_B]
    assert v1.report.get_tenants(
        begin=datetime.datetime(2016, 1, 1),
        end=datetime.datetime(2016, 2, 1)) == []


def test_total_get(server, v1):
    assert _json(server, 'total', 'get', '-a', '-b', '2015-01-01T00:00:00',
                 '-e', '2015-02-01T00:00:00') == {'Total': 8.5}
    period = {'begin': V1_BEGIN, 'end': V1_END}
    assert v1.report.get_total(tenant_id=PROJECT_A, **period) == '3.5'
    assert v1.report.get_total(tenant_id=PROJECT_A, service='image.size',
                               **period) == '1'
    assert v1.report.get_total(tenant_id=PROJECT_B, **period) == '5'


def test_summary_get_v1(server, v1):
    rows = _json(server, 'summary', 'get', '-a', '-g', 'tenant_id',
                 'res_type', '-b', '2015-01-01T00:00:00',
                 '-e', '2015-02-01T00:00:00')
    assert [(r['Tenant ID'], r['Resource Type'], r['Rate'], r['Begin Time'],
             r['End Time']) for r in rows] == [
        (PROJECT_A, 'image.size', '1.0', '2015-01-01T00:00:00',
         '2015-02-01T00:00:00'),
        (PROJECT_A, 'instance', '2.5', '2015-01-01T00:00:00',
         '2015-02-01T00:00:00'),
        (PROJECT_B, 'instance', '5.0', '2015-01-01T00:00:00',
         '2015-02-01T00:00:00')]
    period = {'begin': V1_BEGIN, 'end': V1_END}
    assert v1.report.get_summary(all_tenants=True, **period) == {
        'summary': [{'tenant_id': 'ALL', 'res_type': 'ALL', 'rate': '8.5',
                     'begin': '2015-01-01T00:00:00',
                     'end': '2015-02-01T00:00:00'}]}
    rows = v1.report.get_summary(tenant_id=PROJECT_B, groupby=['res_type'],
                                 **period)['summary']
    assert [(r['tenant_id'], r['res_type'], r['rate']) for r in rows] == [
        (PROJECT_B, 'instance', '5.0')]


def test_summary_get_v1_without_data(server, v1):
    # No rated data in the window: no row, not one with a rate of 0.
    assert _json(server, 'summary', 'get', '-a', '-b', '2016-01-01T00:00:00',
                 '-e', '2016-02-01T00:00:00') == []
    assert v1.report.get_summary(
        tenant_id='nobody', begin=V1_BEGIN, end=V1_END) == {'summary': []}


# --- v2 summary --------------------------------------------------------

def test_summary_get_v2_groupby_and_filters(server, v2):
    rows = _json(server, 'summary', 'get', '-b', BEGIN, '-e', END,
                 '-g', 'type', '-g', 'project_id',
                 '--filter', 'project_id:%s' % PROJECT_A, version='2')
    assert [(r['Begin'], r['End'], r['Type'], r['Project id'], r['Qty'],
             r['Rate']) for r in rows] == [
        (BEGIN, END, 'image.size', PROJECT_A, 20.0, 1.0),
        (BEGIN, END, 'instance', PROJECT_A, 2.0, 2.5)]
    period = {'begin': V2_BEGIN, 'end': V2_END}
    body = v2.summary.get_summary(**period)
    assert body == {'total': 1, 'columns': ['begin', 'end', 'qty', 'rate'],
                    'results': [[BEGIN, END, 24.0, 8.5]], 'format': 'table'}
    body = v2.summary.get_summary(
        groupby=['type', 'project_id'], **period)
    assert [r[4:] for r in body['results']] == [
        ['image.size', PROJECT_A], ['instance', PROJECT_A],
        ['instance', PROJECT_B]]
    body = v2.summary.get_summary(
        filters={'project_id': PROJECT_A, 'type': 'instance'}, **period)
    assert [r[2:] for r in body['results']] == [[2.0, 2.5]]


def test_summary_get_v2_several_values_of_a_filter(server):
    resp = server.get('/v2/summary', begin=BEGIN, end=END,
                      groupby='project_id',
                      filters='project_id:%s,project_id:%s' % (
                          PROJECT_A, PROJECT_B))
    assert [r[-1] for r in resp.json()['results']] == [PROJECT_A, PROJECT_B]


def test_summary_get_v2_time_groupby(server, v2):
    period = {'begin': V2_BEGIN, 'end': V2_END}
    body = v2.summary.get_summary(groupby='time', **period)
    assert [(r[0], r[1], r[3]) for r in body['results']] == [
        ('2015-01-01T00:00:00+00:00', '2015-01-01T01:00:00+00:00', 4.25),
        ('2015-01-01T01:00:00+00:00', '2015-01-01T02:00:00+00:00', 4.25)]
    body = v2.summary.get_summary(groupby='time-d', **period)
    assert body['columns'][-1] == 'day_of_the_year'
    assert [(r[-1], r[3]) for r in body['results']] == [('1', 8.5)]
    body = v2.summary.get_summary(groupby='flavor_name', **period)
    assert sorted((r[-1], r[3]) for r in body['results']) == [
        ('', 1.0), ('m1.small', 5.0), ('m1.tiny', 2.5)]


def test_summary_get_v2_pagination(server, v2):
    body = v2.summary.get_summary(
        begin=V2_BEGIN, end=V2_END, groupby=['type', 'project_id'],
        limit=1, offset=2)
    assert body['total'] == 3
    assert [r[4:] for r in body['results']] == [['instance', PROJECT_B]]


def test_summary_response_formats(server, v2):
    query = {'begin': V2_BEGIN, 'end': V2_END, 'groupby': 'project_id'}
    table = v2.summary.get_summary(response_format='table', **query)
    assert table['format'] == 'table'
    assert table['columns'] == ['begin', 'end', 'qty', 'rate', 'project_id']
    obj = v2.summary.get_summary(response_format='object', **query)
    assert obj['format'] == 'object'
    assert [dict(zip(table['columns'], row)) for row in table['results']] \
        == obj['results']


def test_summary_bad_input(server):
    result = server.cli('summary', 'get', '-b', BEGIN, '-e', END,
                        '-g', 'time-x', version='2')
    assert result.returncode != 0
    assert 'time-x' in result.stdout + result.stderr
    resp = server.get('/v2/summary', groupby='nonexistent', begin=BEGIN,
                      end=END)
    assert resp.status_code == 400
    assert 'nonexistent' in resp.json()['message']
    resp = server.get('/v2/summary', limit='-1')
    assert resp.status_code == 400
    resp = server.get('/v2/summary', response_format='csv')
    assert resp.status_code == 400


# --- dataframes --------------------------------------------------------

def test_dataframes_get_v2(server, v2):
    rows = _json(server, 'dataframes', 'get', '-b', BEGIN, '-e', END,
                 '--filter', 'project_id:%s' % PROJECT_A, version='2')
    assert len(rows) == 4
    row = [r for r in rows if r['Metric Type'] == 'image.size'][0]
    assert row['Begin'] == '2015-01-01T00:00:00+00:00'
    assert row['End'] == '2015-01-01T01:00:00+00:00'
    assert row['Unit'] == 'MiB'
    assert row['Quantity'] == 10.0
    assert row['Price'] == 0.5
    assert 'project_id="%s"' % PROJECT_A in row['Group By']
    assert row['Metadata'] == 'disk_format="raw"'
    assert all('project_id="%s"' % PROJECT_A in r['Group By'] for r in rows)


def test_dataframes_get_v2_filters_and_pagination(server, v2):
    period = {'begin': V2_BEGIN, 'end': V2_END}
    body = v2.dataframes.get_dataframes(**period)
    assert body['total'] == 6
    body = v2.dataframes.get_dataframes(filters={'type': 'image.size'},
                                        **period)
    assert body['total'] == 2
    assert [list(f['usage']) for f in body['dataframes']] == [
        ['image.size'], ['image.size']]
    body = v2.dataframes.get_dataframes(limit=4, offset=4, **period)
    assert body['total'] == 6
    assert sum(len(p) for f in body['dataframes']
               for p in f['usage'].values()) == 2


def test_summary_get_v2_begin_after_end_is_empty(server, v2):
    # The reference's answer: 200 without rows (not a 400).
    assert _json(server, 'summary', 'get', '-b', END, '-e', BEGIN,
                 version='2') == []
    assert v2.summary.get_summary(begin=V2_END, end=V2_BEGIN) == {
        'total': 0, 'columns': [], 'results': [], 'format': 'table'}


def test_dataframes_get_v2_end_before_begin_is_404(server, v2):
    # The reference's 404 "No resource found for provided filters.", which
    # the client shows as an error (as for any empty answer).
    result = server.cli('dataframes', 'get', '-b', END, '-e', BEGIN,
                        version='2')
    assert result.returncode != 0
    assert 'No resource found for provided filters.' in (
        result.stdout + result.stderr)
    for query in ({'begin': END, 'end': BEGIN}, {'end': BEGIN}):
        resp = server.get('/v2/dataframes', **query)
        assert resp.status_code == 404, resp.text
        assert resp.json() == {
            'message': 'No resource found for provided filters.'}


def test_dataframes_get_v2_empty_is_404(server):
    resp = server.get('/v2/dataframes', begin='2016-01-01T00:00:00Z',
                      end='2016-02-01T00:00:00Z')
    assert resp.status_code == 404
    assert resp.json()['message'].startswith('No resource found')


def test_dataframes_add_bad_file(server, tmp_path):
    bad = _frames()[:1]
    bad[0]['usage']['instance'][0]['vol']['qty'] = 'lots'
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps({'dataframes': bad}))
    result = server.cli('dataframes', 'add', str(path), version='2')
    assert result.returncode != 0
    assert 'vol.qty' in result.stdout + result.stderr
    # Nothing stored changed.
    resp = server.get('/v1/report/total', begin='2015-01-01',
                      end='2015-02-01', all_tenants='true')
    assert resp.json() == '8.5'


def test_dataframes_get_v1(server):
    rows = _json(server, 'dataframes', 'get', '-b', '2015-01-01T00:00:00',
                 '-e', '2015-02-01T00:00:00', '-p', PROJECT_A, '-r',
                 'instance')
    assert len(rows) == 2
    for row in rows:
        assert row['Project ID'] == PROJECT_A
        assert [r['service'] for r in row['Resources']] == ['instance']
        resource = row['Resources'][0]
        assert resource['rating'] == '1.25'
        assert resource['volume'] == '1'
        assert resource['desc']['flavor_name'] == 'm1.tiny'
    assert [r['Begin'] for r in rows] == ['2015-01-01T00:00:00',
                                          '2015-01-01T01:00:00']


# --- info --------------------------------------------------------------

def test_info_config_get(server):
    rows = _json(server, 'info', 'config', 'get')
    assert [r['Section'] for r in rows] == ['metrics']
    metrics = rows[0]['Value']
    assert sorted(metrics) == ['cpu', 'image.size', 'volume.size']
    assert metrics['image.size']['factor'] == '1/1048576'


def test_info_metric_list(server):
    rows = _json(server, 'info', 'metric', 'list')
    assert [(r['Metric'], r['Unit']) for r in rows] == [
        ('instance', 'instance'), ('image.size', 'MiB'),
        ('volume.size', 'GiB')]
    assert sorted(rows[0]['Metadata']) == ['flavor_id', 'flavor_name',
                                           'vcpus']


def test_info_metric_get(server, v1):
    rows = _json(server, 'info', 'metric', 'get', 'image.size')
    assert rows == [{'Metric': 'image.size', 'Unit': 'MiB',
                     'Metadata': ['container_format', 'disk_format']}]
    assert server.get('/v1/info/metrics/nope').status_code == 404
    assert v1.info.get_metric(metric_name='instance')['unit'] == 'instance'
