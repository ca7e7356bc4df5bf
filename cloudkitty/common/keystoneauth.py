"""keystoneauth session and auth options shared by plugin groups."""
import copy

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg


def register(group, conf=cfg.CONF):
    """Register keystoneauth session and auth options in ``group``."""
    ks_loading.register_session_conf_options(conf, group)
    ks_loading.register_auth_conf_options(conf, group)


def list_opts():
    """Options listed for the sample config (password plugin shown)."""
    opts = (ks_loading.get_session_conf_options()
            + ks_loading.get_auth_common_conf_options()
            + ks_loading.get_auth_plugin_conf_options('password'))
    names = set()
    unique = []
    for opt in opts:
        if opt.dest not in names:
            names.add(opt.dest)
            unique.append(copy.deepcopy(opt))
    return unique


def load_auth(group, conf=cfg.CONF):
    """Build the auth plugin configured in ``group``.

    ``auth_section`` names another section holding the credentials (the
    reference's sample config shares one such section between plugins);
    keystoneauth reads ``auth_type`` there, so that section needs the
    common auth options registered before loading.
    """
    section = conf[group].auth_section
    if section and section != group:
        ks_loading.register_auth_conf_options(conf, section)
    return ks_loading.load_auth_from_conf_options(conf, group)


def load_session(group, conf=cfg.CONF, **session_kwargs):
    """Build a keystoneauth session from the options of ``group``."""
    auth = load_auth(group, conf)
    return ks_loading.load_session_from_conf_options(
        conf, group, auth=auth, **session_kwargs)
