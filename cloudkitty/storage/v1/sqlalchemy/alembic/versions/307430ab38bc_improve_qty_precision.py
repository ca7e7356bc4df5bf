"""Improve qty precision: NUMERIC(10, 5).

Revision ID: 307430ab38bc
Revises: 792b438b663

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '307430ab38bc'
down_revision = '792b438b663'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rated_data_frames') as batch_op:
        batch_op.alter_column('qty', type_=sa.Numeric(10, 5),
                              existing_nullable=False)
