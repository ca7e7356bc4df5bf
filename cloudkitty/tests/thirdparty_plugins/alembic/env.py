from alembic import context

from cloudkitty import db
from cloudkitty.tests.thirdparty_plugins import db_api


def _run(connection):
    context.configure(connection=connection,
                      target_metadata=db_api.metadata,
                      version_table=db_api.VERSION_TABLE,
                      # Other chains' tables share the database.
                      include_object=lambda obj, name, type_, *args: (
                          type_ != 'table' or name in db_api.metadata.tables),
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get('connection')
if _connection is not None:
    _run(_connection)
else:
    with db.get_engine().begin() as _conn:
        _run(_conn)
