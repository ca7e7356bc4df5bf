"""Engines and write transactions of the ``sqlalchemy`` v2 storage.

MariaDB and PostgreSQL use the shared oslo.db engine of ``cloudkitty.db``;
SQLite files get a pooled engine of their own, with the SQLite settings of
``cloudkitty.db``, the exact decimal functions and a background WAL
checkpoint. Engines are forgotten in a forked child.
"""
import contextlib
import os
import threading

from oslo_db import api as oslo_db_api
from oslo_log import log as logging
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.storage.v2.sqlalchemy import locks as sql_locks
from cloudkitty.storage.v2.sqlalchemy import sqlite_functions

LOG = logging.getLogger(__name__)

_ENGINES = {}
_ENGINE_LOCK = threading.Lock()


class _Checkpointer(object):
    """Checkpoints the WAL of a SQLite file in a background thread.

    A commit that crosses SQLite's automatic checkpoint threshold copies
    the WAL into the database file and syncs it before returning: a fifth
    of the time of a large push. The storage's own connections leave that
    to this thread (sqlite3 releases the GIL while it checkpoints), poked
    after each write; other connections to the file keep the automatic
    checkpoints.

    A checkpoint syncs the database file: it runs once about
    ``THRESHOLD`` bytes were written since the last one, not after every
    small write. The threshold stays well below SQLite's own (1000 pages,
    4 MiB): past it, a commit of another connection to the file (the scope
    state's, between pushes) would checkpoint inline.
    """

    THRESHOLD = 1024 * 1024

    def __init__(self, path):
        self.path = path
        self.event = threading.Event()
        self.thread = None
        self.lock = threading.Lock()
        self.pending = 0

    def poke(self, written):
        """Count ``written`` bytes; checkpoint past the threshold."""
        self.pending += written
        if self.pending < self.THRESHOLD:
            return
        self.pending = 0
        if self.thread is None:
            with self.lock:
                if self.thread is None:
                    self.thread = threading.Thread(
                        target=self._run, name='ck-sqlite-checkpoint',
                        daemon=True)
                    self.thread.start()
        self.event.set()

    def _run(self):
        import sqlite3

        conn = sqlite3.connect(self.path, check_same_thread=False,
                               isolation_level=None)
        conn.execute('PRAGMA busy_timeout=%d' % db.SQLITE_BUSY_TIMEOUT_MS)
        while True:
            self.event.wait()
            self.event.clear()
            try:
                conn.execute('PRAGMA wal_checkpoint(PASSIVE)').fetchall()
            except sqlite3.Error as exc:   # the next poke tries again
                LOG.debug('Checkpoint of %s failed: %s', self.path, exc)


_CHECKPOINTERS = {}


def forget_engines():
    # A forked child must not share the parent's SQLite connections (nor
    # count on its threads).
    for key, engine in list(_ENGINES.items()):
        if isinstance(key, str):
            engine.dispose(close=False)
    _ENGINES.clear()
    _CHECKPOINTERS.clear()


def after_write(engine, written):
    checkpointer = _CHECKPOINTERS.get(engine)
    if checkpointer is not None:
        checkpointer.poke(written)


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=forget_engines)


def _add_aggregates(dbapi_connection, record, *args):
    if not record.info.get('ck_aggregates'):
        sqlite_functions.add_functions(dbapi_connection)
        record.info['ck_aggregates'] = True


def _sqlite_connect(dbapi_connection, record):
    # The settings of cloudkitty.db (the API and the processor share the
    # file), plus: pushes insert into several indexes at once, keep their
    # pages cached (the default cache is 2 MiB); checkpoints are left to
    # _Checkpointer.
    db.apply_sqlite_pragmas(dbapi_connection, (
        'cache_size=-131072', 'temp_store=MEMORY', 'wal_autocheckpoint=0'))
    # Let SQLAlchemy's transaction begin; BEGIN IMMEDIATE is ours.
    dbapi_connection.isolation_level = None
    sqlite_functions.add_functions(dbapi_connection)


