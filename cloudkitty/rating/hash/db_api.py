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
from cloudkitty.rating.hash import db_rows
from cloudkitty.rating.hash import db_rules
from cloudkitty.rating.hash import exceptions
from cloudkitty.rating.hash import models
from cloudkitty.rating.hash import rules
from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

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

# Time helpers third-party code reaches through db_api.
utcnow = utils.naive_utcnow
to_naive_utc = tzutils.naive_utc
fmt_dt = rules.fmt_dt

_SERVICE = db_rows.SERVICE
_UUID_KEY = db_rows.UUID_KEY
_FIELD = db_rows.FIELD
_GROUP = db_rows.GROUP
_MAPPING = db_rows.MAPPING
_THRESHOLD = db_rows.THRESHOLD
_named_dict = db_rows.named_dict
_field_dicts = db_rows.field_dicts


class HashMapDB(db_rules.RulesDB):
    """The hashmap database API (stateless: one transaction per call).

    Services, fields and groups here; mappings and thresholds in
    ``db_rules``; row lookups in ``db_rows``.
    """

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
