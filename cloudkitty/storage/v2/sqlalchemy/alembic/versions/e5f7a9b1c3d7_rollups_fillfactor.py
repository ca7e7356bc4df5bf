"""Rollups leave room in each PostgreSQL page for updated rows.

Every push updates the day and month rollup rows it touches. With free
space in the row's page, PostgreSQL writes the new version there and
leaves the indexes alone (a heap-only tuple update), which makes the
upserts of a push about a third cheaper. Pages written before this
revision fill up as before until rewritten (``VACUUM FULL`` rewrites them
at once). Other databases are unchanged.

Revision ID: e5f7a9b1c3d7
Revises: d4e6f8a0b2c5

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5f7a9b1c3d7'
down_revision = 'd4e6f8a0b2c5'
branch_labels = None
depends_on = None

# The value of models.ROLLUPS_FILLFACTOR when this revision was written.
FILLFACTOR = 70


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE rated_rollups_v2 SET (fillfactor = %d)'
                   % FILLFACTOR)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE rated_rollups_v2 RESET (fillfactor)')
