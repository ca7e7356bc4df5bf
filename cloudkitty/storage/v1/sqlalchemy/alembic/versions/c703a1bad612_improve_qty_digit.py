"""Improve qty digits: NUMERIC(15, 5).

Revision ID: c703a1bad612
Revises: 307430ab38bc

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c703a1bad612'
down_revision = '307430ab38bc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rated_data_frames') as batch_op:
        batch_op.alter_column('qty', type_=sa.Numeric(15, 5),
                              existing_nullable=False)
