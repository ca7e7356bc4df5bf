"""WSME types of the hashmap configuration API (the reference's bodies)."""
from wsme.rest import json as wsme_json
from wsme import types as wtypes

from cloudkitty.rating.hash.datamodels import types as ck_types


class _Base(wtypes.Base):
    """Base: builds an object from a db_api dict."""

    @classmethod
    def from_dict(cls, values):
        obj = cls()
        for key in cls._wsme_attr_order:
            setattr(obj, key, values.get(key))
        return obj

    def present(self, name):
        """Whether the client sent attribute ``name`` (null included)."""
        return getattr(self, name) is not wtypes.Unset

    def get(self, name, default=None):
        value = getattr(self, name)
        return default if value is wtypes.Unset else value


class Service(_Base):
    """A hashmap service."""

    _wsme_attr_order = ('service_id', 'name')

    service_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    name = wtypes.wsattr(ck_types.LimitedText(255), mandatory=True)

    @classmethod
    def sample(cls):
        return cls(service_id='6c1b8a30-797f-4b7e-ad66-000000000001',
                   name='cpu')


class ServiceCollection(wtypes.Base):
    services = [Service]


class Field(_Base):
    """A hashmap field."""

    _wsme_attr_order = ('field_id', 'name', 'service_id')

    field_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    name = wtypes.wsattr(ck_types.LimitedText(255), mandatory=True)
    service_id = wtypes.wsattr(ck_types.Uuid, mandatory=True)


class FieldCollection(wtypes.Base):
    fields = [Field]


class Group(_Base):
    """A hashmap group."""

    _wsme_attr_order = ('group_id', 'name')

    group_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    name = wtypes.wsattr(ck_types.LimitedText(255), mandatory=True)


class GroupCollection(wtypes.Base):
    groups = [Group]


class Mapping(_Base):
    """A hashmap mapping (17 keys, in the reference's order)."""

    _wsme_attr_order = (
        'mapping_id', 'value', 'type', 'cost', 'service_id', 'field_id',
        'group_id', 'tenant_id', 'created_at', 'start', 'end', 'name',
        'description', 'deleted', 'created_by', 'updated_by', 'deleted_by')

    mapping_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    value = wtypes.wsattr(ck_types.LimitedText(255), mandatory=False,
                          default='')
    type = wtypes.wsattr(ck_types.MapType, default='flat', name='type')
    cost = wtypes.wsattr(ck_types.Cost, mandatory=True)
    service_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    field_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    group_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    tenant_id = wtypes.wsattr(ck_types.LimitedText(255), mandatory=False,
                              default=None)
    created_at = wtypes.wsattr(ck_types.DateTime, mandatory=False)
    start = wtypes.wsattr(ck_types.DateTime, mandatory=False)
    end = wtypes.wsattr(ck_types.EndDateTime, mandatory=False)
    name = wtypes.wsattr(ck_types.LimitedText(32), mandatory=False)
    description = wtypes.wsattr(ck_types.LimitedText(256), mandatory=False)
    deleted = wtypes.wsattr(ck_types.DateTime, mandatory=False)
    created_by = wtypes.wsattr(wtypes.text, mandatory=False)
    updated_by = wtypes.wsattr(wtypes.text, mandatory=False)
    deleted_by = wtypes.wsattr(wtypes.text, mandatory=False)


class MappingCollection(wtypes.Base):
    mappings = [Mapping]


class Threshold(_Base):
    """A hashmap threshold (8 keys)."""

    _wsme_attr_order = ('threshold_id', 'level', 'type', 'cost',
                        'service_id', 'field_id', 'group_id', 'tenant_id')

    threshold_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    level = wtypes.wsattr(ck_types.Level, mandatory=True)
    type = wtypes.wsattr(ck_types.MapType, default='flat', name='type')
    cost = wtypes.wsattr(ck_types.Cost, mandatory=True)
    service_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    field_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    group_id = wtypes.wsattr(ck_types.Uuid, mandatory=False)
    tenant_id = wtypes.wsattr(ck_types.LimitedText(255), mandatory=False,
                              default=None)


class ThresholdCollection(wtypes.Base):
    thresholds = [Threshold]


def _object_fromjson(datatype, value):
    # WSME fails with a 500 on a body that is not a JSON object; a
    # ValueError here becomes a 400 naming the body parameter.
    if value is not None and not isinstance(value, dict):
        raise ValueError('Value should be a JSON object')
    return wsme_json.fromjson.default(datatype, value)


for _type in (Service, Field, Group, Mapping, Threshold):
    wsme_json.fromjson.when_object(_type)(_object_fromjson)
