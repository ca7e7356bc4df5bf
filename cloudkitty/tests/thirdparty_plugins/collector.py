"""Example collector: deterministic usage computed from the period.

For every metric of metrics.yml and every scope, it reports
``[collector_example] resources`` resources; resource ``i`` (from 0) used
``extra_args.base * (i + 1)`` units per hour of the period. A real
collector queries its data source in ``fetch_all`` instead.
"""
import decimal

from oslo_config import cfg
from voluptuous import Required
from voluptuous import Schema

from cloudkitty import collector
from cloudkitty import utils as ck_utils
from cloudkitty.utils import tz as tz_utils

# A collector registers its own option group at import time.
collector_example_opts = [
    cfg.IntOpt('resources', default=2, min=0,
               help='Number of resources reported per metric and scope.'),
]
cfg.CONF.register_opts(collector_example_opts, 'collector_example')

# Collector-specific keys of a metric definition, under extra_args.
EXAMPLE_EXTRA_SCHEMA = {
    Required('extra_args', default={}): {
        Required('base', default='1'): str,
    },
}


class ExampleCollector(collector.BaseCollector):
    collector_name = 'example'

    @staticmethod
    def check_configuration(conf):
        # The base class validates metrics.yml and normalises each metric
        # (defaults, scope key in groupby); extend its schema with ours.
        conf = collector.BaseCollector.check_configuration(conf)
        metric_schema = Schema(collector.METRIC_BASE_SCHEMA).extend(
            EXAMPLE_EXTRA_SCHEMA)
        return {name: metric_schema(metric) for name, metric in conf.items()}

    def _resources(self, project_id, metric_name):
        scope_key = cfg.CONF.collect.scope_key
        for index in range(cfg.CONF.collector_example.resources):
            yield index, {
                'id': '%s-%s-%d' % (project_id, metric_name, index),
                scope_key: project_id,
                'user_id': 'user-%d' % (index % 2),
                'flavor_name': 'm1.small',
            }

    # The scope parameter is called project_id here: CloudKitty passes it
    # positionally, whatever its name.
    def fetch_all(self, metric_name, start, end, project_id=None,
                  q_filter=None):
        metric = self.conf[metric_name]
        extra = metric['extra_args']
        hours = decimal.Decimal(tz_utils.diff_seconds(end, start)) / 3600
        points = []
        for index, resource in self._resources(project_id, metric_name):
            raw = ck_utils.num2decimal(extra['base']) * (index + 1) * hours
            qty = ck_utils.convert_unit(raw, metric['factor'],
                                        metric['offset'])
            qty = ck_utils.mutate(qty, metric['mutate'],
                                  metric.get('mutate_map'))
            groupby = {key: resource.get(key, '')
                       for key in metric['groupby']}
            metadata = {key: resource.get(key, '')
                        for key in metric['metadata']}
            points.append(self._create_data_point(
                metric, qty, 0, groupby, metadata, start))
        return points
