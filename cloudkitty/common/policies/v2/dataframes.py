"""Policy rules of the v2/dataframes API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

dataframes_policies = [
    policy.DocumentedRuleDefault(
        name='dataframes:add',
        check_str=base.ROLE_ADMIN,
        description='Add one or several DataFrames',
        operations=[
            {'method': 'POST',
             'path': '/v2/dataframes'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='dataframes:get',
        check_str='rule:project_reader_or_admin',
        description='Get DataFrames',
        operations=[
            {'method': 'GET',
             'path': '/v2/dataframes'}],
        scope_types=['project']),
]


def list_rules():
    return dataframes_policies
