"""Add active and scope_activation_toggle_date to scope states.

Revision ID: 4d69395f
Revises: 750d3050cf71

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '4d69395f'
down_revision = '750d3050cf71'
branch_labels = None
depends_on = None


def upgrade():
    # Server defaults fill the existing rows: they were all processed,
    # hence active.
    with op.batch_alter_table('cloudkitty_storage_states') as batch_op:
        batch_op.add_column(sa.Column(
            'scope_activation_toggle_date', sa.DateTime(), nullable=False,
            server_default=sa.text('CURRENT_TIMESTAMP')))
        batch_op.add_column(sa.Column(
            'active', sa.Boolean(), nullable=False,
            server_default=sa.true()))
