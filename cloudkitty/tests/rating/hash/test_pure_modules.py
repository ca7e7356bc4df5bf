"""The hashmap pricing, rules and errors import no I/O library.

``cloudkitty.rating`` (the base classes: pecan, the database API) is a
parent of these modules, so ``cloudkitty/tests/test_pure_modules.py``
cannot list them: importing them by name imports their parents. Here the
parent packages are stubbed (empty, with their real path), so only what
each module imports itself is checked.
"""
import json
import os
import subprocess
import sys

import pytest

import cloudkitty

MODULES = ('cloudkitty.rating.hash.exceptions',
           'cloudkitty.rating.hash.rules',
           'cloudkitty.rating.hash.pricing')
FORBIDDEN = ('sqlalchemy', 'oslo_messaging', 'pecan', 'flask', 'requests')

_PROBE = """
import importlib, json, sys, types
root = sys.argv[3]
for name, path in (('cloudkitty.rating', 'rating'),
                   ('cloudkitty.rating.hash', 'rating/hash')):
    package = types.ModuleType(name)
    package.__path__ = [root + '/' + path]
    sys.modules[name] = package
importlib.import_module(sys.argv[1])
forbidden = sys.argv[2].split(',')
print(json.dumps(sorted(name for name in forbidden if name in sys.modules)))
"""


@pytest.mark.parametrize('module', MODULES)
def test_module_imports_no_io_library(module):
    root = os.path.dirname(cloudkitty.__file__)
    result = subprocess.run(
        [sys.executable, '-c', _PROBE, module, ','.join(FORBIDDEN), root],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported == [], '%s imports %s' % (module, ', '.join(imported))


def test_probe_detects_an_impure_module():
    root = os.path.dirname(cloudkitty.__file__)
    result = subprocess.run(
        [sys.executable, '-c', _PROBE, 'cloudkitty.rating.hash.db_api',
         ','.join(FORBIDDEN), root],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'sqlalchemy' in json.loads(result.stdout.strip().splitlines()[-1])
