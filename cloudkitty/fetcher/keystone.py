"""Keystone fetcher: projects where the rating user has the rating role."""
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_log import log as logging

from cloudkitty.common import keystoneauth
from cloudkitty import fetcher

LOG = logging.getLogger(__name__)

RATING_ROLE = 'rating'

FETCHER_KEYSTONE_OPTS = 'fetcher_keystone'

fetcher_keystone_opts = [
    cfg.StrOpt('keystone_version',
               default='3',
               help='Keystone version to use.'),
    cfg.BoolOpt('ignore_rating_role',
                default=False,
                help='Skip rating role check for cloudkitty user'),
    cfg.BoolOpt('ignore_disabled_tenants',
                default=False,
                help='Stop rating disabled tenants'),
]

CONF = cfg.CONF
CONF.register_opts(fetcher_keystone_opts, FETCHER_KEYSTONE_OPTS)
keystoneauth.register(FETCHER_KEYSTONE_OPTS)


class VersionNotAvailable(fetcher.FetcherError):
    """The configured Identity API version is not supported."""

    def __init__(self, version):
        super().__init__('Keystone version %s is not available.' % version)
        self.version = version


def _major_version(version):
    text = str(version).strip().lower().lstrip('v')
    try:
        return int(float(text))
    except ValueError:
        raise VersionNotAvailable(version)


class KeystoneFetcher(fetcher.BaseFetcher):
    """Projects of Keystone (optionally enabled ones only) to rate.

    Unless ``ignore_rating_role``, only projects where the service user
    holds the ``rating`` role are returned.
    """

    name = 'keystone'

    def __init__(self):
        super().__init__()
        self.version = _major_version(
            CONF.fetcher_keystone.keystone_version)
        if self.version not in (2, 3):
            raise VersionNotAvailable(CONF.fetcher_keystone.keystone_version)
        self.auth = keystoneauth.load_auth(FETCHER_KEYSTONE_OPTS)
        self.session = ks_loading.load_session_from_conf_options(
            CONF, FETCHER_KEYSTONE_OPTS, auth=self.auth)
        self._client = None

    @property
    def client(self):
        if self._client is None:
            # Deferred for start-up time: keystoneclient is slow to import.
            if self.version == 3:
                from keystoneclient.v3 import client as ks_client_v3
                self._client = ks_client_v3.Client(session=self.session)
            else:
                from keystoneclient.v2_0 import client as ks_client_v2
                self._client = ks_client_v2.Client(session=self.session)
        return self._client

    def _projects(self):
        if self.version == 3:
            return self.client.projects.list()
        return self.client.tenants.list()

    def _has_rating_role(self, user_id, project_id):
        if self.version == 3:
            assignments = self.client.role_assignments.list(
                user=user_id, project=project_id, effective=True,
                include_names=True)
            return any(getattr(a, 'role', {}).get('name') == RATING_ROLE
                       for a in assignments)
        roles = self.client.roles.roles_for_user(user_id, project_id)
        return any(role.name == RATING_ROLE for role in roles)

    def get_tenants(self):
        projects = self._projects()
        if CONF.fetcher_keystone.ignore_disabled_tenants:
            projects = [p for p in projects if getattr(p, 'enabled', True)]
        if not CONF.fetcher_keystone.ignore_rating_role:
            user_id = self.session.get_user_id()
            projects = [p for p in projects
                        if self._has_rating_role(user_id, p.id)]
        return fetcher.unique(p.id for p in projects)
