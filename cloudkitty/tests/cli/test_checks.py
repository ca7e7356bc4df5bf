"""The start-up check of the rating modules lists them through the
registry and names each one that cannot be loaded."""
import json
import os
import subprocess
import sys

_PROBE = """
import json
from cloudkitty.cli import checks
print(json.dumps(checks.rating_modules()))
"""


def _rating_modules(extra_path=None):
    env = dict(os.environ)
    if extra_path:
        env['PYTHONPATH'] = os.pathsep.join(
            [str(extra_path)] + [p for p in [env.get('PYTHONPATH')] if p])
    result = subprocess.run([sys.executable, '-c', _PROBE], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_installed_modules_load():
    names, error = _rating_modules()
    assert error is None
    assert {'hashmap', 'noop', 'pyscripts'} <= set(names)


def test_module_that_cannot_load_is_named(tmp_path):
    info = tmp_path / 'brokenck-1.0.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: brokenck\nVersion: 1.0\n')
    (info / 'entry_points.txt').write_text(
        '[cloudkitty.rating.processors]\nbroken = brokenck_mod:Thing\n')
    (tmp_path / 'brokenck_mod.py').write_text(
        'raise ValueError("no way\\nsecond line")\n')
    names, error = _rating_modules(tmp_path)
    assert 'broken' in names and 'hashmap' in names
    assert error == ('rating module broken (brokenck_mod:Thing) cannot be '
                     'loaded: ValueError: no way')
