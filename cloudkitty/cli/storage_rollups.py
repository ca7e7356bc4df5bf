"""``cloudkitty-storage-rollups``: check the summaries of the ``sqlalchemy``
v2 storage against its rated points, and rebuild them.

``verify`` recomputes every day and month rollup (what summaries and
reports read) from the stored points and prints each difference (scope,
type, bucket, stored and expected values); it exits 1 when it found one,
0 otherwise. ``rebuild`` does the same and rewrites what differs, holding
writers off meanwhile, then prints what it changed (exit 0).

Rollups could drift from the points with versions before the unique
rollup key, under concurrent writers on MariaDB or PostgreSQL.
"""
import sys

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import service

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
PROG = 'cloudkitty-storage-rollups'


def _add_command_parsers(subparsers):
    subparsers.add_parser(
        'verify', help='Compare every rollup with the points; exit 1 when '
                       'any differs.')
    subparsers.add_parser(
        'rebuild', help='Rewrite the rollups that differ from the points.')


command_opt = cfg.SubCommandOpt('command', title='Command',
                                help='verify or rebuild',
                                handler=_add_command_parsers)


def _register_cli_opts(conf):
    try:
        conf.register_cli_opt(command_opt)
    except cfg.ArgsAlreadyParsedError:
        pass   # registered in an earlier run within this process


def run(command, out=sys.stdout):
    """Run ``command`` (verify or rebuild); the exit code."""
    if CONF.storage.version != 2 or CONF.storage.backend != 'sqlalchemy':
        raise SystemExit('%s: error: rollups exist only in the sqlalchemy '
                         'v2 storage (configured: backend %s, version %s)'
                         % (PROG, CONF.storage.backend,
                            CONF.storage.version))
    from cloudkitty.storage.v2.sqlalchemy import rollups

    if command == 'verify':
        diffs = rollups.verify()
    else:
        diffs = rollups.rebuild()
    for diff in diffs:
        out.write('%s\n' % diff.describe())
    if command == 'verify':
        if diffs:
            out.write('%d rollup row(s) differ from the points; run "%s '
                      'rebuild" to fix them.\n' % (len(diffs), PROG))
            return 1
        out.write('Rollups match the points.\n')
        return 0
    out.write('Rebuilt %d rollup row(s).\n' % len(diffs))
    return 0


def main(argv=None):
    argv = sys.argv if argv is None else argv
    _register_cli_opts(CONF)
    service.prepare_service(argv)
    command = getattr(CONF.command, 'name', None)
    if command not in ('verify', 'rebuild'):
        sys.exit('%s: error: a command is required (verify, rebuild)'
                 % PROG)
    CONF.import_opt('backend', 'cloudkitty.storage', 'storage')
    try:
        return run(command)
    except SystemExit:
        raise
    except Exception as exc:
        LOG.debug('%s %s failed', PROG, command, exc_info=True)
        lines = str(exc).strip().splitlines()
        sys.exit('%s: error: %s: %s' % (
            PROG, exc.__class__.__name__, lines[0] if lines else ''))


if __name__ == '__main__':
    sys.exit(main())
