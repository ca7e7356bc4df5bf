"""InfluxDB 1.x v2 storage driver (``influxdb``, layout as the reference).

One InfluxDB point per rated DataPoint in the measurement ``dataframes``:
time = period start, tags = group-by attributes plus ``type``, fields =
metadata, ``qty``, ``price``, ``unit``, ``groupby`` and ``metadata`` (the
attribute names joined with ``|``) and ``__ck_collect_period``.

Differences with the reference, all fixes of its bugs:

* ``push`` is idempotent per (scope, period): before writing a frame, the
  points it replaces are deleted: with a scope id, every point of the
  period whose ``[collect] scope_key`` tag is that id; without one
  (``POST /v2/dataframes``), every point of the period with the same
  (scope, type) tags as a pushed point.
* ``total`` grouped by ``time`` uses ``fill(none)``: buckets without data
  are not returned (the reference returned rows with null aggregates).
  ``groupby=["time"]`` alone no longer renders ``GROUP BY time(...),""``.
* ``delete`` honours every filter. InfluxDB deletes by tags only, so a
  filter on a metadata attribute (an InfluxDB field) is refused with a
  clear error instead of being ignored.
* Invalid ``custom_fields`` (SQL keywords, ``;``) are a 400
  (``InvalidQuery``), not a 500.
* Aggregates are returned as Decimal (from the float InfluxDB returns).

InfluxDB stores numbers as floats: quantities and prices have ~15
significant digits; use the ``sqlalchemy`` backend for exact decimals.
Two points of one frame with the same metric type and the same group-by
attributes are the same InfluxDB point (the last one wins), as in the
reference.
"""
import decimal
import re

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import dataframe
from cloudkitty.storage import v2 as storage_v2
from cloudkitty.utils import lazy
from cloudkitty.utils import tz as tzutils

# Imported on first use, for start-up time (every process imports this
# module to register its options).
influxdb = lazy.LazyModule('influxdb')

LOG = logging.getLogger(__name__)

influx_storage_opts = [
    cfg.StrOpt('username', help='InfluxDB username'),
    cfg.StrOpt('password', help='InfluxDB password', secret=True),
    cfg.StrOpt('database', help='InfluxDB database'),
    cfg.StrOpt('retention_policy', default='autogen',
               help='Retention policy to use'),
    cfg.StrOpt('host', help='InfluxDB host', default='localhost'),
    cfg.PortOpt('port', help='InfluxDB port', default=8086),
    cfg.BoolOpt('use_ssl', help='Set to true to use ssl for influxDB '
                'connection. Defaults to False', default=False),
    cfg.BoolOpt('insecure', help='Set to true to authorize insecure HTTPS '
                'connections to influxDB. Defaults to False', default=False),
    cfg.StrOpt('cafile', help='Path of the CA certificate to trust for '
               'HTTPS connections', default=None),
    cfg.IntOpt('version', help='InfluxDB version', default=1),
    cfg.IntOpt('query_timeout', help='Flux query timeout in milliseconds',
               default=3600000),
    cfg.StrOpt('token', help='InfluxDB API token for version 2 '
               'authentication', default=None, secret=True),
    cfg.StrOpt('org', help='InfluxDB 2 org', default='openstack'),
    cfg.StrOpt('bucket', help='InfluxDB 2 bucket', default='cloudkitty'),
    cfg.StrOpt('url', help='InfluxDB 2 URL', default=None),
    cfg.FloatOpt('timeout', help='Timeout of InfluxDB 2 queries, seconds',
                 default=60, min=0),
]

CONF = cfg.CONF
CONF.register_opts(influx_storage_opts, 'storage_influxdb')

MEASUREMENT = 'dataframes'
PERIOD_FIELD = '__ck_collect_period'
RESERVED = frozenset(('time', 'type', 'qty', 'price', 'unit', 'groupby',
                      'metadata', 'description', PERIOD_FIELD))
