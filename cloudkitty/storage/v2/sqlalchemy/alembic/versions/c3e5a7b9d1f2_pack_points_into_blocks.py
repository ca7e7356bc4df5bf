"""Pack rated points into blocks; drop the period rollups.

One row per point and per period rollup cost SQLite more per push than
the whole load budget: points now live in ``rated_blocks_v2``, one row per
(period, owner, scope) with a JSON array of points and their sums by type
and time attributes (which replace the ``kind`` 0 rollups). Stored points
are moved, not lost; the downgrade unpacks them again.

Revision ID: c3e5a7b9d1f2
Revises: b2d4f6a8c913

"""
import decimal
import json

from alembic import op
import sqlalchemy as sa

from cloudkitty.storage.v2.sqlalchemy import models

# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f2'
down_revision = 'b2d4f6a8c913'
branch_labels = None
depends_on = None

TIME_KEYS = ('day_of_the_year', 'week_of_the_year', 'month', 'year')
CTX = decimal.Context(prec=80)
BATCH = 2000


_json = models.json_type
_id = models.id_type
_OPTIONS = dict(mysql_charset='utf8mb4', mysql_collate='utf8mb4_bin',
                mysql_engine='InnoDB')

META = sa.MetaData()
POINTS = sa.Table(
    'rated_points_v2', META,
    sa.Column('id', _id(), primary_key=True),
    sa.Column('begin_ts', sa.BigInteger()),
    sa.Column('end_ts', sa.BigInteger()),
    sa.Column('owner', sa.String(255)),
    sa.Column('scope_id', sa.String(255)),
    sa.Column('type', sa.String(255)),
    sa.Column('unit', sa.String(255)),
    sa.Column('qty', sa.String(64)),
    sa.Column('price', sa.String(64)),
    sa.Column('groupby', sa.Text()),
    sa.Column('metadata', sa.Text()),
)
BLOCKS = sa.Table(
    'rated_blocks_v2', META,
    sa.Column('id', _id(), primary_key=True),
    sa.Column('begin_ts', sa.BigInteger()),
    sa.Column('end_ts', sa.BigInteger()),
    sa.Column('owner', sa.String(255)),
    sa.Column('scope_id', sa.String(255)),
    sa.Column('count', sa.Integer()),
    sa.Column('sums', sa.Text()),
    sa.Column('points', sa.Text()),
)
ROLLUPS = sa.Table(
    'rated_rollups_v2', META,
    sa.Column('id', _id(), primary_key=True),
    sa.Column('kind', sa.SmallInteger()),
    sa.Column('begin_ts', sa.BigInteger()),
    sa.Column('end_ts', sa.BigInteger()),
    sa.Column('owner', sa.String(255)),
    sa.Column('scope_id', sa.String(255)),
    sa.Column('type', sa.String(255)),
    *[sa.Column(k, sa.String(64)) for k in TIME_KEYS],
    sa.Column('count', sa.BigInteger()),
    sa.Column('qty', sa.String(64)),
    sa.Column('price', sa.String(64)),
)


def _text(value):
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def _dec(value):
    return decimal.Decimal(str(value))


def _plain(value):
    return format(value, 'f')


def _loads(value):
    if value is None:
        return {}
    if isinstance(value, (str, bytes)):
        return json.loads(value)
    return value


def _attrs(groupby, meta):
    return tuple(_text(groupby[k] if k in groupby else meta.get(k))
                 for k in TIME_KEYS)


def _block_row(key, points):
    sums = {}
    for point in points:
        entry = sums.setdefault((point[0],) + _attrs(point[4], point[5]),
                                [0, decimal.Decimal(0), decimal.Decimal(0)])
        entry[0] += 1
        entry[1] = CTX.add(entry[1], _dec(point[2]))
        entry[2] = CTX.add(entry[2], _dec(point[3]))
    return dict(begin_ts=key[0], end_ts=key[1], owner=key[2],
                scope_id=key[3], count=len(points),
                sums=json.dumps([list(k) + [c, _plain(q), _plain(p)]
                                 for k, (c, q, p) in sums.items()]),
                points=json.dumps(points))


