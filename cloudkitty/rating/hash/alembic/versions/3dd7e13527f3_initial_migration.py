"""Initial hashmap schema: services, fields, groups and mappings.

Revision ID: 3dd7e13527f3
Revises: None

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '3dd7e13527f3'
down_revision = None
branch_labels = None
depends_on = None

_ARGS = {'mysql_charset': 'utf8', 'mysql_engine': 'InnoDB'}


def upgrade():
    op.create_table(
        'hashmap_services',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
        sa.UniqueConstraint('service_id'),
        **_ARGS)
    op.create_table(
        'hashmap_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('group_id'),
        sa.UniqueConstraint('name'),
        **_ARGS)
    op.create_table(
        'hashmap_fields',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.String(length=36), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['hashmap_services.id'],
                                ondelete='CASCADE',
                                name='fk_hashmap_fields_service_id'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('field_id'),
        sa.UniqueConstraint('field_id', 'name', name='uniq_field'),
        sa.UniqueConstraint('service_id', 'name',
                            name='uniq_map_service_field'),
        **_ARGS)
    op.create_table(
        'hashmap_maps',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mapping_id', sa.String(length=36), nullable=False),
        sa.Column('value', sa.String(length=255), nullable=True),
        sa.Column('cost', sa.Numeric(20, 8), nullable=False),
        sa.Column('map_type', sa.Enum('flat', 'rate', name='enum_map_type'),
                  nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('field_id', sa.Integer(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['field_id'], ['hashmap_fields.id'],
                                ondelete='CASCADE',
                                name='fk_hashmap_mappings_field_id'),
        sa.ForeignKeyConstraint(['group_id'], ['hashmap_groups.id'],
                                ondelete='SET NULL',
                                name='fk_hashmap_mappings_group_id'),
        sa.ForeignKeyConstraint(['service_id'], ['hashmap_services.id'],
                                ondelete='CASCADE',
                                name='fk_hashmap_mappings_service_id'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('mapping_id'),
        sa.UniqueConstraint('value', 'field_id', name='uniq_field_mapping'),
        sa.UniqueConstraint('value', 'service_id',
                            name='uniq_service_mapping'),
        **_ARGS)


def downgrade():
    op.drop_table('hashmap_maps')
    op.drop_table('hashmap_fields')
    op.drop_table('hashmap_groups')
    op.drop_table('hashmap_services')
