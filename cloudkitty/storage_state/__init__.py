"""Scope processing state and reprocessing schedules (SQL).

``StateManager`` keeps, per scope, the start of the last processed period
(the processor resumes from it); ``ReprocessingSchedulerDb`` (module
``reprocessing``) keeps the reprocessing tasks (``/v2/task/reprocesses``).
Both live in ``[database] connection``, in the chain
``storage_states_alembic`` applied by ``cloudkitty-storage-init``
(``StateManager().init()``).

Datetimes are stored naive UTC. Inputs may be aware (any tz) or naive
(taken as UTC). Scope timestamps are returned aware in the local tz,
schedule timestamps aware in UTC.

Every method accepts an optional ``session``: given one (from
``cloudkitty.db.session_for_write()``), the method works inside the
caller's transaction and does not commit, so a storage backend on the same
database can commit a period's frames and the new scope state together.
"""
import dataclasses
import datetime

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging
import sqlalchemy as sa

from cloudkitty.storage_state import models
from cloudkitty.storage_state import reprocessing
from cloudkitty.storage_state import sessions
from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

# Public names of this package (the reprocessing schedules live in their
# own module).
ReprocessingSchedule = reprocessing.ReprocessingSchedule
ReprocessingSchedulerDb = reprocessing.ReprocessingSchedulerDb
ScheduleOverlap = reprocessing.ScheduleOverlap


def _configured():
    """(fetcher, collector, scope_key) of the configuration."""
    # Imported on use: these modules register the options, and pull in
    # the plugin machinery that the API does not always need.
    CONF.import_opt('backend', 'cloudkitty.fetcher', 'fetcher')
    CONF.import_opt('collector', 'cloudkitty.collector', 'collect')
    CONF.import_opt('scope_key', 'cloudkitty.collector', 'collect')
    return (CONF.fetcher.backend, CONF.collect.collector,
            CONF.collect.scope_key)


class ScopeAlreadyExists(Exception):
    """The (identifier, scope_key, collector, fetcher) row exists."""

    def __init__(self, identifier, scope_key, collector, fetcher):
        self.identifier = identifier
        super().__init__(
            'A scope state already exists for scope_id=%s, scope_key=%s, '
            'collector=%s, fetcher=%s.' % (identifier, scope_key, collector,
                                           fetcher))


class NoSuchScope(Exception):
    """No scope row matches."""

    def __init__(self, identifier):
        self.identifier = identifier
        super().__init__('No scope state found for scope_id=%s.'
                         % identifier)


_aware_utc = sessions.aware_utc
_writer = sessions.writer
_reader = sessions.reader


def get_migration():
    """The scope state migration chain (``storage_states_alembic``)."""
    # Imported on use: alembic is slow to import.
    from cloudkitty.db import migration
    return migration.AlembicChain(
        'storage_state',
        migration.chain_dir(__file__),
        'storage_states_alembic',
        models.Base.metadata)


@dataclasses.dataclass
class ScopeState(object):
    """A scope state row, detached from the database.

    ``last_processed_timestamp`` (start of the last processed period) and
    ``scope_activation_toggle_date`` are aware, in the local tz.
    """

    id: int
    identifier: str
    scope_key: str
    fetcher: str
    collector: str
    last_processed_timestamp: datetime.datetime
    active: bool
    scope_activation_toggle_date: datetime.datetime

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row.id,
            identifier=row.identifier,
            scope_key=row.scope_key,
            fetcher=row.fetcher,
            collector=row.collector,
            last_processed_timestamp=tzutils.utc_to_local(
                row.last_processed_timestamp),
            active=bool(row.active),
            scope_activation_toggle_date=(
                tzutils.utc_to_local(row.scope_activation_toggle_date)
                if row.scope_activation_toggle_date is not None else None))

    @property
    def scope_id(self):
        return self.identifier

    def as_dict(self):
        """The ``GET /v2/scope`` rendering (local ISO timestamps)."""
        toggle = self.scope_activation_toggle_date
        return {
            'scope_id': self.identifier,
            'scope_key': self.scope_key,
            'fetcher': self.fetcher,
            'collector': self.collector,
            'last_processed_timestamp':
                self.last_processed_timestamp.isoformat(),
            'active': self.active,
            'scope_activation_toggle_date':
                toggle.isoformat() if toggle is not None else None,
        }


