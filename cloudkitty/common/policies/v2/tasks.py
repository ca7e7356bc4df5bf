"""Policy rules of the v2/tasks API."""
from oslo_policy import policy

from cloudkitty.common.policies import base

tasks_policies = [
    policy.DocumentedRuleDefault(
        name='schedule:task_reprocesses',
        check_str=base.ROLE_ADMIN,
        description='Schedule a scope for reprocessing',
        operations=[
            {'method': 'POST',
             'path': '/v2/task/reprocesses'}],
        scope_types=['project']),
    policy.DocumentedRuleDefault(
        name='schedule:get_task_reprocesses',
        check_str=base.ROLE_ADMIN,
        description='Get reprocessing schedule tasks for scopes.',
        operations=[
            {'method': 'GET',
             'path': '/v2/task/reprocesses'}],
        scope_types=['project']),
]


def list_rules():
    return tasks_policies
