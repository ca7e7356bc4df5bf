"""Advisory locks serialising pushes of one (owner, UTC day) on PostgreSQL.
"""
import hashlib

from cloudkitty.storage.v2.sqlalchemy import layout


def lock_key(owner, day):
    digest = hashlib.blake2b(('%s\x1f%d' % (owner, day)).encode(
        'utf-8', 'surrogatepass'), digest_size=8, person=b'ck-rated').digest()
    return int.from_bytes(digest, 'big', signed=True)


# Every push holds this key shared, or exclusive (alone) when it has more
# (owner, day) keys than _MAX_LOCKS: the lock table of PostgreSQL is
# bounded (max_locks_per_transaction per connection).
_ALL_KEY = lock_key('*', -1)
_MAX_LOCKS = 512


def advisory_locks(conn, keys):
    """Take the advisory locks of ``keys`` (see ``lock_keys``)."""
    if keys == 'all':
        conn.exec_driver_sql('SELECT pg_advisory_xact_lock(%(k)s)',
                             {'k': _ALL_KEY})
        return
    conn.exec_driver_sql('SELECT pg_advisory_xact_lock_shared(%(k)s)',
                         {'k': _ALL_KEY})
    conn.exec_driver_sql(
        'SELECT count(pg_advisory_xact_lock(k)) FROM '
        'unnest(%(keys)s::bigint[]) AS k', {'keys': keys})


def lock_keys(replaced):
    """Advisory lock keys of a push: one per (owner, UTC day) it replaces.

    Taken in sorted order before anything is read, they serialise pushes
    of the same (scope, period) on PostgreSQL, where no lock covers a
    block that does not exist yet: without them two pushes could both
    find nothing to replace and both insert. ``'all'`` when there would
    be too many: the push then runs alone.
    """
    keys = set()
    for begin, end, owner, pairs in replaced:
        owners = [owner] if owner is not None else {o for o, _ in pairs}
        for day in range(begin // layout.DAY,
                         (max(end, begin + 1) - 1) // layout.DAY + 1):
            keys.update(lock_key(o, day) for o in owners)
            if len(keys) > _MAX_LOCKS:
                return 'all'
    return sorted(keys)
