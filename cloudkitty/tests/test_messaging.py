"""cloudkitty.messaging without a transport: in-process quotes."""
import decimal

from stevedore import extension

from cloudkitty import dataframe
from cloudkitty import messaging


class FakeModule(object):

    def __init__(self, name, priority, enabled=True, op=None):
        self.module_name = name
        self.priority = priority
        self.enabled = enabled
        self.op = op
        self.reloaded = False
        self.seen = []

    def reload_config(self, start=None):
        self.reloaded = True

    def quote(self, frame):
        self.seen.append(frame)
        out = dataframe.DataFrame(frame.start, frame.end)
        for metric, point in frame.iterpoints():
            out.add_point(point.set_price(self.op(point)), metric)
        return out


def _patch_modules(monkeypatch, modules):
    manager = extension.ExtensionManager.make_test_instance(
        [extension.Extension(m.module_name, None, None, m) for m in modules])
    monkeypatch.setattr(extension, 'ExtensionManager',
                        lambda *a, **k: manager)


def test_no_transport(conf):
    assert messaging.get_transport() is None
    assert messaging.get_client() is None
    # A notice without transport is a no-op.
    messaging.notify_modules('enable_module', 'hashmap')


def test_resources_to_usage():
    payload = messaging.resources_to_usage([
        {'service': 'a', 'volume': decimal.Decimal('1.5'),
         'desc': {'groupby': {'id': 'x'}}},
        {'service': 'b', 'volume': decimal.Decimal('2'), 'desc': None},
        {'service': 'a', 'volume': decimal.Decimal('3')},
    ])
    assert payload == {'usage': {
        'a': [{'vol': {'unit': 'undef', 'qty': '1.5'},
               'desc': {'groupby': {'id': 'x'}}},
              {'vol': {'unit': 'undef', 'qty': '3'}, 'desc': {}}],
        'b': [{'vol': {'unit': 'undef', 'qty': '2'}, 'desc': {}}],
    }}


def test_quote_in_process_priority_order(conf, monkeypatch):
    # Highest priority first: "double" sees the prices set by "flat".
    flat = FakeModule('flat', 5, op=lambda p: p.price + decimal.Decimal(
        '0.1') * p.qty)
    double = FakeModule('double', 1, op=lambda p: p.price * 2)
    disabled = FakeModule('off', 10, enabled=False,
                          op=lambda p: decimal.Decimal(1000))
    _patch_modules(monkeypatch, [double, disabled, flat])
    payload = messaging.resources_to_usage([
        {'service': 'instance', 'volume': decimal.Decimal('3'),
         'desc': {'groupby': {'id': 'x'}, 'metadata': {'flavor': 'a'},
                  'flat': 'ignored'}},
        {'service': 'image', 'volume': decimal.Decimal('0.5'), 'desc': {}},
    ])
    total = messaging.quote(payload)
    assert total == '0.70'
    assert flat.reloaded and double.reloaded and not disabled.seen
    point = dict(flat.seen[0].iterpoints())['instance']
    # Only the nested groupby/metadata reach the modules (reference).
    assert dict(point.groupby) == {'id': 'x'}
    assert dict(point.metadata) == {'flavor': 'a'}
    assert point.price == 0


def test_quote_without_modules_is_decimal_zero(conf, monkeypatch):
    _patch_modules(monkeypatch, [])
    assert messaging.quote({'usage': {'a': [
        {'vol': {'unit': 'u', 'qty': '1'}}]}}) == '0'


def test_notice_with_unreachable_broker_does_not_fail(conf):
    import time

    from cloudkitty.tests import services
    conf.set_override('transport_url', 'rabbit://guest:guest@127.0.0.1:%d/'
                      % services.free_port())
    try:
        started = time.monotonic()
        # Informational notice: logged, never raised, and bounded.
        messaging.notify_modules('enable_module', 'hashmap')
        assert time.monotonic() - started < 60
    finally:
        # Clearing the override leaves the option's location at
        # "set_override" (an oslo.config quirk), so the default rabbit://
        # would count as configured and later tests' quotes would go over
        # RPC: forget that location too.
        conf.clear_override('transport_url')
        conf._get_opt_info('transport_url').pop('location', None)
        messaging.cleanup()
