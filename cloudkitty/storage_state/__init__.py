"""Scope processing state and reprocessing schedules (SQL).

``StateManager`` keeps, per scope, the start of the last processed period
(the processor resumes from it); ``ReprocessingSchedulerDb`` keeps the
reprocessing tasks (``/v2/task/reprocesses``). Both live in ``[database]
connection``, in the chain ``storage_states_alembic`` applied by
``cloudkitty-storage-init`` (``StateManager().init()``).

Datetimes are stored naive UTC. Inputs may be aware (any tz) or naive
(taken as UTC). Scope timestamps are returned aware in the local tz,
schedule timestamps aware in UTC.

Every method accepts an optional ``session``: given one (from
``cloudkitty.db.session_for_write()``), the method works inside the
caller's transaction and does not commit, so a storage backend on the same
database can commit a period's frames and the new scope state together.
"""
import contextlib
import dataclasses
import datetime

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging
import sqlalchemy as sa
from werkzeug import exceptions as http_exc

from cloudkitty import db
from cloudkitty.storage_state import models
from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF


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


class ScheduleOverlap(http_exc.BadRequest, ValueError):
    """An unfinished reprocessing of the scope overlaps the new one.

    A ``BadRequest`` too, whose description is the message: the API
    answers 400 when two concurrent requests raced past its own check.
    """

    def __init__(self, identifier, start, end, other):
        message = (
            'Cannot schedule a reprocessing for scope [%s] for reprocessing '
            'time [%s, %s], because it already has a schedule for a '
            'similar time range [%s, %s].' % (
                identifier, start, end, other.start_reprocess_time,
                other.end_reprocess_time))
        http_exc.BadRequest.__init__(self, description=message)
        self.args = (message,)
        self.identifier = identifier
        self.other = other

    def __str__(self):
        return self.description


def get_migration():
    """The scope state migration chain (``storage_states_alembic``)."""
    # Imported on use: alembic is slow to import.
    from cloudkitty.db import migration
    return migration.AlembicChain(
        'storage_state',
        migration.chain_dir(__file__),
        'storage_states_alembic',
        models.Base.metadata)


def _aware_utc(value):
    if value is None:
        return None
    return value.replace(tzinfo=tzutils.UTC)


@contextlib.contextmanager
def _writer(session):
    if session is not None:
        yield session
    else:
        with db.session_for_write() as new_session:
            yield new_session


@contextlib.contextmanager
def _reader(session):
    if session is not None:
        yield session
    else:
        with db.session_for_read() as new_session:
            yield new_session


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


@dataclasses.dataclass
class ReprocessingSchedule(object):
    """A reprocessing task, detached from the database.

    Times are aware UTC datetimes; ``end_reprocess_time`` is the start of
    the last period to reprocess (inclusive); ``current_reprocess_time``
    is the start of the last reprocessed period (None: not started).
    """

    id: int
    identifier: str
    start_reprocess_time: datetime.datetime
    end_reprocess_time: datetime.datetime
    current_reprocess_time: datetime.datetime
    reason: str

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row.id,
            identifier=row.identifier,
            start_reprocess_time=_aware_utc(row.start_reprocess_time),
            end_reprocess_time=_aware_utc(row.end_reprocess_time),
            current_reprocess_time=_aware_utc(row.current_reprocess_time),
            reason=row.reason)

    @property
    def scope_id(self):
        return self.identifier

    @property
    def finished(self):
        return (self.current_reprocess_time is not None
                and self.current_reprocess_time >= self.end_reprocess_time)

    def as_dict(self):
        """The ``GET /v2/task/reprocesses`` rendering.

        Stored naive UTC values, ``isoformat()``; ``current_reprocess_time``
        is "" until started.
        """
        current = tzutils.naive_utc(self.current_reprocess_time)
        return {
            'scope_id': self.identifier,
            'reason': self.reason,
            'start_reprocess_time':
                tzutils.naive_utc(self.start_reprocess_time).isoformat(),
            'end_reprocess_time':
                tzutils.naive_utc(self.end_reprocess_time).isoformat(),
            'current_reprocess_time':
                current.isoformat() if current is not None else '',
        }


