"""Rename mapping table to hashmap_mappings.

Revision ID: 10d2738b67df
Revises: 54cc17accf2c

"""
from alembic import op

from cloudkitty.rating.hash import migration_helpers as helpers

# revision identifiers, used by Alembic.
revision = '10d2738b67df'
down_revision = '54cc17accf2c'
branch_labels = None
depends_on = None


def upgrade():
    if helpers.has_table('hashmap_maps'):
        op.rename_table('hashmap_maps', 'hashmap_mappings')
