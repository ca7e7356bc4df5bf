"""Core SQL models (migration chain ``cloudkitty_alembic``).

The tables match the reference's column for column, so databases created by
the reference implementation are used in place.
"""
import sqlalchemy as sa
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    """Declarative base of the core chain; its metadata is the chain's."""


_TABLE_ARGS = {'mysql_charset': 'utf8mb4', 'mysql_collate': 'utf8mb4_bin',
               'mysql_engine': 'InnoDB'}


class StateInfo(Base):
    """Legacy key/value state (``states``)."""

    __tablename__ = 'states'
    __table_args__ = _TABLE_ARGS

    name = sa.Column(sa.String(255), primary_key=True)
    state = sa.Column(sa.BigInteger(), nullable=False)
    s_metadata = sa.Column(sa.Text(), nullable=True)


class ModuleStateInfo(Base):
    """Rating module (and v1 collector) enable flag and priority."""

    __tablename__ = 'modules_state'
    __table_args__ = _TABLE_ARGS

    name = sa.Column(sa.String(255), primary_key=True)
    state = sa.Column(sa.Boolean(), nullable=False, default=False)
    priority = sa.Column(sa.Integer(), nullable=True, default=1)


class ServiceToCollectorMapping(Base):
    """v1 collector API mapping: service name → collector name."""

    __tablename__ = 'service_to_collector_mappings'
    __table_args__ = _TABLE_ARGS

    service = sa.Column(sa.String(255), primary_key=True)
    collector = sa.Column(sa.String(255), nullable=False)
