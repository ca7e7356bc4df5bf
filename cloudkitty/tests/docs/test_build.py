"""The documentation, the API reference and the release notes build
without a warning (``sphinx-build -W``), as ``tox -e docs,api-ref,
releasenotes`` does; CI runs these tests.
"""
import configparser
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
TREES = ['doc/source', 'api-ref/source', 'releasenotes/source']


@pytest.fixture(scope='module')
def builds(tmp_path_factory):
    """Build the three trees at once; ``{tree: CompletedProcess}``."""
    out = tmp_path_factory.mktemp('sphinx')
    procs = {}
    for tree in TREES:
        target = out / tree.split('/')[0]
        procs[tree] = subprocess.Popen(
            [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q',
             '-b', 'html', '-d', str(target / 'doctrees'),
             os.path.join(ROOT, tree), str(target / 'html')],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            cwd=ROOT)
    results = {}
    for tree, proc in procs.items():
        try:
            output, _ = proc.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        results[tree] = (proc.returncode, output, out / tree.split('/')[0])
    return results


@pytest.mark.parametrize('tree', TREES)
def test_builds_without_warning(builds, tree):
    returncode, output, _ = builds[tree]
    assert returncode == 0, output


def test_policy_page_lists_every_rule(builds):
    from cloudkitty.common import policies
    _, _, target = builds['doc/source']
    page = (target / 'html' / 'policy.html').read_text()
    missing = [rule.name for rule in policies.list_rules()
               if rule.name not in page]
    assert not missing, missing


def test_tox_environments_use_the_constraints():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(ROOT, 'tox.ini'))
    for env in ('docs', 'api-ref', 'releasenotes', 'cover', 'bandit',
                'debug', 'pep8'):
        assert parser.has_section('testenv:%s' % env), env
    for section in ('testenv', 'testenv:docs', 'testenv:bandit'):
        assert '-c{toxinidir}/tools/constraints.txt' in \
            parser[section]['deps'], section
    for env in ('docs', 'api-ref', 'releasenotes'):
        assert ' -W ' in parser['testenv:%s' % env]['commands'], env
