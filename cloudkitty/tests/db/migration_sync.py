"""Compare a chain's models with the schema its migrations build.

Reusable by every chain owner::

    from cloudkitty.tests.db import migration_sync

    def test_models_match(sql_backend_url):
        migration_sync.assert_models_match(my_chain, MyBase.metadata)

``assert_models_match`` upgrades the chain to head on the database of
``[database] connection`` (the ``sql_backend_url`` fixture points it at a
fresh database), then runs alembic's autogenerate comparison restricted to
the tables of ``metadata`` and to the tables the migrations created.
"""
from alembic import autogenerate
from alembic import migration as alembic_migration
import sqlalchemy as sa

from cloudkitty import db


def _flatten(diffs):
    # Column-level changes come grouped in lists; index/table ones alone.
    for diff in diffs:
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


def _is_noise(diff, dialect):
    kind = diff[0]
    if dialect == 'mysql' and kind in ('add_index', 'remove_index'):
        # MariaDB reports a unique constraint as a unique index too.
        index = diff[1]
        return bool(getattr(index, 'unique', False))
    return False


def compare(chain, metadata=None, upgrade=True):
    """Differences between ``metadata`` and the migrated database.

    Returns a list of alembic diff tuples (empty when they match).
    Tables created by the chain's migrations but absent from the models
    are reported as ``('remove_table', <table>)``.
    """
    metadata = metadata if metadata is not None else chain.metadata
    engine = db.get_engine()
    before = set(sa.inspect(engine).get_table_names())
    if upgrade:
        chain.upgrade('head')
    after = set(sa.inspect(engine).get_table_names())
    created = (after - before) - {chain.version_table}
    ours = set(metadata.tables) | created

    def include_object(obj, name, type_, reflected, compare_to):
        if type_ == 'table':
            return name in ours
        return True

    with engine.connect() as connection:
        context = alembic_migration.MigrationContext.configure(
            connection,
            opts={'compare_type': True,
                  'include_object': include_object,
                  'version_table': chain.version_table})
        diffs = autogenerate.compare_metadata(context, metadata)
    dialect = engine.dialect.name
    return [d for d in _flatten(diffs) if not _is_noise(d, dialect)]


def assert_models_match(chain, metadata=None, upgrade=True):
    """Fail, listing the differences, when models and migrations differ."""
    diffs = compare(chain, metadata, upgrade=upgrade)
    if diffs:
        raise AssertionError(
            'Models and migrations of chain %s differ on %s:\n%s' % (
                chain.name, db.get_engine().dialect.name,
                '\n'.join(repr(d) for d in diffs)))
