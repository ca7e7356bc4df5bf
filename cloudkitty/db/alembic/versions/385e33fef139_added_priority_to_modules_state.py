"""Added priority to modules_state.

Revision ID: 385e33fef139
Revises: 2ac2217dcbd9

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '385e33fef139'
down_revision = '2ac2217dcbd9'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('modules_state',
                  sa.Column('priority', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('modules_state') as batch_op:
        batch_op.drop_column('priority')
