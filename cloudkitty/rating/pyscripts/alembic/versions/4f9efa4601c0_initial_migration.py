"""Initial migration: the pyscripts_scripts table.

Revision ID: 4f9efa4601c0
Revises: None

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '4f9efa4601c0'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pyscripts_scripts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('script_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        # SHA-1 at this revision; 75c205f6f1a2 moves to SHA-512.
        sa.Column('checksum', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('script_id'),
        sa.UniqueConstraint('name'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')


def downgrade():
    op.drop_table('pyscripts_scripts')
