"""Every CloudKitty option group, listed for oslo-config-generator."""
import copy
import itertools

import cloudkitty.api.app
import cloudkitty.collector
import cloudkitty.collector.aetos
import cloudkitty.collector.gnocchi
import cloudkitty.collector.prometheus
from cloudkitty.common import auth
from cloudkitty.common import keystoneauth
# [database] (listed by oslo.db's own namespace): importing this module
# registers every option a service reads.
import cloudkitty.db  # noqa: F401
import cloudkitty.fetcher
import cloudkitty.fetcher.gnocchi
import cloudkitty.fetcher.keystone
import cloudkitty.fetcher.prometheus
import cloudkitty.fetcher.source
import cloudkitty.processor
import cloudkitty.service
import cloudkitty.storage
import cloudkitty.storage.v1.hybrid
import cloudkitty.storage.v2.influx
import cloudkitty.storage.v2.loki_opts
import cloudkitty.storage.v2.search_opts

__all__ = ['list_opts']

_opts = [
    ('api', list(itertools.chain(
        cloudkitty.api.app.api_group_opts))),
    ('collect', list(itertools.chain(
        cloudkitty.collector.collect_opts))),
    ('collector_gnocchi', list(itertools.chain(
        cloudkitty.collector.gnocchi.collector_gnocchi_opts,
        keystoneauth.list_opts()))),
    ('collector_prometheus', list(itertools.chain(
        cloudkitty.collector.prometheus.collector_prometheus_opts))),
    ('collector_aetos', list(itertools.chain(
        cloudkitty.collector.aetos.collector_aetos_opts,
        keystoneauth.list_opts()))),
    ('fetcher', list(itertools.chain(
        cloudkitty.fetcher.fetcher_opts))),
    ('fetcher_gnocchi', list(itertools.chain(
        cloudkitty.fetcher.gnocchi.fetcher_gnocchi_opts,
        keystoneauth.list_opts()))),
    ('fetcher_keystone', list(itertools.chain(
        cloudkitty.fetcher.keystone.fetcher_keystone_opts,
        keystoneauth.list_opts()))),
    ('fetcher_prometheus', list(itertools.chain(
        cloudkitty.fetcher.prometheus.fetcher_prometheus_opts))),
    ('fetcher_source', list(itertools.chain(
        cloudkitty.fetcher.source.fetcher_source_opts))),
    ('orchestrator', list(itertools.chain(
        cloudkitty.processor.orchestrator_opts))),
    ('storage', list(itertools.chain(
        cloudkitty.storage.storage_opts,
        cloudkitty.storage.retention_opts))),
    ('storage_influxdb', list(itertools.chain(
        cloudkitty.storage.v2.influx.influx_storage_opts))),
    ('storage_elasticsearch', list(itertools.chain(
        cloudkitty.storage.v2.search_opts.elasticsearch_storage_opts))),
    ('storage_opensearch', list(itertools.chain(
        cloudkitty.storage.v2.search_opts.opensearch_storage_opts))),
    ('storage_loki', list(itertools.chain(
        cloudkitty.storage.v2.loki_opts.loki_storage_opts))),
    ('storage_gnocchi', list(itertools.chain(
        cloudkitty.storage.v1.hybrid.gnocchi_storage_opts,
        keystoneauth.list_opts()))),
    ('storage_hybrid', list(itertools.chain(
        cloudkitty.storage.v1.hybrid.hybrid_opts))),
    (None, list(itertools.chain(
        cloudkitty.api.app.api_opts,
        auth.auth_opts,
        cloudkitty.service.service_opts))),
]


def list_opts():
    return [(group, copy.deepcopy(opts)) for group, opts in _opts]
