"""Added support for the meta collector (service to collector mappings).

Revision ID: 2ac2217dcbd9
Revises: 464e951dc3b8

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '2ac2217dcbd9'
down_revision = '464e951dc3b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'service_to_collector_mappings',
        sa.Column('service', sa.String(length=255), nullable=False),
        sa.Column('collector', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('service'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')


def downgrade():
    op.drop_table('service_to_collector_mappings')
