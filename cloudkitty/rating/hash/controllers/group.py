"""``B/groups``."""
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.rating.hash.controllers import utils
from cloudkitty.rating.hash import datamodels
from cloudkitty.rating.hash.datamodels import types as ck_types


class HashMapGroupsController(rest.RestController):
    """Groups; ``/groups/<id>/mappings`` and ``/<id>/thresholds``."""

    _custom_actions = {'mappings': ['GET'], 'thresholds': ['GET']}

    @wsme_pecan.wsexpose(datamodels.MappingCollection, wtypes.text)
    def mappings(self, group_id):
        mappings = utils.api().list_mappings(
            group_uuid=utils.require(group_id, 'group_id'))
        return datamodels.MappingCollection(mappings=[
            datamodels.Mapping.from_dict(m) for m in mappings])

    @wsme_pecan.wsexpose(datamodels.ThresholdCollection, wtypes.text)
    def thresholds(self, group_id):
        thresholds = utils.api().list_thresholds(
            group_uuid=utils.require(group_id, 'group_id'))
        return datamodels.ThresholdCollection(thresholds=[
            datamodels.Threshold.from_dict(t) for t in thresholds])

    @wsme_pecan.wsexpose(datamodels.GroupCollection)
    def get_all(self):
        return datamodels.GroupCollection(groups=[
            datamodels.Group.from_dict(g)
            for g in utils.api().list_groups()])

    @wsme_pecan.wsexpose(datamodels.Group, wtypes.text)
    def get_one(self, group_id):
        return datamodels.Group.from_dict(utils.api().get_group(group_id))

    @wsme_pecan.wsexpose(datamodels.Group, body=datamodels.Group,
                         status_code=201)
    def post(self, group_data):
        group = utils.api().create_group(group_data.name)
        utils.set_created_location(group['group_id'])
        return datamodels.Group.from_dict(group)

    @wsme_pecan.wsexpose(None, wtypes.text, ck_types.FlagType('recursive'),
                         status_code=204)
    def delete(self, group_id, recursive=False):
        utils.api().delete_group(
            utils.require(group_id, 'group_id'),
            recurse=ck_types.to_bool(recursive, 'recursive'))