def get_engine():
    """The engine for rated data.

    MariaDB and PostgreSQL use the shared oslo.db engine. On SQLite,
    oslo.db opens and closes a connection per transaction (NullPool), and
    closing the last connection checkpoints the WAL: tens of milliseconds
    per push. Rated data gets its own pooled engine on the same file.
    """
    engine = db.get_engine()
    if engine.dialect.name != 'sqlite':
        return engine
    if engine.url.database in (None, '', ':memory:'):
        # One shared in-memory connection: keep oslo.db's engine.
        if id(engine) not in _ENGINES:
            with _ENGINE_LOCK:
                sa.event.listen(engine, 'checkout', _add_aggregates)
                _ENGINES[id(engine)] = engine
        return engine
    url = engine.url.render_as_string(hide_password=False)
    own = _ENGINES.get(url)
    if own is None:
        with _ENGINE_LOCK:
            own = _ENGINES.get(url)
            if own is None:
                own = sa.create_engine(url, poolclass=sa.pool.QueuePool,
                                       pool_size=5, max_overflow=10)
                sa.event.listen(own, 'connect', _sqlite_connect)
                _CHECKPOINTERS[own] = _Checkpointer(engine.url.database)
                _ENGINES[url] = own
    return own


# Isolation of write transactions. PostgreSQL: each statement sees what
# committed before it, after the advisory locks were granted. MariaDB:
# locking reads take next-key locks, so a concurrent push of the same
# (scope, period) waits or deadlocks (and is retried) instead of adding a
# second copy.
_ISOLATION = {'postgresql': 'READ COMMITTED', 'mysql': 'REPEATABLE READ'}


def _retryable(exc):
    """PostgreSQL serialization failures, retried as deadlocks are."""
    for _ in range(4):
        if exc is None:
            return False
        if getattr(exc, 'pgcode', None) in ('40001', '40P01'):
            return True
        exc = (getattr(exc, 'orig', None)
               or getattr(exc, 'inner_exception', None))
    return False


_RETRY = oslo_db_api.wrap_db_retry(
    max_retries=30, retry_interval=0.02, inc_retry_interval=True,
    max_retry_interval=0.5, retry_on_deadlock=True,
    exception_checker=_retryable, jitter=True)


@contextlib.contextmanager
def write(engine, locks=()):
    """A connection in a transaction, committed on success.

    ``locks``: advisory lock keys taken first, in order (PostgreSQL; see
    ``locks.lock_keys``). Writers add the size of what they wrote to
    ``conn.info['ck_written']`` (see _Checkpointer).
    """
    with engine.connect() as conn:
        wanted = _ISOLATION.get(conn.dialect.name)
        if wanted and conn.dialect.default_isolation_level != wanted:
            conn.execution_options(isolation_level=wanted)
        if conn.dialect.name == 'sqlite':
            # oslo.db's engine (in-memory databases) emits its own BEGIN
            # unless this marker is set.
            conn.info['in_transaction'] = True
        conn.begin()
        if conn.dialect.name == 'sqlite':
            # Take the write lock first: a deferred transaction that reads
            # then writes fails at once when another writer went first.
            db.begin_sqlite(conn, write=True)
        try:
            if locks and conn.dialect.name == 'postgresql':
                sql_locks.advisory_locks(conn, locks)
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        # Deletes and updates count as one page at least.
        written = conn.info.pop('ck_written', 0) + 4096
    after_write(engine, written)


def transaction(engine, work, locks=()):
    """Run ``work(conn)`` in a write transaction.

    Deadlocks and serialization failures roll the whole transaction back
    and run it again: ``work`` must start from scratch each time.
    """
    @_RETRY
    def attempt():
        with write(engine, locks) as conn:
            work(conn)
    attempt()
