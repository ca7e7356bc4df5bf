"""Create the example_rating_prices table.

Revision ID: e1a1b2c3d4e5
Revises:
Create Date: 2026-12-03 00:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = 'e1a1b2c3d4e5'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'example_rating_prices',
        sa.Column('metric', sa.String(255), primary_key=True),
        sa.Column('price', sa.String(64), nullable=False))


def downgrade():
    op.drop_table('example_rating_prices')
