"""Library option defaults CloudKitty changes."""
from oslo_config import cfg
from oslo_db import options as db_options


def set_config_defaults():
    """Override oslo.middleware CORS defaults and oslo.db's connection.

    Hook of the sample generator; the services call the two halves:
    every process the database one (prepare_service), the API the CORS
    one (its middleware is the only reader, and oslo.middleware is slow
    to import).
    """
    set_db_defaults()
    set_cors_defaults()


def set_db_defaults():
    """The [database] connection default of CloudKitty (embedded SQLite)."""
    # cloudkitty.db sets the [database] connection default on CONF; the
    # sample generator reads the option objects' own defaults.
    from cloudkitty import db
    cfg.set_defaults(db_options.database_opts,
                     connection=db.DEFAULT_CONNECTION)


def set_cors_defaults():
    """CORS headers and methods the API allows by default."""
    # Deferred for start-up time: oslo.middleware imports webob, jinja2...
    from oslo_middleware import cors
    cors.set_defaults(
        allow_headers=['X-Auth-Token',
                       'X-Subject-Token',
                       'X-Roles',
                       'X-User-Id',
                       'X-Domain-Id',
                       'X-Project-Id',
                       'X-Tenant-Id',
                       'X-OpenStack-Request-ID'],
        expose_headers=['X-Auth-Token',
                        'X-Subject-Token',
                        'X-Service-Token',
                        'X-OpenStack-Request-ID'],
        allow_methods=['GET',
                       'PUT',
                       'POST',
                       'DELETE',
                       'PATCH']
    )
