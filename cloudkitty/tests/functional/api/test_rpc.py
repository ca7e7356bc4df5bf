"""Quotes and module notices over RabbitMQ (oslo.messaging).

The API runs with a ``transport_url``; the test serves the ``rating``
RPC namespace itself and records what it receives.
"""
import queue
import time
import uuid

from oslo_config import cfg
import oslo_messaging
import pytest

from cloudkitty import messaging
from cloudkitty.tests.functional import api_server as api_server_mod
from cloudkitty.tests import services


class RatingEndpoint(object):
    """Stands for the processors' rating endpoint (namespace ``rating``)."""

    target = oslo_messaging.Target(namespace='rating', version='1.0')

    def __init__(self):
        self.received = queue.Queue()

    def quote(self, ctxt, res_data):
        self.received.put(('quote', res_data))
        if 'script.fails' in res_data['usage']:
            # What a processor raises when a rating script fails.
            from cloudkitty.rating.pyscripts import engine

            class _Script(object):
                name, script_id = 'broken', 'id-1'
            raise engine.ScriptError(_Script(), 'raised KeyError at line 3: '
                                     "'flavor'")
        return '1.337'

    def reload_modules(self, ctxt):
        self.received.put(('reload_modules', None))

    def reload_module(self, ctxt, name):
        self.received.put(('reload_module', name))

    def enable_module(self, ctxt, name):
        self.received.put(('enable_module', name))

    def disable_module(self, ctxt, name):
        self.received.put(('disable_module', name))

    def next_call(self, timeout=20):
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError('no RPC call received')

    def drain(self):
        time.sleep(0.5)
        while not self.received.empty():
            self.received.get_nowait()


@pytest.fixture(scope='module')
def rpc_setup():
    host, port = '127.0.0.1', 5672
    if not services.port_open(host, port):
        services.unavailable('RabbitMQ', 'nothing listens on %s:%s'
                             % (host, port))
    # A private exchange: parallel test runs (and real processors) on
    # the same broker never see these messages.
    exchange = 'ck_test_%s' % uuid.uuid4().hex[:12]
    # The exchange is read once, when the transport is built.
    cfg.CONF.set_override('control_exchange', exchange)
    try:
        transport = oslo_messaging.get_rpc_transport(
            cfg.CONF, url=services.RABBIT_URL)
    except Exception as exc:
        services.unavailable('RabbitMQ', str(exc))
    finally:
        cfg.CONF.clear_override('control_exchange')
    endpoint = RatingEndpoint()
    target = oslo_messaging.Target(topic='cloudkitty', server='ck-test',
                                   version='1.0')
    server = messaging.get_server(target, [endpoint], transport=transport)
    server.start()
    api = api_server_mod.APIServer(overrides={
        'DEFAULT': {'transport_url': services.RABBIT_URL,
                    'control_exchange': exchange,
                    'rpc_response_timeout': '20'},
    })
    try:
        api.start()
        yield api, endpoint
    finally:
        api.cleanup()
        server.stop()
        server.wait()
        transport.cleanup()


def test_quote_goes_over_rpc(rpc_setup):
    api, endpoint = rpc_setup
    endpoint.drain()
    body = {'resources': [
        {'service': 'instance', 'volume': '2',
         'desc': {'groupby': {'id': 'abc', 'project_id': 'p1'},
                  'metadata': {'flavor_id': '42'}}},
        {'service': 'instance', 'volume': 0.5},
        {'service': 'image.size', 'volume': 3, 'desc': {'flat': 'x'}},
    ]}
    resp = api.post('/v1/rating/quote', json=body)
    assert resp.status_code == 200, resp.text
    assert resp.json() == '1.337'
    method, res_data = endpoint.next_call()
    assert method == 'quote'
    assert res_data == {'usage': {
        'instance': [
            {'vol': {'unit': 'undef', 'qty': '2'},
             'desc': {'groupby': {'id': 'abc', 'project_id': 'p1'},
                      'metadata': {'flavor_id': '42'}}},
            {'vol': {'unit': 'undef', 'qty': '0.5'}, 'desc': {}},
        ],
        'image.size': [
            {'vol': {'unit': 'undef', 'qty': '3'}, 'desc': {'flat': 'x'}},
        ],
    }}
    # The client's call goes the same way.
    total = api.client('1').rating.get_quotation(res_data=body['resources'])
    assert total == '1.337'
    assert endpoint.next_call()[0] == 'quote'


def test_quote_failed_by_a_script_over_rpc_is_a_400(rpc_setup):
    api, endpoint = rpc_setup
    endpoint.drain()
    resp = api.post('/v1/rating/quote', json={'resources': [
        {'service': 'script.fails', 'volume': '1'}]})
    assert resp.status_code == 400, resp.text
    assert resp.json()['faultstring'] == (
        "PyScripts script 'broken' (id-1): raised KeyError at line 3: "
        "'flavor'")
    assert endpoint.next_call()[0] == 'quote'


def _other_module(api):
    names = [m['module_id'] for m in api.get('/v2/rating/modules').json()[
        'modules'] if m['module_id'] != 'noop']
    if not names:
        pytest.skip('only noop is installed')
    return names[-1]


def test_v2_module_changes_are_broadcast(rpc_setup):
    api, endpoint = rpc_setup
    name = _other_module(api)
    endpoint.drain()
    resp = api.put('/v2/rating/modules/' + name, json={'enabled': True})
    assert resp.status_code == 204, resp.text
    assert endpoint.next_call() == ('enable_module', name)
    resp = api.put('/v2/rating/modules/' + name, json={'priority': 7})
    assert resp.status_code == 204
    assert endpoint.next_call() == ('reload_module', name)
    resp = api.put('/v2/rating/modules/' + name, json={'enabled': False})
    assert resp.status_code == 204
    assert endpoint.next_call() == ('disable_module', name)
    # The state is still stored by the API itself.
    module = api.get('/v2/rating/modules/' + name).json()
    assert module['enabled'] is False and module['priority'] == 7


def test_v1_module_changes_and_reload_are_broadcast(rpc_setup):
    api, endpoint = rpc_setup
    name = _other_module(api)
    endpoint.drain()
    body = api.get('/v1/rating/modules/' + name).json()
    body['enabled'] = True
    resp = api.put('/v1/rating/modules/' + name, json=body,
                   allow_redirects=False)
    assert resp.status_code == 302
    assert endpoint.next_call() == ('enable_module', name)
    body['enabled'] = False
    body['priority'] = 3
    resp = api.put('/v1/rating/modules/' + name, json=body,
                   allow_redirects=False)
    assert resp.status_code == 302
    calls = {endpoint.next_call(), endpoint.next_call()}
    assert calls == {('disable_module', name), ('reload_module', name)}
    resp = api.get('/v1/rating/reload_modules')
    assert resp.status_code == 204
    assert endpoint.next_call() == ('reload_modules', None)
