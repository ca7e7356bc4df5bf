"""Policy rules of the v2/summary API."""
from oslo_policy import policy

summary_policies = [
    policy.DocumentedRuleDefault(
        name='summary:get_summary',
        check_str='rule:project_reader_or_admin',
        description='Get a rating summary',
        operations=[
            {'method': 'GET',
             'path': '/v2/summary'}],
        scope_types=['project']),
]


def list_rules():
    return summary_policies
