"""Options of the Elasticsearch and OpenSearch v2 storage drivers.

The drivers are not shipped yet; their options are registered so that
existing configuration files keep loading.
"""
from oslo_config import cfg


def _search_opts(name):
    return [
        cfg.StrOpt('host',
                   help='%s host, along with port and protocol. '
                        'Defaults to http://localhost:9200' % name,
                   default='http://localhost:9200'),
        cfg.StrOpt('index_name',
                   help='%s index to use. Defaults to "cloudkitty".' % name,
                   default='cloudkitty'),
        cfg.BoolOpt('insecure',
                    help='Set to true to allow insecure HTTPS connections '
                         'to %s' % name,
                    default=False),
        cfg.StrOpt('cafile',
                   help='Path of the CA certificate to trust for HTTPS '
                        'connections.',
                   default=None),
        cfg.IntOpt('scroll_duration',
                   help='Duration (in seconds) for which the %s scroll '
                        'contexts should be kept alive.' % name,
                   advanced=True,
                   default=30, min=0, max=300),
        cfg.BoolOpt('use_datastream',
                    help='Use a datastream rather than an index.',
                    default=False),
    ]


elasticsearch_storage_opts = _search_opts('Elasticsearch')
opensearch_storage_opts = _search_opts('OpenSearch')

CONF = cfg.CONF
CONF.register_opts(elasticsearch_storage_opts, 'storage_elasticsearch')
CONF.register_opts(opensearch_storage_opts, 'storage_opensearch')
