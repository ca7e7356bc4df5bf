"""The v1 ``hybrid`` storage: a per-tenant state in the SQL database
(``hybrid_storage_states``, chain ``storage_hybrid_alembic``) and the rated
points in a backend of ``cloudkitty.storage.hybrid.backends``
(``[storage_hybrid] backend``, default ``gnocchi``).
"""
import json

from oslo_config import cfg
from oslo_config import types
from oslo_log import log as logging

from cloudkitty.common import keystoneauth
from cloudkitty.storage import v1 as storage_v1

LOG = logging.getLogger(__name__)

STORAGE_GNOCCHI_OPTS = 'storage_gnocchi'
STORAGE_HYBRID_OPTS = 'storage_hybrid'


class ArchivePolicyList(types.ConfigType):
    """A JSON list of {granularity, timespan} objects."""

    def __init__(self, type_name='archive policy definition'):
        super().__init__(type_name=type_name)

    def __call__(self, value):
        if isinstance(value, list):
            policy = value
        else:
            try:
                policy = json.loads(value)
            except ValueError:
                raise ValueError('must be a JSON list')
        if not isinstance(policy, list):
            raise ValueError('must be a JSON list')
        for item in policy:
            if not isinstance(item, dict) or set(item) != {
                    'granularity', 'timespan'}:
                raise ValueError('each item must have exactly the keys '
                                 'granularity and timespan')
        return policy

    def _formatter(self, value):
        return json.dumps(value)


def _default_archive_policy():
    return [
        {'granularity': cfg.CONF.collect.period, 'timespan': '90 days'},
        {'granularity': 86400, 'timespan': '360 days'},
        {'granularity': 2592000, 'timespan': '1800 days'},
    ]


hybrid_opts = [
    cfg.StrOpt('backend',
               default='gnocchi',
               help='Name of the backend to load.'),
]

gnocchi_storage_opts = [
    cfg.StrOpt('interface',
               default='internalURL',
               help='endpoint url type'),
    cfg.StrOpt('archive_policy_name',
               default='rating',
               help='Gnocchi storage archive policy name.'),
    cfg.Opt('archive_policy_definition',
            type=ArchivePolicyList(),
            default=[
                {'granularity': 3600, 'timespan': '90 days'},
                {'granularity': 86400, 'timespan': '360 days'},
                {'granularity': 2592000, 'timespan': '1800 days'},
            ],
            help='Gnocchi storage archive policy definition. The first '
                 'granularity defaults to [collect] period.'),
]

CONF = cfg.CONF
CONF.register_opts(hybrid_opts, STORAGE_HYBRID_OPTS)
CONF.register_opts(gnocchi_storage_opts, STORAGE_GNOCCHI_OPTS)
keystoneauth.register(STORAGE_GNOCCHI_OPTS)


HYBRID_BACKENDS_NAMESPACE = 'cloudkitty.storage.hybrid.backends'


def _models():
    import sqlalchemy as sa
    global _TABLE
    if _TABLE is None:
        metadata = sa.MetaData()
        _TABLE = sa.Table(
            'hybrid_storage_states', metadata,
            sa.Column('id', sa.Integer(), primary_key=True),
            sa.Column('tenant_id', sa.String(32), nullable=False),
            sa.Column('state', sa.DateTime(), nullable=False),
            mysql_charset='utf8', mysql_engine='InnoDB')
    return _TABLE


_TABLE = None


def get_migration():
    """The chain of the hybrid state table (``storage_hybrid_alembic``)."""
    from cloudkitty.db import migration
    return migration.AlembicChain(
        'storage_hybrid', migration.chain_dir(__file__),
        'storage_hybrid_alembic', _models().metadata)


class HybridStorage(storage_v1.BaseStorage):
    """Tenant states in SQL, rated points in the hybrid backend."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from stevedore import driver
        self._hybrid_backend = driver.DriverManager(
            HYBRID_BACKENDS_NAMESPACE, CONF.storage_hybrid.backend,
            invoke_on_load=True, invoke_kwds={
                'period': self._period}).driver

    def init(self):
        get_migration().upgrade('head')
        self._hybrid_backend.init()

    def get_state(self, tenant_id=None):
        """End of the last committed period of the tenant (naive UTC)."""
        import sqlalchemy as sa

        from cloudkitty import db
        table = _models()
        query = sa.select(table.c.state).order_by(table.c.state.desc())
        if tenant_id:
            query = query.where(table.c.tenant_id == tenant_id)
        with db.get_engine().connect() as conn:
            row = conn.execute(query.limit(1)).first()
        return row[0] if row else None

    def _set_state(self, tenant_id, state):
        import sqlalchemy as sa

        from cloudkitty import db
        table = _models()
        tenant = str(tenant_id or '')[:32]
        with db.session_for_write() as session:
            updated = session.execute(table.update().where(
                table.c.tenant_id == tenant).values(state=state)).rowcount
            if not updated:
                session.execute(sa.insert(table).values(
                    tenant_id=tenant, state=state))

    def _commit_period(self, tenant_id, begin, end, points):
        for res_type, point in points:
            self._hybrid_backend.append_time_frame(
                res_type, point, tenant_id, begin, end)
        self._hybrid_backend.commit(tenant_id)
        self._set_state(tenant_id, end)

    def get_total(self, begin=None, end=None, tenant_id=None, service=None,
                  groupby=None):
        return self._hybrid_backend.get_total(
            begin=begin, end=end, tenant_id=tenant_id, service=service,
            groupby=groupby)

    def get_tenants(self, begin, end):
        return self._hybrid_backend.get_tenants(begin, end)

    def get_time_frame(self, begin, end, **filters):
        return self._hybrid_backend.get_time_frame(begin, end, **filters)
