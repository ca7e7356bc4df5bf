"""The whole API in-process on a migrated database (every table).

Used by tests that cross endpoints: every migration chain at head, the
``sqlalchemy`` storage on the same database, noauth, one WSGI app.
"""
import os

from cloudkitty.tests.api import wsgi_client

METRICS_YML = """\
metrics:
  cpu:
    unit: instance
    groupby: [id, project_id]
    metadata: [flavor_name]
"""


def reset_caches():
    """Forget every per-process driver, engine and module registry."""
    from cloudkitty.api import modules
    from cloudkitty.api.v1.controllers import rating
    from cloudkitty.api.v1 import hooks
    from cloudkitty import db
    hooks._STORAGE = None
    modules._EXTENSIONS = None
    rating._CONFIG_CONTROLLERS.clear()
    try:
        from cloudkitty.storage.v2 import sqlalchemy as sql_storage
        sql_storage._forget_engines()
    except ImportError:
        pass
    db.reset()


def migrate():
    """Every chain of ``cloudkitty-dbsync upgrade`` and storage-init."""
    from cloudkitty.cli import dbsync
    from cloudkitty.cli import storage as storage_cli
    for _, chain in dbsync.get_chains():
        chain.upgrade('head')
    storage_cli.init_storage()


def make_client(conf, tmp_path, url):
    """A client of the whole API on the database at ``url``."""
    from cloudkitty.api import app as api_app
    from cloudkitty.common import policy
    metrics = os.path.join(str(tmp_path), 'metrics.yml')
    with open(metrics, 'w') as handle:
        handle.write(METRICS_YML)
    conf.set_override('metrics_conf', metrics, 'collect')
    conf.set_override('connection', url, 'database')
    conf.set_override('auth_strategy', 'noauth')
    conf.set_override('backend', 'sqlalchemy', 'storage')
    conf.set_override('version', 2, 'storage')
    conf.set_override('coordination_url', 'file://%s' % tmp_path,
                      'orchestrator')
    reset_caches()
    migrate()
    policy.reset()
    return wsgi_client.Client(api_app.setup_app())
