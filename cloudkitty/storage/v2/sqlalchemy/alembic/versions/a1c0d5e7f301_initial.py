"""Initial tables of the sqlalchemy v2 storage.

Revision ID: a1c0d5e7f301
Revises:

"""
from alembic import op
import sqlalchemy as sa

from cloudkitty.storage.v2.sqlalchemy import models

# revision identifiers, used by Alembic.
revision = 'a1c0d5e7f301'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rated_points_v2',
        sa.Column('id', models.id_type(), primary_key=True,
                  autoincrement=True),
        sa.Column('begin_ts', sa.BigInteger(), nullable=False),
        sa.Column('end_ts', sa.BigInteger(), nullable=False),
        sa.Column('owner', sa.String(255), nullable=False),
        sa.Column('scope_id', sa.String(255), nullable=False),
        sa.Column('type', sa.String(255), nullable=False),
        sa.Column('unit', sa.String(255), nullable=False),
        sa.Column('qty', models.ExactDecimal(), nullable=False),
        sa.Column('price', models.ExactDecimal(), nullable=False),
        sa.Column('groupby', models.json_type(), nullable=False),
        sa.Column('metadata', models.json_type(), nullable=False),
        mysql_charset='utf8mb4',
        mysql_collate='utf8mb4_bin',
        mysql_engine='InnoDB')
    op.create_index('ix_rated_points_v2_begin', 'rated_points_v2',
                    ['begin_ts', 'id'])
    op.create_index('ix_rated_points_v2_scope', 'rated_points_v2',
                    ['scope_id', 'begin_ts'])
    op.create_index('ix_rated_points_v2_owner', 'rated_points_v2',
                    ['owner', 'begin_ts'])

    op.create_table(
        'rated_rollups_v2',
        sa.Column('id', models.id_type(), primary_key=True,
                  autoincrement=True),
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
        sa.Column('qty', models.ExactDecimal(), nullable=False),
        sa.Column('price', models.ExactDecimal(), nullable=False),
        mysql_charset='utf8mb4',
        mysql_collate='utf8mb4_bin',
        mysql_engine='InnoDB')
    op.create_index('ix_rated_rollups_v2_kind', 'rated_rollups_v2',
                    ['kind', 'begin_ts'])
    op.create_index('ix_rated_rollups_v2_owner', 'rated_rollups_v2',
                    ['owner', 'kind', 'begin_ts'])


def downgrade():
    op.drop_table('rated_rollups_v2')
    op.drop_table('rated_points_v2')
