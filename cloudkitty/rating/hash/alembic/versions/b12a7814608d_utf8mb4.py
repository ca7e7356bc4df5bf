"""Tables of the hashmap chain in utf8mb4 on MySQL/MariaDB.

The reference created them in ``utf8`` (3-byte UTF-8): a 4-byte
character (emoji, some CJK) failed with "Incorrect string value" and
comparisons with utf8mb4 tables failed with "Illegal mix of collations".
Nothing changes on other databases.

Revision ID: b12a7814608d
Revises: 8a591f85865f

"""
from cloudkitty.db import migration

# revision identifiers, used by Alembic.
revision = 'b12a7814608d'
down_revision = '8a591f85865f'
branch_labels = None
depends_on = None

TABLES = ['hashmap_services', 'hashmap_fields', 'hashmap_groups',
          'hashmap_mappings', 'hashmap_thresholds']


def upgrade():
    migration.convert_to_utf8mb4(TABLES)


def downgrade():
    # Converting back to 3-byte UTF-8 would lose every 4-byte character.
    pass
