"""Database API of the hashmap rating module.

Objects are identified by UUID strings; the integer keys stay internal.
Every public method opens its own transaction and returns plain dicts
whose keys and order are those of the API's bodies, with Decimal
money and naive UTC datetimes.
"""
import uuid

from oslo_db import exception as db_exc
from oslo_log import log
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.db import migration
from cloudkitty.rating.hash import exceptions
from cloudkitty.rating.hash import models
from cloudkitty.rating.hash import rules

LOG = log.getLogger(__name__)

# The errors used to live here: third-party code imports them from here.
HashMapError = exceptions.HashMapError
ClientHashMapError = exceptions.ClientHashMapError
NotFound = exceptions.NotFound
NoSuchService = exceptions.NoSuchService
NoSuchField = exceptions.NoSuchField
NoSuchGroup = exceptions.NoSuchGroup
NoSuchMapping = exceptions.NoSuchMapping
NoSuchThreshold = exceptions.NoSuchThreshold
MappingHasNoGroup = exceptions.MappingHasNoGroup
ThresholdHasNoGroup = exceptions.ThresholdHasNoGroup
AlreadyExists = exceptions.AlreadyExists
ServiceAlreadyExists = exceptions.ServiceAlreadyExists
FieldAlreadyExists = exceptions.FieldAlreadyExists
GroupAlreadyExists = exceptions.GroupAlreadyExists
MappingAlreadyExists = exceptions.MappingAlreadyExists
ThresholdAlreadyExists = exceptions.ThresholdAlreadyExists


# ---------------------------------------------------------------- helpers

def _global_or_tenant(model, tenant_id):
    """Rules of every tenant plus those of ``tenant_id``."""
    tenants = [model.tenant_id.is_(None)]
    if tenant_id is not None:
        tenants.append(model.tenant_id == tenant_id)
    return sa.or_(*tenants)


def _row_id(row):
    """Internal id of an optional row."""
    return row.id if row is not None else None


# Time helpers used by the plugin and third-party code through db_api.
utcnow = rules.utcnow
to_naive_utc = rules.to_naive_utc
fmt_dt = rules.fmt_dt
_cost = rules.cost
_level = rules.level


_SERVICE = models.HashMapService
_FIELD = models.HashMapField
_GROUP = models.HashMapGroup
_MAPPING = models.HashMapMapping
_THRESHOLD = models.HashMapThreshold


# Column holding the public uuid of each table.
_UUID_KEY = {_SERVICE: 'service_id', _FIELD: 'field_id', _GROUP: 'group_id',
             _MAPPING: 'mapping_id', _THRESHOLD: 'threshold_id'}


