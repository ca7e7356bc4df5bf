"""``cloudkitty-status upgrade check`` (oslo.upgradecheck, cli.md §7)."""
import sys

from oslo_config import cfg
from oslo_policy import opts as policy_opts
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from cloudkitty.i18n import _
from cloudkitty import service

CONF = cfg.CONF


class CloudkittyUpgradeChecks(upgradecheck.UpgradeCommands):

    def _storage_version(self):
        if CONF.storage.version < 2:
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                _('Storage version is inferior to 2. Support for v1 storage '
                  'will be dropped in a future release.'))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    _upgrade_checks = (
        (_('Storage version'), _storage_version),
        (_('Policy File JSON to YAML Migration'),
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main(argv=None):
    argv = sys.argv if argv is None else argv
    import cloudkitty.storage  # noqa: F401  ([storage] options)
    policy_opts.set_defaults(CONF)
    upgradecheck.register_cli_options(CONF, CloudkittyUpgradeChecks())
    # cloudkitty's parser: a bad value exits with one line naming it.
    service.parse_config(argv, CONF)
    if not getattr(CONF.command, 'name', None):
        print('Available categories: upgrade', file=sys.stderr)
        return 2
    return upgradecheck.run(CONF)


if __name__ == '__main__':
    sys.exit(main())
