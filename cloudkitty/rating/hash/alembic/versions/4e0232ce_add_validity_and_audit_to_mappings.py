"""Add validity period, name, description and audit data to mappings.

Mappings lose their database uniqueness: overlapping validity periods are
refused by the API instead.

Revision ID: 4e0232ce
Revises: Ifbf5b2515c7

"""
from alembic import op
import sqlalchemy as sa

from cloudkitty.rating.hash import migration_helpers as helpers

# revision identifiers, used by Alembic.
revision = '4e0232ce'
down_revision = 'Ifbf5b2515c7'
branch_labels = None
depends_on = None

_NEW_COLUMNS = (
    ('created_at', sa.DateTime()),
    ('start', sa.DateTime()),
    ('end', sa.DateTime()),
    ('name', sa.String(32)),
    ('description', sa.String(256)),
    ('deleted', sa.DateTime()),
    ('created_by', sa.String(255)),
    ('updated_by', sa.String(255)),
    ('deleted_by', sa.String(255)),
)


def upgrade():
    existing = helpers.columns('hashmap_mappings')
    with op.batch_alter_table('hashmap_mappings') as batch_op:
        for name, type_ in _NEW_COLUMNS:
            if name not in existing:
                batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table('hashmap_mappings') as batch_op:
        helpers.drop_uniques_on(
            batch_op, 'hashmap_mappings',
            [('value', 'field_id', 'tenant_id'),
             ('value', 'service_id', 'tenant_id'),
             ('value', 'field_id'), ('value', 'service_id')])
