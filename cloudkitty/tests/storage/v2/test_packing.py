"""Packing of pushed frames into blocks, without a database."""
import datetime
import decimal
import json

from cloudkitty import dataframe
from cloudkitty.storage.v2.sqlalchemy import bulk
from cloudkitty.storage.v2.sqlalchemy import layout
from cloudkitty.storage.v2.sqlalchemy import packing

D = decimal.Decimal
UTC = datetime.timezone.utc
START = datetime.datetime(2019, 1, 1, 10, tzinfo=UTC)
END = START + datetime.timedelta(hours=1)


def _frame():
    frame = dataframe.DataFrame(START, END)
    for project, qty in (('p1', '1.5'), ('p1', '2'), ('p2', '1E+1')):
        frame.add_point(dataframe.DataPoint(
            'GiB', D(qty), D('0.1'), {'project_id': project, 'year': '2019'},
            {'flavor': 'm1'}), 'volume')
    return frame


def _row(rows, scope):
    columns = bulk.BLOCK_COLUMNS
    return [dict(zip(columns, row)) for row in rows
            if row[columns.index('scope_id')] == scope][0]


def test_blocks_by_scope_with_named_point_fields():
    rows, deltas, replaced, written = packing.pack(
        [_frame()], 'project_id', None)
    begin = int(START.timestamp())
    assert sorted(row[3] for row in rows) == ['p1', 'p2']
    block = _row(rows, 'p1')
    assert (block['begin_ts'], block['owner'], block['count']) == (
        begin, 'p1', 2)
    points = json.loads(block['points'])
    assert [p[layout.POINT_QTY] for p in points] == ['1.5', '2']
    assert points[0][layout.POINT_TYPE] == 'volume'
    assert points[0][layout.POINT_UNIT] == 'GiB'
    assert points[0][layout.POINT_GROUPBY]['project_id'] == 'p1'
    assert points[0][layout.POINT_METADATA] == {'flavor': 'm1'}
    entries = json.loads(block['sums'])
    assert entries == [['volume', '', '', '', '2019', 2, '3.5', '0.2']]
    # Exponents are stored in plain text.
    assert json.loads(_row(rows, 'p2')['points'])[0][
        layout.POINT_QTY] == '10'
    assert written == sum(len(row[-1]) for row in rows)
    assert replaced == [(begin, begin + 3600, None,
                         {('p1', 'volume'), ('p2', 'volume')})]
    day = begin // layout.DAY * layout.DAY
    assert deltas.days()[(day, day + layout.DAY, 'p1', 'p1', 'volume', '',
                          '', '', '2019')] == [2, D('3.5'), D('0.2')]


def test_scope_id_owns_every_block_and_replaces_the_period():
    rows, _, replaced, _ = packing.pack([_frame()], 'project_id', 'owner')
    assert {row[2] for row in rows} == {'owner'}
    begin = int(START.timestamp())
    assert replaced == [(begin, begin + 3600, 'owner', None)]
    empty = dataframe.DataFrame(START, END)
    rows, deltas, replaced, _ = packing.pack([empty], 'project_id', 'o')
    assert rows == [] and not deltas
    assert replaced == [(begin, begin + 3600, 'o', None)]
