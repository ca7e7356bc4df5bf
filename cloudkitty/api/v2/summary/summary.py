"""GET /v2/summary."""
import os
import threading

from oslo_config import cfg
from oslo_log import log as logging
import voluptuous
from werkzeug import exceptions as http_exc
import yaml

from cloudkitty.api.v2 import base
from cloudkitty.api.v2.dataframes import common
from cloudkitty.api.v2 import utils as api_utils
from cloudkitty.common import policy
from cloudkitty.utils import validation

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

TABLE = 'table'
OBJECT = 'object'
RESPONSE_FORMATS = (TABLE, OBJECT)

TIME_ALIASES = {
    'd': 'day_of_the_year',
    'w': 'week_of_the_year',
    'm': 'month',
    'y': 'year',
}
# Attributes that always exist: collectors attach the time attributes to
# every point, 'type' is the metric type and 'time' the period bucket.
BUILTIN_GROUPBY = frozenset(['type', 'time'] + list(TIME_ALIASES.values()))


def parse_groupby(groupby):
    """Translate the time keywords; refuse an unknown time option (400).

    Follows the storage contract: an entry containing "time" split on "-"
    in two parts must use one of the d/w/m/y suffixes; with more parts it
    is kept as is.
    """
    output = []
    for entry in groupby or []:
        if not entry:
            continue  # "groupby=type," has an empty last element
        if 'time' in entry:
            parts = entry.split('-')
            if len(parts) == 2:
                if parts[1] not in TIME_ALIASES:
                    raise http_exc.BadRequest(
                        'Invalid groupby time option. There is no groupby '
                        'processing for [%s].' % entry)
                entry = TIME_ALIASES[parts[1]]
            elif len(parts) > 2:
                LOG.warning('groupby %s is not a time option, using it '
                            'as an attribute name', entry)
        if entry not in output:
            output.append(entry)
    return output


class _DeclaredAttributes(object):
    """groupby/metadata attribute names of metrics.yml, cached per mtime."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._names = frozenset()

    @staticmethod
    def _read(path):
        with open(path) as conf_file:
            conf = yaml.safe_load(conf_file) or {}
        names = set()
        metrics = conf.get('metrics') if isinstance(conf, dict) else None
        if not isinstance(metrics, dict):
            return names
        for definitions in metrics.values():
            if not isinstance(definitions, list):
                definitions = [definitions]
            for definition in definitions:
                if not isinstance(definition, dict):
                    continue
                for section in ('groupby', 'metadata'):
                    values = definition.get(section)
                    if isinstance(values, list):
                        names.update(str(v) for v in values)
                extra = definition.get('extra_args')
                if isinstance(extra, dict) and extra.get('resource_key'):
                    names.add(str(extra['resource_key']))
        return names

    def get(self):
        path = CONF.collect.metrics_conf
        try:
            key = (path, os.stat(path).st_mtime_ns)
        except OSError:
            return frozenset()
        with self._lock:
            if key != self._key:
                try:
                    self._names = frozenset(self._read(path))
                except (OSError, yaml.YAMLError) as exc:
                    LOG.warning('Cannot read %s: %s', path, exc)
                    self._names = frozenset()
                self._key = key
            return self._names


DECLARED = _DeclaredAttributes()


def _has_values(rows, name):
    return any(row.get(name) not in (None, '') for row in rows)


class Summary(base.BaseResource):
    """Aggregated totals of the rated data, grouped and filtered."""

    def _check_groupby(self, groupby, result, query):
        """400 for a groupby attribute that exists nowhere.

        An attribute is known when it is built in, declared in metrics.yml
        or carried by the rated data the query selects.
        """
        declared = BUILTIN_GROUPBY | {CONF.collect.scope_key}
        unknown = [g for g in groupby if g not in declared]
        if not unknown:
            return
        unknown = [g for g in unknown if g not in DECLARED.get()]
        if not unknown or not result['total']:
            return
        rows = result['results']
        complete = query['offset'] == 0 and len(rows) >= result['total']
        missing = []
        for name in unknown:
            if _has_values(rows, name):
                continue
            if not complete:
                # The page may miss the groups that carry the attribute.
                probe = self._storage.total(
                    groupby=[name], begin=query['begin'], end=query['end'],
                    filters=query['filters'],
                    metric_types=query['metric_types'], paginate=False)
                if _has_values(probe['results'], name):
                    continue
            missing.append(name)
        if missing:
            raise http_exc.BadRequest(
                'Invalid groupby: unknown attribute(s) %s. Use "type", a '
                'time option (time, time-d, time-w, time-m, time-y) or an '
                'attribute of the rated data.' % ', '.join(missing))

    @api_utils.paginated
    @api_utils.add_input_schema('query', {
        voluptuous.Optional('response_format'):
            api_utils.SingleQueryParam(str),
        voluptuous.Optional('custom_fields'):
            api_utils.SingleQueryParam(str),
        voluptuous.Optional('groupby'): api_utils.MultiQueryParam(str),
        voluptuous.Optional('filters'):
            api_utils.MultiDictQueryParam(str, str),
        voluptuous.Optional('begin'):
            api_utils.SingleQueryParam(validation.iso_datetime),
        voluptuous.Optional('end'):
            api_utils.SingleQueryParam(validation.iso_datetime),
    })
    def get(self, response_format=TABLE, custom_fields=None, groupby=None,
            filters=None, begin=None, end=None, offset=0, limit=100):
        if response_format not in RESPONSE_FORMATS:
            # The reference answers 500 here; it is a client error.
            raise http_exc.BadRequest(
                'Invalid response_format %r: must be one of %s.'
                % (response_format, ', '.join(RESPONSE_FORMATS)))
        context = base.get_context()
        policy.authorize(context, 'summary:get_summary',
                         {'project_id': context.project_id})
        begin, end = common.period(begin, end)
        groupby = parse_groupby(groupby)

        filters = common.scoped_filters(context, filters)
        if filters is None:
            return {'total': 0, 'columns': [], 'results': [],
                    'format': response_format}
        metric_types = filters.pop('type', [])
        if not isinstance(metric_types, list):
            metric_types = [metric_types]

        query = {'begin': begin, 'end': end, 'filters': filters,
                 'metric_types': metric_types, 'offset': offset}
        kwargs = {}
        if custom_fields:
            kwargs['custom_fields'] = custom_fields
        try:
            if common.is_empty(begin, end):
                # Begin after end: no rows (200), as the reference.
                result = {'total': 0, 'results': []}
            else:
                result = self._storage.total(
                    groupby=groupby or None, begin=begin, end=end,
                    metric_types=metric_types, filters=filters,
                    offset=offset, limit=limit, paginate=True, **kwargs)
        except http_exc.HTTPException:
            raise
        except NotImplementedError as exc:
            raise http_exc.BadRequest(
                'custom_fields is not supported by the %s storage backend%s'
                % (CONF.storage.backend, ': %s' % exc if str(exc) else '.'))
        except (ValueError, RuntimeError) as exc:
            if not custom_fields:
                raise
            # A custom aggregate the backend refuses is a client error.
            raise http_exc.BadRequest(
                'Invalid custom_fields %r: %s' % (custom_fields, exc))
        self._check_groupby(groupby, result, query)

        output = {'total': result['total']}
        results = result['results']
        if response_format == TABLE:
            output['columns'] = list(results[0].keys()) if results else []
            output['results'] = [list(row.values()) for row in results]
        else:
            output['results'] = results
        output['format'] = response_format
        return output
