"""Copy rated data between storages (``cloudkitty-storage-migrate``).

Each side is a ``cloudkitty.conf`` of its own. Storage drivers read the
global ``cfg.CONF`` (the SQL engine, the InfluxDB client...), so each side
runs in a child process that loads its configuration and its driver
(``get_storage()``, any version and backend) and answers commands over a
pipe. The parent plans the work, forwards the data and records progress:

* the work is split into units of one scope and one UTC day having data;
  the scopes of each month are asked first (``get_tenants``), so months
  without data cost one call, then those of each day;
* a unit is read from the source (``retrieve``, filtered by scope), its
  frames merged by period, and pushed to the target with the scope id:
  a push replaces the scope's data of each pushed period, so a unit done
  twice is stored once;
* a finished unit is appended to the state file (flushed and synced);
  a rerun with the same state file skips finished units. A kill between a
  push and its record repeats that unit, which replaces it;
* the source reads the next unit while the target writes the current one;
* at the end, the sums of the points by scope, metric type and UTC day
  (count, quantity, price) are computed on both sides from the stored
  points, as exact decimals, and compared.
"""
import collections
import datetime
import decimal
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import signal
import traceback

from cloudkitty.utils import tz as tzutils

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)
ZERO = decimal.Decimal(0)


class MigrationError(Exception):
    """A side failed; the message names the side and the cause."""


# -- the child process of one side ------------------------------------------

def _load_storage(config_file):
    from oslo_log import log

    from cloudkitty.common import defaults
    from cloudkitty import service

    log.register_options(service.CONF)
    log.set_defaults()
    # stdout is the tool's report; the sides log to stderr (or their
    # configured log file).
    service.CONF.set_default('use_stderr', True)
    defaults.set_db_defaults()
    service.parse_config(['cloudkitty-storage-migrate', '--config-file',
                          config_file], default_config_files=[],
                         default_config_dirs=[])
    log.setup(service.CONF, 'cloudkitty')
    if not service.CONF.debug:
        # The tool's own output is the progress: only problems from here,
        # without the factory's notice about v2 storage being in beta.
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger('cloudkitty.storage').addFilter(
            lambda record: 'is in beta' not in record.getMessage())
    from cloudkitty import storage
    return storage.get_storage(), service.CONF.collect.scope_key


def _utc(dt):
    return tzutils.localized(dt).astimezone(UTC)


def _scope_of(point, scope_key):
    value = point.groupby.get(scope_key)
    if value is None:
        value = point.metadata.get(scope_key)
    return '' if value is None else str(value)


class _SideServer(object):
    """Runs in the child: one storage driver, commands from the pipe."""

    def __init__(self, config_file):
        self.storage, self.scope_key = _load_storage(config_file)

    def _retrieve(self, begin, end, scope):
        from cloudkitty import storage as ck_storage
        filters = {self.scope_key: scope} if scope is not None else None
        try:
            result = self.storage.retrieve(
                begin=begin, end=end, filters=filters, paginate=False)
        except ck_storage.NoTimeFrame:
            return []
        return result.get('dataframes') or []

    def init(self):
        self.storage.init()

    def period(self):
        from cloudkitty import service
        return service.CONF.collect.period

    def scopes(self, begin, end):
        from cloudkitty import storage as ck_storage
        try:
            scopes = self.storage.get_tenants(begin=begin, end=end)
        except ck_storage.NoTimeFrame:
            return []
        return sorted({str(s) for s in scopes if s not in (None, '')})

    def read(self, begin, end, scope):
        """The scope's points, one entry per period.

        ``(count, [(start, end, [(type, unit, qty, price, groupby,
        metadata)])])``.
        """
        periods = collections.OrderedDict()
        count = 0
        for frame in self._retrieve(begin, end, scope):
            key = (_utc(frame.start), _utc(frame.end))
            points = periods.setdefault(key, [])
            for type_, point in frame.iterpoints():
                if _scope_of(point, self.scope_key) != scope:
                    continue
                points.append((type_, point.unit, point.qty, point.price,
                               dict(point.groupby), dict(point.metadata)))
                count += 1
        frames = [(start, end_, points)
                  for (start, end_), points in sorted(periods.items())
                  if points]
        return count, frames

    def push(self, scope, frames):
        from cloudkitty import dataframe
        output = []
        for start, end, points in frames:
            frame = dataframe.DataFrame(start, end)
            for type_, unit, qty, price, groupby, metadata in points:
                frame.add_point(dataframe.DataPoint(
                    unit, qty, price, groupby, metadata), type_)
            output.append(frame)
        if output:
            self.storage.push(output, scope)
        return sum(len(f) for f in output)

    def sums(self, begin, end, scope):
        """{(type, day iso): [count, qty, price]} of the scope."""
        output = {}
        for frame in self._retrieve(begin, end, scope):
            day = _utc(frame.start).date().isoformat()
            for type_, point in frame.iterpoints():
                if _scope_of(point, self.scope_key) != scope:
                    continue
                entry = output.setdefault((type_, day), [0, ZERO, ZERO])
                entry[0] += 1
                entry[1] += point.qty
                entry[2] += point.price
        return output


