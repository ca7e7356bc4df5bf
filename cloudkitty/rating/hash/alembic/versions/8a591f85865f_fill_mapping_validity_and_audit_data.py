"""Fill validity and audit data of existing mappings; make them mandatory.

Existing mappings start at 1970-01-01, get a random name and are created
by "migration". Unlike the reference, this works on SQLite too (the
columns are filled before being altered, in a batch operation).

Revision ID: 8a591f85865f
Revises: 4e0232ce

"""
import datetime
import uuid

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '8a591f85865f'
down_revision = '4e0232ce'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    table = sa.table('hashmap_mappings',
                     sa.column('id', sa.Integer()),
                     sa.column('created_at', sa.DateTime()),
                     sa.column('start', sa.DateTime()),
                     sa.column('name', sa.String(32)),
                     sa.column('created_by', sa.String(255)))
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    bind.execute(table.update().where(table.c.created_at.is_(None))
                 .values(created_at=now))
    bind.execute(table.update().where(table.c.start.is_(None))
                 .values(start=datetime.datetime(1970, 1, 1)))
    bind.execute(table.update().where(table.c.created_by.is_(None))
                 .values(created_by='migration'))
    ids = bind.execute(sa.select(table.c.id)
                       .where(table.c.name.is_(None))).scalars().all()
    for row_id in ids:
        bind.execute(table.update().where(table.c.id == row_id)
                     .values(name=uuid.uuid4().hex))
    with op.batch_alter_table('hashmap_mappings') as batch_op:
        batch_op.alter_column('created_at', existing_type=sa.DateTime(),
                              nullable=False)
        batch_op.alter_column('start', existing_type=sa.DateTime(),
                              nullable=False)
        batch_op.alter_column('name', existing_type=sa.String(32),
                              nullable=False)
        batch_op.alter_column('created_by', existing_type=sa.String(255),
                              nullable=False)
