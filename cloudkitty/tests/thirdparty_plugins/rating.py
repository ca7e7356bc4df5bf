"""Example rating module: a unit price per metric type.

``price += qty * unit price`` for every point whose metric type has a
price; prices live in the module's own table and are managed through its
configuration API, ``/v1/rating/module_config/example/prices``.
"""
import decimal

import pecan

from cloudkitty import dataframe
from cloudkitty import rating
from cloudkitty.tests.thirdparty_plugins import db_api as example_db


class PricesController(rating.RatingRestControllerBase):
    """Unit prices.

    ``GET``: the prices; ``PUT {"metric": ..., "price": ...}``: set one;
    ``DELETE ?metric=...``: remove one.
    """

    @pecan.expose('json')
    def get_all(self):
        return {'prices': {metric: str(price) for metric, price
                           in sorted(example_db.get_prices().items())}}

    @pecan.expose('json')
    def put(self):
        body = pecan.request.json_body
        if not isinstance(body, dict) or not isinstance(
                body.get('metric'), str) or not body['metric']:
            pecan.abort(400, 'metric: a non-empty string is required')
        try:
            price = decimal.Decimal(str(body.get('price')))
        except decimal.InvalidOperation:
            pecan.abort(400, 'price: a decimal number is required')
        if not price.is_finite():
            pecan.abort(400, 'price: a decimal number is required')
        example_db.set_price(body['metric'], price)
        return {'metric': body['metric'], 'price': str(price)}

    @pecan.expose('json')
    def delete(self, metric=None):
        if not metric or not example_db.delete_price(metric):
            pecan.abort(404, 'No price for metric %s' % metric)
        pecan.response.status = 204


class ExampleConfigController(rating.RatingRestControllerBase):
    """Root of the module's configuration API."""

    prices = PricesController()

    @pecan.expose('json')
    def get_all(self):
        return {'resources': ['prices']}


class ExampleRating(rating.RatingProcessorBase):
    module_name = 'example'
    description = 'Example rating module: a unit price per metric type.'
    hot_config = True
    config_controller = ExampleConfigController
    # Its tables: cloudkitty-dbsync runs db_api.get_migration().
    db_api = example_db

    def __init__(self, tenant=None):
        # The scope being rated (None for quotes and the API), passed
        # positionally by CloudKitty.
        super().__init__(tenant)
        self._tenant = tenant
        self._prices = None

    def reload_config(self, start=None):
        # One price list whatever the date (``start``) and the scope.
        self._prices = example_db.get_prices()

    def process(self, data):
        if self._prices is None:
            self.reload_config()
        output = dataframe.DataFrame(start=data.start, end=data.end)
        for metric_type, point in data.iterpoints():
            unit_price = self._prices.get(metric_type)
            if unit_price is not None:
                point = point.set_price(point.price + point.qty * unit_price)
            output.add_point(point, metric_type)
        return output
