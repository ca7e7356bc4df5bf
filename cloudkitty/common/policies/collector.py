"""Policy rules of the collector API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

collector_policies = [
    policy.DocumentedRuleDefault(
        name='collector:list_mappings',
        check_str=base.ROLE_ADMIN,
        description='Return the list of every services mapped to a collector.',
        operations=[
            {'method': 'LIST',
             'path': '/v1/collector/mappings'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='collector:get_mapping',
        check_str=base.ROLE_ADMIN,
        description='Return a service to collector mapping.',
        operations=[
            {'method': 'GET',
             'path': '/v1/collector/mappings/{service_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='collector:manage_mapping',
        check_str=base.ROLE_ADMIN,
        description='Manage a service to collector mapping.',
        operations=[
            {'method': 'POST',
             'path': '/v1/collector/mappings'},
            {'method': 'DELETE',
             'path': '/v1/collector/mappings/{service_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='collector:get_state',
        check_str=base.ROLE_ADMIN,
        description='Query the enable state of a collector.',
        operations=[
            {'method': 'GET',
             'path': '/v1/collector/states/{collector_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='collector:update_state',
        check_str=base.ROLE_ADMIN,
        description='Set the enable state of a collector.',
        operations=[
            {'method': 'PUT',
             'path': '/v1/collector/states/{collector_id}'}],
        scope_types=['project']),
]


def list_rules():
    return collector_policies
