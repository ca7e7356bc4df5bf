"""Core database API: rating module state, collector mappings, legacy states.

Managers are small stateless objects; every call opens its own transaction
through the shared enginefacade (``cloudkitty.db``), so they can be kept
for the life of a process (and survive ``cloudkitty.db.reset()``).
"""
import collections

from oslo_db import exception as db_exc
import sqlalchemy as sa

from cloudkitty import db
from cloudkitty.db import models


class NoSuchMapping(Exception):
    """No service to collector mapping exists for a service."""

    def __init__(self, service):
        self.service = service
        super().__init__('No mapping for service: %s' % service)


class NoSuchState(Exception):
    """No legacy state exists under a name."""

    def __init__(self, name):
        self.name = name
        super().__init__('No state named: %s' % name)


#: A v1 collector mapping, as returned by the mapping manager.
Mapping = collections.namedtuple('Mapping', ['service', 'collector'])


def get_migration():
    """The core migration chain (version table ``cloudkitty_alembic``)."""
    # Imported on use: alembic is slow to import and only migrations
    # need it.
    from cloudkitty.db import migration
    return migration.AlembicChain(
        'cloudkitty',
        migration.chain_dir(__file__),
        'cloudkitty_alembic',
        models.Base.metadata)


def _upsert(model, key, values):
    """Update the row whose primary key is ``key``, creating it if absent.

    ``values`` is applied to an existing row; a new row also gets the
    model's column defaults. Two writers creating the same row at once
    collide on the primary key: the loser retries as an update.
    """
    for attempt in range(2):
        try:
            with db.session_for_write() as session:
                row = session.get(model, key, with_for_update=True)
                if row is None:
                    row = model(**values)
                    setattr(row, sa.inspect(model).primary_key[0].key, key)
                    session.add(row)
                else:
                    for name, value in values.items():
                        setattr(row, name, value)
                session.flush()
                return {c.key: getattr(row, c.key)
                        for c in sa.inspect(model).column_attrs}
        except db_exc.DBDuplicateEntry:
            if attempt:
                raise


class ModuleStateManager(object):
    """Enable flag and priority of rating modules (``modules_state``).

    As in the reference: a module without a row is disabled
    with priority 1; a NULL or 0 priority reads as 1; setters upsert.
    The v1 collector API stores collector states here under the name
    ``collector_<name>``.
    """

    def _get(self, name):
        with db.session_for_read() as session:
            row = session.get(models.ModuleStateInfo, name)
            if row is None:
                return None
            return (row.state, row.priority)

    def get_state(self, name):
        """True when module ``name`` is enabled (False without a row)."""
        row = self._get(name)
        return bool(row[0]) if row is not None else False

    def set_state(self, name, state):
        """Enable/disable module ``name``; returns the stored flag."""
        row = _upsert(models.ModuleStateInfo, name, {'state': bool(state)})
        return bool(row['state'])

    def get_priority(self, name):
        """Priority of module ``name`` (1 without a row, for NULL or 0)."""
        row = self._get(name)
        if row is None or not row[1]:
            return 1
        return int(row[1])

    def set_priority(self, name, priority):
        """Set the priority of module ``name``; returns the stored value.

        A row created here is disabled (``state`` false).
        """
        row = _upsert(models.ModuleStateInfo, name,
                      {'priority': int(priority)})
        return int(row['priority'])

    def list_states(self):
        """``{name: (enabled, priority)}`` for every stored row."""
        with db.session_for_read() as session:
            rows = session.scalars(sa.select(models.ModuleStateInfo))
            return {row.name: (bool(row.state), int(row.priority or 1))
                    for row in rows}


class ServiceToCollectorMappingManager(object):
    """v1 collector mappings (``service_to_collector_mappings``).

    Listings carry no ORDER BY, as the reference: SQLite and PostgreSQL
    return insertion order, MariaDB the primary key (service) order.
    """

    def get_mapping(self, service):
        """The Mapping of ``service``; raises NoSuchMapping."""
        with db.session_for_read() as session:
            row = session.get(models.ServiceToCollectorMapping, service)
            if row is None:
                raise NoSuchMapping(service)
            return Mapping(row.service, row.collector)

    def set_mapping(self, service, collector):
        """Point ``service`` to ``collector`` (upsert); returns the Mapping."""
        row = _upsert(models.ServiceToCollectorMapping, service,
                      {'collector': collector})
        return Mapping(row['service'], row['collector'])

    def _select(self, collector):
        query = sa.select(models.ServiceToCollectorMapping)
        if collector is not None:
            query = query.where(
                models.ServiceToCollectorMapping.collector == collector)
        return query

    def list_mappings(self, collector=None):
        """Every Mapping, or those of ``collector``."""
        with db.session_for_read() as session:
            return [Mapping(row.service, row.collector)
                    for row in session.scalars(self._select(collector))]

    def list_services(self, collector=None):
        """Names of the mapped services, or of those of ``collector``."""
        return [m.service for m in self.list_mappings(collector)]

    def delete_mapping(self, service):
        """Delete the mapping of ``service``; raises NoSuchMapping."""
        with db.session_for_write() as session:
            deleted = session.execute(
                sa.delete(models.ServiceToCollectorMapping).where(
                    models.ServiceToCollectorMapping.service == service)
            ).rowcount
        if not deleted:
            raise NoSuchMapping(service)


class StateManager(object):
    """Legacy key/value states (``states``: integer state + metadata)."""

    def get_state(self, name):
        """The integer state stored under ``name``, or None."""
        with db.session_for_read() as session:
            row = session.get(models.StateInfo, name)
            return None if row is None else int(row.state)

    def set_state(self, name, state):
        """Store ``state`` under ``name`` (upsert); returns it."""
        row = _upsert(models.StateInfo, name, {'state': int(state)})
        return int(row['state'])

    def get_metadata(self, name):
        """The metadata text stored under ``name``; raises NoSuchState."""
        with db.session_for_read() as session:
            row = session.get(models.StateInfo, name)
            if row is None:
                raise NoSuchState(name)
            return row.s_metadata

    def set_metadata(self, name, metadata):
        """Store ``metadata`` for the existing state ``name``."""
        with db.session_for_write() as session:
            row = session.get(models.StateInfo, name)
            if row is None:
                raise NoSuchState(name)
            row.s_metadata = metadata


def get_module_state_manager():
    return ModuleStateManager()


def get_service_to_collector_mapping_manager():
    return ServiceToCollectorMappingManager()


def get_state_manager():
    return StateManager()
