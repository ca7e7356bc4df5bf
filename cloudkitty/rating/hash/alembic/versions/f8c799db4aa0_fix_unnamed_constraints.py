"""Fix unnamed constraints.

The reference gave names to constraints created without one. Every
constraint of this chain is named when created, and later revisions find
constraints by their columns: nothing to do.

Revision ID: f8c799db4aa0
Revises: 10d2738b67df

"""

# revision identifiers, used by Alembic.
revision = 'f8c799db4aa0'
down_revision = '10d2738b67df'
branch_labels = None
depends_on = None


def upgrade():
    pass