def _uuid_map(session, model, ids):
    """{internal id: uuid} for the given internal ids of ``model``."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    uuids = getattr(model, _UUID_KEY[model])
    rows = session.execute(sa.select(model.id, uuids)
                           .where(model.id.in_(ids))).all()
    return dict(rows)


def _named_dict(row):
    """API dict of a service or group: its uuid, then its name."""
    key = _UUID_KEY[type(row)]
    return {key: getattr(row, key), 'name': row.name}


_MAPPING_EXTRA_KEYS = ('created_at', 'start', 'end', 'name', 'description',
                       'deleted', 'created_by', 'updated_by', 'deleted_by')


def _rule_dicts(session, rows, kind):
    """API dicts of mappings or thresholds, parents resolved to uuids."""
    services = _uuid_map(session, _SERVICE, [r.service_id for r in rows])
    fields = _uuid_map(session, _FIELD, [r.field_id for r in rows])
    groups = _uuid_map(session, _GROUP, [r.group_id for r in rows])
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


def _field_dicts(session, rows):
    services = _uuid_map(session, _SERVICE, [r.service_id for r in rows])
    return [{'field_id': r.field_id, 'name': r.name,
             'service_id': services.get(r.service_id)} for r in rows]


class HashMapDB(object):
    """The hashmap database API (stateless: one transaction per call)."""

    # ------------------------------------------------------------ lookups
    @staticmethod
    def _one(session, model, **filters):
        return session.execute(sa.select(model).filter_by(**filters)
                               ).scalars().first()

    def _uuid_row(self, session, model, uuid, missing):
        """The row of ``model`` with public id ``uuid``, else ``missing``."""
        row = self._one(session, model, **{_UUID_KEY[model]: str(uuid)})
        if row is None:
            raise missing(uuid)
        return row

    def _named_row(self, session, model, uuid, name, missing):
        """A service or group by uuid, else by name; ``missing`` if none."""
        row = None
        if uuid is not None:
            row = self._one(session, model, **{_UUID_KEY[model]: str(uuid)})
        elif name is not None:
            row = self._one(session, model, name=name)
        if row is None:
            raise missing(name=name, uuid=uuid)
        return row

    def _service_row(self, session, uuid=None, name=None):
        return self._named_row(session, _SERVICE, uuid, name, NoSuchService)

    def _field_row(self, session, uuid):
        return self._uuid_row(session, _FIELD, uuid, NoSuchField)

    def _group_row(self, session, uuid=None, name=None):
        return self._named_row(session, _GROUP, uuid, name, NoSuchGroup)

    def _mapping_row(self, session, uuid):
        return self._uuid_row(session, _MAPPING, uuid, NoSuchMapping)

    def _threshold_row(self, session, uuid):
        return self._uuid_row(session, _THRESHOLD, uuid, NoSuchThreshold)

    def _body_group(self, session, group_id):
        """The group named in a request body (unknown: 400), or None."""
        if not group_id:
            return None
        group = self._one(session, _GROUP, group_id=str(group_id))
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
            field = self._one(session, _FIELD, field_id=str(field_id))
            if field is None:
                raise ClientHashMapError('No such field: %s' % field_id)
        if service_id:
            service = self._one(session, _SERVICE,
                                service_id=str(service_id))
            if service is None:
                raise ClientHashMapError(
                    'No such service: None (UUID: %s)' % service_id)
        return service, field, self._body_group(session, group_id)

    @staticmethod
    def _stored_parents(session, row):
        """(service, field, group) rows a stored rule points to."""
        return tuple(session.get(model, key) if key is not None else None
                     for model, key in ((_SERVICE, row.service_id),
                                        (_FIELD, row.field_id),
                                        (_GROUP, row.group_id)))

    # ----------------------------------------------------------- services
    def get_service(self, name=None, uuid=None):
        with db.session_for_read() as session:
            return _named_dict(self._service_row(session, uuid, name))

    @staticmethod
    def _list_named(model):
        with db.session_for_read() as session:
            rows = session.execute(sa.select(model).order_by(
                model.id)).scalars().all()
            return [_named_dict(r) for r in rows]

    def _create_named(self, model, name, exists, get):
        """Create a service or group called ``name`` (unique).

        ``exists``: the AlreadyExists error; ``get(name)``: the API dict
        of the one that won a concurrent creation.
        """
        key = _UUID_KEY[model]
        try:
            with db.session_for_write() as session:
                existing = self._one(session, model, name=name)
                if existing is not None:
                    raise exists(name, getattr(existing, key))
                row = model(**{key: str(uuid.uuid4()), 'name': name})
                session.add(row)
                session.flush()
                return _named_dict(row)
        except db_exc.DBDuplicateEntry:
            # A concurrent creation won the race.
            raise exists(name, get(name)[key])

    def list_services(self):
        return self._list_named(_SERVICE)

    def create_service(self, name):
        return self._create_named(_SERVICE, name, ServiceAlreadyExists,
                                  self.get_service)

    def delete_service(self, name=None, uuid=None):
        with db.session_for_write() as session:
            row = self._service_row(session, uuid, name)
            field_ids = session.execute(sa.select(_FIELD.id).where(
                _FIELD.service_id == row.id)).scalars().all()
            self._delete_rules(session, service_id=row.id,
                               field_ids=field_ids)
            session.execute(sa.delete(_FIELD).where(
                _FIELD.service_id == row.id))
            session.delete(row)

    @staticmethod
    def _delete_rules(session, service_id=None, field_ids=()):
        # Foreign keys are not enforced on SQLite: cascade by hand.
        for model in (_MAPPING, _THRESHOLD):
            conds = []
            if service_id is not None:
                conds.append(model.service_id == service_id)
            if field_ids:
                conds.append(model.field_id.in_(list(field_ids)))
            if conds:
                session.execute(sa.delete(model).where(sa.or_(*conds)))

    # ------------------------------------------------------------- fields
    def get_field(self, uuid=None, service_uuid=None, name=None):
        with db.session_for_read() as session:
            if uuid is not None:
                row = self._field_row(session, uuid)
            else:
                service = self._service_row(session, service_uuid)
                row = self._one(session, _FIELD, service_id=service.id,
                                name=name)
                if row is None:
                    raise NoSuchField(name)
            return _field_dicts(session, [row])[0]

    def list_fields(self, service_uuid):
        with db.session_for_read() as session:
            rows = session.execute(
                sa.select(_FIELD).join(
                    _SERVICE, _SERVICE.id == _FIELD.service_id)
                .where(_SERVICE.service_id == str(service_uuid))
                .order_by(_FIELD.id)).scalars().all()
            return _field_dicts(session, rows)

    def create_field(self, service_uuid, name):
        try:
            with db.session_for_write() as session:
                try:
                    service = self._service_row(session, service_uuid)
                except NoSuchService as exc:
                    raise exceptions.UnknownBodyService(
                        exc.name, exc.uuid) from None
                existing = self._one(session, _FIELD, service_id=service.id,
                                     name=name)
                if existing is not None:
                    raise FieldAlreadyExists(name, existing.field_id)
                row = _FIELD(field_id=str(uuid.uuid4()), name=name,
                             service_id=service.id)
                session.add(row)
                session.flush()
                return {'field_id': row.field_id, 'name': row.name,
                        'service_id': service.service_id}
        except db_exc.DBDuplicateEntry:
            field = self.get_field(service_uuid=service_uuid, name=name)
            raise FieldAlreadyExists(name, field['field_id'])

    def delete_field(self, uuid):
        with db.session_for_write() as session:
            row = self._field_row(session, uuid)
            self._delete_rules(session, field_ids=[row.id])
            session.delete(row)

    # ------------------------------------------------------------- groups
    def get_group(self, uuid=None, name=None):
        with db.session_for_read() as session:
            return _named_dict(self._group_row(session, uuid, name))

    def list_groups(self):
        return self._list_named(_GROUP)

    def create_group(self, name):
        return self._create_named(_GROUP, name, GroupAlreadyExists,
                                  lambda name: self.get_group(name=name))

    def delete_group(self, uuid, recurse=False):
        with db.session_for_write() as session:
            row = self._group_row(session, uuid)
            for model in (_MAPPING, _THRESHOLD):
                if recurse:
                    session.execute(sa.delete(model).where(
                        model.group_id == row.id))
                else:
                    session.execute(sa.update(model).where(
                        model.group_id == row.id).values(group_id=None))
            session.delete(row)

    def get_group_from_mapping(self, uuid):
        with db.session_for_read() as session:
            row = self._one(session, _MAPPING, mapping_id=str(uuid))
            if row is None or row.group_id is None:
                raise MappingHasNoGroup(uuid)
            return _named_dict(session.get(_GROUP, row.group_id))

    def get_group_from_threshold(self, uuid):
        with db.session_for_read() as session:
            row = self._one(session, _THRESHOLD, threshold_id=str(uuid))
            if row is None or row.group_id is None:
                raise ThresholdHasNoGroup(uuid)
            return _named_dict(session.get(_GROUP, row.group_id))

    # ------------------------------------------------------------ filters
    def _rule_filters(self, session, model, service_uuid=None,
                      field_uuid=None, group_uuid=None, no_group=False,
                      tenant_uuid=None, filter_tenant=False):
        """WHERE clauses common to mapping and threshold listings.

        Returns None when a referenced parent does not exist (empty list).
        """
        conds = []
        parents = []
        if service_uuid is not None:
            parents.append((_SERVICE, 'service_id', service_uuid))
        elif field_uuid is not None:
            parents.append((_FIELD, 'field_id', field_uuid))
        if group_uuid is not None:
            parents.append((_GROUP, 'group_id', group_uuid))
        elif no_group:
            conds.append(model.group_id.is_(None))
        for parent, key, value in parents:
            row = self._one(session, parent, **{key: str(value)})
            if row is None:
                return None
            conds.append(getattr(model, key) == row.id)
        if filter_tenant:
            if tenant_uuid is None:
                conds.append(model.tenant_id.is_(None))
            else:
                conds.append(model.tenant_id == tenant_uuid)
        return conds

    # ----------------------------------------------------------- mappings
    def get_mapping(self, uuid):
        """A mapping, soft-deleted ones included."""
        with db.session_for_read() as session:
            return _rule_dicts(session, [self._mapping_row(session, uuid)],
                               'mapping')[0]

    def list_mappings(self, service_uuid=None, field_uuid=None,
                      group_uuid=None, no_group=False, tenant_uuid=None,
                      filter_tenant=False, deleted=False, start=None,
                      end=None, created_by=None, updated_by=None,
                      deleted_by=None, description=None, is_active=None,
                      all=True):
        if not all:
            rules.check_listing_parent(service_uuid, field_uuid, group_uuid)
        with db.session_for_read() as session:
            conds = self._rule_filters(
                session, _MAPPING, service_uuid, field_uuid, group_uuid,
                no_group, tenant_uuid, filter_tenant)
            if conds is None:
                return []
            if not deleted:
                conds.append(_MAPPING.deleted.is_(None))
            if start is not None:
                conds.append(_MAPPING.start >= to_naive_utc(start))
            if end is not None:
                conds.append(_MAPPING.end < to_naive_utc(end))
            for col, value in (('created_by', created_by),
                               ('updated_by', updated_by),
                               ('deleted_by', deleted_by)):
                if value is not None:
                    conds.append(getattr(_MAPPING, col) == value)
            if description is not None:
                conds.append(sa.func.lower(_MAPPING.description).contains(
                    description.lower(), autoescape=True))
            if is_active:
                now = utcnow()
                conds.append(_MAPPING.start <= now)
                conds.append(sa.or_(_MAPPING.end.is_(None),
                                    _MAPPING.end > now))
                conds.append(_MAPPING.deleted.is_(None))
            rows = session.execute(sa.select(_MAPPING).where(*conds)
                                   .order_by(_MAPPING.id)).scalars().all()
            return _rule_dicts(session, rows, 'mapping')

    def create_mapping(self, cost, map_type='flat', value=None,
                       service_id=None, field_id=None, group_id=None,
                       tenant_id=None, start=None, end=None, name=None,
                       description=None, created_by='unknown',
                       force=False):
        """Create a mapping (checks in the reference's order)."""
        now = utcnow()
        start = to_naive_utc(start)
        end = to_naive_utc(end)
        if not force:
            rules.check_start(start, now)
        # The reference compares end with a missing start (500): the start
        # defaults to now, so compare with that.
        rules.check_window(start or now, end)
        rules.check_one_parent(service_id, field_id)
        rules.check_mapping_target(value, service_id, field_id)
        rules.check_map_type(map_type)
        name = name or uuid.uuid4().hex
        start = start or now
        with db.session_for_write() as session:
            service, field, group = self._body_parents(
                session, service_id, field_id, group_id)
            parent_type = 'field' if field is not None else 'service'
            parent_uuid = field_id if field is not None else service_id
            # Serialise creations of rules on one parent, so two concurrent
            # requests cannot both pass the conflict check.
            parent_row = field if field is not None else service
            session.execute(sa.select(type(parent_row).id).where(
                type(parent_row).id == parent_row.id).with_for_update())
            conflict = self._mapping_conflict(
                session, name=name, value=value, tenant_id=tenant_id,
                service=service, field=field, group=group, start=start,
                end=end)
            if conflict:
                raise MappingAlreadyExists(
                    value if value is not None else None, parent_uuid,
                    parent_type, tenant_id)
            row = _MAPPING(
                mapping_id=str(uuid.uuid4()), value=value,
                cost=_cost(cost), map_type=map_type,
                service_id=_row_id(service), field_id=_row_id(field),
                group_id=_row_id(group),
                tenant_id=tenant_id, created_at=now, start=start, end=end,
                name=name, description=description, deleted=None,
                created_by=created_by)
            session.add(row)
            session.flush()
            return _rule_dicts(session, [row], 'mapping')[0]

    def _mapping_conflict(self, session, name, value, tenant_id, service,
                          field, group, start, end, exclude_id=None):
        def _eq(col, val):
            return col.is_(None) if val is None else col == val

        same_rule = [
            _eq(_MAPPING.value, value),
            _eq(_MAPPING.tenant_id, tenant_id),
            _eq(_MAPPING.group_id, _row_id(group)),
        ]
        if field is not None:
            same_rule.append(_MAPPING.field_id == field.id)
        else:
            same_rule.append(_MAPPING.service_id == service.id)
        # Validity periods [start, end) overlap. The reference misses a
        # rule whose period covers the new start when the new rule has no
        # end, and refuses adjacent periods: both fixed.
        if end is not None:
            same_rule.append(_MAPPING.start < end)
        same_rule.append(sa.or_(_MAPPING.end > start,
                                _MAPPING.end.is_(None)))
        query = sa.select(_MAPPING.id).where(
            _MAPPING.deleted.is_(None),
            sa.or_(_MAPPING.name == name, sa.and_(*same_rule)))
        if exclude_id is not None:
            query = query.where(_MAPPING.id != exclude_id)
        return session.execute(query.limit(1)).first() is not None

    def update_mapping(self, uuid, cost=None, start=None, end=None,
                       description=None, updated_by='unknown',
                       immutable=None):
        """Update a mapping (``PUT``; only ``end`` once it has started).

        ``immutable``: {attribute: value} sent by the client for attributes
        that PUT never changes (value, type, tenant_id, group_id, name,
        service_id, field_id). They are ignored on a rule that has not
        started. On a running rule, as cost, start and description, a
        value equal to the stored one (or falsy) is no change; a real
        change is refused with the reference's text, the attribute being
        named in the log only.
        """
        now = utcnow()
        start = to_naive_utc(start)
        end = to_naive_utc(end)
        immutable = dict(immutable or {})
        with db.session_for_write() as session:
            row = self._mapping_row(session, uuid)
            current = _rule_dicts(session, [row], 'mapping')[0]
            if row.deleted is not None:
                raise NoSuchMapping(uuid)
            if row.start < now:
                immutable.update({'cost': cost, 'start': start,
                                  'description': description})
                changed = rules.changed_attribute(current, immutable)
                if row.end is None and changed is not None:
                    LOG.info('Mapping %s is running: attribute [%s] '
                             'cannot change.', uuid, changed)
                if rules.check_running_update(row.start, row.end, end,
                                              changed, now):
                    return current
                row.end = end
            else:
                # Not started: value, type, tenant, group, name and parents
                # are never updated by PUT; whatever the body says of them
                # is ignored.
                new_start = start or row.start
                rules.check_start(new_start, now)
                rules.check_window(new_start, end)
                service, parent, group = self._stored_parents(session, row)
                if self._mapping_conflict(
                        session, name=row.name, value=row.value,
                        tenant_id=row.tenant_id, service=service,
                        field=parent, group=group, start=new_start, end=end,
                        exclude_id=row.id):
                    raise MappingAlreadyExists(
                        row.value, current['field_id'] or
                        current['service_id'],
                        'field' if parent is not None else 'service',
                        row.tenant_id)
                if cost is not None:
                    row.cost = _cost(cost)
                row.start = new_start
                row.end = end
                row.description = description
            row.updated_by = updated_by
            session.flush()
            return _rule_dicts(session, [row], 'mapping')[0]

    def delete_mapping(self, uuid, deleted_by='unknown'):
        with db.session_for_write() as session:
            row = self._one(session, _MAPPING, mapping_id=str(uuid))
            if row is None or row.deleted is not None:
                raise NoSuchMapping(uuid)
            row.deleted = utcnow()
            row.deleted_by = deleted_by

    # --------------------------------------------------------- thresholds
    def get_threshold(self, uuid):
        with db.session_for_read() as session:
            return _rule_dicts(
                session, [self._threshold_row(session, uuid)],
                'threshold')[0]

    def list_thresholds(self, service_uuid=None, field_uuid=None,
                        group_uuid=None, no_group=False, tenant_uuid=None,
                        filter_tenant=False):
        rules.check_listing_parent(service_uuid, field_uuid, group_uuid)
        with db.session_for_read() as session:
            conds = self._rule_filters(
                session, _THRESHOLD, service_uuid, field_uuid, group_uuid,
                no_group, tenant_uuid, filter_tenant)
            if conds is None:
                return []
            rows = session.execute(sa.select(_THRESHOLD).where(*conds)
                                   .order_by(_THRESHOLD.id)).scalars().all()
            return _rule_dicts(session, rows, 'threshold')

    def create_threshold(self, level, cost, map_type='flat',
                         service_id=None, field_id=None, group_id=None,
                         tenant_id=None, level_label=None):
        """Create a threshold.

        ``level_label``: the level as the client wrote it, for the
        conflict message.
        """
        rules.check_one_parent(service_id, field_id)
        rules.check_map_type(map_type)
        stored_level = _level(level)
        try:
            with db.session_for_write() as session:
                service, field, group = self._body_parents(
                    session, service_id, field_id, group_id)
                if tenant_id is not None and self._threshold_exists(
                        session, stored_level, service, field, tenant_id):
                    raise db_exc.DBDuplicateEntry()
                row = _THRESHOLD(
                    threshold_id=str(uuid.uuid4()), level=stored_level,
                    cost=_cost(cost), map_type=map_type,
                    service_id=_row_id(service), field_id=_row_id(field),
                    group_id=_row_id(group),
                    tenant_id=tenant_id)
                session.add(row)
                session.flush()
                return _rule_dicts(session, [row], 'threshold')[0]
        except db_exc.DBDuplicateEntry:
            raise ThresholdAlreadyExists(
                level if level_label is None else level_label,
                field_id or service_id,
                'field' if field_id else 'service', None)

    @staticmethod
    def _threshold_exists(session, level, service, field, tenant_id,
                          exclude_id=None):
        query = sa.select(_THRESHOLD.id).where(
            _THRESHOLD.level == level, _THRESHOLD.tenant_id == tenant_id)
        if field is not None:
            query = query.where(_THRESHOLD.field_id == field.id)
        else:
            query = query.where(_THRESHOLD.service_id == service.id)
        if exclude_id is not None:
            query = query.where(_THRESHOLD.id != exclude_id)
        return session.execute(query.limit(1)).first() is not None

    def update_threshold(self, uuid, level, cost, map_type='flat',
                         group_id=None, tenant_id=None):
        rules.check_map_type(map_type)
        try:
            with db.session_for_write() as session:
                row = self._threshold_row(session, uuid)
                row.level = _level(level)
                row.cost = _cost(cost)
                row.map_type = map_type
                row.tenant_id = tenant_id
                if group_id:
                    row.group_id = self._body_group(session, group_id).id
                if tenant_id is not None:
                    service, field, _ = self._stored_parents(session, row)
                    if self._threshold_exists(session, row.level, service,
                                              field, tenant_id,
                                              exclude_id=row.id):
                        raise db_exc.DBDuplicateEntry()
                session.flush()
                return _rule_dicts(session, [row], 'threshold')[0]
        except db_exc.DBDuplicateEntry:
            raise ThresholdAlreadyExists(tenant_id, uuid, 'Threshold_id',
                                         tenant_id)

    def delete_threshold(self, uuid):
        with db.session_for_write() as session:
            row = self._threshold_row(session, uuid)
            session.delete(row)

    # ------------------------------------------------------------ rating
    def load_all_rules(self, tenant_id):
        """Every rule of scope ``tenant_id``, whatever its validity.

        Returns (services, fields, groups, mappings, thresholds): lists of
        rows as tuples, each in storage order, in one read transaction.
        Mappings and thresholds are the global ones and those of the
        tenant; mappings are the non-deleted ones, each row ending with
        its validity (start, end) as naive UTC, so that the rules valid at
        any date can be selected without SQL.
        """
        with db.session_for_read() as session:
            services = session.execute(
                sa.select(_SERVICE.id, _SERVICE.name)
                .order_by(_SERVICE.id)).all()
            fields = session.execute(
                sa.select(_FIELD.id, _FIELD.name, _FIELD.service_id)
                .order_by(_FIELD.id)).all()
            groups = dict(session.execute(
                sa.select(_GROUP.id, _GROUP.name)).all())
            mappings = session.execute(
                sa.select(_MAPPING.service_id, _MAPPING.field_id,
                          _MAPPING.group_id, _MAPPING.tenant_id,
                          _MAPPING.value, _MAPPING.map_type, _MAPPING.cost,
                          _MAPPING.start, _MAPPING.end)
                .where(_global_or_tenant(_MAPPING, tenant_id),
                       _MAPPING.deleted.is_(None))
                .order_by(_MAPPING.id)).all()
            thresholds = session.execute(
                sa.select(_THRESHOLD.service_id, _THRESHOLD.field_id,
                          _THRESHOLD.group_id, _THRESHOLD.tenant_id,
                          _THRESHOLD.level, _THRESHOLD.map_type,
                          _THRESHOLD.cost)
                .where(_global_or_tenant(_THRESHOLD, tenant_id))
                .order_by(_THRESHOLD.id)).all()
        return services, fields, groups, mappings, thresholds


def get_migration():
    """The hashmap migration chain (version table ``hashmap_alembic``)."""
    return migration.AlembicChain(
        'hashmap',
        migration.chain_dir(__file__),
        'hashmap_alembic',
        models.Base.metadata)


# The class was called HashMap, like the plugin; the old name stays.
HashMap = HashMapDB

_INSTANCE = HashMapDB()


def get_instance():
    return _INSTANCE
