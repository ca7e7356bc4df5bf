"""Base rules every other rule builds on."""
from oslo_policy import policy

ROLE_ADMIN = 'role:admin'
UNPROTECTED = ''

DEPRECATED_REASON = (
    'The owner-or-admin check is kept only for backward compatibility with '
    'the policy behaviour before 22.0.0; the project_* rules replace it.')

DEPRECATED_ADMIN_OR_OWNER_POLICY = policy.DeprecatedRule(
    name='admin_or_owner',
    check_str='is_admin:True or (role:admin and is_admin_project:True) or '
              'project_id:%(project_id)s',
    deprecated_reason=DEPRECATED_REASON,
    deprecated_since='22.0.0',
)

rules = [
    policy.RuleDefault(
        name='context_is_admin',
        description='Who is an administrator (sees every project).',
        check_str='role:admin',
        scope_types=['project']),
    policy.RuleDefault(
        name='admin_or_owner',
        description='An administrator, or any role in the target project.',
        check_str='is_admin:True or (role:admin and is_admin_project:True) '
                  'or project_id:%(project_id)s',
        scope_types=['project'],
        deprecated_for_removal=True,
        deprecated_reason=DEPRECATED_REASON,
        deprecated_since='22.0.0'),
    policy.RuleDefault(
        name='default',
        description='Rule of a policy name without a rule of its own.',
        check_str=UNPROTECTED,
        scope_types=['project']),
    policy.RuleDefault(
        name='project_member_api',
        description='A member of the target project.',
        check_str='role:member and project_id:%(project_id)s',
        scope_types=['project'],
        deprecated_rule=DEPRECATED_ADMIN_OR_OWNER_POLICY),
    policy.RuleDefault(
        name='project_reader_api',
        description=('A reader of the target project (the member role '
                     'implies reader with the default roles).'),
        check_str='role:reader and project_id:%(project_id)s',
        scope_types=['project'],
        deprecated_rule=DEPRECATED_ADMIN_OR_OWNER_POLICY),
    policy.RuleDefault(
        name='project_member_or_admin',
        description='A member of the target project, or an administrator.',
        check_str='rule:project_member_api or rule:context_is_admin',
        scope_types=['project'],
        deprecated_rule=DEPRECATED_ADMIN_OR_OWNER_POLICY),
    policy.RuleDefault(
        name='project_reader_or_admin',
        description=('A reader of the target project, or an '
                     'administrator: the default of the rules '
                     'reading rated data.'),
        check_str='rule:project_reader_api or rule:context_is_admin',
        scope_types=['project'],
        deprecated_rule=DEPRECATED_ADMIN_OR_OWNER_POLICY),
]


def list_rules():
    return rules
