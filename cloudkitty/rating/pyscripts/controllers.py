"""REST API of the pyscripts module: /v1/rating/module_config/pyscripts.

Every request below the root needs policy ``rating:module_config``
(checked by RatingRestControllerBase before dispatch): uploading a script is
equivalent to running code on the processor hosts.
"""
from oslo_log import log
import pecan
from pecan import rest
from wsme import exc as wsme_exc
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty import rating
from cloudkitty.rating.pyscripts import datamodels
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty import utils

LOG = log.getLogger(__name__)


def _fmt(value):
    # Datetimes in error texts: 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
    return str(value)


def _request_user():
    """User recorded in audit fields: the token's, else 'unknown'."""
    request = pecan.request
    if 'X-Auth-Token' not in request.headers:
        return 'unknown'
    context = getattr(request, 'context', None)
    user = getattr(context, 'user_id', None) if context else None
    return user or request.headers.get('X-User-Id') or 'unknown'


def _bad_request(message):
    return wsme_exc.ClientSideError(message, status_code=400)


def _is_set(value):
    return value is not None and value is not wtypes.Unset


def _get(obj, attr):
    value = getattr(obj, attr, None)
    return value if _is_set(value) else None


def _check_source(source):
    """400 naming ``data`` when the script is missing or not storable.

    A script that does not compile is stored, as the reference does: it
    fails when it runs, with an error naming it and the line.
    """
    if not _is_set(source):
        raise wsme_exc.InvalidInput('data', None, 'Mandatory field missing.')
    datamodels.check_text('data', source.replace('\x00', ' '))


def _script_url(script_id):
    """Absolute URL of a script, from a request on the collection or on it.

    Reference quirk fixed: the Location of an update with the id in the
    URL is the script's URL, not '<request URL>/<id>' (a doubled id).
    """
    url = pecan.request.path_url.rstrip('/')
    if url.endswith('/' + script_id):
        url = url[:-len(script_id) - 1]
    return '%s/%s' % (url, script_id)


