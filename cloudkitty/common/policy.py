"""Policy enforcement (oslo.policy), shared by the v1 and v2 APIs."""
import sys
import threading

from oslo_config import cfg
from oslo_log import log as logging
from oslo_policy import policy

from cloudkitty.common import auth
from cloudkitty.common import policies

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

_ENFORCER = None
_LOCK = threading.Lock()


class PolicyNotAuthorized(Exception):
    """A policy rule refused the action (HTTP 403 in both APIs)."""

    code = 403

    def __init__(self, action, *args, **kwargs):
        self.action = action
        self.msg = "Policy doesn't allow %s to be performed." % action
        super().__init__(self.msg)

    def __str__(self):
        return self.msg


def reset():
    global _ENFORCER
    with _LOCK:
        if _ENFORCER is not None:
            _ENFORCER.clear()
        _ENFORCER = None


def init(conf=CONF):
    """Create the enforcer lazily, with every default rule registered."""
    global _ENFORCER
    if _ENFORCER is None:
        with _LOCK:
            if _ENFORCER is None:
                enforcer = policy.Enforcer(conf)
                enforcer.register_defaults(policies.list_rules())
                _ENFORCER = enforcer
    return _ENFORCER


def _strip_generator_args(argv):
    """Remove the options of the oslo.policy tools from ``argv``."""
    result = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ('--namespace', '--output-file'):
            skip = True
            continue
        if arg.startswith(('--namespace=', '--output-file=')):
            continue
        result.append(arg)
    return result


def get_enforcer():
    """Enforcer for the ``oslo.policy.enforcer`` entry point.

    The oslo.policy tools call this with their own command line; what is
    left once their options are removed is CloudKitty's configuration.
    """
    argv = _strip_generator_args(sys.argv[1:])
    from cloudkitty import service
    service.parse_config([sys.argv[0]] + argv)
    return init()


def _enforced():
    return auth.strategy() == 'keystone'


def authorize(context, action, target):
    """Check ``action``; raise PolicyNotAuthorized when refused.

    Policies are only enforced with ``auth_strategy = keystone``: noauth
    makes every caller an administrator.
    """
    if not _enforced():
        return True
    enforcer = init()
    try:
        return enforcer.authorize(action, target, context, do_raise=True,
                                  exc=PolicyNotAuthorized, action=action)
    except policy.PolicyNotRegistered:
        LOG.exception('Policy not registered: %s', action)
        raise PolicyNotAuthorized(action)


def check_is_admin(context):
    """``is_admin`` of a request context (rule ``context_is_admin``)."""
    if not _enforced():
        return True
    enforcer = init()
    target = {'user_id': context.user_id, 'project_id': context.project_id}
    try:
        return enforcer.authorize('context_is_admin', target, context)
    except policy.InvalidScope:
        return False
