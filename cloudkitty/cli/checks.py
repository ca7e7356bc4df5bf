"""Start-up checks of the configured plugins, each failing with one line.

Shared by ``cloudkitty-processor`` (before it forks workers, which would
otherwise crash and be re-forked forever), ``cloudkitty-storage-init``
and ``cloudkitty-status upgrade check``. Each check returns an error line
naming the option, its value and the fix, or None. Nothing here connects
to a service.
"""
from importlib import metadata

from oslo_config import cfg

CONF = cfg.CONF

FETCHERS_NAMESPACE = 'cloudkitty.fetchers'
COLLECTORS_NAMESPACE = 'cloudkitty.collector.backends'


def _entry_points(namespace):
    return {ep.name: ep for ep in metadata.entry_points(group=namespace)}


def _load_plugin(namespace, option, value, kind):
    """(plugin class, None) or (None, error line)."""
    entry_points = _entry_points(namespace)
    ep = entry_points.get(value)
    if ep is None:
        names = ', '.join(sorted(entry_points)) or 'none'
        return None, ('%s = %s is not a %s (installed: %s): set %s to one '
                      'of them' % (option, value, kind, names, option))
    try:
        return ep.load(), None
    except Exception as exc:
        detail = (str(exc).strip().splitlines() or [''])[0]
        return None, ('%s = %s: the %s (%s) cannot be loaded: %s: %s'
                      % (option, value, kind, ep.value,
                         exc.__class__.__name__, detail))


def _one_line(exc):
    detail = (str(exc).strip().splitlines() or [''])[0]
    return '%s: %s' % (exc.__class__.__name__, detail)


def check_fetcher():
    """The fetcher loads and can be built (its options are complete)."""
    CONF.import_opt('backend', 'cloudkitty.fetcher', 'fetcher')
    fetcher_class, error = _load_plugin(
        FETCHERS_NAMESPACE, '[fetcher] backend', CONF.fetcher.backend,
        'scope fetcher')
    if error:
        return error
    try:
        fetcher_class()
    except Exception as exc:
        return ('[fetcher] backend = %s cannot be set up: %s; check the '
                '[fetcher_%s] options' % (CONF.fetcher.backend,
                                          _one_line(exc),
                                          CONF.fetcher.backend))
    return None


def check_collector():
    """The collector loads and accepts metrics.yml."""
    from cloudkitty import collector
    _cls, error = _load_plugin(COLLECTORS_NAMESPACE, '[collect] collector',
                               CONF.collect.collector, 'collector')
    if error:
        return error
    path = CONF.collect.metrics_conf
    try:
        collector.get_collector(conf=collector.load_conf(path))
    except OSError as exc:
        return ('cannot read [collect] metrics_conf = %s: %s: set it to the '
                'path of your metrics.yml' % (path, exc.strerror or exc))
    except collector.InvalidConfiguration as exc:
        return str(exc).replace('\n', ' ')
    except ValueError as exc:
        return 'invalid metrics definitions in %s: %s' % (
            path, str(exc).replace('\n', ' '))
    except Exception as exc:
        return ('[collect] collector = %s cannot be set up: %s; check the '
                '[collector_%s] options' % (CONF.collect.collector,
                                            _one_line(exc),
                                            CONF.collect.collector))
    return None


def check_storage():
    from cloudkitty.storage import validation
    return validation.config_error()


def rating_modules():
    """(names of the installed rating modules, error line or None).

    Every module is imported, not created: the error line names each
    one that cannot be loaded (the enabled ones must load).
    """
    from cloudkitty.rating import registry
    failures = []

    def on_failure(manager, entrypoint, exc):
        failures.append((entrypoint, exc))

    try:
        loaded = registry.extensions(instantiate=False,
                                     on_failure=on_failure, fresh=True)
    except Exception as exc:
        # stevedore lets a few exceptions through (AssertionError).
        return [], 'rating modules cannot be loaded: %s' % _one_line(exc)
    names = sorted({ext.name for ext in loaded}
                   | {ep.name for ep, _exc in failures})
    errors = ['rating module %s (%s) cannot be loaded: %s'
              % (ep.name, ep.value, _one_line(exc))
              for ep, exc in sorted(failures, key=lambda f: f[0].name)]
    return names, '; '.join(errors) or None


def check_rating_modules():
    """Every rating module installed loads (the enabled ones must)."""
    return rating_modules()[1]


# Tables every processor worker reads, and the command creating them.
PROCESSOR_TABLES = (
    ('cloudkitty_storage_states', 'cloudkitty-storage-init'),
    ('storage_scope_reprocessing_schedule', 'cloudkitty-storage-init'),
    ('modules_state', 'cloudkitty-dbsync upgrade'),
)


def _hidden_url():
    from sqlalchemy.engine import url as sa_url
    try:
        return sa_url.make_url(CONF.database.connection).render_as_string(
            hide_password=True)
    except Exception:
        return '<unparsable URL>'


def check_database_tables(tables=PROCESSOR_TABLES):
    """The database answers and has the tables workers read.

    Schema versions are checked by ``cloudkitty-status upgrade check``.
    """
    import sqlalchemy

    from cloudkitty import db
    try:
        engine = db.get_engine()
        with engine.connect() as connection:
            inspector = sqlalchemy.inspect(connection)
            missing = [(name, fix) for name, fix in tables
                       if not inspector.has_table(name)]
    except db.DatabaseDriverMissing as exc:
        return str(exc)
    except Exception as exc:
        return ('cannot connect to [database] connection = %s: %s; check '
                'the URL, that the database exists and that the user may '
                'use it' % (_hidden_url(), _one_line(exc)))
    finally:
        # Workers are forked: none may inherit this process' connections.
        db.reset()
    if missing:
        fixes = sorted({fix for _name, fix in missing})
        return ('missing table(s) %s in [database] connection = %s: run %s'
                % (', '.join(name for name, _fix in missing), _hidden_url(),
                   ' and '.join(fixes)))
    return None


def processor_error():
    """The first error that would make every processor worker fail."""
    for check in (check_fetcher, check_collector, check_storage,
                  check_database_tables):
        error = check()
        if error:
            return error
    return None
