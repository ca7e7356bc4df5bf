"""Tables of the pyscripts chain in utf8mb4 on MySQL/MariaDB.

The reference created them in ``utf8`` (3-byte UTF-8): a 4-byte
character (emoji, some CJK) failed with "Incorrect string value" and
comparisons with utf8mb4 tables failed with "Illegal mix of collations".
Nothing changes on other databases.

Revision ID: 93209f1c8f74
Revises: c6e4cda29654

"""
from cloudkitty.db import migration

# revision identifiers, used by Alembic.
revision = '93209f1c8f74'
down_revision = 'c6e4cda29654'
branch_labels = None
depends_on = None

TABLES = ['pyscripts_scripts']


def upgrade():
    migration.convert_to_utf8mb4(TABLES)


def downgrade():
    # Converting back to 3-byte UTF-8 would lose every 4-byte character.
    pass
