"""What the processor package's modules import, and the old import path."""
import json
import subprocess
import sys

from cloudkitty import orchestrator
from cloudkitty.processor import reset
from cloudkitty.processor import service
from cloudkitty.processor import worker

_PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in sys.argv[2].split(',')
                        if name in sys.modules)))
"""


def _imported(module, names):
    result = subprocess.run(
        [sys.executable, '-c', _PROBE, module, ','.join(names)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_scope_reset_does_not_import_the_daemon():
    # The API resets scopes without RPC: it must not load the services.
    assert _imported('cloudkitty.processor.reset', (
        'cloudkitty.processor.service', 'cloudkitty.orchestrator',
        'cotyledon')) == []


def test_old_module_re_exports_the_package():
    assert orchestrator.Worker is worker.Worker
    assert orchestrator.ReprocessingWorker is worker.ReprocessingWorker
    assert orchestrator.reset_scope_state is reset.reset_scope_state
    assert orchestrator.CloudKittyProcessor is service.CloudKittyProcessor
