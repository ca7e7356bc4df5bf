"""Database access: one oslo.db enginefacade for every SQL table."""
import contextlib
import threading

from oslo_config import cfg
from oslo_db import options as db_options

CONF = cfg.CONF
DEFAULT_CONNECTION = 'sqlite:////var/lib/cloudkitty/cloudkitty.sqlite'
db_options.set_defaults(CONF, connection=DEFAULT_CONNECTION)

_LOCK = threading.Lock()
_FACADE = None
# Depth of session_for_write() in this thread (SQLite BEGIN IMMEDIATE).
_WRITING = threading.local()


class _Context(object):
    """Placeholder context: enginefacade attaches sessions to it."""


class DatabaseDriverMissing(RuntimeError):
    """``[database] connection`` names a driver that is not installed."""


# Python module of a DBAPI driver -> what to install for it.
_DRIVER_PACKAGES = {
    'psycopg': "psycopg[binary]",
    'psycopg2': 'psycopg2-binary',
    'pymysql': 'PyMySQL',
    'MySQLdb': 'mysqlclient',
}


def _driver_error(url, exc):
    """One line naming the URL, the missing driver and the fix."""
    from sqlalchemy.engine import url as sa_url
    try:
        shown = sa_url.make_url(url).render_as_string(hide_password=True)
    except Exception:
        shown = '<unparsable URL>'
    if isinstance(exc, ImportError):
        module = (exc.name or '').split('.')[0] or str(exc)
        package = _DRIVER_PACKAGES.get(module, module)
        return DatabaseDriverMissing(
            '[database] connection = %s needs the Python module %s, which '
            'is not installed: install it (pip install "%s") or use a '
            'driver installed with CloudKitty (postgresql:// uses psycopg2, '
            'mysql+pymysql://)' % (shown, module, package))
    return DatabaseDriverMissing(
        '[database] connection = %s: unknown database type or driver (%s); '
        'use e.g. postgresql://, mysql+pymysql:// or sqlite:///PATH'
        % (shown, str(exc).splitlines()[0]))


SQLITE_BUSY_TIMEOUT_MS = 30000
# The API and the processor share the embedded SQLite file: WAL lets
# readers go on during writes, and the timeout waits out writers. The
# rated-data storage opens the same file with these settings too.
SQLITE_PRAGMAS = ('journal_mode=WAL',
                  'busy_timeout=%d' % SQLITE_BUSY_TIMEOUT_MS,
                  'synchronous=NORMAL')


def apply_sqlite_pragmas(dbapi_connection, extra=()):
    """Set ``SQLITE_PRAGMAS``, then ``extra``, on a sqlite3 connection."""
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS + tuple(extra):
        cursor.execute('PRAGMA ' + pragma)
    cursor.close()


def begin_sqlite(conn, write):
    """Begin a SQLite transaction; a writing one takes the write lock now.

    A write transaction that reads first would otherwise be deferred; in
    WAL mode, its first write then fails at once with "database is
    locked" when another connection wrote meanwhile (the busy timeout does
    not apply). ``BEGIN IMMEDIATE`` waits for the write lock upfront.
    """
    conn.exec_driver_sql('BEGIN IMMEDIATE' if write else 'BEGIN')


def _sqlite_pragmas(dbapi_connection, connection_record):
    apply_sqlite_pragmas(dbapi_connection)


def _sqlite_begin(conn):
    # Write sessions take the write lock upfront (see begin_sqlite). This
    # replaces oslo.db's listener emitting BEGIN.
    if 'in_transaction' not in conn.info:
        begin_sqlite(conn, write=bool(getattr(_WRITING, 'depth', 0)))
        conn.info['in_transaction'] = True


def _utf8mb4_connection():
    """``{'connection': url}`` asking MySQL for utf8mb4, when needed.

    oslo.db connects to MySQL with ``charset=utf8`` (3-byte UTF-8) unless
    the URL names one: every 4-byte character (emoji, many CJK) sent to
    a utf8mb4 table would then fail with "Incorrect string value".
    """
    from sqlalchemy.engine import url as sa_url
    try:
        url = sa_url.make_url(CONF.database.connection)
    except Exception:
        return {}
    if url.get_backend_name() != 'mysql' or 'charset' in url.query:
        return {}
    url = url.update_query_dict({'charset': 'utf8mb4'})
    return {'connection': url.render_as_string(hide_password=False)}


def _psycopg2_connection():
    """``{'connection': url}`` naming psycopg2 for ``postgresql://``.

    SQLAlchemy 2.1 gives a driverless ``postgresql://`` (what DevStack and
    most guides write) to psycopg 3; CloudKitty ships psycopg2, which
    earlier SQLAlchemy releases and OpenStack deployments use for it (the
    SQL storage writes with its COPY support).
    """
    from sqlalchemy.engine import url as sa_url
    try:
        url = sa_url.make_url(CONF.database.connection)
    except Exception:
        return {}
    if url.drivername != 'postgresql':
        return {}
    url = url.set(drivername='postgresql+psycopg2')
    return {'connection': url.render_as_string(hide_password=False)}


def get_facade():
    global _FACADE
    if _FACADE is None:
        # Deferred: SQLAlchemy and oslo.db's engine code are slow to import
        # and most CLIs only need the [database] options registered here.
        from oslo_db.sqlalchemy import enginefacade
        import sqlalchemy
        with _LOCK:
            if _FACADE is None:
                facade = enginefacade.transaction_context()
                facade.configure(sqlite_fk=False, **(
                    _utf8mb4_connection() or _psycopg2_connection()))
                try:
                    engine = facade.writer.get_engine()
                except (ImportError, sqlalchemy.exc.NoSuchModuleError) as exc:
                    # SQLAlchemy imports the DBAPI driver named (or implied)
                    # by the URL: "No module named 'psycopg'" alone tells
                    # an operator neither which option nor what to do.
                    raise _driver_error(CONF.database.connection,
                                        exc) from exc
                _FACADE = facade
                if engine.dialect.name == 'sqlite':
                    sqlalchemy.event.listen(engine, 'connect',
                                            _sqlite_pragmas)
                    for listener in list(engine.dispatch.begin):
                        if (getattr(listener, '__name__', '')
                                == '_sqlite_emit_begin'):
                            sqlalchemy.event.remove(engine, 'begin',
                                                    listener)
                    sqlalchemy.event.listen(engine, 'begin', _sqlite_begin)
                    engine.dispose()
    return _FACADE


def get_engine():
    return get_facade().writer.get_engine()


def session_for_read():
    """Context manager yielding a read session."""
    return get_facade().reader.using(_Context())


@contextlib.contextmanager
def session_for_write():
    """Context manager yielding a session committed on exit."""
    facade = get_facade()
    _WRITING.depth = getattr(_WRITING, 'depth', 0) + 1
    try:
        with facade.writer.using(_Context()) as session:
            yield session
    finally:
        _WRITING.depth -= 1


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
