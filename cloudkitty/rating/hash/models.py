"""SQL models of the hashmap rating module (chain ``hashmap_alembic``).

Tables and column names match the reference schema, so databases created
by it are used in place.
"""

import sqlalchemy as sa
from sqlalchemy import orm

from cloudkitty.rating.hash import rules


class Base(orm.DeclarativeBase):
    """Declarative base of the hashmap chain; its metadata is the chain's."""


_TABLE_ARGS = {'mysql_charset': 'utf8mb4', 'mysql_collate': 'utf8mb4_bin',
               'mysql_engine': 'InnoDB'}

# Defined with the validation rules (no SQL there); kept here for the
# migrations and code importing them from the models.
MAP_TYPES = rules.MAP_TYPES
COST_SCALE = rules.COST_SCALE
LEVEL_SCALE = rules.LEVEL_SCALE
COST_QUANTUM = rules.COST_QUANTUM
LEVEL_QUANTUM = rules.LEVEL_QUANTUM
quantize = rules.quantize


def sqlite_decimal(precision, scale):
    """Column type used in migrations for exact decimals.

    SQLite has no decimal type: NUMERIC columns turn values into binary
    doubles. Money is stored there as text holding the exact value.
    """
    return sa.Numeric(precision, scale).with_variant(
        sa.String(precision + 4), 'sqlite')


class ExactDecimal(sa.types.TypeDecorator):
    """NUMERIC(precision, scale), exact on every backend (text on SQLite).

    Values are always returned with exactly ``scale`` fractional digits,
    as MariaDB and PostgreSQL return them.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision, scale):
        super().__init__(precision, scale, asdecimal=True)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect):
        if dialect.name == 'sqlite':
            return dialect.type_descriptor(sa.String(self.precision + 4))
        return dialect.type_descriptor(
            sa.Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = quantize(value, self.scale)
        if dialect.name == 'sqlite':
            return str(value)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            # Rows written by the reference on SQLite hold doubles.
            value = repr(value)
        return quantize(value, self.scale)


def _map_type():
    return sa.Enum(*MAP_TYPES, name='enum_map_type')


class HashMapService(Base):
    """A service: matched against a metric type."""

    __tablename__ = 'hashmap_services'
    __table_args__ = _TABLE_ARGS

    id = sa.Column(sa.Integer(), primary_key=True)
    service_id = sa.Column(sa.String(36), nullable=False, unique=True)
    name = sa.Column(sa.String(255), nullable=False, unique=True)


class HashMapField(Base):
    """A field: one attribute of a service's data points."""

    __tablename__ = 'hashmap_fields'
    __table_args__ = (
        sa.UniqueConstraint('service_id', 'name',
                            name='uniq_field_per_service'),
        _TABLE_ARGS)

    id = sa.Column(sa.Integer(), primary_key=True)
    field_id = sa.Column(sa.String(36), nullable=False, unique=True)
    name = sa.Column(sa.String(255), nullable=False)
    service_id = sa.Column(
        sa.Integer(),
        sa.ForeignKey('hashmap_services.id', ondelete='CASCADE',
                      name='fk_hashmap_fields_service_id'),
        nullable=False)


class HashMapGroup(Base):
    """A named bucket of rules."""

    __tablename__ = 'hashmap_groups'
    __table_args__ = _TABLE_ARGS

    id = sa.Column(sa.Integer(), primary_key=True)
    group_id = sa.Column(sa.String(36), nullable=False, unique=True)
    name = sa.Column(sa.String(255), nullable=False, unique=True)


def _parent_id_column(table, parent, ondelete):
    """Nullable key of a rule to its service, field or group."""
    return sa.Column(
        sa.Integer(),
        sa.ForeignKey('hashmap_%ss.id' % parent, ondelete=ondelete,
                      name='fk_%s_%s_id' % (table, parent)),
        nullable=True)


class HashMapMapping(Base):
    """A price rule on a service or on a field value."""

    __tablename__ = 'hashmap_mappings'
    __table_args__ = _TABLE_ARGS

    id = sa.Column(sa.Integer(), primary_key=True)
    mapping_id = sa.Column(sa.String(36), nullable=False, unique=True)
    value = sa.Column(sa.String(255), nullable=True)
    cost = sa.Column(ExactDecimal(40, COST_SCALE), nullable=False)
    map_type = sa.Column(_map_type(), nullable=False)
    service_id = _parent_id_column('hashmap_mappings', 'service', 'CASCADE')
    field_id = _parent_id_column('hashmap_mappings', 'field', 'CASCADE')
    group_id = _parent_id_column('hashmap_mappings', 'group', 'SET NULL')
    tenant_id = sa.Column(sa.String(255), nullable=True)
    created_at = sa.Column(sa.DateTime(), nullable=False)
    start = sa.Column(sa.DateTime(), nullable=False)
    end = sa.Column(sa.DateTime(), nullable=True)
    name = sa.Column(sa.String(32), nullable=False)
    description = sa.Column(sa.String(256), nullable=True)
    deleted = sa.Column(sa.DateTime(), nullable=True)
    created_by = sa.Column(sa.String(255), nullable=False)
    updated_by = sa.Column(sa.String(255), nullable=True)
    deleted_by = sa.Column(sa.String(255), nullable=True)


class HashMapThreshold(Base):
    """A price rule applying from a level of quantity or field value."""

    __tablename__ = 'hashmap_thresholds'
    __table_args__ = (
        sa.UniqueConstraint('level', 'field_id', 'tenant_id',
                            name='uniq_field_threshold'),
        sa.UniqueConstraint('level', 'service_id', 'tenant_id',
                            name='uniq_service_threshold'),
        _TABLE_ARGS)

    id = sa.Column(sa.Integer(), primary_key=True)
    threshold_id = sa.Column(sa.String(36), nullable=False, unique=True)
    level = sa.Column(ExactDecimal(20, LEVEL_SCALE), nullable=True)
    cost = sa.Column(ExactDecimal(40, COST_SCALE), nullable=False)
    map_type = sa.Column(_map_type(), nullable=False)
    service_id = _parent_id_column('hashmap_thresholds', 'service', 'CASCADE')
    field_id = _parent_id_column('hashmap_thresholds', 'field', 'CASCADE')
    group_id = _parent_id_column('hashmap_thresholds', 'group', 'SET NULL')
    tenant_id = sa.Column(sa.String(255), nullable=True)
