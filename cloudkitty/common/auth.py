"""``[DEFAULT] auth_strategy``: how the API authenticates its callers.

Read by the API (the paste pipeline it loads) and by the policy checks
(enforced with keystone only): declared here so that the policy code does
not import the web application to get it registered.
"""
from oslo_config import cfg

auth_opts = [
    cfg.StrOpt('auth_strategy',
               default='keystone',
               choices=['noauth', 'keystone'],
               help='Authentication strategy of the API. noauth makes every '
                    'request admin and disables policy checks.'),
]

CONF = cfg.CONF
CONF.register_opts(auth_opts)


def strategy(conf=CONF):
    """``noauth`` or ``keystone``."""
    return conf.auth_strategy
