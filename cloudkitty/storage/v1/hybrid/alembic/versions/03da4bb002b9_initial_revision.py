"""Initial revision: hybrid_storage_states.

Revision ID: 03da4bb002b9
Revises: None

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '03da4bb002b9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'hybrid_storage_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.String(length=32), nullable=False),
        sa.Column('state', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')
