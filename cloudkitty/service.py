"""Service preparation shared by every console script and the API."""
import socket
import sys

from oslo_config import cfg
from oslo_log import log

from cloudkitty.common import defaults
from cloudkitty import i18n

service_opts = [
    # None (unset) means this machine's FQDN, looked up where the option is
    # read (get_host): a lookup at import would be a DNS query in every
    # process, the ones that never use the name included.
    cfg.HostAddressOpt('host',
                       default=None,
                       sample_default='<server-hostname.example.com>',
                       help='Name of this node. This can be an opaque '
                            'identifier. It is not necessarily a hostname, '
                            'FQDN, or IP address. It is used as the RPC '
                            'server name.'),
]

CONF = cfg.CONF
CONF.register_opts(service_opts)


def get_host(conf=CONF):
    """``[DEFAULT] host``, this machine's FQDN when unset."""
    return conf.host or socket.getfqdn()


class ConfigValueError(Exception):
    """An option has a value that does not pass its type or constraints."""

    def __init__(self, group, name, detail):
        self.group = group
        self.name = name
        self.detail = detail
        where = '[%s] %s' % (group or 'DEFAULT', name)
        super().__init__('invalid value for option %s: %s' % (where, detail))


def _reason(exc):
    # oslo.config nests the converter's message after the last ': '
    text = str(exc).replace('\n', ' ')
    return text.rsplit(' is not valid: ', 1)[-1]


def check_values(conf=CONF):
    """Read every registered option so that a bad value fails now.

    oslo.config converts file values lazily, on first access; a service
    would otherwise crash much later with a traceback.
    """
    for key in list(conf):
        try:
            value = conf[key]
        except (cfg.ConfigFileValueError, ValueError) as exc:
            raise ConfigValueError(None, key, _reason(exc))
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            for name in list(value):
                try:
                    value[name]
                except (cfg.ConfigFileValueError, ValueError) as exc:
                    raise ConfigValueError(key, name, _reason(exc))
                except cfg.NoSuchOptError:
                    continue


def parse_config(argv, conf=CONF, default_config_files=None,
                 default_config_dirs=None):
    """Parse configuration; exit with one line on a bad value."""
    # Registering every option group first lets check_values() see them.
    import cloudkitty.common.config  # noqa: F401
    import cloudkitty.db  # noqa: F401
    from cloudkitty import version
    prog = None
    if argv:
        prog = argv[0].rsplit('/', 1)[-1] or None
    try:
        conf(argv[1:], project='cloudkitty', prog=prog,
             validate_default_values=True,
             version=version.version_info.version_string(),
             default_config_files=default_config_files,
             default_config_dirs=default_config_dirs)
        check_values(conf)
    except ConfigValueError as exc:
        sys.exit('%s: error: %s' % (prog or 'cloudkitty', exc))
    except (cfg.ConfigFilesNotFoundError, cfg.ConfigFileParseError,
            cfg.ConfigDirNotFoundError, cfg.ConfigFilesPermissionDeniedError,
            cfg.DefaultValueError) as exc:
        sys.exit('%s: error: %s' % (prog or 'cloudkitty',
                                    str(exc).replace('\n', ' ')))


def prepare_service(argv=None, config_files=None, conf=CONF):
    """Common start-up: i18n, logging, config.

    The messaging defaults (control exchange ``cloudkitty``) are set by
    :mod:`cloudkitty.messaging`, which every RPC user goes through: that
    keeps oslo.messaging (and eventlet) out of the CLIs that do not use it.
    """
    if argv is None:
        argv = sys.argv
    i18n.enable_lazy()
    log.register_options(conf)
    log.set_defaults()
    defaults.set_db_defaults()
    parse_config(argv, conf, default_config_files=config_files)
    log.setup(conf, 'cloudkitty')
    return conf
