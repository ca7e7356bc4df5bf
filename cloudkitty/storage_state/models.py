"""Scope state and reprocessing schedule models (chain
``storage_states_alembic``, tables as the reference's).

Datetimes are stored naive, in UTC.
"""
import sqlalchemy as sa
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    """Declarative base of the scope state chain."""


class IdentifierTableForStorageState(Base):
    """Processing state of one scope (``cloudkitty_storage_states``)."""

    __tablename__ = 'cloudkitty_storage_states'
    __table_args__ = (
        sa.UniqueConstraint(
            'identifier', 'scope_key', 'collector', 'fetcher',
            name='uq_cloudkitty_storage_states_identifier'),
    )

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    identifier = sa.Column(sa.String(256), nullable=False)
    scope_key = sa.Column(sa.String(40), nullable=True)
    fetcher = sa.Column(sa.String(40), nullable=True)
    collector = sa.Column(sa.String(40), nullable=True)
    last_processed_timestamp = sa.Column(sa.DateTime, nullable=False)
    scope_activation_toggle_date = sa.Column(
        sa.DateTime, nullable=False,
        server_default=sa.text('CURRENT_TIMESTAMP'))
    active = sa.Column(sa.Boolean, nullable=False, default=True,
                       server_default=sa.true())


class StorageScopeReprocessingSchedule(Base):
    """One reprocessing task (``storage_scope_reprocessing_schedule``)."""

    __tablename__ = 'storage_scope_reprocessing_schedule'

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=True)
    identifier = sa.Column(sa.String(256), nullable=False)
    start_reprocess_time = sa.Column(sa.DateTime, nullable=False)
    end_reprocess_time = sa.Column(sa.DateTime, nullable=False)
    current_reprocess_time = sa.Column(sa.DateTime, nullable=True)
    reason = sa.Column(sa.Text, nullable=False)