def upgrade():
    op.create_table(
        'rated_blocks_v2',
        sa.Column('id', _id(), primary_key=True, autoincrement=True),
        sa.Column('begin_ts', sa.BigInteger(), nullable=False),
        sa.Column('end_ts', sa.BigInteger(), nullable=False),
        sa.Column('owner', sa.String(255), nullable=False),
        sa.Column('scope_id', sa.String(255), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('sums', sa.Text(), nullable=False),
        sa.Column('points', _json(), nullable=False),
        **_OPTIONS)
    op.create_index('ix_rated_blocks_v2_begin', 'rated_blocks_v2',
                    ['begin_ts', 'id'])
    op.create_index('ix_rated_blocks_v2_owner', 'rated_blocks_v2',
                    ['owner', 'begin_ts'])
    op.create_index('ix_rated_blocks_v2_scope', 'rated_blocks_v2',
                    ['scope_id', 'begin_ts'])
    bind = op.get_bind()
    # Points of one block are consecutive in this order.
    result = bind.execute(sa.select(POINTS).order_by(
        POINTS.c.begin_ts, POINTS.c.end_ts, POINTS.c.owner,
        POINTS.c.scope_id, POINTS.c.id))
    key, points, rows = None, [], []
    for row in result:
        row_key = (row.begin_ts, row.end_ts, row.owner, row.scope_id)
        if row_key != key:
            if points:
                rows.append(_block_row(key, points))
            key, points = row_key, []
        points.append([row.type, row.unit, _plain(_dec(row.qty)),
                       _plain(_dec(row.price)), _loads(row.groupby),
                       _loads(row.metadata)])
        if len(rows) >= BATCH:
            bind.execute(BLOCKS.insert(), rows)
            rows = []
    if points:
        rows.append(_block_row(key, points))
    if rows:
        bind.execute(BLOCKS.insert(), rows)
    bind.execute(ROLLUPS.delete().where(ROLLUPS.c.kind == 0))
    op.drop_index('ix_rated_points_v2_begin', table_name='rated_points_v2')
    op.drop_index('ix_rated_points_v2_scope', table_name='rated_points_v2')
    op.drop_table('rated_points_v2')


def downgrade():
    op.create_table(
        'rated_points_v2',
        sa.Column('id', _id(), primary_key=True, autoincrement=True),
        sa.Column('begin_ts', sa.BigInteger(), nullable=False),
        sa.Column('end_ts', sa.BigInteger(), nullable=False),
        sa.Column('owner', sa.String(255), nullable=False),
        sa.Column('scope_id', sa.String(255), nullable=False),
        sa.Column('type', sa.String(255), nullable=False),
        sa.Column('unit', sa.String(255), nullable=False),
        sa.Column('qty', models.ExactDecimal(), nullable=False),
        sa.Column('price', models.ExactDecimal(), nullable=False),
        sa.Column('groupby', _json(), nullable=False),
        sa.Column('metadata', _json(), nullable=False),
        **_OPTIONS)
    op.create_index('ix_rated_points_v2_begin', 'rated_points_v2',
                    ['begin_ts', 'id'])
    op.create_index('ix_rated_points_v2_scope', 'rated_points_v2',
                    ['scope_id', 'begin_ts'])
    bind = op.get_bind()
    points = sa.Table(
        'rated_points_v2', sa.MetaData(),
        *[sa.Column(c.name, c.type) for c in POINTS.columns
          if c.name not in ('groupby', 'metadata')],
        sa.Column('groupby', _json()), sa.Column('metadata', _json()))
    rows, rollups = [], []
    for block in bind.execute(sa.select(BLOCKS).order_by(BLOCKS.c.id)):
        for entry in _loads(block.sums):
            rollups.append(dict(
                kind=0, begin_ts=block.begin_ts, end_ts=block.end_ts,
                owner=block.owner, scope_id=block.scope_id, type=entry[0],
                **dict(zip(TIME_KEYS, entry[1:5])), count=entry[5],
                qty=entry[6], price=entry[7]))
        for point in _loads(block.points):
            rows.append(dict(
                begin_ts=block.begin_ts, end_ts=block.end_ts,
                owner=block.owner, scope_id=block.scope_id, type=point[0],
                unit=point[1], qty=point[2], price=point[3],
                groupby=point[4], metadata=point[5]))
        if len(rows) >= BATCH:
            bind.execute(points.insert(), rows)
            rows = []
    if rows:
        bind.execute(points.insert(), rows)
    for start in range(0, len(rollups), BATCH):
        bind.execute(ROLLUPS.insert(), rollups[start:start + BATCH])
    op.drop_index('ix_rated_blocks_v2_begin', table_name='rated_blocks_v2')
    op.drop_index('ix_rated_blocks_v2_owner', table_name='rated_blocks_v2')
    op.drop_index('ix_rated_blocks_v2_scope', table_name='rated_blocks_v2')
    op.drop_table('rated_blocks_v2')
