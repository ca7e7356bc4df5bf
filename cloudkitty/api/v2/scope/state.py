"""GET/PUT/PATCH/POST /v2/scope."""
import flask
from oslo_config import cfg
from oslo_log import log as logging
import voluptuous
from werkzeug import exceptions as http_exceptions

from cloudkitty.api.v2 import base
from cloudkitty.api.v2 import utils as api_utils
from cloudkitty.common import policy
from cloudkitty import messaging
from cloudkitty import storage_state
from cloudkitty.utils import tz as tzutils

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
CONF.import_opt('backend', 'cloudkitty.fetcher', 'fetcher')
CONF.import_opt('collector', 'cloudkitty.collector', 'collect')
CONF.import_opt('scope_key', 'cloudkitty.collector', 'collect')

NOT_FOUND = 'No resource found for provided filters.'


def _bool(value):
    # The reference uses Python bool(), so "false" was true: a real
    # boolean validation (true/false, yes/no, 1/0...) is used instead.
    return voluptuous.Boolean()(value)


def _dt_local(value):
    try:
        return tzutils.dt_from_iso(value)
    except ValueError:
        raise voluptuous.Invalid('expected dt_from_iso')


def render(scope):
    """The reference's representation, plus ``state`` for the client."""
    output = scope.as_dict()
    # python-cloudkittyclient shows a "State" column.
    output['state'] = output['last_processed_timestamp']
    return output


def _context():
    return flask.request.context


def _str_filters(*names):
    """Optional multi-valued string filters (default: no filter)."""
    return {voluptuous.Optional(name, default=[]):
            api_utils.MultiQueryParam(str) for name in names}


# Widths of the scope state columns: longer values fail on MariaDB and
# PostgreSQL (a 500), or are silently cut.
_IDENTIFIER_COLUMN = 256
_SHORT_COLUMN = 40


def _column_text(max_length, min_length=None):
    return voluptuous.All(api_utils.SingleQueryParam(str),
                          voluptuous.Length(min=min_length, max=max_length))


