"""``B/thresholds``."""
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.rating.hash.controllers import utils
from cloudkitty.rating.hash import datamodels
from cloudkitty.rating.hash.datamodels import types as ck_types


class HashMapThresholdsController(rest.RestController):
    """Thresholds; ``/thresholds/<id>/group`` gives a threshold's group."""

    _custom_actions = {'group': ['GET']}

    @wsme_pecan.wsexpose(datamodels.Group, wtypes.text)
    def group(self, threshold_id):
        return datamodels.Group.from_dict(
            utils.api().get_group_from_threshold(
                utils.require(threshold_id, 'threshold_id')))

    @wsme_pecan.wsexpose(datamodels.ThresholdCollection,
                         wtypes.text, wtypes.text, wtypes.text,
                         ck_types.FlagType('no_group'), wtypes.text,
                         ck_types.FlagType('filter_tenant'))
    def get_all(self, service_id=None, field_id=None, group_id=None,
                no_group=False, tenant_id=None, filter_tenant=False):
        thresholds = utils.api().list_thresholds(
            **utils.rule_filters(service_id, field_id, group_id, no_group,
                                 tenant_id, filter_tenant))
        return datamodels.ThresholdCollection(thresholds=[
            datamodels.Threshold.from_dict(t) for t in thresholds])

    @wsme_pecan.wsexpose(datamodels.Threshold, wtypes.text)
    def get_one(self, threshold_id):
        return datamodels.Threshold.from_dict(
            utils.api().get_threshold(threshold_id))

    @wsme_pecan.wsexpose(datamodels.Threshold, body=datamodels.Threshold,
                         status_code=201)
    def post(self, threshold_data):
        utils.require_body(threshold_data, 'threshold_data')
        threshold = utils.api().create_threshold(
            level=utils.require_attribute(threshold_data.level, 'level'),
            cost=utils.require_attribute(threshold_data.cost, 'cost'),
            map_type=threshold_data.type,
            level_label=utils.sent_value('level'),
            **utils.rule_owners(threshold_data))
        utils.set_created_location(threshold['threshold_id'])
        return datamodels.Threshold.from_dict(threshold)

    @wsme_pecan.wsexpose(None, wtypes.text, body=datamodels.Threshold,
                         status_code=302)
    def put(self, threshold_id=None, threshold=None):
        # python-cloudkittyclient PUTs to the collection, id in the body.
        utils.require_body(threshold, 'threshold')
        threshold_id = utils.require(
            threshold_id or threshold.get('threshold_id'), 'threshold_id')
        utils.api().update_threshold(
            threshold_id,
            level=utils.require_attribute(threshold.level, 'level'),
            cost=utils.require_attribute(threshold.cost, 'cost'),
            map_type=threshold.type,
            group_id=threshold.get('group_id'),
            tenant_id=threshold.get('tenant_id'))
        utils.set_update_location()

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, threshold_id):
        utils.api().delete_threshold(
            utils.require(threshold_id, 'threshold_id'))
