"""Rows of the hashmap tables: lookups and their API dicts (SQL).

Shared by the database API of objects (``db_api``) and of rules
(``db_rules``).
"""
import sqlalchemy as sa

from cloudkitty.rating.hash import exceptions
from cloudkitty.rating.hash import models

NoSuchService = exceptions.NoSuchService
NoSuchField = exceptions.NoSuchField
NoSuchGroup = exceptions.NoSuchGroup
NoSuchMapping = exceptions.NoSuchMapping
NoSuchThreshold = exceptions.NoSuchThreshold
ClientHashMapError = exceptions.ClientHashMapError


def global_or_tenant(model, tenant_id):
    """Rules of every tenant plus those of ``tenant_id``."""
    tenants = [model.tenant_id.is_(None)]
    if tenant_id is not None:
        tenants.append(model.tenant_id == tenant_id)
    return sa.or_(*tenants)


def row_id(row):
    """Internal id of an optional row."""
    return row.id if row is not None else None


SERVICE = models.HashMapService
FIELD = models.HashMapField
GROUP = models.HashMapGroup
MAPPING = models.HashMapMapping
THRESHOLD = models.HashMapThreshold


# Column holding the public uuid of each table.
UUID_KEY = {SERVICE: 'service_id', FIELD: 'field_id', GROUP: 'group_id',
            MAPPING: 'mapping_id', THRESHOLD: 'threshold_id'}


def _uuid_map(session, model, ids):
    """{internal id: uuid} for the given internal ids of ``model``."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    uuids = getattr(model, UUID_KEY[model])
    rows = session.execute(sa.select(model.id, uuids)
                           .where(model.id.in_(ids))).all()
    return dict(rows)


def named_dict(row):
    """API dict of a service or group: its uuid, then its name."""
    key = UUID_KEY[type(row)]
    return {key: getattr(row, key), 'name': row.name}


_MAPPING_EXTRA_KEYS = ('created_at', 'start', 'end', 'name', 'description',
                       'deleted', 'created_by', 'updated_by', 'deleted_by')


def rule_dicts(session, rows, kind):
    """API dicts of mappings or thresholds, parents resolved to uuids."""
    services = _uuid_map(session, SERVICE, [r.service_id for r in rows])
    fields = _uuid_map(session, FIELD, [r.field_id for r in rows])
    groups = _uuid_map(session, GROUP, [r.group_id for r in rows])
    # Key order is the API's: id, value/level, the shared keys, then the
    # mapping-only ones.
    if kind == 'mapping':
        head, extra = ('mapping_id', 'value'), _MAPPING_EXTRA_KEYS
    else:
        head, extra = ('threshold_id', 'level'), ()
    output = []
    for r in rows:
        item = {key: getattr(r, key) for key in head}
        item.update({
            'type': r.map_type,
            'cost': r.cost,
            'service_id': services.get(r.service_id),
            'field_id': fields.get(r.field_id),
            'group_id': groups.get(r.group_id),
            'tenant_id': r.tenant_id,
        })
        item.update((key, getattr(r, key)) for key in extra)
        output.append(item)
    return output


def field_dicts(session, rows):
    services = _uuid_map(session, SERVICE, [r.service_id for r in rows])
    return [{'field_id': r.field_id, 'name': r.name,
             'service_id': services.get(r.service_id)} for r in rows]


class RowLookups(object):
    """Rows by public id or name; an unknown one raises its error."""

    # ------------------------------------------------------------ lookups
    @staticmethod
    def _one(session, model, **filters):
        return session.execute(sa.select(model).filter_by(**filters)
                               ).scalars().first()

    def _uuid_row(self, session, model, uuid, missing):
        """The row of ``model`` with public id ``uuid``, else ``missing``."""
        row = self._one(session, model, **{UUID_KEY[model]: str(uuid)})
        if row is None:
            raise missing(uuid)
        return row

    def _named_row(self, session, model, uuid, name, missing):
        """A service or group by uuid, else by name; ``missing`` if none."""
        row = None
        if uuid is not None:
            row = self._one(session, model, **{UUID_KEY[model]: str(uuid)})
        elif name is not None:
            row = self._one(session, model, name=name)
        if row is None:
            raise missing(name=name, uuid=uuid)
        return row

    def _service_row(self, session, uuid=None, name=None):
        return self._named_row(session, SERVICE, uuid, name, NoSuchService)

    def _field_row(self, session, uuid):
        return self._uuid_row(session, FIELD, uuid, NoSuchField)

    def _group_row(self, session, uuid=None, name=None):
        return self._named_row(session, GROUP, uuid, name, NoSuchGroup)

    def _mapping_row(self, session, uuid):
        return self._uuid_row(session, MAPPING, uuid, NoSuchMapping)

    def _threshold_row(self, session, uuid):
        return self._uuid_row(session, THRESHOLD, uuid, NoSuchThreshold)

    def _body_group(self, session, group_id):
        """The group named in a request body (unknown: 400), or None."""
        if not group_id:
            return None
        group = self._one(session, GROUP, group_id=str(group_id))
        if group is None:
            raise ClientHashMapError(
                'No such group: None (UUID: %s)' % group_id)
        return group

    def _body_parents(self, session, service_id, field_id, group_id):
        """(service, field, group) rows named in a rule's request body.

        An unknown one is a client error (400), not a 404.
        """
        field = service = None
        if field_id:
            field = self._one(session, FIELD, field_id=str(field_id))
            if field is None:
                raise ClientHashMapError('No such field: %s' % field_id)
        if service_id:
            service = self._one(session, SERVICE,
                                service_id=str(service_id))
            if service is None:
                raise ClientHashMapError(
                    'No such service: None (UUID: %s)' % service_id)
        return service, field, self._body_group(session, group_id)

    @staticmethod
    def _stored_parents(session, row):
        """(service, field, group) rows a stored rule points to."""
        return tuple(session.get(model, key) if key is not None else None
                     for model, key in ((SERVICE, row.service_id),
                                        (FIELD, row.field_id),
                                        (GROUP, row.group_id)))
