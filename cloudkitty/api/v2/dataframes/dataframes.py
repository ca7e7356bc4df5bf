"""POST and GET /v2/dataframes."""
import collections.abc

from oslo_config import cfg
import voluptuous
from werkzeug import exceptions as http_exc

from cloudkitty.api import hardening
from cloudkitty.api.v2 import base
from cloudkitty.api.v2.dataframes import common
from cloudkitty.api.v2 import utils as api_utils
from cloudkitty.common import policy
from cloudkitty import dataframe
from cloudkitty.utils import validation

CONF = cfg.CONF


def _reason(exc):
    # The model's messages repeat the whole input before the reason.
    text = str(exc)
    marker = "isn't a valid "
    if marker in text:
        text = text.rsplit(marker, 1)[1]
    return text


def _locate_bad_point(value):
    usage = value.get('usage')
    if not isinstance(usage, collections.abc.Mapping):
        return None
    for metric_type, points in usage.items():
        if not isinstance(points, collections.abc.Iterable) or isinstance(
                points, (str, bytes, collections.abc.Mapping)):
            return 'usage.%s must be a list of data points' % metric_type
        for index, point in enumerate(points):
            try:
                dataframe.DataPoint.from_dict(point)
            except ValueError as exc:
                return 'usage.%s[%d]: %s' % (metric_type, index,
                                             _reason(exc))
    return None


def parse_dataframe(value):
    """Voluptuous validator: a DataFrame dict to a DataFrame."""
    if not isinstance(value, collections.abc.Mapping):
        raise voluptuous.Invalid(
            'not a valid value: a dataframe must be an object')
    try:
        frame = dataframe.DataFrame.from_dict(value)
    except ValueError as exc:
        detail = _locate_bad_point(value) or _reason(exc)
        raise voluptuous.Invalid('not a valid value: %s' % detail)
    # A period that ends at or before its start is stored, as by the
    # reference (every read copes with it).
    return frame


class DataFrameList(base.BaseResource):
    """Rated data points."""

    @api_utils.add_input_schema('body', {
        voluptuous.Required('dataframes'): [parse_dataframe],
    })
    def post(self, dataframes=None):
        policy.authorize(base.get_context(), 'dataframes:add', {})
        if not dataframes:
            raise http_exc.BadRequest(
                'Parameter dataframes must not be empty.')
        # Every frame is validated before anything is written: one value
        # the storage cannot keep (NaN, 1e30, an over-long name...)
        # refuses the whole request.
        try:
            hardening.check_dataframes(dataframes, CONF.collect.scope_key)
        except hardening.InvalidInput as exc:
            raise http_exc.BadRequest(str(exc))
        self._storage.push(dataframes)
        return api_utils.no_content()

    @api_utils.paginated
    @api_utils.add_input_schema('query', {
        voluptuous.Optional('begin'):
            api_utils.SingleQueryParam(validation.iso_datetime),
        voluptuous.Optional('end'):
            api_utils.SingleQueryParam(validation.iso_datetime),
        voluptuous.Optional('filters'):
            api_utils.SingleDictQueryParam(str, str),
    })
    def get(self, offset=0, limit=100, begin=None, end=None, filters=None):
        context = base.get_context()
        policy.authorize(context, 'dataframes:get',
                         {'project_id': context.project_id})
        begin, end = common.period(begin, end)
        filters = dict(filters or {})
        metric_types = None
        if 'type' in filters:
            metric_types = [filters.pop('type')]
        filters = common.scoped_filters(context, filters)
        if filters is None:
            return {'total': 0, 'dataframes': []}
        if common.is_empty(begin, end):
            # The reference's answer to an end before begin: no data.
            raise http_exc.NotFound(
                'No resource found for provided filters.')
        result = self._storage.retrieve(
            begin=begin, end=end, filters=filters or None,
            metric_types=metric_types, offset=offset, limit=limit,
            paginate=True)
        if result['total'] < 1:
            raise http_exc.NotFound(
                'No resource found for provided filters.')
        return {
            'total': result['total'],
            'dataframes': [frame.as_dict(mutable=True)
                           for frame in result['dataframes']],
        }
