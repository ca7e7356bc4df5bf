"""One live script per name, enforced by the database.

``live_name`` holds the name of a script that is not deleted (NULL once
it is): a unique constraint on it lets two concurrent creations of one
name end with one script and a conflict, on every database (partial
indexes would not work on MySQL). Where existing databases already hold
duplicates (from that race), the oldest script of each name keeps it.

Revision ID: 5360da4dc57b
Revises: 93209f1c8f74

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '5360da4dc57b'
down_revision = '93209f1c8f74'
branch_labels = None
depends_on = None

_TABLE = 'pyscripts_scripts'
_CONSTRAINT = 'uq_pyscripts_scripts_live_name'


def upgrade():
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.add_column(sa.Column('live_name', sa.String(length=255),
                                      nullable=True))
    scripts = sa.table(_TABLE, sa.column('id', sa.Integer()),
                       sa.column('name', sa.String()),
                       sa.column('deleted', sa.DateTime()),
                       sa.column('live_name', sa.String()))
    bind = op.get_bind()
    oldest = bind.execute(
        sa.select(sa.func.min(scripts.c.id))
        .where(scripts.c.deleted.is_(None))
        .group_by(scripts.c.name)).scalars().all()
    for script_id in oldest:
        bind.execute(scripts.update().where(scripts.c.id == script_id)
                     .values(live_name=scripts.c.name))
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.create_unique_constraint(_CONSTRAINT, ['live_name'])


def downgrade():
    with op.batch_alter_table(_TABLE) as batch_op:
        batch_op.drop_constraint(_CONSTRAINT, type_='unique')
        batch_op.drop_column('live_name')
