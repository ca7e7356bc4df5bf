"""Options of the v1 hybrid storage.

The v1 storage drivers are not shipped; the options stay registered so that
existing configuration files keep loading.
"""
import json

from oslo_config import cfg
from oslo_config import types

from cloudkitty.common import keystoneauth

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
