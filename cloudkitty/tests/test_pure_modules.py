"""Pure modules stay free of database, messaging and web imports.

Arithmetic, scheduling, rule and layout modules must be importable (and so
unit-testable) without SQLAlchemy, oslo.messaging or a web framework. Each
module below is imported in a fresh interpreter, because the test process
itself has long since imported all of them.
"""
import json
import subprocess
import sys

import pytest

# Append the dotted name of every module meant to stay pure.
PURE_MODULES = [
    'cloudkitty.dataframe',
    'cloudkitty.storage.v2.sqlalchemy',
    'cloudkitty.storage.v2.sqlalchemy.arithmetic',
    'cloudkitty.storage.v2.sqlalchemy.codec',
    'cloudkitty.storage.v2.sqlalchemy.layout',
    'cloudkitty.storage.v2.sqlalchemy.packing',
    'cloudkitty.processor.locks',
    'cloudkitty.processor.schedule',
    'cloudkitty.processor.skip',
    'cloudkitty.rating.hash.exceptions',
    'cloudkitty.rating.hash.pricing',
    'cloudkitty.rating.hash.rules',
    'cloudkitty.rating.registry',
    'cloudkitty.utils',
    'cloudkitty.utils.json',
    'cloudkitty.utils.lazy',
    'cloudkitty.utils.tz',
    'cloudkitty.utils.validation',
]

FORBIDDEN = ('sqlalchemy', 'oslo_messaging', 'pecan', 'flask', 'requests')

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
forbidden = sys.argv[2].split(',')
print(json.dumps(sorted(name for name in forbidden if name in sys.modules)))
"""


@pytest.mark.parametrize('module', PURE_MODULES)
def test_module_imports_no_io_library(module):
    result = subprocess.run(
        [sys.executable, '-c', _PROBE, module, ','.join(FORBIDDEN)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported == [], '%s imports %s' % (module, ', '.join(imported))


def test_probe_detects_an_impure_module():
    # Guard against a probe that can never fail.
    result = subprocess.run(
        [sys.executable, '-c', _PROBE,
         'cloudkitty.storage.v2.sqlalchemy.driver', ','.join(FORBIDDEN)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'sqlalchemy' in json.loads(result.stdout.strip().splitlines()[-1])
