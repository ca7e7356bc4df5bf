"""LazyModule, and what registering the options imports (start-up time)."""
import subprocess
import sys
from unittest import mock

import pytest

from cloudkitty.utils import lazy


def test_imported_on_first_attribute_access():
    sys.modules.pop('colorsys', None)
    proxy = lazy.LazyModule('colorsys')
    assert 'colorsys' not in sys.modules
    assert proxy.rgb_to_hsv(1, 0, 0) == (0, 1, 1)
    assert 'colorsys' in sys.modules
    assert 'colorsys' in repr(proxy)


def test_attribute_of_the_real_module():
    proxy = lazy.LazyModule('decimal')
    import decimal
    assert proxy.Decimal is decimal.Decimal
    with pytest.raises(AttributeError):
        proxy.no_such_attribute


def test_dunder_attributes_do_not_import():
    proxy = lazy.LazyModule('cloudkitty.no_such_module')
    with pytest.raises(AttributeError):
        proxy.__wrapped__
    with pytest.raises(ImportError):
        proxy.anything


def test_patchable():
    proxy = lazy.LazyModule('decimal')
    with mock.patch.object(proxy, 'Decimal', 'patched'):
        assert proxy.Decimal == 'patched'
    import decimal
    assert proxy.Decimal is decimal.Decimal


# Libraries only needed at run time by some processes: registering the
# options (every console script does it) must not import them.
HEAVY = ('futurist', 'tooz', 'sqlalchemy', 'oslo_db.sqlalchemy',
         'gnocchiclient', 'keystoneclient', 'influxdb', 'oslo_middleware',
         'paste.deploy', 'pecan', 'flask', 'alembic',
         'cloudkitty.storage_state', 'oslo_messaging', 'eventlet')


def test_config_import_stays_light():
    code = ('import sys, cloudkitty.common.config\n'
            'print(" ".join(m for m in %r if m in sys.modules))' % (HEAVY,))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == []


def test_lazy_attribute_on_class_and_instance():
    class Holder(object):
        value = lazy.LazyAttribute('decimal', 'Decimal')

    import decimal
    assert Holder.value is decimal.Decimal
    assert Holder().value is decimal.Decimal


def test_rating_modules_leave_the_api_framework_to_the_api():
    # The processor loads the rating modules; their WSME controllers are
    # imported only when the API asks for them.
    code = ('import sys\n'
            'from cloudkitty.rating import hash, pyscripts\n'
            'assert "wsme" not in sys.modules, "wsme imported"\n'
            'hash.HashMap.config_controller\n'
            'pyscripts.PyScripts.config_controller\n'
            'assert "wsme" in sys.modules\n')
    subprocess.run([sys.executable, '-c', code], check=True)
