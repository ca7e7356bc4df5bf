"""Reprocessing schedules of scopes (``/v2/task/reprocesses``).

Stored in ``storage_scope_reprocessing_schedule`` (chain
``storage_states_alembic``); timestamps are stored naive UTC and returned
aware in UTC. Methods take an optional ``session``, as in ``StateManager``.
"""
import dataclasses
import datetime

from oslo_log import log as logging
import sqlalchemy as sa
from werkzeug import exceptions as http_exc

from cloudkitty.storage_state import models
from cloudkitty.storage_state import sessions
from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)

_aware_utc = sessions.aware_utc
_writer = sessions.writer
_reader = sessions.reader


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
