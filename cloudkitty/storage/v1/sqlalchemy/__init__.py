"""The v1 ``sqlalchemy`` storage: one row per rated point in
``rated_data_frames`` (``[database] connection``).

The table and its migration chain (``storage_sqlalchemy_alembic``) are the
reference's, plus one revision making ``rate`` an exact NUMERIC. Rows keep
the buffered period as ``begin``/``end``, the metric type as ``res_type``,
the point's metadata and group-by attributes as the JSON ``desc``. A
period committed without data is a ``_NO_DATA_`` marker row. Committing a
period first deletes the tenant's rows of that period, in the same
transaction (exactly once, even when a period is processed again).
"""
import collections
import decimal
import json

from oslo_log import log as logging
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.db import migration
from cloudkitty.storage import v1 as storage_v1
from cloudkitty.storage.v1.sqlalchemy import models
from cloudkitty.utils import json as ck_json

LOG = logging.getLogger(__name__)

TABLE = models.rated_data_frames
ZERO = decimal.Decimal(0)


def get_migration():
    """The chain of this backend (``storage_sqlalchemy_alembic``)."""
    return migration.AlembicChain(
        'storage_sqlalchemy', migration.chain_dir(__file__),
        'storage_sqlalchemy_alembic', models.metadata)


def _plain(value):
    """A Decimal without exponent nor trailing zeros."""
    value = decimal.Decimal(value)
    if value == 0:
        return ZERO
    value = value.normalize()
    if value.as_tuple().exponent > 0:
        value = value.quantize(decimal.Decimal(1))
    return value


def _period_filter(begin, end):
    conditions = []
    if begin is not None:
        conditions += [TABLE.c.begin >= begin, TABLE.c.end >= begin]
    if end is not None:
        conditions += [TABLE.c.begin <= end, TABLE.c.end <= end]
    return conditions


class SQLAlchemyStorage(storage_v1.BaseStorage):
    """v1 storage on the SQL database."""

    def init(self):
        get_migration().upgrade('head')

    def _commit_period(self, tenant_id, begin, end, points):
        rows = []
        for res_type, point in points:
            vol = point.get('vol', {})
            rating = point.get('rating') or {}
            price = rating.get('price')
            rows.append({
                'tenant_id': tenant_id,
                'begin': begin,
                'end': end,
                'unit': vol.get('unit') or 'undefined',
                'qty': decimal.Decimal(str(vol.get('qty', 0))),
                'res_type': res_type,
                'rate': decimal.Decimal(str(price)) if price is not None
                else ZERO,
                'desc': ck_json.dumps(dict(point.get('desc') or {})),
            })
        if not rows:
            rows.append({'tenant_id': tenant_id, 'begin': begin, 'end': end,
                         'unit': 'None', 'qty': ZERO,
                         'res_type': storage_v1.NO_DATA, 'rate': ZERO,
                         'desc': ''})
        with db.session_for_write() as session:
            session.execute(TABLE.delete().where(
                TABLE.c.tenant_id == tenant_id
                if tenant_id is not None else TABLE.c.tenant_id.is_(None),
                TABLE.c.begin == begin, TABLE.c.end == end))
            session.execute(TABLE.insert(), rows)

    def _type_filter(self, res_type):
        if res_type:
            return [TABLE.c.res_type == res_type]
        return [TABLE.c.res_type != storage_v1.NO_DATA]

    def get_total(self, begin=None, end=None, tenant_id=None, service=None,
                  groupby=None):
        columns = []
        for name in (groupby or '').split(','):
            name = name.strip()
            if name in ('res_type', 'tenant_id') and name not in columns:
                columns.append(name)
        group_cols = [TABLE.c[name] for name in columns]
        where = _period_filter(begin, end) + self._type_filter(service)
        if tenant_id:
            where.append(TABLE.c.tenant_id == tenant_id)
        engine = db.get_engine()
        sums = collections.OrderedDict()
        with engine.connect() as conn:
            if engine.dialect.name == 'sqlite':
                # No decimal type on SQLite: sum the stored values exactly
                # here rather than as floats in SQL.
                query = sa.select(*group_cols, TABLE.c.rate).where(*where)
                for row in conn.execute(query):
                    key = tuple(row[:-1])
                    sums[key] = sums.get(key, ZERO) + row[-1]
                if not columns and not sums:
                    sums[()] = None
            else:
                query = sa.select(
                    *group_cols, sa.func.sum(TABLE.c.rate)).where(*where)
                if group_cols:
                    query = query.group_by(*group_cols)
                for row in conn.execute(query):
                    sums[tuple(row[:-1])] = row[-1]
        results = []
        for key, rate in sums.items():
            total = dict(zip(columns, key))
            total.update({'begin': begin, 'end': end,
                          'rate': None if rate is None else _plain(rate)})
            results.append(total)
        results.sort(key=lambda r: r['rate'] or ZERO)
        return results

    def get_tenants(self, begin, end):
        query = sa.select(TABLE.c.tenant_id).where(
            *_period_filter(begin, end)).distinct()
        with db.get_engine().connect() as conn:
            return [row[0] for row in conn.execute(query)
                    if row[0] is not None]

    def get_time_frame(self, begin, end, **filters):
        where = _period_filter(begin, end) + self._type_filter(
            filters.get('res_type'))
        if filters.get('tenant_id'):
            where.append(TABLE.c.tenant_id == filters['tenant_id'])
        query = sa.select(TABLE).where(*where).order_by(TABLE.c.id)
        frames = []
        with db.get_engine().connect() as conn:
            for row in conn.execute(query):
                frames.append(self._to_legacy(row))
        if not frames:
            raise storage_v1.NoTimeFrame()
        return frames

    @staticmethod
    def _to_legacy(row):
        try:
            desc = json.loads(row.desc) if row.desc else {}
        except ValueError:
            desc = {}
        if not isinstance(desc, dict):
            desc = {}
        if row.tenant_id is not None:
            desc['tenant_id'] = row.tenant_id
        return {
            'period': {'begin': row.begin, 'end': row.end},
            'usage': {row.res_type: [{
                'desc': desc,
                'vol': {'unit': row.unit, 'qty': _plain(row.qty)},
                'rating': {'price': _plain(row.rate)},
            }]},
        }
