"""Policy rules of the report API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

report_policies = [
    policy.DocumentedRuleDefault(
        name='report:list_tenants',
        check_str=base.ROLE_ADMIN,
        description='Return the list of rated tenants.',
        operations=[
            {'method': 'GET',
             'path': '/v1/report/tenants'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='report:get_summary',
        check_str='rule:project_reader_or_admin',
        description='Return the summary to pay for a given period.',
        operations=[
            {'method': 'GET',
             'path': '/v1/report/summary'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='report:get_total',
        check_str='rule:project_reader_or_admin',
        description='Return the amount to pay for a given period.',
        operations=[
            {'method': 'GET',
             'path': '/v1/report/total'}],
        scope_types=['project']),
]


def list_rules():
    return report_policies
