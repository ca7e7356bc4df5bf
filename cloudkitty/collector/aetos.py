"""Aetos collector: Prometheus queries through Aetos.

Aetos exposes the Prometheus HTTP API behind Keystone authentication. The
reference goes through python-observabilityclient; this implementation
sends the same instant queries with a keystoneauth adapter (service type
``metric-storage``), so no extra client library is needed.
"""
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg

from cloudkitty.collector import prometheus
from cloudkitty.common import keystoneauth

AETOS_COLLECTOR_OPTS = 'collector_aetos'

collector_aetos_opts = [
    cfg.StrOpt('interface',
               default='public',
               choices=['internal', 'public', 'admin'],
               help='Type of endpoint to use in keystoneclient.'),
    cfg.StrOpt('region_name',
               help='Region of endpoint to use in keystoneclient.'),
]

CONF = cfg.CONF
CONF.register_opts(collector_aetos_opts, AETOS_COLLECTOR_OPTS)
keystoneauth.register(AETOS_COLLECTOR_OPTS)


class AetosClient(object):
    """Prometheus API of Aetos, reached through the Keystone catalog.

    Aetos is a Prometheus-compatible API (service type ``metric-storage``)
    that authenticates requests with Keystone tokens. The endpoint comes
    from the catalog; the Prometheus HTTP API lives under ``/api/v1`` of it
    (unless the registered endpoint already ends with ``/api/v1``).
    """

    SERVICE_TYPE = 'metric-storage'

    def __init__(self, session, interface='public', region_name=None):
        self.adapter = ks_adapter.Adapter(
            session, service_type=self.SERVICE_TYPE, interface=interface,
            region_name=region_name)
        self._base = None

    def _base_url(self):
        if self._base is None:
            endpoint = self.adapter.get_endpoint()
            if not endpoint:
                raise prometheus.PrometheusResponseError(
                    'No %s endpoint in the Keystone catalog'
                    % self.SERVICE_TYPE)
            endpoint = endpoint.rstrip('/')
            if not endpoint.endswith('/api/v1'):
                endpoint += '/api/v1'
            self._base = endpoint
        return self._base

    def query(self, query, time=None):
        params = {'query': query}
        if time is not None:
            params['time'] = time
        try:
            response = self.adapter.get(self._base_url() + '/query',
                                        params=params, raise_exc=False)
        except ks_exc.ClientException as exc:
            raise prometheus.PrometheusResponseError(
                'Aetos query %r failed: %s' % (query, exc))
        try:
            return response.json()
        except ValueError:
            raise prometheus.PrometheusResponseError(
                'Aetos query %r: unexpected answer (HTTP %s): %s'
                % (query, response.status_code, response.text[:200]))


class AetosCollector(prometheus.PrometheusCollector):
    """The Prometheus collector over Aetos (Keystone-authenticated).

    Same metrics.yml ``extra_args``, queries and answer handling as the
    ``prometheus`` collector; the connection comes from
    ``[collector_aetos]`` (keystoneauth options, ``interface``,
    ``region_name``).
    """

    collector_name = 'aetos'

    def _make_client(self):
        session = keystoneauth.load_session(AETOS_COLLECTOR_OPTS)
        return AetosClient(session,
                           interface=CONF.collector_aetos.interface,
                           region_name=CONF.collector_aetos.region_name)
