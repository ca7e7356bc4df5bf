"""rate as an exact NUMERIC(40, 18) instead of a float.

The reference stores prices in a FLOAT column (single precision on
MariaDB): sums showed float noise and MariaDB kept ~7 significant digits.
Existing values are converted in place; ``downgrade`` goes back to the
reference's schema (revision d875621d0384).

Revision ID: 5e1c0a7b3f92
Revises: d875621d0384

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5e1c0a7b3f92'
down_revision = 'd875621d0384'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rated_data_frames') as batch_op:
        batch_op.alter_column('rate', type_=sa.Numeric(40, 18),
                              existing_type=sa.Float(),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table('rated_data_frames') as batch_op:
        batch_op.alter_column('rate', type_=sa.Float(),
                              existing_type=sa.Numeric(40, 18),
                              existing_nullable=False)
