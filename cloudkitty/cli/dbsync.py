"""``cloudkitty-dbsync``: alembic chains of the core and rating modules.

Usage: ``cloudkitty-dbsync [oslo options] <command> [command options]``
with the commands ``upgrade``, ``version``, ``revision`` and ``stamp``,
as the reference's. The scope state and storage tables belong to
``cloudkitty-storage-init``.
"""
import sys

from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty import service

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

CORE_MODULE = 'cloudkitty'


class DBSyncError(Exception):
    """A user error: shown as one line, exit status 1."""


def _add_command_parsers(subparsers):
    parser = subparsers.add_parser(
        'upgrade', help='Upgrade the core chain, then every rating module '
                        'chain (or only the chain of --module).')
    parser.add_argument('--revision', nargs='?',
                        help='Target revision (default: head).')
    parser.add_argument('--module', nargs='?',
                        help='Only this chain ("cloudkitty" for the core).')
    parser.set_defaults(func=do_upgrade)

    parser = subparsers.add_parser(
        'version', help='Print the current revision of a chain.')
    parser.add_argument('--module', required=True)
    parser.set_defaults(func=do_version)

    parser = subparsers.add_parser(
        'revision', help='Create a migration script in a chain.')
    parser.add_argument('--module', required=True)
    parser.add_argument('-m', '--message')
    parser.add_argument('--autogenerate', action='store_true')
    parser.set_defaults(func=do_revision)

    parser = subparsers.add_parser(
        'stamp', help='Record a revision without running migrations.')
    parser.add_argument('--module', required=True)
    parser.add_argument('--revision', nargs='?')
    parser.set_defaults(func=do_stamp)


command_opt = cfg.SubCommandOpt('command',
                                title='Command',
                                help='Available commands',
                                handler=_add_command_parsers)


def _register_cli_opts(conf):
    try:
        conf.register_cli_opt(command_opt)
    except cfg.ArgsAlreadyParsedError:
        # Registered in an earlier run within this process.
        pass


def _module_chain(extension):
    """The AlembicChain of a rating module class, or None."""
    db_api = getattr(extension.plugin, 'db_api', None)
    get_migration = getattr(db_api, 'get_migration', None)
    if get_migration is None:
        return None
    chain = get_migration()
    if not (hasattr(chain, 'upgrade') and hasattr(chain, 'version')):
        LOG.warning('Rating module %s: get_migration() did not return a '
                    'migration chain; skipped.', extension.name)
        return None
    return chain


def _on_load_failure(manager, entrypoint, exc):
    LOG.warning('Rating module %s could not be loaded, its database is '
                'not managed: %s', entrypoint.name, exc)


def get_chains(name=None):
    """``[(name, chain)]``: the core, then the rating modules' chains.

    Rating modules come in extension order; they are imported, not
    instantiated. With ``name``, only that chain is looked up (and only
    that module imported).
    """
    from cloudkitty.db import api as db_api
    from cloudkitty.rating import registry
    chains = []
    if name in (None, CORE_MODULE):
        chains.append((CORE_MODULE, db_api.get_migration()))
        if name is not None:
            return chains
    loaded = registry.extensions(
        instantiate=False, names=None if name is None else [name],
        on_failure=_on_load_failure)
    for ext in loaded:
        try:
            chain = _module_chain(ext)
        except Exception as exc:
            _on_load_failure(None, ext.entry_point, exc)
            continue
        if chain is not None:
            chains.append((ext.name, chain))
    return chains


def _get_chain(name):
    for chain_name, chain in get_chains(name):
        if chain_name == name:
            return chain
    raise DBSyncError('Module %s not found' % name)


def do_upgrade(conf):
    revision = conf.command.revision
    module = conf.command.module
    if module:
        _get_chain(module).upgrade(revision or 'head')
        return
    if revision not in (None, 'head', 'base'):
        raise DBSyncError(
            "Can't apply revision %s to multiple modules." % revision)
    for name, chain in get_chains():
        LOG.info('Upgrading the database of %s', name)
        chain.upgrade(revision or 'head')


def do_version(conf):
    # Only the revision on stdout, as alembic's "current" prints it.
    logging.getLogger('alembic').logger.setLevel(logging.WARNING)
    version = _get_chain(conf.command.module).version()
    if version:
        print(version)


def do_revision(conf):
    # Positional, as the reference calls a module's migration hooks.
    _get_chain(conf.command.module).revision(
        conf.command.message, conf.command.autogenerate)


def do_stamp(conf):
    _get_chain(conf.command.module).stamp(conf.command.revision or 'head')


def _one_line(exc):
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def main(argv=None):
    argv = sys.argv if argv is None else argv
    prog = 'cloudkitty-dbsync'
    _register_cli_opts(CONF)
    service.prepare_service(argv)
    if not getattr(CONF.command, 'name', None):
        sys.exit('%s: error: a command is required (upgrade, version, '
                 'revision, stamp)' % prog)
    try:
        CONF.command.func(CONF)
    except DBSyncError as exc:
        sys.exit('%s: error: %s' % (prog, exc))
    except Exception as exc:
        # One line for the operator; the traceback with --debug.
        LOG.debug('%s failed', CONF.command.name, exc_info=True)
        sys.exit('%s: error: %s: %s' % (prog, exc.__class__.__name__,
                                        _one_line(exc)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
