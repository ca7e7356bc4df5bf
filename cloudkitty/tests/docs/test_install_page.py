"""The installation page works as written.

The configuration and the commands of ``doc/source/install.rst`` are
taken from the page itself and run against a fresh database of each SQL
backend (MariaDB and PostgreSQL as in production), with the paths of
``/etc``, ``/var/lib`` and ``/var/log`` moved to a temporary directory
and ``controller`` replaced by the local host.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
PAGE = os.path.join(ROOT, 'doc', 'source', 'install.rst')
BIN = os.path.dirname(sys.executable)


def _blocks(kind):
    """The literal blocks of ``.. code-block:: <kind>`` of the page."""
    with open(PAGE) as page:
        text = page.read()
    blocks = []
    for match in re.finditer(r'^\.\. code-block:: %s\n\n((?:   .*\n|\n)+)'
                             % kind, text, re.M):
        lines = [line[3:] for line in match.group(1).splitlines()]
        blocks.append('\n'.join(lines).strip() + '\n')
    return blocks


def _localise(text, tmp_path):
    for path in ('/etc/cloudkitty', '/var/lib/cloudkitty',
                 '/var/log/cloudkitty'):
        text = text.replace(path, str(tmp_path) + path)
    return text.replace('controller', '127.0.0.1')


def _run(*args):
    proc = subprocess.run([os.path.join(BIN, args[0])] + list(args[1:]),
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def test_install_page(sql_backend_url, tmp_path):
    if sql_backend_url.startswith('sqlite'):
        pytest.skip('the page installs on MariaDB or PostgreSQL')
    for path in ('etc/cloudkitty', 'var/lib/cloudkitty/locks',
                 'var/log/cloudkitty'):
        (tmp_path / path).mkdir(parents=True)
    # The page's copies of the shipped files.
    copies = [line for block in _blocks('console')
              for line in block.splitlines()
              if line.startswith('# cp etc/cloudkitty/')]
    assert copies
    for line in copies:
        words = line.split()[2:]
        sources, target = words[:-1], _localise(words[-1], tmp_path)
        for source in sources:
            shutil.copy(os.path.join(ROOT, source), target)
    # The page's cloudkitty.conf, on the test database.
    conf_text = _localise(_blocks('ini')[0], tmp_path)
    conf_text = re.sub(r'(?m)^connection = .*$',
                       'connection = %s' % sql_backend_url, conf_text)
    conf = tmp_path / 'etc/cloudkitty/cloudkitty.conf'
    conf.write_text(conf_text)

    for command in (('cloudkitty-storage-init', '--config-file', str(conf)),
                    ('cloudkitty-dbsync', '--config-file', str(conf),
                     'upgrade')):
        returncode, output = _run(*command)
        assert returncode == 0, (command, output)
    returncode, output = _run('cloudkitty-status', '--config-file',
                              str(conf), 'upgrade', 'check')
    assert returncode == 0, output
    assert 'Failure' not in output and 'Warning' not in output, output
    for check in ('Fetcher', 'Collector and metrics.yml', 'Database schema',
                  'Storage options'):
        assert 'Check: %s' % check in output, output