class ReprocessingSchedulerDb(object):
    """Reprocessing tasks (``storage_scope_reprocessing_schedule``)."""

    model = models.StorageScopeReprocessingSchedule

    def _unfinished(self):
        model = self.model
        return sa.or_(
            model.current_reprocess_time.is_(None),
            model.current_reprocess_time < model.end_reprocess_time)

    def persist(self, schedule=None, session=None, **kwargs):
        """Store a new schedule; returns it as a ReprocessingSchedule.

        Pass an object with ``identifier``, ``start_reprocess_time``,
        ``end_reprocess_time``, ``reason`` (and optionally
        ``current_reprocess_time``), or those as keyword arguments.
        """
        values = {}
        for name in ('identifier', 'start_reprocess_time',
                     'end_reprocess_time', 'current_reprocess_time',
                     'reason'):
            if name in kwargs:
                values[name] = kwargs[name]
            elif schedule is not None:
                values[name] = getattr(schedule, name, None)
        for name in ('start_reprocess_time', 'end_reprocess_time',
                     'current_reprocess_time'):
            values[name] = tzutils.naive_utc(values.get(name))
        row = self.model(**values)
        with _writer(session) as s:
            s.add(row)
            s.flush()
            return ReprocessingSchedule.from_row(row)

    def create(self, identifier, start_reprocess_time, end_reprocess_time,
               reason, session=None):
        """Store a new, not started schedule; returns it.

        Raises ScheduleOverlap when an unfinished schedule of the scope
        overlaps [start, end]. The check and the insert are one
        transaction holding the scope's state rows locked: of concurrent
        creations of overlapping schedules, one wins.
        """
        state = models.IdentifierTableForStorageState
        model = self.model
        start = tzutils.naive_utc(start_reprocess_time)
        end = tzutils.naive_utc(end_reprocess_time)
        with _writer(session) as s:
            s.execute(sa.select(state.id).where(
                state.identifier == identifier).order_by(
                    state.id).with_for_update())
            other = s.scalars(sa.select(model).where(
                model.identifier == identifier,
                model.start_reprocess_time <= end,
                model.end_reprocess_time >= start,
                self._unfinished()).order_by(model.id).limit(1)
                .with_for_update()).first()
            if other is not None:
                raise ScheduleOverlap(identifier, start_reprocess_time,
                                      end_reprocess_time,
                                      ReprocessingSchedule.from_row(other))
            return self.persist(identifier=identifier,
                                start_reprocess_time=start_reprocess_time,
                                end_reprocess_time=end_reprocess_time,
                                reason=reason, session=s)

    def get_all(self, identifier=None, remove_finished=True, limit=100,
                offset=0, order='desc', session=None):
        """Schedules ordered by id (``order`` 'asc' or 'desc').

        ``identifier``: one scope id or a list (None/[]: all).
        ``remove_finished`` keeps only unfinished schedules (the processor
        and the overlap check); the API listing passes False.
        ``offset``/``limit`` apply only when truthy.
        """
        model = self.model
        order = (order or 'desc').lower()
        if order not in ('asc', 'desc'):
            raise ValueError("The order [%s] is not valid. Accepted values "
                             "are ['asc', 'desc']." % order)
        query = sa.select(model)
        identifiers = utils.as_list(identifier)
        if identifiers:
            query = query.where(model.identifier.in_(identifiers))
        if remove_finished:
            query = query.where(self._unfinished())
        query = query.order_by(
            model.id.asc() if order == 'asc' else model.id.desc())
        if offset:
            query = query.offset(int(offset))
        if limit:
            query = query.limit(int(limit))
        with _reader(session) as s:
            return [ReprocessingSchedule.from_row(row)
                    for row in s.scalars(query)]

    def _select_one(self, identifier, start_reprocess_time,
                    end_reprocess_time):
        model = self.model
        return sa.select(model).where(
            model.identifier == identifier,
            model.start_reprocess_time == tzutils.naive_utc(
                start_reprocess_time),
            model.end_reprocess_time == tzutils.naive_utc(
                end_reprocess_time),
            self._unfinished(),
        ).order_by(model.id).limit(1)

    def get_from_db(self, identifier, start_reprocess_time,
                    end_reprocess_time, session=None):
        """The unfinished schedule of ``identifier`` for this window.

        None when finished, or never created.
        """
        with _reader(session) as s:
            row = s.scalars(self._select_one(
                identifier, start_reprocess_time,
                end_reprocess_time)).first()
            return ReprocessingSchedule.from_row(row) if row else None

    def update_reprocessing_time(self, identifier, start_reprocess_time,
                                 end_reprocess_time, new_current_time,
                                 session=None):
        """Record ``new_current_time`` on the schedule of this window.

        ``new_current_time`` is the start of the period just reprocessed;
        only an unfinished schedule is updated. Returns the updated
        ReprocessingSchedule, or None when no unfinished schedule matches.
        """
        with _writer(session) as s:
            row = s.scalars(self._select_one(
                identifier, start_reprocess_time, end_reprocess_time
            ).with_for_update()).first()
            if row is None:
                LOG.warning('No unfinished reprocessing schedule for scope '
                            '%s between %s and %s.', identifier,
                            start_reprocess_time, end_reprocess_time)
                return None
            row.current_reprocess_time = tzutils.naive_utc(new_current_time)
            s.flush()
            return ReprocessingSchedule.from_row(row)
