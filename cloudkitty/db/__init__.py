"""Database access: one oslo.db enginefacade for every SQL table."""
import threading

from oslo_config import cfg
from oslo_db import options as db_options
from oslo_db.sqlalchemy import enginefacade
import sqlalchemy

CONF = cfg.CONF
db_options.set_defaults(
    CONF, connection='sqlite:////var/lib/cloudkitty/cloudkitty.sqlite')

_LOCK = threading.Lock()
_FACADE = None


class _Context(object):
    """Placeholder context: enginefacade attaches sessions to it."""


def _sqlite_pragmas(dbapi_connection, connection_record):
    # The API and the processor share the embedded SQLite file: WAL lets
    # readers go on during writes, and the timeout waits out writers.
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA busy_timeout=30000')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.close()


def get_facade():
    global _FACADE
    if _FACADE is None:
        with _LOCK:
            if _FACADE is None:
                facade = enginefacade.transaction_context()
                facade.configure(sqlite_fk=False)
                _FACADE = facade
                engine = facade.writer.get_engine()
                if engine.dialect.name == 'sqlite':
                    sqlalchemy.event.listen(engine, 'connect',
                                            _sqlite_pragmas)
                    engine.dispose()
    return _FACADE


def get_engine():
    return get_facade().writer.get_engine()


def session_for_read():
    """Context manager yielding a read session."""
    return get_facade().reader.using(_Context())


def session_for_write():
    """Context manager yielding a session committed on exit."""
    return get_facade().writer.using(_Context())


def reset():
    """Forget the engine (after a fork or a change of connection)."""
    global _FACADE
    with _LOCK:
        if _FACADE is not None:
            try:
                _FACADE.dispose_pool()
            except Exception:
                pass
        _FACADE = None
