"""``B/mappings``."""
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.rating.hash.controllers import utils
from cloudkitty.rating.hash import datamodels
from cloudkitty.rating.hash.datamodels import types as ck_types

# Attributes a PUT may carry but never changes (as in the reference).
_IMMUTABLE = ('value', 'type', 'tenant_id', 'group_id', 'name',
              'service_id', 'field_id')


class HashMapMappingsController(rest.RestController):
    """Mappings; ``/mappings/<id>/group`` gives a mapping's group."""

    _custom_actions = {'group': ['GET']}

    @wsme_pecan.wsexpose(datamodels.Group, wtypes.text)
    def group(self, mapping_id):
        return datamodels.Group.from_dict(
            utils.api().get_group_from_mapping(
                utils.require(mapping_id, 'mapping_id')))

    # Flags are booleans: filters may come in a JSON body (tempest).
    @wsme_pecan.wsexpose(datamodels.MappingCollection,
                         wtypes.text, wtypes.text, wtypes.text,
                         ck_types.FlagType('no_group'), wtypes.text,
                         ck_types.FlagType('filter_tenant'),
                         ck_types.FlagType('deleted'), wtypes.text,
                         wtypes.text, wtypes.text, wtypes.text, wtypes.text,
                         wtypes.text, ck_types.FlagType('is_active'),
                         ck_types.FlagType('all'))
    def get_all(self, service_id=None, field_id=None, group_id=None,
                no_group=False, tenant_id=None, filter_tenant=False,
                deleted=False, start=None, end=None, created_by=None,
                updated_by=None, deleted_by=None, description=None,
                is_active=None, all=True):
        mappings = utils.api().list_mappings(
            **utils.rule_filters(service_id, field_id, group_id, no_group,
                                 tenant_id, filter_tenant),
            deleted=ck_types.to_bool(deleted, 'deleted'),
            start=ck_types.parse_query_datetime(start, 'start'),
            end=ck_types.parse_query_datetime(end, 'end'),
            created_by=created_by, updated_by=updated_by,
            deleted_by=deleted_by, description=description,
            is_active=ck_types.to_bool(is_active, 'is_active'),
            all=ck_types.to_bool(all, 'all'))
        return datamodels.MappingCollection(mappings=[
            datamodels.Mapping.from_dict(m) for m in mappings])

    @wsme_pecan.wsexpose(datamodels.Mapping, wtypes.text)
    def get_one(self, mapping_id):
        return datamodels.Mapping.from_dict(
            utils.api().get_mapping(mapping_id))

    @wsme_pecan.wsexpose(datamodels.Mapping, wtypes.text,
                         body=datamodels.Mapping, status_code=201)
    def post(self, force=False, mapping_data=None):
        utils.require_body(mapping_data, 'mapping_data')
        mapping = utils.api().create_mapping(
            cost=mapping_data.cost,
            map_type=mapping_data.type,
            value=mapping_data.value,
            **utils.rule_owners(mapping_data),
            start=mapping_data.get('start'),
            end=mapping_data.get('end'),
            name=mapping_data.get('name'),
            description=mapping_data.get('description'),
            created_by=utils.current_user(),
            force=ck_types.to_bool(force, 'force'))
        utils.set_created_location(mapping['mapping_id'])
        return datamodels.Mapping.from_dict(mapping)

    @wsme_pecan.wsexpose(None, wtypes.text, body=datamodels.Mapping,
                         status_code=302)
    def put(self, mapping_id=None, mapping=None):
        # python-cloudkittyclient PUTs to the collection, id in the body.
        utils.require_body(mapping, 'mapping')
        mapping_id = utils.require(mapping_id or mapping.get('mapping_id'),
                                   'mapping_id')
        sent = utils.sent_keys()
        immutable = {key: mapping.get(key) for key in _IMMUTABLE
                     if key in sent}
        utils.api().update_mapping(
            mapping_id,
            cost=mapping.cost,
            start=mapping.get('start'),
            end=mapping.get('end'),
            description=mapping.get('description'),
            updated_by=utils.current_user(),
            immutable=immutable)
        utils.set_update_location()

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, mapping_id):
        utils.api().delete_mapping(utils.require(mapping_id, 'mapping_id'),
                                   deleted_by=utils.current_user())
