"""Database side of the example rating module: one table of unit prices.

The table has its own alembic chain (``alembic/`` next to this file, version
table ``example_rating_alembic``): ``get_migration()`` is the hook through
which ``cloudkitty-dbsync`` upgrades, stamps and reports it.
"""
import decimal
import os

from alembic import command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script
import sqlalchemy as sa

from cloudkitty import db

VERSION_TABLE = 'example_rating_alembic'

metadata = sa.MetaData()

# Prices are stored as text: exact decimals on every database.
prices = sa.Table(
    'example_rating_prices', metadata,
    sa.Column('metric', sa.String(255), primary_key=True),
    sa.Column('price', sa.String(64), nullable=False),
)


def get_prices():
    """``{metric type: Decimal unit price}``."""
    with db.get_engine().connect() as conn:
        return {row.metric: decimal.Decimal(row.price)
                for row in conn.execute(sa.select(prices))}


def set_price(metric, price):
    with db.get_engine().begin() as conn:
        conn.execute(sa.delete(prices).where(prices.c.metric == metric))
        conn.execute(sa.insert(prices).values(metric=metric,
                                              price=str(price)))


def delete_price(metric):
    with db.get_engine().begin() as conn:
        return conn.execute(
            sa.delete(prices).where(prices.c.metric == metric)).rowcount


class Migration(object):
    """The module's alembic chain, as cloudkitty-dbsync drives it."""

    script_location = os.path.join(os.path.dirname(__file__), 'alembic')

    def _config(self, connection=None):
        config = alembic_config.Config()
        config.set_main_option('script_location', self.script_location)
        config.attributes['connection'] = connection
        return config

    def _run(self, func, *args):
        with db.get_engine().begin() as connection:
            return func(self._config(connection), *args)

    def upgrade(self, revision):
        return self._run(command.upgrade, revision or 'head')

    def stamp(self, revision):
        return self._run(command.stamp, revision or 'head')

    def revision(self, message, autogenerate):
        return command.revision(self._config(), message=message,
                                autogenerate=autogenerate)

    def version(self):
        """The current revision, ``<rev> (head)`` when up to date."""
        with db.get_engine().connect() as connection:
            context = alembic_migration.MigrationContext.configure(
                connection, opts={'version_table': VERSION_TABLE})
            current = context.get_current_revision()
        if current is None:
            return None
        heads = alembic_script.ScriptDirectory.from_config(
            self._config()).get_heads()
        return '%s (head)' % current if current in heads else current


def get_migration():
    return Migration()
