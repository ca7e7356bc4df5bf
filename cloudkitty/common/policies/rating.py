"""Policy rules of the rating API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

rating_policies = [
    policy.DocumentedRuleDefault(
        name='rating:list_modules',
        check_str=base.ROLE_ADMIN,
        description='Return the list of loaded modules in Cloudkitty.',
        operations=[
            {'method': 'LIST',
             'path': '/v1/rating/modules'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='rating:get_module',
        check_str=base.ROLE_ADMIN,
        description='Get specified module.',
        operations=[
            {'method': 'GET',
             'path': '/v1/rating/modules/{module_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='rating:update_module',
        check_str=base.ROLE_ADMIN,
        description='Change the state and priority of a module.',
        operations=[
            {'method': 'PUT',
             'path': '/v1/rating/modules/{module_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='rating:quote',
        check_str=base.UNPROTECTED,
        description='Get an instant quote '
                    'based on multiple resource descriptions.',
        operations=[
            {'method': 'POST',
             'path': '/v1/rating/quote'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='rating:module_config',
        check_str=base.ROLE_ADMIN,
        description='Trigger a rating module list reload; '
                    'also guards every module configuration API.',
        operations=[
            {'method': 'GET',
             'path': '/v1/rating/reload_modules'}],
        scope_types=['project']),
]


def list_rules():
    return rating_policies
