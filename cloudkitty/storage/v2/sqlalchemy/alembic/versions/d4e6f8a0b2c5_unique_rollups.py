"""One row per rollup key: the ``digest`` unique key.

Concurrent writers of earlier versions could insert the same rollup key
twice: the duplicates are merged (their sums added) before the unique key
is created; rows left without points (count 0 or below) are removed. On
MariaDB the storage tables are (again) converted to utf8mb4, binary
collation. Rollups that drifted from the points are not fixed here: run
``cloudkitty-storage-rollups verify`` then ``rebuild``.

Revision ID: d4e6f8a0b2c5
Revises: c3e5a7b9d1f2

"""
import decimal
import hashlib

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'd4e6f8a0b2c5'
down_revision = 'c3e5a7b9d1f2'
branch_labels = None
depends_on = None

CTX = decimal.Context(prec=80)
KEY = ('kind', 'begin_ts', 'owner', 'scope_id', 'type', 'day_of_the_year',
       'week_of_the_year', 'month', 'year')
BATCH = 2000

META = sa.MetaData()
ROLLUPS = sa.Table(
    'rated_rollups_v2', META,
    sa.Column('id', sa.BigInteger(), primary_key=True),
    sa.Column('digest', sa.String(32)),
    sa.Column('kind', sa.SmallInteger()),
    sa.Column('begin_ts', sa.BigInteger()),
    sa.Column('owner', sa.String(255)),
    sa.Column('scope_id', sa.String(255)),
    sa.Column('type', sa.String(255)),
    sa.Column('day_of_the_year', sa.String(64)),
    sa.Column('week_of_the_year', sa.String(64)),
    sa.Column('month', sa.String(64)),
    sa.Column('year', sa.String(64)),
    sa.Column('count', sa.BigInteger()),
    # Text on every database: exact, and summed in Python here.
    sa.Column('qty', sa.Text()),
    sa.Column('price', sa.Text()),
)


def _digest(row):
    # Same as models.rollup_digest (kept here: migrations are frozen).
    text = '\x1f'.join(str(v) for v in row)
    return hashlib.blake2b(text.encode('utf-8', 'surrogatepass'),
                           digest_size=16).hexdigest()


def _dec(value):
    return CTX.create_decimal(str(value))


def _number(bind, value):
    if bind.dialect.name == 'sqlite':
        return format(value, 'f')
    return value


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'mysql':
        for table in ('rated_blocks_v2', 'rated_rollups_v2'):
            # Converting rewrites the table: only when needed.
            collation = bind.execute(sa.text(
                'SELECT table_collation FROM information_schema.tables '
                'WHERE table_schema = DATABASE() AND table_name = :t'),
                {'t': table}).scalar()
            if collation != 'utf8mb4_bin':
                op.execute('ALTER TABLE %s CONVERT TO CHARACTER SET '
                           'utf8mb4 COLLATE utf8mb4_bin' % table)
    op.add_column('rated_rollups_v2',
                  sa.Column('digest', sa.String(32), nullable=True))
    select = sa.select(ROLLUPS.c.id, *[ROLLUPS.c[k] for k in KEY],
                       ROLLUPS.c.count,
                       sa.cast(ROLLUPS.c.qty, sa.Text).label('qty'),
                       sa.cast(ROLLUPS.c.price, sa.Text).label('price')
                       ).order_by(ROLLUPS.c.id)
    first = {}       # digest -> [id, count, qty, price, merged]
    for row in bind.execute(select).all():
        digest = _digest(row[1:1 + len(KEY)])
        entry = first.get(digest)
        count, q, p = row[-3], _dec(row[-2]), _dec(row[-1])
        if entry is None:
            first[digest] = [row[0], count, q, p, []]
        else:
            entry[1] += count
            entry[2] = CTX.add(entry[2], q)
            entry[3] = CTX.add(entry[3], p)
            entry[4].append(row[0])
    drop, update = [], []
    for digest, (row_id, count, q, p, merged) in first.items():
        drop.extend(merged)
        if count <= 0:
            drop.append(row_id)
        elif merged:
            update.append({'i': row_id, 'd': digest, 'c': count,
                           'q': _number(bind, q), 'p': _number(bind, p)})
        else:
            update.append({'i': row_id, 'd': digest})
    for start in range(0, len(drop), BATCH):
        bind.execute(ROLLUPS.delete().where(
            ROLLUPS.c.id.in_(drop[start:start + BATCH])))
    plain = [u for u in update if 'c' not in u]
    merged = [u for u in update if 'c' in u]
    if plain:
        bind.execute(sa.text('UPDATE rated_rollups_v2 SET digest = :d '
                             'WHERE id = :i'), plain)
    if merged:
        bind.execute(sa.text('UPDATE rated_rollups_v2 SET digest = :d, '
                             'count = :c, qty = :q, price = :p '
                             'WHERE id = :i'), merged)
    with op.batch_alter_table('rated_rollups_v2') as batch:
        batch.alter_column('digest', existing_type=sa.String(32),
                           nullable=False)
        batch.create_unique_constraint('uq_rated_rollups_v2_digest',
                                       ['digest'])


def downgrade():
    with op.batch_alter_table('rated_rollups_v2') as batch:
        batch.drop_constraint('uq_rated_rollups_v2_digest', type_='unique')
        batch.drop_column('digest')
