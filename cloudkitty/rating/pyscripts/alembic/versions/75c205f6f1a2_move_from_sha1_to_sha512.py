"""Checksums: SHA-1 → SHA-512 (column widened, existing rows rehashed).

Revision ID: 75c205f6f1a2
Revises: 4f9efa4601c0

"""
import hashlib
import zlib

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '75c205f6f1a2'
down_revision = '4f9efa4601c0'
branch_labels = None
depends_on = None

_SCRIPTS = sa.table('pyscripts_scripts',
                    sa.column('id', sa.Integer()),
                    sa.column('data', sa.LargeBinary()),
                    sa.column('checksum', sa.String()))


def _rehash(hash_func):
    bind = op.get_bind()
    rows = bind.execute(sa.select(_SCRIPTS.c.id, _SCRIPTS.c.data)).all()
    for row in rows:
        checksum = hash_func(zlib.decompress(row.data)).hexdigest()
        bind.execute(_SCRIPTS.update()
                     .where(_SCRIPTS.c.id == row.id)
                     .values(checksum=checksum))


def upgrade():
    with op.batch_alter_table('pyscripts_scripts') as batch_op:
        batch_op.alter_column('checksum',
                              existing_type=sa.String(length=40),
                              type_=sa.String(length=128),
                              existing_nullable=False)
    _rehash(hashlib.sha512)


def downgrade():
    _rehash(hashlib.sha1)
    with op.batch_alter_table('pyscripts_scripts') as batch_op:
        batch_op.alter_column('checksum',
                              existing_type=sa.String(length=128),
                              type_=sa.String(length=40),
                              existing_nullable=False)
