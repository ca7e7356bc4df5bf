"""Policy rules of the storage API."""
from oslo_policy import policy

storage_policies = [
    policy.DocumentedRuleDefault(
        name='storage:list_data_frames',
        check_str='rule:project_reader_or_admin',
        description='Return a list of rated resources '
                    'for a time period and a tenant.',
        operations=[
            {'method': 'GET',
             'path': '/v1/storage/dataframes'}],
        scope_types=['project']),
]


def list_rules():
    return storage_policies
