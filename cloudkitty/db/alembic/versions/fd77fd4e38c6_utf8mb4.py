"""Tables of the core chain in utf8mb4 on MySQL/MariaDB.

The reference created them in ``utf8`` (3-byte UTF-8): a 4-byte
character (emoji, some CJK) failed with "Incorrect string value" and
comparisons with utf8mb4 tables failed with "Illegal mix of collations".
Nothing changes on other databases.

Revision ID: fd77fd4e38c6
Revises: 385e33fef139

"""
from cloudkitty.db import migration

# revision identifiers, used by Alembic.
revision = 'fd77fd4e38c6'
down_revision = '385e33fef139'
branch_labels = None
depends_on = None

TABLES = ['states', 'modules_state', 'service_to_collector_mappings']


def upgrade():
    migration.convert_to_utf8mb4(TABLES)


def downgrade():
    # Converting back to 3-byte UTF-8 would lose every 4-byte character.
    pass
