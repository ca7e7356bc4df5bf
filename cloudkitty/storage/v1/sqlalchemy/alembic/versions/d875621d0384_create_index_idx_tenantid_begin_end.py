"""Indexes on (begin, end) and (tenant_id, begin, end).

Revision ID: d875621d0384
Revises: c703a1bad612

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd875621d0384'
down_revision = 'c703a1bad612'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('idx_rated_data_frames_date', 'rated_data_frames',
                    ['begin', 'end'])
    op.create_index('idx_tenantid_begin_end', 'rated_data_frames',
                    ['tenant_id', 'begin', 'end'])


def downgrade():
    op.drop_index('idx_tenantid_begin_end', 'rated_data_frames')
    op.drop_index('idx_rated_data_frames_date', 'rated_data_frames')
