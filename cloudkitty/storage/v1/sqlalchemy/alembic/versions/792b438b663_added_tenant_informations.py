"""Added tenant informations.

Revision ID: 792b438b663
Revises: 17fd1b237aa3

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '792b438b663'
down_revision = '17fd1b237aa3'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('rated_data_frames',
                  sa.Column('tenant_id', sa.String(length=32),
                            nullable=True))
