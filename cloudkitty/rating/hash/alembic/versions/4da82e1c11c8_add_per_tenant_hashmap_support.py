"""Add per tenant hashmap support.

Revision ID: 4da82e1c11c8
Revises: c88a06b1cfce

"""
from alembic import op
import sqlalchemy as sa

from cloudkitty.rating.hash import migration_helpers as helpers

# revision identifiers, used by Alembic.
revision = '4da82e1c11c8'
down_revision = 'c88a06b1cfce'
branch_labels = None
depends_on = None

_UNIQUES = {
    'hashmap_mappings': ('value', {'field_id': 'uniq_field_mapping',
                                   'service_id': 'uniq_service_mapping'}),
    'hashmap_thresholds': ('level', {'field_id': 'uniq_field_threshold',
                                     'service_id': 'uniq_service_threshold'}),
}


def upgrade():
    for table, (key, parents) in _UNIQUES.items():
        if 'tenant_id' not in helpers.columns(table):
            with op.batch_alter_table(table) as batch_op:
                batch_op.add_column(sa.Column('tenant_id', sa.String(36),
                                              nullable=True))
        with op.batch_alter_table(table) as batch_op:
            helpers.drop_uniques_on(
                batch_op, table, [(key, parent) for parent in parents])
        with op.batch_alter_table(table) as batch_op:
            for parent, name in parents.items():
                batch_op.create_unique_constraint(
                    name, [key, parent, 'tenant_id'])
