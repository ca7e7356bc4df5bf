"""Fixtures of the pyscripts tests."""
from oslo_config import cfg
import pytest
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import models


@pytest.fixture(scope='module')
def _scripts_database(tmp_path_factory):
    """A SQLite file at the pyscripts head, migrated once per module."""
    import cloudkitty.common.config  # noqa: F401  (registers all options)
    cfg.CONF([], project='cloudkitty', default_config_files=[],
             default_config_dirs=[])
    path = tmp_path_factory.mktemp('pyscripts_db') / 'pyscripts.sqlite'
    url = 'sqlite:///%s' % path
    cfg.CONF.set_override('connection', url, 'database')
    db.reset()
    pyscripts_db.get_instance().get_migration().upgrade('head')
    yield url
    db.reset()
    cfg.CONF.clear_override('connection', 'database')
    cfg.CONF.reset()


@pytest.fixture
def scripts_db(_scripts_database):
    """The DB API on an empty ``pyscripts_scripts`` table."""
    # Set again each time: a test using the ``conf`` fixture resets CONF.
    cfg.CONF.set_override('connection', _scripts_database, 'database')
    db.reset()
    with db.session_for_write() as session:
        session.execute(sa.delete(models.PyScriptsScript))
    return pyscripts_db.get_instance()
