"""Add scope_key, collector and fetcher to cloudkitty_storage_states.

Revision ID: d9d103dd4dcf
Revises: c14eea9d3cc1

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'd9d103dd4dcf'
down_revision = 'c14eea9d3cc1'
branch_labels = None
depends_on = None


def upgrade():
    for column in ('scope_key', 'collector', 'fetcher'):
        op.add_column('cloudkitty_storage_states',
                      sa.Column(column, sa.String(length=40), nullable=True))
