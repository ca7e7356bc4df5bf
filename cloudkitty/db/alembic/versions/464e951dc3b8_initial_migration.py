"""Initial migration: legacy states and rating module states.

Revision ID: 464e951dc3b8
Revises: None

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '464e951dc3b8'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'states',
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('state', sa.BigInteger(), nullable=False),
        sa.Column('s_metadata', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('name'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')
    op.create_table(
        'modules_state',
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('state', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')


def downgrade():
    op.drop_table('modules_state')
    op.drop_table('states')