class ScriptsController(rest.RestController):
    """/v1/rating/module_config/pyscripts/scripts"""

    def __init__(self):
        super().__init__()
        self._db = pyscripts_db.get_instance()

    @wsme_pecan.wsexpose(datamodels.ScriptCollection,
                         datamodels.Flag('no_data'),
                         datamodels.Flag('deleted'),
                         datamodels.Datetime('start'),
                         datamodels.Datetime('end'),
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         datamodels.Flag('is_active'))
    def get_all(self, no_data=False, deleted=False, start=None, end=None,
                created_by=None, updated_by=None, deleted_by=None,
                description=None, is_active=None):
        """List scripts (storage order), with the reference's filters."""
        no_data = datamodels.Flag('no_data').convert(no_data)
        deleted = datamodels.Flag('deleted').convert(deleted)
        is_active = datamodels.Flag('is_active').convert(is_active)
        with_data = not no_data
        for field, value in (('created_by', created_by),
                             ('updated_by', updated_by),
                             ('deleted_by', deleted_by),
                             ('description', description)):
            datamodels.check_text(field, value)
        scripts = self._db.list_scripts(
            with_data=with_data, deleted=bool(deleted),
            start=start,
            end=end,
            created_by=created_by, updated_by=updated_by,
            deleted_by=deleted_by, description=description,
            is_active=is_active)
        return datamodels.ScriptCollection(scripts=[
            datamodels.Script.from_db(s, with_data) for s in scripts])

    @wsme_pecan.wsexpose(datamodels.Script, wtypes.text)
    def get_one(self, script_id):
        """One non-deleted script; 404 otherwise."""
        try:
            return datamodels.Script.from_db(self._db.get_script(script_id))
        except pyscripts_db.NoSuchScript as exc:
            raise wsme_exc.ClientSideError(str(exc), status_code=404)

    @wsme_pecan.wsexpose(datamodels.Script, datamodels.Flag('force'),
                         body=datamodels.Script, status_code=201)
    def post(self, force=False, script_data=None):
        """Create a script (201 + Location)."""
        if script_data is None:
            raise wsme_exc.InvalidInput('name', None,
                                        'Mandatory field missing.')
        force = datamodels.Flag('force').convert(force)
        now = utils.naive_utcnow()
        start = _get(script_data, 'start')
        end = _get(script_data, 'end')
        if start is not None and not force and start < now:
            raise _bad_request(
                'Cannot create a rule with start in the past. '
                'start=[%s] current time=[%s].' % (_fmt(start), _fmt(now)))
        # Without start, the script starts now (the reference answered 500).
        if end is not None and end < (start or now):
            raise _bad_request(
                'Cannot create a rule with start after end. '
                'start=[%s] end=[%s].' % (_fmt(start or now), _fmt(end)))
        datamodels.check_text('name', script_data.name, 255)
        datamodels.check_text('description', script_data.description, 256)
        _check_source(script_data.data)
        try:
            script = self._db.create_script(
                script_data.name, script_data.data, start=start, end=end,
                description=_get(script_data, 'description'),
                created_by=_request_user())
        except pyscripts_db.ScriptAlreadyExists as exc:
            raise wsme_exc.ClientSideError(str(exc), status_code=409)
        pecan.response.location = _script_url(script.script_id)
        return datamodels.Script.from_db(script)

    @wsme_pecan.wsexpose(datamodels.Script, wtypes.text,
                         body=datamodels.Script, status_code=201)
    def put(self, script_id=None, script_data=None):
        """Update a script (201 + Location, as the reference answers)."""
        if script_data is None:
            raise wsme_exc.InvalidInput('name', None,
                                        'Mandatory field missing.')
        # 'PUT P/' routes an empty id: the id then comes from the body.
        if not script_id:
            script_id = _get(script_data, 'script_id')
        if not script_id:
            raise wsme_exc.MissingArgument('script_id')
        now = utils.naive_utcnow()
        body_start = _get(script_data, 'start')
        body_end = _get(script_data, 'end')
        body_data = _get(script_data, 'data')
        datamodels.check_text('name', script_data.name, 255)
        datamodels.check_text('description', script_data.description, 256)

        def prepare(cur):
            if cur.start < now:
                self._check_running_update(cur, script_data, body_start,
                                           body_end, now)
                return {'end': body_end}
            start = body_start or cur.start
            if start < now:
                raise _bad_request(
                    'Cannot create a rule with start in the past. '
                    'start=[%s] current time=[%s].'
                    % (_fmt(start), _fmt(now)))
            if body_end is not None and body_end < start:
                raise _bad_request(
                    'Cannot create a rule with start after end. '
                    'start=[%s] end=[%s].' % (_fmt(start), _fmt(body_end)))
            # Omitted data keeps the stored source (the reference answered
            # 500); end and description are replaced as sent.
            changes = {'start': start, 'end': body_end,
                       'description': _get(script_data, 'description')}
            if body_data is not None:
                _check_source(body_data)
                changes['data'] = body_data
            return changes

        try:
            # prepare() runs in the write transaction: the row it checks is
            # the row written.
            script = self._db.update_script(script_id, prepare,
                                            updated_by=_request_user())
        except pyscripts_db.NoSuchScript as exc:
            raise wsme_exc.ClientSideError(str(exc), status_code=404)
        pecan.response.location = _script_url(script.script_id)
        return datamodels.Script.from_db(script)

    @staticmethod
    def _check_running_update(cur, body, body_start, body_end, now):
        # Only real changes count: the python client PUTs back the whole
        # object it read (audit fields, id, same data), which is accepted.
        if cur.end is not None:
            raise _bad_request('Cannot update a rule that was already '
                               'processed and has a defined end date.')
        changed = []
        name = _get(body, 'name')
        if name and name != cur.name:
            changed.append('name')
        data = _get(body, 'data')
        # Same source (same checksum) is no change: the python client
        # always sends back the data it read.
        if data and pyscripts_db.checksum(data) != cur.checksum:
            changed.append('data')
        if body_start and body_start != cur.start:
            changed.append('start')
        description = _get(body, 'description')
        if description and description != cur.description:
            changed.append('description')
        if changed:
            # The reference's exact text; the attributes go to the log.
            LOG.info('Script %s is running: attribute(s) [%s] cannot '
                     'change.', cur.script_id, ', '.join(changed))
            raise _bad_request(
                'You are allowed to update only the attribute [end] as this '
                'rule is already running as it started on [%s]'
                % _fmt(cur.start))
        if body_end is not None and body_end < now:
            raise _bad_request(
                'End date must be in the future. end=[%s] current time=[%s]'
                % (_fmt(body_end), _fmt(now)))

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, script_id=None):
        """Soft-delete a script (204)."""
        if not script_id:
            raise wsme_exc.MissingArgument('script_id')
        try:
            self._db.delete_script(script_id, deleted_by=_request_user())
        except pyscripts_db.NoSuchScript as exc:
            raise wsme_exc.ClientSideError(str(exc), status_code=404)


class PyScriptsConfigController(rating.RatingRestControllerBase):
    """/v1/rating/module_config/pyscripts"""

    scripts = ScriptsController()
