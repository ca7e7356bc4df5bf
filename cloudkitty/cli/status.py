"""``cloudkitty-status``: ``upgrade check`` and ``scopes``.

``upgrade check`` (oslo.upgradecheck) loads what the services would load
and reports a Failure naming the option and the fix: the storage options
and driver, the fetcher, the collector with metrics.yml, the rating
modules, the database connection and every migration chain at its head.

``scopes`` prints every scope's state and how far behind it is.
"""
import sys

from oslo_config import cfg
from oslo_policy import opts as policy_opts
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from cloudkitty.i18n import _
from cloudkitty import service

CONF = cfg.CONF

SUCCESS = upgradecheck.Code.SUCCESS
FAILURE = upgradecheck.Code.FAILURE


def _result(error, ok_details=None):
    if error:
        return upgradecheck.Result(FAILURE, error)
    return upgradecheck.Result(SUCCESS, ok_details)


def _hidden_url():
    from cloudkitty.cli import checks
    return checks._hidden_url()


def _one_line(exc):
    detail = (str(exc).strip().splitlines() or [''])[0]
    return '%s: %s' % (exc.__class__.__name__, detail)


def storage_chain():
    """(name, chain, fix) of the configured storage driver, or None."""
    from cloudkitty.storage import validation
    driver_class = validation.load_driver_class()
    module = sys.modules.get(driver_class.__module__)
    for getter in ('get_migration', 'get_chain'):
        get = getattr(module, getter, None)
        if get is not None:
            return ('storage %s' % CONF.storage.backend, get(),
                    'cloudkitty-storage-init')
    return None


def migration_chains(with_storage=True):
    """[(name, chain, command that upgrades it)] of the configuration."""
    from cloudkitty.cli import dbsync
    from cloudkitty import storage_state
    chains = [(name, chain, 'cloudkitty-dbsync upgrade')
              for name, chain in dbsync.get_chains()]
    chains.append(('scope states', storage_state.get_migration(),
                   'cloudkitty-storage-init'))
    if with_storage:
        storage = storage_chain()
        if storage is not None:
            chains.append(storage)
    return chains