FORBIDDEN_WORDS = ('select', 'from', 'drop', 'delete', 'create', 'alter',
                   'insert', 'update', 'into', 'grant', 'revoke', 'kill')
DEFAULT_CUSTOM_FIELDS = 'SUM(qty) AS qty, SUM(price) AS rate'
_WORD = re.compile(r'[A-Za-z_]+')
_DELETE_CHUNK = 50


def _ident(name):
    return '"%s"' % str(name).replace('\\', '\\\\').replace('"', '\\"')


def _literal(value):
    if isinstance(value, bool):
        return "'%s'" % ('true' if value else 'false')
    if isinstance(value, (int, float, decimal.Decimal)):
        return str(value)
    return "'%s'" % str(value).replace('\\', '\\\\').replace("'", "\\'")


def _time(dt):
    return tzutils.local_to_utc(dt).strftime("'%Y-%m-%dT%H:%M:%SZ'")


def _filter(key, values):
    values = storage_v2.as_list(values)
    clauses = ['%s=%s' % (_ident(key), _literal(v)) for v in values]
    if len(clauses) == 1:
        return clauses[0]
    return '(' + ' OR '.join(clauses) + ')'


def _tag_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def _field_value(value):
    if isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        # Integers and floats are distinct InfluxDB field types; one
        # metadata key must keep one type.
        return float(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _to_decimal(value):
    if value is None or isinstance(value, (int, bool)):
        return value
    if isinstance(value, float):
        return dataframe.to_decimal(value)
    return value


class InfluxClient(object):
    """Thin wrapper of the InfluxDB 1.x HTTP client."""

    def __init__(self, default_period=3600):
        conf = CONF.storage_influxdb
        verify = conf.use_ssl and not conf.insecure
        if conf.use_ssl and conf.cafile:
            verify = conf.cafile
        kwargs = {'host': conf.host, 'port': conf.port,
                  'database': conf.database, 'ssl': conf.use_ssl,
                  'verify_ssl': verify}
        # The client's own defaults are root/root; pass ours only if set.
        if conf.username:
            kwargs['username'] = conf.username
        if conf.password:
            kwargs['password'] = conf.password
        self.client = influxdb.InfluxDBClient(**kwargs)
        self.database = conf.database
        self.retention_policy = conf.retention_policy
        self.default_period = default_period

    def query(self, query):
        LOG.debug('InfluxDB query: %s', query)
        return self.client.query(query, database=self.database, epoch='s')

    def write(self, points):
        if points:
            self.client.write_points(
                points, time_precision='s', database=self.database,
                retention_policy=self.retention_policy, batch_size=5000)

    def tag_keys(self):
        result = self.query('SHOW TAG KEYS FROM %s' % _ident(MEASUREMENT))
        return {row['tagKey'] for row in result.get_points()}


class InfluxStorage(storage_v2.BaseStorage):
    """v2 storage on InfluxDB 1.x (``[storage_influxdb]``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._conn = InfluxClient(default_period=self._period)

    def init(self):
        conn = self._conn
        databases = {d['name'] for d in conn.client.get_list_database()}
        if conn.database not in databases:
            LOG.info('Creating the InfluxDB database %s', conn.database)
            conn.client.create_database(conn.database)
        policies = {p['name'] for p in
                    conn.client.get_list_retention_policies(conn.database)}
        if conn.retention_policy not in policies:
            LOG.error('Archive policy "%s" does not exist in database "%s"',
                      conn.retention_policy, conn.database)

    # -- writes -----------------------------------------------------------
    def _points(self, frame):
        start = int(tzutils.localized(frame.start).timestamp())
        period = int(tzutils.diff_seconds(frame.end, frame.start))
        output = []
        for type_, point in frame.iterpoints():
            tags = {str(k): _tag_value(v) for k, v in point.groupby.items()
                    if v is not None and _tag_value(v) != ''
                    and str(k) not in RESERVED}
            tags['type'] = type_
            fields = {str(k): _field_value(v)
                      for k, v in point.metadata.items()
                      if v is not None and str(k) not in RESERVED
                      and k not in point.groupby}
            fields.update({
                'qty': float(point.qty),
                'price': float(point.price),
                'unit': point.unit,
                'groupby': '|'.join(str(k) for k in point.groupby),
                'metadata': '|'.join(str(k) for k in point.metadata),
                PERIOD_FIELD: period,
            })
            if point.description is not None:
                fields['description'] = str(point.description)
            output.append({'measurement': MEASUREMENT, 'tags': tags,
                           'fields': fields, 'time': start})
        return output

    def push(self, dataframes, scope_id=None):
        """Store frames, replacing what the scope stored for their periods.

        See the module documentation for the replacement rule.
        """
        scope_key = self._scope_key()
        points = []
        for frame in dataframes:
            where = ' WHERE time >= %s AND time < %s' % (
                _time(frame.start), _time(frame.end))
            if scope_id is not None:
                conditions = [_filter(scope_key, str(scope_id))]
            else:
                pairs = sorted({
                    (_tag_value(point.groupby.get(scope_key, '')), type_)
                    for type_, point in frame.iterpoints()})
                conditions = []
                for start in range(0, len(pairs), _DELETE_CHUNK):
                    chunk = pairs[start:start + _DELETE_CHUNK]
                    conditions.append('(%s)' % ' OR '.join(
                        '(%s AND %s)' % (_filter(scope_key, scope),
                                         _filter('type', type_))
                        for scope, type_ in chunk))
            for condition in conditions:
                # A DELETE is much slower than a query in InfluxDB 1.x:
                # only delete when the period holds something to replace.
                count = self._conn.query('SELECT COUNT(qty) FROM %s%s AND %s'
                                         % (_ident(MEASUREMENT), where,
                                            condition))
                if any(row.get('count') for row in count.get_points()):
                    self._conn.query('DELETE FROM %s%s AND %s' % (
                        _ident(MEASUREMENT), where, condition))
            points += self._points(frame)
        self._conn.write(points)

    def delete(self, begin=None, end=None, filters=None):
        """Delete the points starting in [begin, end) matching every filter.

        A None bound is open. Filters must name tags (group-by attributes
        or ``type``): InfluxDB cannot delete by field.
        """
        filters = storage_v2.normalize_filters(filters)
        clauses = []
        if begin is not None:
            clauses.append('time >= %s' % _time(begin))
        if end is not None:
            clauses.append('time < %s' % _time(end))
        if filters:
            tags = self._conn.tag_keys() | {'type'}
            for key, values in filters.items():
                if key not in tags:
                    if self._is_field(key):
                        raise storage_v2.InvalidQuery(
                            'InfluxDB storage can only delete by group-by '
                            'attributes: %s is a metadata attribute.' % key)
                    # No point has this attribute: nothing matches.
                    return
                clauses.append(_filter(key, values))
        query = 'DELETE FROM %s' % _ident(MEASUREMENT)
        if clauses:
            query += ' WHERE ' + ' AND '.join(clauses)
        self._conn.query(query)

    def _is_field(self, key):
        result = self._conn.query('SHOW FIELD KEYS FROM %s'
                                  % _ident(MEASUREMENT))
        return key in {row['fieldKey'] for row in result.get_points()}

    # -- reads ------------------------------------------------------------
    @staticmethod
    def _where(begin, end, filters, metric_types):
        query = ' WHERE time >= %s AND time < %s' % (_time(begin), _time(end))
        for key, values in filters.items():
            query += ' AND ' + _filter(key, values)
        if metric_types:
            query += ' AND ' + _filter('type', metric_types)
        return query

    def retrieve(self, begin=None, end=None, filters=None, metric_types=None,
                 offset=0, limit=1000, paginate=True):
        begin, end = self._default_bounds(begin, end)
        filters = storage_v2.normalize_filters(filters)
        metric_types = storage_v2.as_list(metric_types)
        where = self._where(begin, end, filters, metric_types)
        count = self._conn.query('SELECT COUNT(qty) FROM %s%s' % (
            _ident(MEASUREMENT), where))
        total = sum(row.get('count') or 0 for row in count.get_points())
        frames = []
        if total and (not paginate or offset < total):
            query = 'SELECT * FROM %s%s' % (_ident(MEASUREMENT), where)
            if paginate:
                query += ' LIMIT %d OFFSET %d' % (limit, offset)
            frames = self._frames(self._conn.query(query).get_points())
        return {'total': int(total), 'dataframes': frames}

    def _frames(self, rows):
        frames = {}
        for row in rows:
            period = row.get(PERIOD_FIELD) or self._period
            key = (row['time'], int(period))
            frame = frames.get(key)
            if frame is None:
                # Times are converted once per frame, not per row (a third
                # of the time of a large read).
                frame = frames[key] = dataframe.DataFrame(
                    tzutils.dt_from_ts(row['time']),
                    tzutils.dt_from_ts(row['time'] + int(period)))
            groupby = {k: row.get(k) if row.get(k) is not None else ''
                       for k in (row.get('groupby') or '').split('|') if k}
            metadata = {k: row.get(k) if row.get(k) is not None else ''
                        for k in (row.get('metadata') or '').split('|')
                        if k}
            frame.add_point(dataframe.DataPoint(
                row.get('unit'), row.get('qty') or 0,
                row.get('price') or 0, groupby, metadata), row['type'])
        return [frames[key] for key in sorted(frames)]

    @staticmethod
    def _check_custom_fields(custom_fields):
        if ';' in custom_fields:
            raise storage_v2.InvalidQuery(
                'Invalid custom_fields: ";" is not allowed.')
        for word in _WORD.findall(custom_fields):
            if word.lower() in FORBIDDEN_WORDS:
                raise storage_v2.InvalidQuery(
                    'Invalid custom_fields: the keyword %s is not '
                    'allowed.' % word)

    def total(self, groupby=None, begin=None, end=None, metric_types=None,
              filters=None, custom_fields=None, offset=0, limit=1000,
              paginate=True):
        begin, end = self._default_bounds(begin, end)
        time_grouped, keys = storage_v2.groupby_keys(
            self.parse_groupby_syntax_to_groupby_elements(
                list(groupby or [])))
        filters = storage_v2.normalize_filters(filters)
        metric_types = storage_v2.as_list(metric_types)
        custom_fields = custom_fields or DEFAULT_CUSTOM_FIELDS
        self._check_custom_fields(custom_fields)
        query = 'SELECT %s FROM %s%s' % (
            custom_fields, _ident(MEASUREMENT),
            self._where(begin, end, filters, metric_types))
        group = []
        if time_grouped:
            group.append('time(%ds)' % self._period)
        group += [_ident(k) for k in keys]
        if group:
            query += ' GROUP BY ' + ','.join(group)
        if time_grouped:
            query += ' fill(none)'
        try:
            result = self._conn.query(query)
        except influxdb.exceptions.InfluxDBClientError as exc:
            if exc.code == 400:
                raise storage_v2.InvalidQuery(
                    'Invalid query: %s' % exc.content)
            raise
        rows = []
        for (_, tags), series in result.items():
            tags = tags or {}
            for row in series:
                values = {k: v for k, v in row.items() if k != 'time'}
                if all(v is None for v in values.values()):
                    continue
                if time_grouped:
                    start = tzutils.dt_from_ts(row['time'])
                    output = {'begin': start,
                              'end': tzutils.dt_from_ts(
                                  row['time'] + self._period)}
                else:
                    output = {'begin': begin, 'end': end}
                output.update({k: _to_decimal(v) for k, v in values.items()})
                for key in keys:
                    output[key] = tags.get(key) or ''
                rows.append(output)
        rows.sort(key=lambda r: [r[k] or '' for k in keys] + [r['begin']])
        total = len(rows)
        if paginate:
            rows = rows[offset:offset + limit]
        return {'total': total, 'results': rows}
