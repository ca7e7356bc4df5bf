"""SQL model of the pyscripts module (migration chain ``pyscripts_alembic``).

Columns match the reference's so that databases created by the
reference implementation are used in place. Datetimes are stored naive UTC.
"""
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy import orm

# MySQL's plain DATETIME drops microseconds; creation times keep them.
DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


class Base(orm.DeclarativeBase):
    """Declarative base of the pyscripts chain; its metadata is the chain's."""


class PyScriptsScript(Base):
    """A rating script: zlib-compressed UTF-8 source and its SHA-512."""

    __tablename__ = 'pyscripts_scripts'
    __table_args__ = (
        # Name uniqueness only holds among non-deleted scripts, so the
        # name carries a plain index; ``live_name`` (the name while the
        # script is not deleted, else NULL) carries the unique constraint.
        sa.Index('ix_pyscripts_scripts_name', 'name'),
        sa.UniqueConstraint('live_name',
                            name='uq_pyscripts_scripts_live_name'),
        {'mysql_charset': 'utf8mb4', 'mysql_collate': 'utf8mb4_bin',
         'mysql_engine': 'InnoDB'},
    )

    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    script_id = sa.Column(sa.String(36), nullable=False, unique=True)
    name = sa.Column(sa.String(255), nullable=False)
    data = sa.Column(sa.LargeBinary(), nullable=False)
    checksum = sa.Column(sa.String(128), nullable=False)
    created_at = sa.Column(DateTime, nullable=False)
    start = sa.Column(DateTime, nullable=False)
    end = sa.Column(DateTime, nullable=True)
    description = sa.Column(sa.String(256), nullable=True)
    deleted = sa.Column(DateTime, nullable=True)
    created_by = sa.Column(sa.String(32), nullable=False)
    updated_by = sa.Column(sa.String(32), nullable=True)
    deleted_by = sa.Column(sa.String(32), nullable=True)
    live_name = sa.Column(sa.String(255), nullable=True)
