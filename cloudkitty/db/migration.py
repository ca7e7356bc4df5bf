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


# Character set and collation of every table on MySQL/MariaDB: any
# Unicode string (4-byte UTF-8 included), compared exactly as SQLite and
# PostgreSQL compare it (and as the storage tables already do).
MYSQL_CHARSET = 'utf8mb4'
MYSQL_COLLATION = 'utf8mb4_bin'


def convert_to_utf8mb4(tables):
    """Convert existing ``tables`` to utf8mb4 (MySQL only; in migrations).

    Tables created with the reference's ``utf8`` (3 bytes) refuse 4-byte
    characters ("Incorrect string value") and mix collations with the
    utf8mb4 ones. Foreign key checks are off during the conversion: the
    columns on both sides of a key change together.
    """
    from alembic import op
    import sqlalchemy as sa
    bind = op.get_bind()
    if bind.dialect.name != 'mysql':
        return
    existing = set(sa.inspect(bind).get_table_names())
    op.execute('SET FOREIGN_KEY_CHECKS=0')
    try:
        for table in tables:
            if table not in existing:
                continue
            # CONVERT TO turns TEXT into MEDIUMTEXT (room for 4 bytes per
            # character); the stored bytes do not grow, so keep TEXT.
            texts = bind.execute(sa.text(
                "SELECT column_name, is_nullable FROM "
                "information_schema.columns WHERE table_schema = "
                "DATABASE() AND table_name = :table AND data_type = 'text'"
            ), {'table': table}).all()
            op.execute('ALTER TABLE `%s` CONVERT TO CHARACTER SET %s '
                       'COLLATE %s' % (table, MYSQL_CHARSET,
                                       MYSQL_COLLATION))
            for column, nullable in texts:
                op.execute('ALTER TABLE `%s` MODIFY `%s` TEXT CHARACTER SET '
                           '%s COLLATE %s %s' % (
                               table, column, MYSQL_CHARSET, MYSQL_COLLATION,
                               'NULL' if nullable == 'YES' else 'NOT NULL'))
    finally:
        op.execute('SET FOREIGN_KEY_CHECKS=1')
