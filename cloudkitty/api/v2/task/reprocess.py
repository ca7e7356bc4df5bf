"""POST/GET /v2/task/reprocesses."""
import calendar
import datetime

import flask
from oslo_config import cfg
from oslo_log import log as logging
import voluptuous
from werkzeug import exceptions as http_exceptions

from cloudkitty.api.v2 import base
from cloudkitty.api.v2 import utils as api_utils
from cloudkitty.common import policy
from cloudkitty import storage_state
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
CONF.import_opt('period', 'cloudkitty.collector', 'collect')

ALL_SCOPES = 'ALL'
RANGE_FORMAT = '%Y-%m-%dT%H:%M:%S%z'


def _dt_utc(value):
    try:
        return tzutils.dt_from_iso(value, as_utc=True)
    except ValueError:
        raise voluptuous.Invalid('expected dt_from_iso')


def _overflow(value, period):
    return int(calendar.timegm(value.utctimetuple()) % period)


def _render_scope(scope):
    return str({'id': scope.id, 'identifier': scope.identifier,
                'active': scope.active})


def _render_range(start, end):
    return '%s - %s' % (start.strftime(RANGE_FORMAT),
                        end.strftime(RANGE_FORMAT))


class _Base(base.BaseResource):

    def _scheduler(self):
        scheduler = getattr(type(self), '_scheduler_db', None)
        if scheduler is None:
            scheduler = storage_state.ReprocessingSchedulerDb()
            type(self)._scheduler_db = scheduler
        return scheduler

    def _list(self, scope_ids, order, offset, limit):
        context = flask.request.context
        policy.authorize(context, 'schedule:get_task_reprocesses',
                         {'tenant_id': context.project_id or scope_ids})
        order = (order or 'desc').lower()
        if order not in ('asc', 'desc'):
            raise http_exceptions.BadRequest(
                "The order [%s] is not valid. Accepted values are "
                "['asc', 'desc']." % order)
        schedules = self._scheduler().get_all(
            identifier=scope_ids or None, remove_finished=False,
            offset=offset, limit=limit, order=order)
        return {'results': [s.as_dict() for s in schedules]}


_LIST_SCHEMA = {
    voluptuous.Optional('scope_ids', default=[]):
        api_utils.MultiQueryParam(str),
    voluptuous.Optional('order', default='desc'):
        api_utils.SingleQueryParam(str),
}


class ReprocessSchedulerApi(_Base):
    """Create and list reprocessing tasks."""

    @api_utils.add_input_schema('body', {
        voluptuous.Required('scope_ids'): api_utils.MultiQueryParam(str),
        voluptuous.Required('start_reprocess_time'):
            api_utils.SingleQueryParam(_dt_utc),
        voluptuous.Required('end_reprocess_time'):
            api_utils.SingleQueryParam(_dt_utc),
        voluptuous.Required('reason'): api_utils.SingleQueryParam(str),
    })
    def post(self, scope_ids, start_reprocess_time, end_reprocess_time,
             reason):
        context = flask.request.context
        policy.authorize(context, 'schedule:task_reprocesses',
                         {'tenant_id': context.project_id or scope_ids})
        start, end = start_reprocess_time, end_reprocess_time
        if ALL_SCOPES in scope_ids and len(scope_ids) > 1:
            raise http_exceptions.BadRequest(
                "Cannot use 'ALL' with scope ID [%s]. Either schedule a "
                "reprocessing for all active scopes using 'ALL' option, or "
                "inform only the scopes you desire to schedule a "
                "reprocessing." % scope_ids)
        if not reason or not reason.strip():
            raise http_exceptions.BadRequest(
                'Empty or blank reason text is not allowed. Please, do '
                'inform/register the reason for the reprocessing of a '
                'previously processed timestamp.')
        if end < start:
            # The two values are printed swapped, as by the reference.
            raise http_exceptions.BadRequest(
                'End reprocessing timestamp [%s] cannot be less than start '
                'reprocessing timestamp [%s].' % (start, end))
        period = CONF.collect.period
        if _overflow(start, period) or _overflow(end, period):
            valid_start = start - datetime.timedelta(
                seconds=_overflow(start, period))
            valid_end = end - datetime.timedelta(
                seconds=_overflow(end, period))
            if valid_start == valid_end:
                valid_end += datetime.timedelta(seconds=period)
            raise http_exceptions.BadRequest(
                'The provided reprocess time window does not comply with '
                'the configured collector period. A valid time window near '
                'the provided one is %s' % ([str(valid_start),
                                             str(valid_end)],))
        state = storage_state.StateManager()
        if scope_ids == [ALL_SCOPES]:
            scopes = state.get_all(active=1, limit=None)
        else:
            scopes = state.get_all(identifier=scope_ids, active=1,
                                   limit=None)
            found = {s.identifier for s in scopes}
            missing = [i for i in scope_ids if i not in found]
            if missing:
                raise http_exceptions.BadRequest(
                    'Scopes [%s] scheduled to reprocess [start=%s, end=%s] '
                    'do not exist.' % (missing, start, end))
        scheduler = self._scheduler()
        for scope in scopes:
            last = scope.last_processed_timestamp
            if start > last:
                raise http_exceptions.BadRequest(
                    'Cannot execute a reprocessing [start=%s] for scope '
                    '[%s] starting after the last possible timestamp [%s].'
                    % (start, _render_scope(scope), last))
            if end > last:
                raise http_exceptions.BadRequest(
                    'Cannot execute a reprocessing [end=%s] for scope [%s] '
                    'ending after the last possible timestamp [%s].'
                    % (end, _render_scope(scope), last))
            for other in scheduler.get_all(identifier=scope.identifier,
                                           remove_finished=True, limit=100):
                if (start <= other.end_reprocess_time
                        and other.start_reprocess_time <= end):
                    raise http_exceptions.BadRequest(
                        'Cannot schedule a reprocessing for scope [%s] for '
                        'reprocessing time [%s], because it already has a '
                        'schedule for a similar time range [%s].'
                        % (_render_scope(scope), _render_range(start, end),
                           _render_range(other.start_reprocess_time,
                                         other.end_reprocess_time)))
        for scope in scopes:
            scheduler.create(scope.identifier, start, end, reason)
        LOG.info('Reprocessing of %s scope(s) from %s to %s scheduled: %s',
                 len(scopes), start, end, reason)
        return {}, 202

    @api_utils.paginated
    @api_utils.add_input_schema('query', _LIST_SCHEMA)
    def get(self, scope_ids=None, order='desc', offset=0, limit=100):
        return self._list(scope_ids, order, offset, limit)


class ReprocessSchedulerGetApi(_Base):
    """List the reprocessing tasks of one scope."""

    @api_utils.paginated
    @api_utils.add_input_schema('query', _LIST_SCHEMA)
    def get(self, path_scope_id, scope_ids=None, order='desc', offset=0,
            limit=100):
        if scope_ids:
            LOG.warning('The scope [%s] given in the path replaces the '
                        'scope_ids [%s] of the query.', path_scope_id,
                        scope_ids)
        return self._list([path_scope_id], order, offset, limit)
