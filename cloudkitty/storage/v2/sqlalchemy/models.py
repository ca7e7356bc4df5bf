"""Tables of the ``sqlalchemy`` v2 storage (chain
``storage_sqlalchemy_v2_alembic``).

``rated_blocks_v2`` holds the rated DataPoints, packed: one row per
pushed (period, owner, scope), its ``points`` a JSON array of
``[type, unit, qty, price, groupby, metadata]`` (decimals as strings) and
its ``sums`` the exact sums of those points by metric type and time
attributes. It is the truth. One row per point cost SQLite (the embedded
default) more than the whole budget of a push: a block is one index
entry per table instead of one per point. Queries on arbitrary
attributes expand the arrays in SQL (``json_each`` on SQLite,
``JSON_TABLE`` on MariaDB, ``jsonb_array_elements`` on PostgreSQL).

``rated_rollups_v2`` holds, in the same transactions, the sums of the
points by (owner, scope, metric type, UTC day) (``kind`` 1), also keyed
by the time attributes collectors attach (``day_of_the_year``,
``week_of_the_year``, ``month``, ``year``), and by (owner, scope, metric
type, UTC month) (``kind`` 2, time attributes left empty), so summaries
read a few rows instead of scanning points. (``kind`` 0, sums by period,
was replaced by the blocks' ``sums``.) A rollup row is unique by its key,
whose ``digest`` (see ``rollup_digest``) carries the unique index: the
key's columns are too long for one MariaDB index. Writers add to rollups
with upserts, never by writing back values they read.

Times are UTC epoch seconds (integers): exact, comparable and bucketed in
the same way on every database. Money and quantities are exact decimals:
``NUMERIC(40, 18)`` on MariaDB and PostgreSQL; on SQLite, which has no
decimal type, decimal text summed by exact aggregate functions that the
driver registers on each connection.
"""
import decimal
import hashlib

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from cloudkitty.storage.v2.sqlalchemy import codec
from cloudkitty.storage.v2.sqlalchemy import layout

SCALE = layout.SCALE
PRECISION = layout.PRECISION
QUANTUM = layout.QUANTUM
DECIMAL_CONTEXT = layout.DECIMAL_CONTEXT

KIND_PERIOD = layout.KIND_PERIOD
KIND_DAY = layout.KIND_DAY
KIND_MONTH = layout.KIND_MONTH
DAY = layout.DAY

TIME_KEYS = layout.TIME_KEYS


# Exact decimals at the storage scale (see codec).
exact = codec.exact
exact_text = codec.exact_text


class ExactDecimal(sa.types.TypeDecorator):
    """NUMERIC(40, 18); decimal text on SQLite."""

    impl = sa.Numeric(PRECISION, SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == 'sqlite':
            return dialect.type_descriptor(sa.String(64))
        return dialect.type_descriptor(
            sa.Numeric(PRECISION, SCALE, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = exact(value)
        if dialect.name == 'sqlite':
            return format(value, 'f')
        return value

    def process_result_value(self, value, dialect):
        if value is None or isinstance(value, decimal.Decimal):
            return value
        if isinstance(value, float):
            value = repr(value)
        return DECIMAL_CONTEXT.create_decimal(value)


def rollup_digest(kind, begin_ts, owner, scope_id, type_, doy, woy, month,
                  year):
    """Hex digest of a rollup key (the unique ``digest`` column)."""
    text = '\x1f'.join((str(kind), str(begin_ts), owner, scope_id,
                        type_, doy, woy, month, year))
    return hashlib.blake2b(text.encode('utf-8', 'surrogatepass'),
                           digest_size=16).hexdigest()


def json_type():
    return sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def id_type():
    # SQLite only auto-increments an INTEGER PRIMARY KEY.
    return sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


metadata = sa.MetaData()

blocks = sa.Table(
    'rated_blocks_v2', metadata,
    sa.Column('id', id_type(), primary_key=True, autoincrement=True),
    sa.Column('begin_ts', sa.BigInteger(), nullable=False),
    sa.Column('end_ts', sa.BigInteger(), nullable=False),
    sa.Column('owner', sa.String(255), nullable=False),
    sa.Column('scope_id', sa.String(255), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    # [[type, doy, woy, month, year, count, qty, price]]: read by Python
    # only (replacements, deletes, window edges).
    sa.Column('sums', sa.Text(), nullable=False),
    sa.Column('points', json_type(), nullable=False),
    # With the id: pages of points in (begin, id, position) order.
    sa.Index('ix_rated_blocks_v2_begin', 'begin_ts', 'id'),
    sa.Index('ix_rated_blocks_v2_owner', 'owner', 'begin_ts'),
    sa.Index('ix_rated_blocks_v2_scope', 'scope_id', 'begin_ts'),
    mysql_charset='utf8mb4',
    # Attribute values match exactly, as on the other databases.
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB',
)

# Percent of a PostgreSQL page filled by inserts into the rollups.
ROLLUPS_FILLFACTOR = 70

rollups = sa.Table(
    'rated_rollups_v2', metadata,
    sa.Column('id', id_type(), primary_key=True, autoincrement=True),
    sa.Column('digest', sa.String(32), nullable=False),
    sa.Column('kind', sa.SmallInteger(), nullable=False),
    sa.Column('begin_ts', sa.BigInteger(), nullable=False),
    sa.Column('end_ts', sa.BigInteger(), nullable=False),
    sa.Column('owner', sa.String(255), nullable=False),
    sa.Column('scope_id', sa.String(255), nullable=False),
    sa.Column('type', sa.String(255), nullable=False),
    sa.Column('day_of_the_year', sa.String(64), nullable=False),
    sa.Column('week_of_the_year', sa.String(64), nullable=False),
    sa.Column('month', sa.String(64), nullable=False),
    sa.Column('year', sa.String(64), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.Column('qty', ExactDecimal(), nullable=False),
    sa.Column('price', ExactDecimal(), nullable=False),
    sa.Index('ix_rated_rollups_v2_kind', 'kind', 'begin_ts'),
    sa.Index('ix_rated_rollups_v2_owner', 'owner', 'kind', 'begin_ts'),
    sa.UniqueConstraint('digest', name='uq_rated_rollups_v2_digest'),
    # Room in each page for the new versions of updated rows: PostgreSQL
    # then updates a rollup without touching its indexes (HOT update).
    postgresql_with={'fillfactor': ROLLUPS_FILLFACTOR},
    mysql_charset='utf8mb4',
    # Attribute values match exactly, as on the other databases.
    mysql_collate='utf8mb4_bin',
    mysql_engine='InnoDB',
)
