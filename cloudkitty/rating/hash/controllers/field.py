"""``B/fields``."""
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.rating.hash.controllers import utils
from cloudkitty.rating.hash import datamodels


class HashMapFieldsController(rest.RestController):
    """Fields of a service."""

    @wsme_pecan.wsexpose(datamodels.FieldCollection, wtypes.text)
    def get_all(self, service_id):
        return datamodels.FieldCollection(fields=[
            datamodels.Field.from_dict(f)
            for f in utils.api().list_fields(service_id)])

    @wsme_pecan.wsexpose(datamodels.Field, wtypes.text)
    def get_one(self, field_id):
        return datamodels.Field.from_dict(utils.api().get_field(field_id))

    @wsme_pecan.wsexpose(datamodels.Field, body=datamodels.Field,
                         status_code=201)
    def post(self, field_data):
        field = utils.api().create_field(field_data.service_id,
                                         field_data.name)
        utils.set_created_location(field['field_id'])
        return datamodels.Field.from_dict(field)

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    def delete(self, field_id):
        utils.api().delete_field(utils.require(field_id, 'field_id'))