def _side_main(conn, config_file):
    """Entry point of a side's child process."""
    # Ctrl-C reaches the whole process group: the parent handles it and
    # stops the sides in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        server = _SideServer(config_file)
    except BaseException as exc:
        conn.send(('error', _describe(exc), traceback.format_exc()))
        return
    conn.send(('ok', None))
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return      # the parent is gone
        # The pipe connects this process to its own parent only (as
        # multiprocessing itself pickles over it).
        command, args = pickle.loads(message)  # nosec B301
        if command == 'exit':
            return
        try:
            if command == 'push':
                scope, payload = args
                result = server.push(scope, pickle.loads(payload))  # nosec
            else:
                result = getattr(server, command)(*args)
            if command == 'read':
                count, frames = result
                conn.send(('ok', count))
                conn.send_bytes(pickle.dumps(frames, protocol=5))
            else:
                conn.send(('ok', result))
        except BaseException as exc:
            conn.send(('error', _describe(exc), traceback.format_exc()))


def _describe(exc):
    if isinstance(exc, SystemExit):
        # The configuration checks exit with "<prog>: error: <why>".
        return str(exc.code).split(': error: ', 1)[-1]
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ''
    return '%s: %s' % (exc.__class__.__name__, text) if text else \
        exc.__class__.__name__


