"""Policy rules of the info API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

info_policies = [
    policy.DocumentedRuleDefault(
        name='info:list_services_info',
        check_str=base.UNPROTECTED,
        description='List available services information in Cloudkitty.',
        operations=[
            {'method': 'LIST',
             'path': '/v1/info/services'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='info:get_service_info',
        check_str=base.UNPROTECTED,
        description='Get specified service information.',
        operations=[
            {'method': 'GET',
             'path': '/v1/info/services/{metric_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='info:list_metrics_info',
        check_str=base.UNPROTECTED,
        description='List available metrics information in Cloudkitty.',
        operations=[
            {'method': 'LIST',
             'path': '/v1/info/metrics'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='info:get_metric_info',
        check_str=base.UNPROTECTED,
        description='Get specified metric information.',
        operations=[
            {'method': 'GET',
             'path': '/v1/info/metrics/{metric_id}'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='info:get_config',
        check_str=base.UNPROTECTED,
        description='Get current configuration in Cloudkitty.',
        operations=[
            {'method': 'GET',
             'path': '/v1/info/config'}],
        scope_types=['project']),
]


def list_rules():
    return info_policies
