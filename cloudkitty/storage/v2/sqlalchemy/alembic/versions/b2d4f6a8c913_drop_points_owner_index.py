"""Drop the (owner, begin_ts) index of rated points.

Replacing a period deletes through the (scope_id, begin_ts) index (the
scope ids come from the rollups): the owner index only cost every insert.

Revision ID: b2d4f6a8c913
Revises: a1c0d5e7f301

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b2d4f6a8c913'
down_revision = 'a1c0d5e7f301'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_rated_points_v2_owner', table_name='rated_points_v2')


def downgrade():
    op.create_index('ix_rated_points_v2_owner', 'rated_points_v2',
                    ['owner', 'begin_ts'])