class CloudkittyUpgradeChecks(upgradecheck.UpgradeCommands):

    def _storage_version(self):
        if CONF.storage.version < 2:
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                _('Storage version is inferior to 2. Support for v1 storage '
                  'will be dropped in a future release.'))
        return upgradecheck.Result(SUCCESS)

    def _storage_options(self):
        from cloudkitty.cli import checks
        return _result(checks.check_storage(),
                       '[storage] version = %s, backend = %s'
                       % (CONF.storage.version, CONF.storage.backend))

    def _fetcher(self):
        from cloudkitty.cli import checks
        return _result(checks.check_fetcher(),
                       '[fetcher] backend = %s' % CONF.fetcher.backend)

    def _collector(self):
        from cloudkitty.cli import checks
        return _result(checks.check_collector(),
                       '[collect] collector = %s, metrics_conf = %s'
                       % (CONF.collect.collector, CONF.collect.metrics_conf))

    def _rating_modules(self):
        from cloudkitty.cli import checks
        names, error = checks.rating_modules()
        return _result(error, 'loaded: %s' % ', '.join(names))

    def _database(self):
        import sqlalchemy

        from cloudkitty import db
        try:
            with db.get_engine().connect() as connection:
                connection.execute(sqlalchemy.text('SELECT 1'))
        except db.DatabaseDriverMissing as exc:
            return upgradecheck.Result(FAILURE, str(exc))
        except Exception as exc:
            return upgradecheck.Result(
                FAILURE, 'cannot connect to [database] connection = %s: %s; '
                'check the URL, that the database exists and that the '
                'user may use it' % (_hidden_url(), _one_line(exc)))
        return upgradecheck.Result(SUCCESS, _hidden_url())

    def _schema(self):
        from cloudkitty import db
        from cloudkitty.storage import validation
        try:
            db.get_engine()
        except db.DatabaseDriverMissing as exc:
            return upgradecheck.Result(FAILURE, str(exc))
        except Exception as exc:
            # The engine connects at once: a database that cannot be
            # opened (a SQLite file in a missing directory...) fails here.
            return upgradecheck.Result(
                FAILURE, 'cannot read the schema versions in [database] '
                'connection = %s: %s' % (_hidden_url(), _one_line(exc)))
        try:
            chains = migration_chains()
        except validation.StorageConfigError:
            # Reported by the storage check; the other chains still count.
            chains = migration_chains(with_storage=False)
        problems = []
        try:
            for name, chain, fix in chains:
                current = set(chain.current_revisions())
                heads = set(chain.heads())
                if not current:
                    problems.append('%s: not created (run %s)' % (name, fix))
                elif current != heads:
                    problems.append('%s: at %s, head is %s (run %s)' % (
                        name, ', '.join(sorted(current)),
                        ', '.join(sorted(heads)), fix))
        except Exception as exc:
            return upgradecheck.Result(
                FAILURE, 'cannot read the schema versions in [database] '
                'connection = %s: %s' % (_hidden_url(), _one_line(exc)))
        if problems:
            return upgradecheck.Result(FAILURE, '; '.join(problems))
        return upgradecheck.Result(
            SUCCESS, 'at head: %s' % ', '.join(c[0] for c in chains))

    _upgrade_checks = (
        (_('Storage version'), _storage_version),
        (_('Storage options'), _storage_options),
        (_('Fetcher'), _fetcher),
        (_('Collector and metrics.yml'), _collector),
        (_('Rating modules'), _rating_modules),
        (_('Database connection'), _database),
        (_('Database schema'), _schema),
        (_('Policy File JSON to YAML Migration'),
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def _duration(seconds):
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return '%dd %dh' % (days, hours)
    if hours:
        return '%dh %dm' % (hours, minutes)
    return '%dm' % minutes


def scope_rows(now=None):
    """[{scope, ..., behind, lag}] of every scope state, most behind first.

    ``behind`` counts the periods due now (the processor rates them at its
    next cycle); ``lag`` is that many periods as a duration.
    """
    from cloudkitty import orchestrator
    from cloudkitty import storage_state
    from cloudkitty.utils import tz as tzutils
    now = now or tzutils.localized_now()
    period = CONF.collect.period
    rows = []
    for state in storage_state.StateManager().get_all(active=None,
                                                      limit=None):
        last = state.last_processed_timestamp
        behind = orchestrator.periods_behind(last, now=now)
        nxt = tzutils.add_delta(last, orchestrator._period())
        rows.append({
            'scope_id': state.identifier,
            'scope_key': state.scope_key,
            'fetcher': state.fetcher,
            'collector': state.collector,
            'active': state.active,
            'last_processed_timestamp': last.isoformat(),
            'next_period': nxt.isoformat(),
            'periods_behind': behind,
            'lag': _duration(behind * period) if behind else '0m',
        })
    rows.sort(key=lambda row: (-row['periods_behind'], row['scope_id']))
    return rows


def task_rows():
    """Unfinished reprocessing tasks with the periods they have left."""
    import datetime

    from cloudkitty import storage_state
    step = datetime.timedelta(seconds=CONF.collect.period)
    rows = []
    for task in storage_state.ReprocessingSchedulerDb().get_all(
            remove_finished=True, limit=None):
        nxt = task.start_reprocess_time
        if task.current_reprocess_time is not None:
            nxt = task.current_reprocess_time + step
        left = max(0, int((task.end_reprocess_time - nxt) / step) + 1)
        row = task.as_dict()
        row['periods_left'] = left
        rows.append(row)
    return rows


SCOPE_COLUMNS = ('scope_id', 'active', 'last_processed_timestamp',
                 'periods_behind', 'lag', 'scope_key', 'fetcher',
                 'collector')
TASK_COLUMNS = ('scope_id', 'start_reprocess_time', 'end_reprocess_time',
                'current_reprocess_time', 'periods_left', 'reason')


def show_scopes():
    """``cloudkitty-status scopes``: every scope's state and lag."""
    import json

    import prettytable

    from cloudkitty import db
    try:
        scopes, tasks = scope_rows(), task_rows()
    except db.DatabaseDriverMissing as exc:
        print('cloudkitty-status: error: %s' % exc, file=sys.stderr)
        return 1
    except Exception as exc:
        print('cloudkitty-status: error: cannot read the scope states in '
              '[database] connection = %s: %s (run cloudkitty-storage-init '
              'if the tables do not exist)' % (_hidden_url(), _one_line(exc)),
              file=sys.stderr)
        return 1
    if CONF.command.json:
        print(json.dumps({'scopes': scopes, 'reprocessing': tasks}))
        return 0
    table = prettytable.PrettyTable(SCOPE_COLUMNS)
    table.align = 'l'
    for row in scopes:
        table.add_row([row[c] for c in SCOPE_COLUMNS])
    print(table)
    behind = [row for row in scopes if row['periods_behind']]
    print('%d scope(s): %d up to date, %d behind%s (period %ss, '
          'wait_periods %s)' % (
              len(scopes), len(scopes) - len(behind), len(behind),
              ' (most: %s by %d period(s))' % (
                  behind[0]['scope_id'], behind[0]['periods_behind'])
              if behind else '', CONF.collect.period,
              CONF.collect.wait_periods))
    if tasks:
        table = prettytable.PrettyTable(TASK_COLUMNS)
        table.align = 'l'
        for row in tasks:
            table.add_row([row[c] for c in TASK_COLUMNS])
        print('Reprocessing tasks:')
        print(table)
    return 0


def register_cli_options(conf, checks):
    """``upgrade check`` (as oslo.upgradecheck registers it) and ``scopes``."""

    def add_parsers(subparsers):
        upgrade = subparsers.add_parser('upgrade')
        upgrade.add_argument('check')
        upgrade.set_defaults(action_fn=checks.check)
        upgrade.add_argument(
            '--json', action='store_true',
            help='Output the results in JSON format. Default is to print '
                 'results in human readable table format.')
        scopes = subparsers.add_parser(
            'scopes', help='Print every scope state and how many periods it '
                           'is behind.')
        scopes.add_argument('--json', action='store_true',
                            help='Output JSON instead of a table.')
        scopes.set_defaults(action_fn=show_scopes)

    conf.register_cli_opt(cfg.SubCommandOpt('command', handler=add_parsers))


def main(argv=None):
    argv = sys.argv if argv is None else argv
    import cloudkitty.storage  # noqa: F401  ([storage] options)
    policy_opts.set_defaults(CONF)
    register_cli_options(CONF, CloudkittyUpgradeChecks())
    # cloudkitty's parser: a bad value exits with one line naming it.
    service.parse_config(argv, CONF)
    if not getattr(CONF.command, 'name', None):
        print('Available categories: upgrade, scopes', file=sys.stderr)
        return 2
    # What upgradecheck.main() does: check() reads --json from it.
    upgradecheck.CONF = CONF
    return upgradecheck.run(CONF)


if __name__ == '__main__':
    sys.exit(main())
