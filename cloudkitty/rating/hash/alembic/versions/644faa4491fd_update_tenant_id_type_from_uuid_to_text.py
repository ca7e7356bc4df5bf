"""Update tenant_id type from uuid to text.

Revision ID: 644faa4491fd
Revises: 4da82e1c11c8

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '644faa4491fd'
down_revision = '4da82e1c11c8'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('hashmap_mappings', 'hashmap_thresholds'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('tenant_id',
                                  type_=sa.String(255),
                                  existing_type=sa.String(36),
                                  existing_nullable=True)
