"""Policy rules of the v2/rating API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

rating_policies = [
    policy.DocumentedRuleDefault(
        name='v2_rating:list_modules',
        check_str=base.ROLE_ADMIN,
        description='Get the list of loaded modules (not enforced).',
        operations=[
            {'method': 'GET',
             'path': '/v2/rating/modules'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='v2_rating:get_module',
        check_str=base.ROLE_ADMIN,
        description='Get specified module.',
        operations=[
            {'method': 'GET',
             'path': '/v2/rating/modules/{module_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='v2_rating:update_module',
        check_str=base.ROLE_ADMIN,
        description='Change the state and priority of a module.',
        operations=[
            {'method': 'PUT',
             'path': '/v2/rating/modules/{module_id}'}],
        scope_types=['project']),
]


def list_rules():
    return rating_policies
