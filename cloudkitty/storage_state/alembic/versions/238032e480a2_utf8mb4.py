"""Tables of the scope state chain in utf8mb4 on MySQL/MariaDB.

The reference created them in ``utf8`` (3-byte UTF-8): a 4-byte
character (emoji, some CJK) failed with "Incorrect string value" and
comparisons with utf8mb4 tables failed with "Illegal mix of collations".
Nothing changes on other databases.

Revision ID: 238032e480a2
Revises: 9feccd32

"""
from cloudkitty.db import migration

# revision identifiers, used by Alembic.
revision = '238032e480a2'
down_revision = '9feccd32'
branch_labels = None
depends_on = None

TABLES = ['cloudkitty_storage_states', 'storage_scope_reprocessing_schedule']


def upgrade():
    migration.convert_to_utf8mb4(TABLES)


def downgrade():
    # Converting back to 3-byte UTF-8 would lose every 4-byte character.
    pass
