"""Longer, non-unique identifier; unique (identifier, scope_key, ...).

Revision ID: c50ed2c19204
Revises: d9d103dd4dcf

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'c50ed2c19204'
down_revision = 'd9d103dd4dcf'
branch_labels = None
depends_on = None

TABLE = 'cloudkitty_storage_states'
CONSTRAINT = 'uq_cloudkitty_storage_states_identifier'
COLUMNS = ['identifier', 'scope_key', 'collector', 'fetcher']


def _previous_table():
    # The table as the previous revisions left it, minus the unique
    # constraint on ``identifier``: SQLite cannot drop that unnamed
    # constraint, so the batch copy starts from this definition.
    return sa.Table(
        TABLE, sa.MetaData(),
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('identifier', sa.String(length=40), nullable=False),
        sa.Column('state', sa.DateTime(), nullable=False),
        sa.Column('scope_key', sa.String(length=40), nullable=True),
        sa.Column('collector', sa.String(length=40), nullable=True),
        sa.Column('fetcher', sa.String(length=40), nullable=True))


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        with op.batch_alter_table(TABLE, copy_from=_previous_table(),
                                  recreate='always') as batch_op:
            batch_op.alter_column('identifier',
                                  type_=sa.String(length=256),
                                  existing_type=sa.String(length=40),
                                  existing_nullable=False)
            batch_op.create_unique_constraint(CONSTRAINT, COLUMNS)
        return

    # The name of the old unique constraint depends on the backend (and
    # on who created it): find it by its column.
    inspector = sa.inspect(bind)
    for constraint in inspector.get_unique_constraints(TABLE):
        if constraint['column_names'] == ['identifier']:
            op.drop_constraint(constraint['name'], TABLE, type_='unique')
    op.alter_column(TABLE, 'identifier',
                    type_=sa.String(length=256),
                    existing_type=sa.String(length=40),
                    existing_nullable=False)
    op.create_unique_constraint(CONSTRAINT, TABLE, COLUMNS)
