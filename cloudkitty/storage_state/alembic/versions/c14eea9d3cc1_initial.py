"""Initial: cloudkitty_storage_states.

Revision ID: c14eea9d3cc1
Revises: None

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c14eea9d3cc1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cloudkitty_storage_states',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=40), nullable=False),
        sa.Column('state', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('identifier'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')
