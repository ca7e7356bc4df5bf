"""Clean hashmap fields constraints: a field name is unique per service.

Revision ID: c88a06b1cfce
Revises: f8c799db4aa0

"""
from alembic import op

from cloudkitty.rating.hash import migration_helpers as helpers

# revision identifiers, used by Alembic.
revision = 'c88a06b1cfce'
down_revision = 'f8c799db4aa0'
branch_labels = None
depends_on = None


def upgrade():
    existing = helpers.unique_constraints('hashmap_fields')
    old = [name for name, cols in existing.items()
           if name != 'uniq_field_per_service' and len(cols) > 1]
    create = 'uniq_field_per_service' not in existing
    if op.get_bind().dialect.name == 'sqlite':
        # One table copy; constraints on the same columns would merge.
        with op.batch_alter_table('hashmap_fields') as batch_op:
            for name in old:
                batch_op.drop_constraint(name, type_='unique')
            if create:
                batch_op.create_unique_constraint('uniq_field_per_service',
                                                  ['service_id', 'name'])
        return
    # Create the new constraint before dropping the old ones: on MySQL the
    # (service_id, name) index backs the foreign key on service_id.
    if create:
        op.create_unique_constraint('uniq_field_per_service',
                                    'hashmap_fields', ['service_id', 'name'])
    for name in old:
        op.drop_constraint(name, 'hashmap_fields', type_='unique')
