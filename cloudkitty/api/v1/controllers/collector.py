"""/v1/collector: service mappings and collector states (deprecated)."""
import pecan
from pecan import rest
from wsme import exc as wsme_exc
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.api import hardening
from cloudkitty.api.v1.datamodels import collector as collector_models
from cloudkitty.common import policy
from cloudkitty.db import api as db_api


def _mapping_model(mapping):
    return collector_models.ServiceToCollectorMapping(
        service=mapping.service, collector=mapping.collector)


def _missing(name):
    raise wsme_exc.ClientSideError('Missing argument: "%s"' % name)


def _text(value, name, max_length=255, required=True):
    """A text argument: values from a JSON body are not type-checked."""
    if value is None or value == '':
        if required:
            _missing(name)
        return value
    try:
        return hardening.check_text(value, name, max_length)
    except hardening.InvalidInput as exc:
        raise wsme_exc.InvalidInput(name, value, str(exc))


# Collector states are stored as "collector_<name>" in a 255-character
# column.
_STATE_NAME_LENGTH = 255 - len('collector_')


class MappingController(rest.RestController):
    """/v1/collector/mappings."""

    def __init__(self):
        self._db = db_api.get_service_to_collector_mapping_manager()

    @wsme_pecan.wsexpose(collector_models.ServiceToCollectorMapping,
                         wtypes.text)
    def get_one(self, service):
        policy.authorize(pecan.request.context, 'collector:get_mapping', {})
        service = _text(service, 'service')
        try:
            return _mapping_model(self._db.get_mapping(service))
        except db_api.NoSuchMapping as exc:
            raise wsme_exc.ClientSideError(str(exc), status_code=404)

    @wsme_pecan.wsexpose(
        collector_models.ServiceToCollectorMappingCollection, wtypes.text)
    def get_all(self, collector=None):
        policy.authorize(pecan.request.context, 'collector:list_mappings',
                         {})
        collector = _text(collector, 'collector', required=False)
        return collector_models.ServiceToCollectorMappingCollection(
            mappings=[_mapping_model(m)
                      for m in self._db.list_mappings(collector)])

    @wsme_pecan.wsexpose(collector_models.ServiceToCollectorMapping,
                         wtypes.text, wtypes.text)
    def post(self, collector, service):
        """Map ``service`` to ``collector`` (upsert)."""
        policy.authorize(pecan.request.context, 'collector:manage_mapping',
                         {})
        service = _text(service, 'service')
        collector = _text(collector, 'collector')
        return _mapping_model(self._db.set_mapping(service, collector))

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, service):
        policy.authorize(pecan.request.context, 'collector:manage_mapping',
                         {})
        service = _text(service, 'service')
        try:
            self._db.delete_mapping(service)
        except db_api.NoSuchMapping as exc:
            raise wsme_exc.ClientSideError(str(exc), status_code=404)


def _state_name(name):
    return 'collector_%s' % name


class CollectorStateController(rest.RestController):
    """/v1/collector/states[/<name>] and /v1/collector/<name>/states."""

    def __init__(self, name=None):
        self._name = name
        self._db = db_api.get_module_state_manager()

    def _get(self, name):
        # Argument errors come before the policy check (reference order).
        if not name:
            _missing('name')
        policy.authorize(pecan.request.context, 'collector:get_state', {})
        name = _text(name, 'name', _STATE_NAME_LENGTH)
        enabled = self._db.get_state(_state_name(name))
        return collector_models.CollectorInfos(name=name,
                                               enabled=bool(enabled))

    @wsme_pecan.wsexpose(collector_models.CollectorInfos, wtypes.text)
    def get_all(self, name=None):
        return self._get(name or self._name)

    @wsme_pecan.wsexpose(collector_models.CollectorInfos, wtypes.text)
    def get_one(self, name):
        return self._get(name)

    @wsme_pecan.wsexpose(collector_models.CollectorInfos, wtypes.text,
                         body=collector_models.CollectorInfos)
    def put(self, name=None, infos=None):
        """Store the enable flag of a collector."""
        name = name or self._name
        if not name and infos is not None and infos.name:
            # The client sends the name in the body only.
            name = infos.name
        if not name:
            _missing('name')
        if infos is None:
            _missing('infos')
        policy.authorize(pecan.request.context, 'collector:update_state', {})
        name = _text(name, 'name', _STATE_NAME_LENGTH)
        enabled = self._db.set_state(_state_name(name), bool(infos.enabled))
        return collector_models.CollectorInfos(name=name,
                                               enabled=bool(enabled))


class CollectorController(rest.RestController):
    """/v1/collector."""

    mappings = MappingController()
    states = CollectorStateController()

    @wsme_pecan.wsexpose(None, status_code=204)
    def get_all(self):
        """Routing stub kept from the reference (204, no body)."""

    @pecan.expose()
    def _lookup(self, name, *remainder):
        if remainder and remainder[0] == 'states':
            return CollectorStateController(name), remainder[1:]
        # None lets pecan keep the route it found (or answer 404).
        return None
