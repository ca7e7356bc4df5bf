"""Policy rules of the v2/scope API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

scope_policies = [
    policy.DocumentedRuleDefault(
        name='scope:get_state',
        check_str=base.ROLE_ADMIN,
        description='Get the state of one or several scopes',
        operations=[
            {'method': 'GET',
             'path': '/v2/scope'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='scope:reset_state',
        check_str=base.ROLE_ADMIN,
        description='Reset the state of one or several scopes',
        operations=[
            {'method': 'PUT',
             'path': '/v2/scope'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='scope:patch_state',
        check_str=base.ROLE_ADMIN,
        description='Update the attributes of a scope',
        operations=[
            {'method': 'PATCH',
             'path': '/v2/scope'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='scope:post_state',
        check_str=base.ROLE_ADMIN,
        description='Create a scope',
        operations=[
            {'method': 'POST',
             'path': '/v2/scope'}],
        scope_types=['project']),
]


def list_rules():
    return scope_policies
