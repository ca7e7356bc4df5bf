"""``B/services``."""
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.rating.hash.controllers import field as field_api
from cloudkitty.rating.hash.controllers import mapping as mapping_api
from cloudkitty.rating.hash.controllers import utils
from cloudkitty.rating.hash import datamodels


class HashMapServicesController(rest.RestController):
    """Services; ``/services/<id>/fields`` and ``/<id>/mappings`` nest."""

    fields = field_api.HashMapFieldsController()
    mappings = mapping_api.HashMapMappingsController()

    @wsme_pecan.wsexpose(datamodels.ServiceCollection)
    def get_all(self):
        return datamodels.ServiceCollection(services=[
            datamodels.Service.from_dict(s)
            for s in utils.api().list_services()])

    @wsme_pecan.wsexpose(datamodels.Service, wtypes.text)
    def get_one(self, service_id):
        return datamodels.Service.from_dict(
            utils.api().get_service(uuid=service_id))

    @wsme_pecan.wsexpose(datamodels.Service, body=datamodels.Service,
                         status_code=201)
    def post(self, service_data):
        service = utils.api().create_service(service_data.name)
        utils.set_created_location(service['service_id'])
        return datamodels.Service.from_dict(service)

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, service_id):
        utils.api().delete_service(uuid=utils.require(service_id,
                                                      'service_id'))
