"""Fixed constraint name.

The reference renamed a wrongly named unique constraint here. This chain
creates every constraint with its final name in 3dd7e13527f3 and
4fa888fd7eda, and later revisions find constraints by their columns, so
there is nothing to do.

Revision ID: 54cc17accf2c
Revises: 4fa888fd7eda

"""

# revision identifiers, used by Alembic.
revision = '54cc17accf2c'
down_revision = '4fa888fd7eda'
branch_labels = None
depends_on = None


def upgrade():
    pass
