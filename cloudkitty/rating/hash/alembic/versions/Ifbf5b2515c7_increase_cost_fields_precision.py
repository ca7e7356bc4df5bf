"""Increase cost fields precision to 28 fractional digits.

On SQLite the decimal columns become text holding the exact value: a
NUMERIC column there stores binary doubles.

Revision ID: Ifbf5b2515c7
Revises: 644faa4491fd

"""
from alembic import op
import sqlalchemy as sa

from cloudkitty.rating.hash import models

# revision identifiers, used by Alembic.
revision = 'Ifbf5b2515c7'
down_revision = '644faa4491fd'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('hashmap_mappings', 'hashmap_thresholds'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('cost',
                                  type_=models.sqlite_decimal(40, 28),
                                  existing_type=sa.Numeric(20, 8),
                                  existing_nullable=False)
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('hashmap_thresholds') as batch_op:
            batch_op.alter_column('level',
                                  type_=models.sqlite_decimal(20, 8),
                                  existing_type=sa.Numeric(20, 8),
                                  existing_nullable=True)
