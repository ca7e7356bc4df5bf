"""Alembic migration chains.

Each chain (core, scope state, each rating module, each SQL storage backend)
lives in its own alembic directory and records its revision in its own
version table, so chains are upgraded independently in one database.
A chain's ``env.py`` is two lines: import this module, call
``run_migrations()``.
"""
import os

from cloudkitty import db
from cloudkitty.utils import lazy

# Every storage and rating module declares its chain at import time, but
# only the CLIs and tests run migrations: alembic (with mako and pygments)
# would add a third of a second to every processor worker's start-up.
command = lazy.LazyModule('alembic.command')
alembic_config = lazy.LazyModule('alembic.config')
context = lazy.LazyModule('alembic.context')
alembic_migration = lazy.LazyModule('alembic.migration')
alembic_script = lazy.LazyModule('alembic.script')


class AlembicChain(object):
    """One migration chain: a script directory and its version table."""

    def __init__(self, name, script_location, version_table, metadata=None):
        self.name = name
        self.script_location = script_location
        self.version_table = version_table
        self.metadata = metadata

    def config(self, connection=None):
        cfg = alembic_config.Config()
        cfg.set_main_option('script_location', self.script_location)
        cfg.attributes['version_table'] = self.version_table
        cfg.attributes['target_metadata'] = self.metadata
        cfg.attributes['connection'] = connection
        return cfg

    def _run(self, func, *args, **kwargs):
        engine = db.get_engine()
        with engine.begin() as connection:
            return func(self.config(connection), *args, **kwargs)

    def upgrade(self, revision='head'):
        return self._run(command.upgrade, revision or 'head')

    def downgrade(self, revision):
        return self._run(command.downgrade, revision)

    def stamp(self, revision='head'):
        return self._run(command.stamp, revision or 'head')

    def revision(self, message=None, autogenerate=False):
        return self._run(command.revision, message=message,
                         autogenerate=autogenerate)

    def current_revisions(self):
        """Revisions the database is at (empty tuple: none)."""
        engine = db.get_engine()
        with engine.connect() as connection:
            ctx = alembic_migration.MigrationContext.configure(
                connection, opts={'version_table': self.version_table})
            return tuple(ctx.get_current_heads())

    def heads(self):
        script = alembic_script.ScriptDirectory.from_config(self.config())
        return tuple(script.get_heads())

    def version(self):
        """Text like alembic 'current': '<rev> (head)' per revision."""
        heads = set(self.heads())
        lines = []
        for rev in self.current_revisions():
            lines.append('%s (head)' % rev if rev in heads else rev)
        return '\n'.join(lines)


def chain_dir(module_file, name='alembic'):
    """The alembic directory next to ``module_file``."""
    return os.path.join(os.path.dirname(os.path.abspath(module_file)), name)


def run_migrations():
    """Body of every chain's env.py."""
    cfg = context.config
    version_table = cfg.attributes['version_table']
    metadata = cfg.attributes.get('target_metadata')
    connection = cfg.attributes.get('connection')

    def _include(obj, name, type_, reflected, compare_to):
        # Tables of other chains share the database; ignore them.
        if type_ == 'table' and metadata is not None:
            return name in metadata.tables
        return True

    def _run(conn):
        context.configure(connection=conn,
                          target_metadata=metadata,
                          version_table=version_table,
                          include_object=_include,
                          render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    if connection is not None:
        _run(connection)
    else:
        with db.get_engine().begin() as conn:
            _run(conn)
