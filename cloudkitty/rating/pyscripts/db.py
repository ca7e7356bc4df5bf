"""Database API of the pyscripts module.

Scripts are stored as zlib-compressed UTF-8 with the SHA-512 of the source.
Every datetime given to or returned by this API is naive UTC (the storage
convention); callers convert at their boundary.
"""
import hashlib
import uuid
import zlib

from oslo_db import exception as db_exc
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.db import migration
from cloudkitty.rating.pyscripts import models
from cloudkitty import utils

# created_by/updated_by/deleted_by are String(32) (keystone user ids).
_USER_LENGTH = 32


class PyScriptsError(Exception):
    """Base of the errors of the pyscripts DB API."""


class NoSuchScript(PyScriptsError):
    def __init__(self, name=None, uuid=None):
        super().__init__('No such script: %s (UUID: %s)' % (name, uuid))
        self.name = name
        self.uuid = uuid


class ScriptAlreadyExists(PyScriptsError):
    def __init__(self, name, uuid):
        super().__init__('Script %s already exists (UUID: %s)' % (name, uuid))
        self.name = name
        self.uuid = uuid


def checksum(source):
    """Lower-case hex SHA-512 of the UTF-8 bytes of ``source``."""
    return hashlib.sha512(source.encode('utf-8')).hexdigest()


def _possible_id(script_id):
    """False for values no stored script_id can equal (NoSuchScript).

    Checked before querying: some databases refuse NUL characters or
    comparing a string column with a number (a 500 otherwise).
    """
    return (isinstance(script_id, str) and len(script_id) <= 36
            and '\x00' not in script_id and script_id.isprintable())


def _user(user):
    return (user or 'unknown')[:_USER_LENGTH]


class Script(object):
    """A stored script, detached from its session.

    ``data`` is the decoded source, or None when loaded without it.
    """

    __slots__ = ('script_id', 'name', 'data', 'checksum', 'created_at',
                 'start', 'end', 'description', 'deleted', 'created_by',
                 'updated_by', 'deleted_by')

    def __init__(self, row, with_data=True):
        for attr in self.__slots__:
            if attr != 'data':
                setattr(self, attr, getattr(row, attr))
        self.data = (zlib.decompress(row.data).decode('utf-8')
                     if with_data else None)

    def __repr__(self):
        return '<Script %s %s>' % (self.script_id, self.name)


