"""Library option defaults CloudKitty changes."""
from oslo_config import cfg
from oslo_db import options as db_options
from oslo_middleware import cors


def set_config_defaults():
    """Override oslo.middleware CORS defaults (and oslo.db's connection)."""
    # cloudkitty.db sets the [database] connection default on CONF; the
    # sample generator reads the option objects' own defaults.
    from cloudkitty import db
    cfg.set_defaults(db_options.database_opts,
                     connection=db.DEFAULT_CONNECTION)
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
