"""Real ``cloudkitty-processor`` processes over a real API's database.

``ProcessorHarness`` takes an ``APIServer`` (its configuration file and
SQLite database, migrated with the real console scripts), seeds scope
states so that each scope has a known number of due periods, starts and
kills processor processes and reads what they stored through the storage
interface, in the test process.
"""
import collections
import datetime
import os
import signal
import subprocess
import time

from cloudkitty import db
from cloudkitty import storage
from cloudkitty import storage_state
from cloudkitty.tests.functional import api_server
from cloudkitty.utils import tz as tzutils

HOUR = datetime.timedelta(hours=1)
HASHMAP = '/v1/rating/module_config/hashmap'


def synthetic_metrics(metrics=('cpu', 'volume.size'), resources=3):
    """metrics.yml for the synthetic collector."""
    lines = ['metrics:']
    for name in metrics:
        lines += ['  %s:' % name,
                  '    unit: unit-%s' % name,
                  '    groupby: [id, project_id]',
                  '    metadata: [flavor_name]',
                  '    extra_args: {resources: %d, min: 1, max: 9, '
                  'precision: 1}' % resources]
    return '\n'.join(lines) + '\n'


def flat_cpu_rule(server, cost):
    """A flat ``cost`` per unit of cpu, valid since 2000 (force)."""
    resp = server.get(HASHMAP + '/services')
    services = {s['name']: s['service_id']
                for s in resp.json()['services']}
    if 'cpu' not in services:
        resp = server.post(HASHMAP + '/services', json={'name': 'cpu'})
        assert resp.status_code == 201, resp.text
        services['cpu'] = resp.json()['service_id']
    service_id = services['cpu']
    for mapping in server.get(HASHMAP + '/mappings',
                              service_id=service_id).json()['mappings']:
        resp = server.delete(HASHMAP + '/mappings',
                             json={'mapping_id': mapping['mapping_id']})
        assert resp.status_code == 204, resp.text
    resp = server.post(HASHMAP + '/mappings?force=true', json={
        'service_id': service_id, 'type': 'flat', 'cost': cost,
        'start': '2000-01-01T00:00:00'})
    assert resp.status_code == 201, resp.text


def processor_overrides(scopes, coordination_url, **extra):
    sections = {
        'DEFAULT': {'debug': 'false'},
        'fetcher': {'backend': 'source'},
        'fetcher_source': {'sources': ','.join(scopes)},
        'collect': {'collector': 'synthetic', 'period': '3600',
                    'wait_periods': '1', 'scope_key': 'project_id'},
        'orchestrator': {'coordination_url': coordination_url,
                         'max_workers': '2',
                         'max_workers_reprocessing': '0',
                         'max_threads': '4'},
    }
    for section, options in extra.items():
        sections.setdefault(section, {}).update(options)
    return sections


class ProcessorHarness(object):

    def __init__(self, server, conf):
        self.server = server
        self.conf = conf
        self.processes = []
        conf.set_override('connection', server.db_url, 'database')
        conf.set_override('backend', 'sqlalchemy', 'storage')
        conf.set_override('version', 2, 'storage')
        for section, options in server.overrides.items():
            if section in ('DEFAULT', 'orchestrator'):
                continue
            for key, value in options.items():
                if key in ('sources',):
                    value = value.split(',')
                try:
                    conf.set_override(key, value, section)
                except Exception:
                    pass
        db.reset()
        self.state = storage_state.StateManager()
        self.storage = storage.get_storage()

    # scopes ----------------------------------------------------------------
    @staticmethod
    def last_due():
        """Start of the last period due (period 1 h, wait_periods 1)."""
        return tzutils.align(tzutils.localized_now(), 3600) - HOUR

    def seed(self, scopes, periods):
        """Give each scope ``periods`` due periods; returns them."""
        last_due = self.last_due()
        first = last_due - HOUR * periods
        for scope in scopes:
            self.state.set_last_processed_timestamp(
                scope, first, fetcher='source', collector='synthetic',
                scope_key='project_id')
        return [first + HOUR * (i + 1) for i in range(periods)]

    def states(self):
        return {s.identifier: s.last_processed_timestamp
                for s in self.state.get_all(active=None, limit=None)}

    # processes ---------------------------------------------------------------
    def start(self, name='processor', config_file=None):
        log = open(os.path.join(self.server.tmp_dir, name + '.log'), 'ab')
        process = subprocess.Popen(
            [api_server._bin('cloudkitty-processor'), '--config-file',
             config_file or self.server.conf_file],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        log.close()
        process.log_file = os.path.join(self.server.tmp_dir, name + '.log')
        self.processes.append(process)
        return process

    def kill(self, process, sig=signal.SIGKILL):
        """Signal the processor's whole process group (master+workers)."""
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(30)
        if process in self.processes:
            self.processes.remove(process)

    def stop(self, process, timeout=30):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(process)
        # Workers left behind by a killed master.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self):
        for process in list(self.processes):
            self.stop(process)

    def log(self, process):
        with open(process.log_file, errors='replace') as handle:
            return handle.read()

    def wait_for(self, predicate, timeout=120, what='condition'):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise AssertionError('processor exited (%s):\n%s' % (
                        process.returncode, self.log(process)[-3000:]))
            if predicate():
                return
            time.sleep(0.2)
        logs = '\n'.join(self.log(p)[-2000:] for p in self.processes)
        raise AssertionError('timeout waiting for %s; states=%s\n%s'
                             % (what, self.states(), logs))

    def wait_states(self, scopes, target, timeout=120):
        """Wait until every scope processed the period of ``target``.

        (A new hour may become due meanwhile: later states count too.)
        """
        def done():
            states = self.states()
            return all(states.get(s) is not None and states[s] >= target
                       for s in scopes)
        self.wait_for(done, timeout, 'scopes at %s' % target)

    # storage ----------------------------------------------------------
    def stored(self, begin, end, scope=None):
        """Counter {(scope, metric, period start): points} from storage."""
        filters = {'project_id': scope} if scope else None
        result = self.storage.retrieve(begin=begin, end=end,
                                       filters=filters, paginate=False)
        counts = collections.Counter()
        for frame in result['dataframes']:
            for metric, point in frame.iterpoints():
                counts[(point.groupby['project_id'], metric,
                        tzutils.local_to_utc(frame.start))] += 1
        return counts

    def prices(self, begin, end, scope=None):
        """{(scope, metric, period start): sum of prices} from storage."""
        filters = {'project_id': scope} if scope else None
        result = self.storage.retrieve(begin=begin, end=end,
                                       filters=filters, paginate=False)
        sums = collections.defaultdict(lambda: 0)
        for frame in result['dataframes']:
            for metric, point in frame.iterpoints():
                sums[(point.groupby['project_id'], metric,
                      tzutils.local_to_utc(frame.start))] += point.price
        return dict(sums)


def expected_counts(scopes, metrics, periods, resources):
    return collections.Counter({
        (scope, metric, tzutils.local_to_utc(start)): resources
        for scope in scopes for metric in metrics for start in periods})
