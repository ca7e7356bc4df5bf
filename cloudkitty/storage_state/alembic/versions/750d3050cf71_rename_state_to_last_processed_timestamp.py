"""Rename state to last_processed_timestamp.

Revision ID: 750d3050cf71
Revises: c50ed2c19204

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '750d3050cf71'
down_revision = 'c50ed2c19204'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cloudkitty_storage_states') as batch_op:
        batch_op.alter_column('state',
                              new_column_name='last_processed_timestamp',
                              existing_type=sa.DateTime(),
                              existing_nullable=False)
