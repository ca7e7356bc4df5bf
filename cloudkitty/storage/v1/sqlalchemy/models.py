"""The ``rated_data_frames`` table of the v1 ``sqlalchemy`` storage."""
import decimal

import sqlalchemy as sa
from sqlalchemy import types as sa_types

metadata = sa.MetaData()


class ExactNumeric(sa_types.TypeDecorator):
    """A NUMERIC read and written as Decimal on every database.

    SQLite has no decimal type (the value is stored as a REAL): it is
    bound as a float and read back through its shortest repr, not through
    SQLAlchemy's fixed-scale formatting that shows float noise.
    """

    impl = sa.Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == 'sqlite':
            return dialect.type_descriptor(sa.Float(asdecimal=False))
        return dialect.type_descriptor(self.impl)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if dialect.name == 'sqlite':
            return float(value)
        return decimal.Decimal(str(value)) if isinstance(value, float) \
            else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            return decimal.Decimal(repr(value))
        return decimal.Decimal(value)


rated_data_frames = sa.Table(
    'rated_data_frames', metadata,
    sa.Column('id', sa.Integer(), primary_key=True),
    sa.Column('tenant_id', sa.String(32), nullable=True),
    sa.Column('begin', sa.DateTime(), nullable=False),
    sa.Column('end', sa.DateTime(), nullable=False),
    sa.Column('unit', sa.String(255), nullable=False),
    sa.Column('qty', ExactNumeric(15, 5), nullable=False),
    sa.Column('res_type', sa.String(255), nullable=False),
    sa.Column('rate', ExactNumeric(40, 18), nullable=False),
    sa.Column('desc', sa.Text(), nullable=False),
    sa.Index('idx_rated_data_frames_date', 'begin', 'end'),
    sa.Index('idx_tenantid_begin_end', 'tenant_id', 'begin', 'end'),
    mysql_charset='utf8',
    mysql_engine='InnoDB',
)