class ScopeState(base.BaseResource):
    """The scope state collection."""

    def _manager(self):
        state = getattr(type(self), '_state', None)
        if state is None:
            state = type(self)._state = storage_state.StateManager()
        return state

    @api_utils.paginated
    @api_utils.add_input_schema('query', {
        **_str_filters('scope_id', 'scope_key', 'fetcher', 'collector'),
        voluptuous.Optional('active', default=[]):
            api_utils.MultiQueryParam(int),
    })
    def get(self, offset=0, limit=100, scope_id=None, scope_key=None,
            fetcher=None, collector=None, active=None):
        context = _context()
        policy.authorize(context, 'scope:get_state',
                         {'project_id': scope_id or context.project_id})
        results = self._manager().get_all(
            identifier=scope_id, scope_key=scope_key, fetcher=fetcher,
            collector=collector, active=active or None, offset=offset,
            limit=limit)
        if not results:
            raise http_exceptions.NotFound(NOT_FOUND)
        return {'results': [render(r) for r in results]}

    @api_utils.add_input_schema('body', {
        voluptuous.Exclusive('all_scopes', 'scope_selector'):
            voluptuous.Boolean(),
        voluptuous.Exclusive('scope_id', 'scope_selector'):
            api_utils.MultiQueryParam(str),
        **_str_filters('scope_key', 'fetcher', 'collector'),
        voluptuous.Optional('last_processed_timestamp'):
            voluptuous.Any(None, '', _dt_local),
        # The client's "scope state reset" sends the date as "state".
        voluptuous.Optional('state'): voluptuous.Any(None, '', _dt_local),
    })
    def put(self, all_scopes=False, scope_id=None, scope_key=None,
            fetcher=None, collector=None, last_processed_timestamp=None,
            state=None):
        context = _context()
        policy.authorize(context, 'scope:reset_state',
                         {'project_id': scope_id or context.project_id})
        if not all_scopes and scope_id is None:
            raise http_exceptions.BadRequest(
                'Either all_scopes or a scope_id should be specified.')
        timestamp = last_processed_timestamp or state
        if not timestamp:
            raise http_exceptions.BadRequest(
                "Variable 'last_processed_timestamp' cannot be empty/None.")
        results = self._manager().get_all(
            identifier=None if all_scopes else scope_id,
            scope_key=scope_key, fetcher=fetcher, collector=collector,
            active=1, offset=0, limit=100)
        if not results:
            raise http_exceptions.NotFound(NOT_FOUND)
        res_data = {
            'scopes': [{'scope_id': r.identifier,
                        'scope_key': r.scope_key,
                        'fetcher': r.fetcher,
                        'collector': r.collector} for r in results],
            'last_processed_timestamp': timestamp.isoformat(),
        }
        client = messaging.get_client()
        if client is not None:
            client.cast({}, 'reset_state', res_data=res_data)
        else:
            # No RPC: reset here, under the processors' scope lock.
            from cloudkitty.processor import reset
            reset.reset_scope_state(res_data, storage=self._storage)
        return {}, 202

    def _single(self, scope_id):
        rows = self._manager().get_all(identifier=scope_id, active=None,
                                       limit=None)
        if not rows:
            raise http_exceptions.NotFound(NOT_FOUND)
        if len(rows) > 1:
            raise http_exceptions.NotFound(
                'Too many resources found with the same scope_id: %s.'
                % scope_id)
        return rows[0]

    @api_utils.add_input_schema('body', {
        voluptuous.Required('scope_id'): api_utils.SingleQueryParam(str),
        voluptuous.Optional('scope_key'): _column_text(_SHORT_COLUMN),
        voluptuous.Optional('fetcher'): _column_text(_SHORT_COLUMN),
        voluptuous.Optional('collector'): _column_text(_SHORT_COLUMN),
        voluptuous.Optional('active'):
            api_utils.SingleQueryParam(_bool),
    })
    def patch(self, scope_id, scope_key=None, fetcher=None, collector=None,
              active=None):
        context = _context()
        policy.authorize(context, 'scope:patch_state',
                         {'tenant_id': scope_id or context.project_id})
        row = self._single(scope_id)
        try:
            updated = self._manager().update_storage_scope(
                row, scope_key=scope_key, fetcher=fetcher,
                collector=collector, active=active)
        except storage_state.ScopeAlreadyExists as exc:
            raise http_exceptions.Conflict(str(exc))
        except storage_state.NoSuchScope:
            raise http_exceptions.NotFound(NOT_FOUND)
        return render(updated)

    @api_utils.add_input_schema('body', {
        # An empty id would name no project (and was stored).
        voluptuous.Required('scope_id'): _column_text(_IDENTIFIER_COLUMN,
                                                      min_length=1),
        voluptuous.Optional('scope_key'): _column_text(_SHORT_COLUMN),
        voluptuous.Optional('fetcher'): _column_text(_SHORT_COLUMN),
        voluptuous.Optional('collector'): _column_text(_SHORT_COLUMN),
        voluptuous.Optional('active'):
            api_utils.SingleQueryParam(_bool),
        voluptuous.Required('last_processed_timestamp'):
            voluptuous.Coerce(_dt_local),
    })
    def post(self, scope_id, last_processed_timestamp, scope_key=None,
             fetcher=None, collector=None, active=None):
        context = _context()
        policy.authorize(context, 'scope:post_state',
                         {'tenant_id': scope_id or context.project_id})
        if self._manager().get_all(identifier=scope_id, active=1, limit=1):
            raise http_exceptions.NotFound(
                'Cannot create a scope with an already existing scope_id: '
                '%s.' % scope_id)
        # The reference stores NULLs for omitted columns and then fails
        # with a 500 on every listing; the configured values are used.
        try:
            created = self._manager().create_scope(
                scope_id, last_processed_timestamp,
                fetcher=fetcher or CONF.fetcher.backend,
                collector=collector or CONF.collect.collector,
                scope_key=scope_key or CONF.collect.scope_key,
                active=True if active is None else active)
        except storage_state.ScopeAlreadyExists as exc:
            raise http_exceptions.Conflict(str(exc))
        return render(created)
