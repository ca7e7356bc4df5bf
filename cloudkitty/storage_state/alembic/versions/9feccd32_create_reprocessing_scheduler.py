"""Create storage_scope_reprocessing_schedule.

Revision ID: 9feccd32
Revises: 4d69395f

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '9feccd32'
down_revision = '4d69395f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'storage_scope_reprocessing_schedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=256), nullable=False),
        sa.Column('start_reprocess_time', sa.DateTime(), nullable=False),
        sa.Column('end_reprocess_time', sa.DateTime(), nullable=False),
        sa.Column('current_reprocess_time', sa.DateTime(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')