class ScriptsDB(object):
    """Reads and writes ``pyscripts_scripts``."""

    @staticmethod
    def get_migration():
        return migration.AlembicChain(
            'pyscripts', migration.chain_dir(__file__), 'pyscripts_alembic',
            models.Base.metadata)

    @staticmethod
    def _query_live(session, script_id):
        if not _possible_id(script_id):
            return None
        return session.execute(
            sa.select(models.PyScriptsScript).where(
                models.PyScriptsScript.script_id == script_id,
                models.PyScriptsScript.deleted.is_(None))
        ).scalar_one_or_none()

    def get_script(self, script_id, with_data=True):
        """The non-deleted script ``script_id``; NoSuchScript otherwise."""
        with db.session_for_read() as session:
            row = self._query_live(session, script_id)
            if row is None:
                raise NoSuchScript(uuid=script_id)
            return Script(row, with_data)

    def list_scripts(self, with_data=True, deleted=False, start=None,
                     end=None, created_by=None, updated_by=None,
                     deleted_by=None, description=None, is_active=None,
                     now=None):
        """Scripts in storage order, filtered as the reference filters them."""
        model = models.PyScriptsScript
        query = sa.select(model)
        if not deleted:
            query = query.where(model.deleted.is_(None))
        if start is not None:
            query = query.where(model.start >= start)
        if end is not None:
            query = query.where(model.end < end)
        for column, value in ((model.created_by, created_by),
                              (model.updated_by, updated_by),
                              (model.deleted_by, deleted_by)):
            if value is not None:
                query = query.where(column == value)
        if description is not None:
            query = query.where(
                sa.func.lower(model.description).contains(
                    description.lower(), autoescape=True))
        if is_active is not None:
            active = self._active_clause(now or utils.naive_utcnow())
            query = query.where(active if is_active else sa.not_(active))
        query = query.order_by(model.id)
        with db.session_for_read() as session:
            return [Script(row, with_data)
                    for row in session.execute(query).scalars()]

    @staticmethod
    def _active_clause(at):
        model = models.PyScriptsScript
        return sa.and_(model.deleted.is_(None),
                       model.start <= at,
                       sa.or_(model.end.is_(None), model.end > at))

    def get_active_scripts(self, at):
        """Scripts to run for a period starting at ``at``, storage order."""
        query = (sa.select(models.PyScriptsScript)
                 .where(self._active_clause(at))
                 .order_by(models.PyScriptsScript.id))
        with db.session_for_read() as session:
            return [Script(row) for row in session.execute(query).scalars()]

    def create_script(self, name, data, start=None, end=None,
                      description=None, created_by=None):
        """Store a new script; ScriptAlreadyExists on a live name clash."""
        model = models.PyScriptsScript
        now = utils.naive_utcnow()
        try:
            return self._insert_script(model, now, name, data, start, end,
                                       description, created_by)
        except db_exc.DBDuplicateEntry:
            # A concurrent creation of the same name won (the unique
            # constraint on live_name decided).
            with db.session_for_read() as session:
                existing = session.execute(
                    sa.select(model.script_id).where(
                        model.live_name == name)).scalars().first()
            raise ScriptAlreadyExists(name, existing)

    def _insert_script(self, model, now, name, data, start, end,
                       description, created_by):
        with db.session_for_write() as session:
            existing = session.execute(
                sa.select(model.script_id).where(
                    model.name == name, model.deleted.is_(None))
            ).scalars().first()
            if existing is not None:
                raise ScriptAlreadyExists(name, existing)
            row = model(
                script_id=str(uuid.uuid4()),
                name=name,
                live_name=name,
                data=zlib.compress(data.encode('utf-8')),
                checksum=checksum(data),
                created_at=now,
                start=start or now,
                end=end,
                description=description,
                created_by=_user(created_by))
            session.add(row)
            session.flush()
            return Script(row)

    def update_script(self, script_id, prepare, updated_by=None):
        """Change a non-deleted script.

        ``prepare(script)`` is called with the current script inside the
        write transaction (row locked where the backend allows it); it
        returns the attributes to change (``data``, ``start``, ``end``,
        ``description``) or raises to refuse the update.
        """
        model = models.PyScriptsScript
        if not _possible_id(script_id):
            raise NoSuchScript(uuid=script_id)
        with db.session_for_write() as session:
            row = session.execute(
                sa.select(model).where(model.script_id == script_id,
                                       model.deleted.is_(None))
                .with_for_update()
            ).scalar_one_or_none()
            if row is None:
                raise NoSuchScript(uuid=script_id)
            changes = dict(prepare(Script(row)))
            unknown = set(changes) - {'data', 'start', 'end', 'description'}
            if unknown:
                raise ValueError('cannot update %s' % ', '.join(unknown))
            if 'data' in changes:
                data = changes.pop('data')
                row.data = zlib.compress(data.encode('utf-8'))
                row.checksum = checksum(data)
            for attr, value in changes.items():
                setattr(row, attr, value)
            row.updated_by = _user(updated_by)
            session.flush()
            return Script(row)

    def delete_script(self, script_id, deleted_by=None):
        """Soft-delete a script; NoSuchScript if absent or deleted."""
        model = models.PyScriptsScript
        if not _possible_id(script_id):
            raise NoSuchScript(uuid=script_id)
        with db.session_for_write() as session:
            result = session.execute(
                sa.update(model)
                .where(model.script_id == script_id,
                       model.deleted.is_(None))
                .values(deleted=utils.naive_utcnow(),
                        deleted_by=_user(deleted_by), live_name=None))
            if result.rowcount != 1:
                raise NoSuchScript(uuid=script_id)


def get_instance():
    return ScriptsDB()
