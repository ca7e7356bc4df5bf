"""Added threshold support.

Revision ID: 4fa888fd7eda
Revises: 3dd7e13527f3

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '4fa888fd7eda'
down_revision = '3dd7e13527f3'
branch_labels = None
depends_on = None


def upgrade():
    # The enum type already exists on PostgreSQL (created with the
    # mappings table): reuse it.
    map_type = sa.Enum('flat', 'rate', name='enum_map_type').with_variant(
        postgresql.ENUM('flat', 'rate', name='enum_map_type',
                        create_type=False), 'postgresql')
    op.create_table(
        'hashmap_thresholds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('threshold_id', sa.String(length=36), nullable=False),
        sa.Column('level', sa.Numeric(20, 8), nullable=True),
        sa.Column('cost', sa.Numeric(20, 8), nullable=False),
        sa.Column('map_type', map_type, nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('field_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['field_id'], ['hashmap_fields.id'],
                                ondelete='CASCADE',
                                name='fk_hashmap_thresholds_field_id'),
        sa.ForeignKeyConstraint(['group_id'], ['hashmap_groups.id'],
                                ondelete='SET NULL',
                                name='fk_hashmap_thresholds_group_id'),
        sa.ForeignKeyConstraint(['service_id'], ['hashmap_services.id'],
                                ondelete='CASCADE',
                                name='fk_hashmap_thresholds_service_id'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('threshold_id'),
        sa.UniqueConstraint('level', 'field_id',
                            name='uniq_field_threshold'),
        sa.UniqueConstraint('level', 'service_id',
                            name='uniq_service_threshold'),
        mysql_charset='utf8',
        mysql_engine='InnoDB')


def downgrade():
    op.drop_table('hashmap_thresholds')
