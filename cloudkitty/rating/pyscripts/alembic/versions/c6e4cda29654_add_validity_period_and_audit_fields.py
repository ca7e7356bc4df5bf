"""Validity period (start/end), soft delete and audit fields.

Scripts that existed before this revision become valid from 2014-01-01 and
are attributed to the user ``migration``. The unique constraint on ``name``
is replaced by a plain index: names only need to be unique among
non-deleted scripts, which the API checks, so a deleted script's name can be
reused on every backend.

Revision ID: c6e4cda29654
Revises: 75c205f6f1a2

"""
import datetime

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = 'c6e4cda29654'
down_revision = '75c205f6f1a2'
branch_labels = None
depends_on = None

_TABLE = 'pyscripts_scripts'
_DATETIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
_NAMING = {'uq': 'uq_%(table_name)s_%(column_0_name)s'}


def _name_unique_constraints():
    inspector = sa.inspect(op.get_bind())
    return [uc.get('name') for uc in inspector.get_unique_constraints(_TABLE)
            if list(uc['column_names']) == ['name']]


def upgrade():
    names = _name_unique_constraints()
    # SQLite reflects unnamed constraints without a name: the naming
    # convention gives them one the batch copy can drop.
    with op.batch_alter_table(_TABLE, naming_convention=_NAMING) as batch_op:
        batch_op.add_column(sa.Column('created_at', _DATETIME, nullable=True))
        batch_op.add_column(sa.Column('start', _DATETIME, nullable=True))
        batch_op.add_column(sa.Column('end', _DATETIME, nullable=True))
        batch_op.add_column(sa.Column('description', sa.String(length=256),
                                      nullable=True))
        batch_op.add_column(sa.Column('deleted', _DATETIME, nullable=True))
        batch_op.add_column(sa.Column('created_by', sa.String(length=32),
                                      nullable=True))
        batch_op.add_column(sa.Column('updated_by', sa.String(length=32),
                                      nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sa.String(length=32),
                                      nullable=True))
        for name in names:
            batch_op.drop_constraint(name or 'uq_pyscripts_scripts_name',
                                     type_='unique')

    scripts = sa.table(_TABLE,
                       sa.column('created_at', sa.DateTime()),
                       sa.column('start', sa.DateTime()),
                       sa.column('created_by', sa.String()))
    op.execute(scripts.update().values(
        created_at=datetime.datetime.now(
            datetime.timezone.utc).replace(tzinfo=None),
        start=datetime.datetime(2014, 1, 1),
        created_by='migration'))

    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.alter_column('created_at', existing_type=_DATETIME,
                              nullable=False)
        batch_op.alter_column('start', existing_type=_DATETIME,
                              nullable=False)
        batch_op.alter_column('created_by', existing_type=sa.String(32),
                              nullable=False)
        batch_op.create_index('ix_pyscripts_scripts_name', ['name'])


def downgrade():
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.drop_index('ix_pyscripts_scripts_name')
        for column in ('deleted_by', 'updated_by', 'created_by', 'deleted',
                       'description', 'end', 'start', 'created_at'):
            batch_op.drop_column(column)
        batch_op.create_unique_constraint('uq_pyscripts_scripts_name',
                                          ['name'])