class Side(object):
    """The parent's handle on a side's child process."""

    def __init__(self, name, config_file):
        self.name = name
        self.config_file = os.path.abspath(config_file)
        if not os.path.isfile(self.config_file):
            raise MigrationError('%s configuration %s: no such file'
                                 % (name, config_file))
        ctx = multiprocessing.get_context('spawn')
        self._conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_side_main,
                                   args=(child, self.config_file),
                                   name='storage-migrate-%s' % name,
                                   daemon=True)
        self.process.start()
        child.close()
        self._ready = False

    def wait_ready(self):
        """Wait until the side loaded its configuration and driver."""
        if not self._ready:
            self._answer()
            self._ready = True

    def _answer(self):
        try:
            answer = self._conn.recv()
        except (EOFError, OSError):
            raise MigrationError('%s storage (%s): the process ended '
                                 'unexpectedly' % (self.name,
                                                   self.config_file))
        if answer[0] == 'error':
            raise MigrationError('%s storage (%s): %s' % (
                self.name, self.config_file, answer[1]), answer[2])
        return answer[1]

    def send(self, command, *args):
        self._conn.send_bytes(pickle.dumps((command, args), protocol=5))

    def call(self, command, *args):
        self.send(command, *args)
        return self._answer()

    def recv_payload(self):
        """(points, pickled frames) answering a 'read'."""
        count = self._answer()
        return count, self._conn.recv_bytes()

    def close(self):
        try:
            self.send('exit')
        except (OSError, ValueError):
            pass
        self.process.join(10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        self._conn.close()


# -- planning, progress state ------------------------------------------------

def day_start(dt):
    dt = _utc(dt)
    return datetime.datetime(dt.year, dt.month, dt.day, tzinfo=UTC)


def month_start(dt):
    return datetime.datetime(dt.year, dt.month, 1, tzinfo=UTC)


def next_month(dt):
    if dt.month == 12:
        return datetime.datetime(dt.year + 1, 1, 1, tzinfo=UTC)
    return datetime.datetime(dt.year, dt.month + 1, 1, tzinfo=UTC)


class Unit(collections.namedtuple('Unit', ['scope', 'begin', 'end'])):
    """One scope over one window (a UTC day, cut to --begin/--end)."""

    @property
    def key(self):
        return '%s\t%s' % (self.scope, self.begin.isoformat())


def plan(source, begin, end, scopes=None):
    """The units of [begin, end), scope by scope, in time order.

    Months without data cost one call; in the others, the scopes of each
    day are asked, so that no unit is empty.
    """
    units = []
    cursor = begin
    while cursor < end:
        month_end = min(next_month(month_start(cursor)), end)
        found = source.call('scopes', cursor, month_end)
        if scopes:
            found = [s for s in found if s in scopes]
        day = cursor
        while found and day < month_end:
            day_end = min(day_start(day) + DAY, month_end)
            daily = source.call('scopes', day, day_end)
            units.extend(Unit(scope, day, day_end) for scope in daily
                         if scope in found)
            day = day_end
        cursor = month_end
    return units


class StateFile(object):
    """Finished units, one line each, synced as they are recorded."""

    HEADER = 'cloudkitty-storage-migrate v1'

    def __init__(self, path, source, target):
        self.path = path
        self.done = set()
        identity = json.dumps({'from': source, 'to': target})
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                lines = handle.read().split('\n')
            if not lines or lines[0] != self.HEADER:
                raise MigrationError('%s is not a state file of this tool'
                                     % path)
            if len(lines) > 1 and lines[1] != identity:
                raise MigrationError(
                    'state file %s records another migration (%s)'
                    % (path, lines[1]))
            # The last line may be cut by a kill: only whole lines count.
            for line in lines[2:-1]:
                parts = line.split('\t')
                if parts[0] == 'done' and len(parts) == 4:
                    self.done.add('%s\t%s' % (parts[1], parts[2]))
            self._handle = open(path, 'a', encoding='utf-8')
            if lines[-1]:
                # Drop a partial line from the file's logical content.
                self._handle.write('\n')
        else:
            self._handle = open(path, 'w', encoding='utf-8')
            self._handle.write('%s\n%s\n' % (self.HEADER, identity))
            self._sync()

    def _sync(self):
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def record(self, unit, points):
        self._handle.write('done\t%s\t%d\n' % (unit.key, points))
        self._sync()
        self.done.add(unit.key)

    def close(self):
        self._handle.close()


def default_state_file(source, target):
    # A file name, not a security check.
    digest = hashlib.sha1(json.dumps([source, target]).encode(),
                          usedforsecurity=False).hexdigest()
    return os.path.abspath('cloudkitty-storage-migrate-%s.state'
                           % digest[:12])


# -- the migration ------------------------------------------------------------

class Migration(object):
    """Copies the units of a plan; see the module documentation."""

    def __init__(self, source, target, state, progress):
        self.source = source
        self.target = target
        self.state = state
        self.progress = progress

    def run(self, units):
        todo = [u for u in units if u.key not in self.state.done]
        self.progress.start(len(units), len(units) - len(todo))
        pending = None      # (unit, points) pushed, not acknowledged yet
        for index, unit in enumerate(todo):
            self.source.send('read', unit.begin, unit.end, unit.scope)
            if pending is not None:
                self._acknowledge(*pending)
                pending = None
            count, payload = self.source.recv_payload()
            if count:
                self.target.send('push', unit.scope, payload)
                pending = (unit, count)
            else:
                self.state.record(unit, 0)
                self.progress.advance(unit, 0)
        if pending is not None:
            self._acknowledge(*pending)
        self.progress.finish()

    def _acknowledge(self, unit, count):
        self.target._answer()
        self.state.record(unit, count)
        self.progress.advance(unit, count)


def dry_run(source, units, progress):
    """Points each unit would copy, without writing anything."""
    progress.start(len(units), 0)
    total = 0
    for unit in units:
        source.send('read', unit.begin, unit.end, unit.scope)
        count, _payload = source.recv_payload()
        total += count
        progress.advance(unit, count)
    progress.finish()
    return total


Difference = collections.namedtuple(
    'Difference', ['scope', 'type', 'day', 'source', 'target'])


def verify(source, target, units, progress=None):
    """(differences, groups compared) of the sums by (scope, type, day).

    Each side sums the points it stores; the windows are the units'.
    ``source``/``target`` values are ``(count, qty, price)`` or None.
    """
    differences = []
    groups = 0
    if progress is not None:
        progress.start(len(units), 0)
    for unit in units:
        source.send('sums', unit.begin, unit.end, unit.scope)
        target.send('sums', unit.begin, unit.end, unit.scope)
        left = source._answer()
        right = target._answer()
        for key in sorted(set(left) | set(right)):
            groups += 1
            a, b = left.get(key), right.get(key)
            if a is None or b is None or list(a) != list(b):
                differences.append(Difference(
                    unit.scope, key[0], key[1],
                    tuple(a) if a else None, tuple(b) if b else None))
        if progress is not None:
            progress.advance(unit, 0)
    if progress is not None:
        progress.finish()
    return differences, groups
