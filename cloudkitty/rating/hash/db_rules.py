"""Database API of the hashmap rules: mappings and thresholds (SQL).

``db_api.HashMapDB`` adds services, fields and groups to this class.
"""
import uuid

from oslo_db import exception as db_exc
from oslo_log import log
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.rating.hash import db_rows
from cloudkitty.rating.hash import exceptions
from cloudkitty.rating.hash import rules
from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

LOG = log.getLogger(__name__)

NoSuchMapping = exceptions.NoSuchMapping
MappingAlreadyExists = exceptions.MappingAlreadyExists
ThresholdAlreadyExists = exceptions.ThresholdAlreadyExists
_SERVICE = db_rows.SERVICE
_FIELD = db_rows.FIELD
_GROUP = db_rows.GROUP
_MAPPING = db_rows.MAPPING
_THRESHOLD = db_rows.THRESHOLD
_rule_dicts = db_rows.rule_dicts
_row_id = db_rows.row_id
_global_or_tenant = db_rows.global_or_tenant
_cost = rules.cost
_level = rules.level


class RulesDB(db_rows.RowLookups):
    """Mappings and thresholds (one transaction per call)."""

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
                conds.append(_MAPPING.start >= tzutils.naive_utc(start))
            if end is not None:
                conds.append(_MAPPING.end < tzutils.naive_utc(end))
            for col, value in (('created_by', created_by),
                               ('updated_by', updated_by),
                               ('deleted_by', deleted_by)):
                if value is not None:
                    conds.append(getattr(_MAPPING, col) == value)
            if description is not None:
                conds.append(sa.func.lower(_MAPPING.description).contains(
                    description.lower(), autoescape=True))
            if is_active:
                now = utils.naive_utcnow()
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
        now = utils.naive_utcnow()
        start = tzutils.naive_utc(start)
        end = tzutils.naive_utc(end)
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
        now = utils.naive_utcnow()
        start = tzutils.naive_utc(start)
        end = tzutils.naive_utc(end)
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
            row.deleted = utils.naive_utcnow()
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