class StateManager(object):
    """Per-scope processing state (``cloudkitty_storage_states``)."""

    model = models.IdentifierTableForStorageState

    def init(self):
        """Create or upgrade the tables (alembic upgrade head)."""
        get_migration().upgrade('head')

    @staticmethod
    def get_migration():
        return get_migration()

    # -- processor operations ------------------------------------------

    def _get_db_item(self, session, identifier, fetcher=None,
                     collector=None, scope_key=None):
        """The row of ``identifier`` for this fetcher/collector/scope_key.

        Missing values come from the configuration. A row created without
        them (all three NULL) is adopted and back-filled.
        """
        conf_fetcher, conf_collector, conf_scope_key = _configured()
        fetcher = fetcher or conf_fetcher
        collector = collector or conf_collector
        scope_key = scope_key or conf_scope_key
        model = self.model
        row = session.scalars(
            sa.select(model).where(
                model.identifier == identifier,
                model.scope_key == scope_key,
                model.fetcher == fetcher,
                model.collector == collector,
            ).order_by(model.id).limit(1)).first()
        if row is None:
            row = session.scalars(
                sa.select(model).where(
                    model.identifier == identifier,
                    model.scope_key.is_(None),
                    model.fetcher.is_(None),
                    model.collector.is_(None),
                ).order_by(model.id).limit(1)).first()
            if row is not None:
                row.scope_key = scope_key
                row.fetcher = fetcher
                row.collector = collector
                session.flush()
        return row

    def get_last_processed_timestamp(self, identifier, fetcher=None,
                                     collector=None, scope_key=None,
                                     session=None):
        """Start of the scope's last processed period, or None.

        Aware, in the local tz; None when the scope was never processed.
        """
        with _writer(session) as session:
            row = self._get_db_item(session, identifier, fetcher,
                                    collector, scope_key)
            if row is None:
                return None
            return tzutils.utc_to_local(row.last_processed_timestamp)

    def set_last_processed_timestamp(self, identifier,
                                     last_processed_timestamp,
                                     fetcher=None, collector=None,
                                     scope_key=None, session=None):
        """Record ``last_processed_timestamp`` for the scope.

        Creates the row (active) when the scope has none. Unlike the
        reference, which leaves them NULL, a new row gets the configured
        fetcher/collector/scope_key for those not passed: a NULL row
        cannot be rendered by the scope API.
        """
        value = tzutils.naive_utc(last_processed_timestamp)
        for attempt in range(2):
            try:
                with _writer(session) as s:
                    row = self._get_db_item(s, identifier, fetcher,
                                            collector, scope_key)
                    if row is not None:
                        if row.last_processed_timestamp != value:
                            row.last_processed_timestamp = value
                            s.flush()
                        return
                    conf_fetcher, conf_collector, conf_scope_key = (
                        _configured())
                    s.add(self.model(
                        identifier=identifier,
                        last_processed_timestamp=value,
                        fetcher=fetcher or conf_fetcher,
                        collector=collector or conf_collector,
                        scope_key=scope_key or conf_scope_key,
                        active=True,
                        scope_activation_toggle_date=tzutils.aware_utcnow()
                        .replace(tzinfo=None)))
                    s.flush()
                    return
            except db_exc.DBDuplicateEntry:
                # Another process created the row meanwhile: update it.
                if attempt or session is not None:
                    raise

    # Names of the reference's deprecated aliases.
    get_state = get_last_processed_timestamp
    set_state = set_last_processed_timestamp

    def is_storage_scope_active(self, identifier, fetcher=None,
                                collector=None, scope_key=None,
                                session=None):
        """The ``active`` flag of the scope; raises NoSuchScope."""
        with _writer(session) as session:
            row = self._get_db_item(session, identifier, fetcher,
                                    collector, scope_key)
            if row is None:
                raise NoSuchScope(identifier)
            return bool(row.active)

    # -- API operations (/v2/scope, /v2/task/reprocesses) --------------

    def create_scope(self, identifier, last_processed_timestamp,
                     fetcher=None, collector=None, scope_key=None,
                     active=True, session=None):
        """Insert a scope row as given (NULL for omitted columns).

        ``active`` None means true; the toggle date is now (UTC). Returns
        the new ScopeState; raises ScopeAlreadyExists when the unique
        (identifier, scope_key, collector, fetcher) is taken.
        """
        row = self.model(
            identifier=identifier,
            last_processed_timestamp=tzutils.naive_utc(
                last_processed_timestamp),
            fetcher=fetcher,
            collector=collector,
            scope_key=scope_key,
            active=True if active is None else bool(active),
            scope_activation_toggle_date=tzutils.aware_utcnow().replace(
                tzinfo=None))
        try:
            with _writer(session) as s:
                s.add(row)
                s.flush()
                return ScopeState.from_row(row)
        except db_exc.DBDuplicateEntry:
            raise ScopeAlreadyExists(identifier, scope_key, collector,
                                     fetcher)

    def _filtered(self, identifier=None, fetcher=None, collector=None,
                  scope_key=None, active=1):
        model = self.model
        query = sa.select(model)
        for column, values in ((model.identifier, identifier),
                               (model.fetcher, fetcher),
                               (model.collector, collector),
                               (model.scope_key, scope_key)):
            values = utils.as_list(values)
            if values:
                query = query.where(column.in_(values))
        active = utils.as_list(active)
        if active:
            query = query.where(model.active.in_(
                [bool(int(a)) for a in active]))
        return query.order_by(model.id)

    def get_all(self, identifier=None, fetcher=None, collector=None,
                scope_key=None, active=1, limit=100, offset=0,
                session=None):
        """Scope states matching every given filter, ordered by id.

        Each filter is one value or a list (IN); None or [] means no
        filter. ``active`` defaults to active scopes only; pass None or []
        for both. ``offset``/``limit`` apply only when truthy (so
        ``limit=None`` returns everything). Returns ScopeState objects.
        """
        query = self._filtered(identifier, fetcher, collector, scope_key,
                               active)
        if offset:
            query = query.offset(int(offset))
        if limit:
            query = query.limit(int(limit))
        with _reader(session) as s:
            return [ScopeState.from_row(row) for row in s.scalars(query)]

    def count(self, identifier=None, fetcher=None, collector=None,
              scope_key=None, active=1, session=None):
        """Number of rows get_all() would return without paging."""
        query = self._filtered(identifier, fetcher, collector, scope_key,
                               active).order_by(None)
        query = sa.select(sa.func.count()).select_from(query.subquery())
        with _reader(session) as s:
            return s.scalar(query)

    def get_scope(self, scope_state_id, session=None):
        """The ScopeState whose primary key is ``scope_state_id``."""
        with _reader(session) as s:
            row = s.get(self.model, scope_state_id)
            if row is None:
                raise NoSuchScope(scope_state_id)
            return ScopeState.from_row(row)

    def update_storage_scope(self, storage_scope_to_update, scope_key=None,
                             fetcher=None, collector=None, active=None,
                             session=None):
        """Update one scope (``PATCH /v2/scope``); returns its ScopeState.

        ``storage_scope_to_update`` is a ScopeState (or its id). Each of
        scope_key/fetcher/collector changes only when given non-empty.
        When ``active`` is given and differs, it is stored and the toggle
        date set to now (UTC, seconds). Raises ScopeAlreadyExists when the
        change collides with another row.
        """
        scope_id = getattr(storage_scope_to_update, 'id',
                           storage_scope_to_update)
        try:
            with _writer(session) as s:
                row = s.get(self.model, scope_id, with_for_update=True)
                if row is None:
                    raise NoSuchScope(scope_id)
                if scope_key:
                    row.scope_key = scope_key
                if fetcher:
                    row.fetcher = fetcher
                if collector:
                    row.collector = collector
                if active is not None and bool(active) != bool(row.active):
                    row.active = bool(active)
                    row.scope_activation_toggle_date = (
                        tzutils.aware_utcnow().replace(tzinfo=None))
                s.flush()
                return ScopeState.from_row(row)
        except db_exc.DBDuplicateEntry:
            raise ScopeAlreadyExists(scope_id, scope_key, collector,
                                     fetcher)

    def delete_scope(self, storage_scope, session=None):
        """Delete one scope row (a ScopeState or its id)."""
        scope_id = getattr(storage_scope, 'id', storage_scope)
        with _writer(session) as s:
            deleted = s.execute(sa.delete(self.model).where(
                self.model.id == scope_id)).rowcount
        if not deleted:
            raise NoSuchScope(scope_id)
