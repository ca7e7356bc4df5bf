"""Policy defaults, enforcement switch and the oslo.policy tools."""
import os
import subprocess
import sys

from oslo_context import context as oslo_context
import pytest

from cloudkitty.common import context
from cloudkitty.common import policies
from cloudkitty.common import policy

EXPECTED_DEFAULTS = [
    ('context_is_admin', 'role:admin'),
    ('admin_or_owner', 'is_admin:True or (role:admin and '
                       'is_admin_project:True) or project_id:%(project_id)s'),
    ('default', ''),
    ('project_member_api', 'role:member and project_id:%(project_id)s'),
    ('project_reader_api', 'role:reader and project_id:%(project_id)s'),
    ('project_member_or_admin',
     'rule:project_member_api or rule:context_is_admin'),
    ('project_reader_or_admin',
     'rule:project_reader_api or rule:context_is_admin'),
    ('collector:list_mappings', 'role:admin'),
    ('collector:get_mapping', 'role:admin'),
    ('collector:manage_mapping', 'role:admin'),
    ('collector:get_state', 'role:admin'),
    ('collector:update_state', 'role:admin'),
    ('info:list_services_info', ''),
    ('info:get_service_info', ''),
    ('info:list_metrics_info', ''),
    ('info:get_metric_info', ''),
    ('info:get_config', ''),
    ('rating:list_modules', 'role:admin'),
    ('rating:get_module', 'role:admin'),
    ('rating:update_module', 'role:admin'),
    ('rating:quote', ''),
    ('rating:module_config', 'role:admin'),
    ('report:list_tenants', 'role:admin'),
    ('report:get_summary', 'rule:project_reader_or_admin'),
    ('report:get_total', 'rule:project_reader_or_admin'),
    ('storage:list_data_frames', 'rule:project_reader_or_admin'),
    ('dataframes:add', 'role:admin'),
    ('dataframes:get', 'rule:project_reader_or_admin'),
    ('v2_rating:list_modules', 'role:admin'),
    ('v2_rating:get_module', 'role:admin'),
    ('v2_rating:update_module', 'role:admin'),
    ('scope:get_state', 'role:admin'),
    ('scope:reset_state', 'role:admin'),
    ('scope:patch_state', 'role:admin'),
    ('scope:post_state', 'role:admin'),
    ('summary:get_summary', 'rule:project_reader_or_admin'),
    ('schedule:task_reprocesses', 'role:admin'),
    ('schedule:get_task_reprocesses', 'role:admin'),
]


def test_defaults_in_order():
    rules = policies.list_rules()
    assert [(r.name, r.check_str) for r in rules] == EXPECTED_DEFAULTS
    for rule in rules:
        assert rule.scope_types == ['project'], rule.name
    by_name = {r.name: r for r in rules}
    assert by_name['admin_or_owner'].deprecated_for_removal
    assert by_name['admin_or_owner'].deprecated_since == '22.0.0'
    for name in ('project_member_api', 'project_reader_api',
                 'project_member_or_admin', 'project_reader_or_admin'):
        deprecated = by_name[name].deprecated_rule
        assert deprecated.name == 'admin_or_owner'
        assert deprecated.check_str == by_name['admin_or_owner'].check_str
        assert deprecated.deprecated_since == '22.0.0'


def _ctx(roles, project_id='p1'):
    return context.RequestContext(roles=roles, project_id=project_id,
                                  user_id='u1')


@pytest.fixture
def keystone_mode(conf):
    conf.set_override('auth_strategy', 'keystone')
    policy.reset()
    yield conf
    policy.reset()


def test_noauth_allows_everything(conf):
    conf.set_override('auth_strategy', 'noauth')
    assert policy.authorize(_ctx([]), 'rating:list_modules', {})
    assert policy.check_is_admin(_ctx([])) is True


@pytest.mark.parametrize('roles, project, rule, target, allowed', [
    (['admin'], 'p1', 'rating:list_modules', {}, True),
    (['member', 'reader'], 'p1', 'rating:list_modules', {}, False),
    (['reader'], 'p1', 'rating:quote', {}, True),
    (['reader'], 'p1', 'report:get_total', {'project_id': 'p1'}, True),
    (['reader'], 'p1', 'report:get_total', {'project_id': 'p2'}, False),
    (['member'], 'p1', 'report:get_total', {'project_id': 'p1'}, False),
    (['admin'], 'p1', 'report:get_total', {'project_id': 'p2'}, True),
    (['member'], 'p1', 'summary:get_summary', {'project_id': 'p1'}, False),
])
def test_keystone_mode(keystone_mode, roles, project, rule, target,
                       allowed):
    ctx = _ctx(roles, project)
    if allowed:
        assert policy.authorize(ctx, rule, target)
    else:
        with pytest.raises(policy.PolicyNotAuthorized) as exc:
            policy.authorize(ctx, rule, target)
        assert str(exc.value) == (
            "Policy doesn't allow %s to be performed." % rule)
        assert exc.value.code == 403


def test_is_admin(keystone_mode):
    assert policy.check_is_admin(_ctx(['admin'])) is True
    assert policy.check_is_admin(_ctx(['member'])) is False


def test_policy_file_override(keystone_mode, tmp_path):
    path = tmp_path / 'policy.yaml'
    path.write_text('"rating:list_modules": "role:member"\n')
    keystone_mode.set_override('policy_file', str(path), 'oslo_policy')
    policy.reset()
    assert policy.authorize(_ctx(['member']), 'rating:list_modules', {})


def test_context_from_environ(conf):
    conf.set_override('auth_strategy', 'keystone')
    policy.reset()
    ctx = context.make_context({
        'HTTP_X_PROJECT_ID': 'p1', 'HTTP_X_USER_ID': 'u1',
        'HTTP_X_ROLES': 'reader,member'})
    assert isinstance(ctx, oslo_context.RequestContext)
    assert (ctx.project_id, ctx.user_id) == ('p1', 'u1')
    assert sorted(ctx.roles) == ['member', 'reader']
    assert ctx.is_admin is False
    ctx = context.make_context({'HTTP_X_TENANT_ID': 'p2',
                                'HTTP_X_ROLES': 'admin'})
    assert ctx.project_id == 'p2' and ctx.is_admin is True
    policy.reset()


def test_strip_generator_args():
    assert policy._strip_generator_args(
        ['--namespace', 'cloudkitty', '--config-file', 'x.conf',
         '--output-file=o.yaml', '--format', 'yaml']) == [
        '--config-file', 'x.conf', '--format', 'yaml']


def _tool(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def test_sample_generator(tmp_path):
    out = tmp_path / 'policy.yaml'
    proc = subprocess.run([_tool('oslopolicy-sample-generator'),
                           '--namespace', 'cloudkitty', '--output-file',
                           str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    for name, check in EXPECTED_DEFAULTS:
        assert '#"%s": "%s"' % (name, check) in text


def test_policy_checker_enforcer_entry_point(tmp_path):
    # oslopolicy-list-redundant loads the enforcer entry point, which
    # parses the remaining argv as CloudKitty's configuration.
    policy_file = tmp_path / 'policy.yaml'
    policy_file.write_text('"rating:quote": ""\n"rating:get_module": '
                           '"role:member"\n')
    conf = tmp_path / 'cloudkitty.conf'
    conf.write_text('[oslo_policy]\npolicy_file = %s\n' % policy_file)
    proc = subprocess.run(
        [_tool('oslopolicy-list-redundant'), '--namespace', 'cloudkitty',
         '--config-file', str(conf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'rating:quote' in proc.stdout
    assert 'rating:get_module' not in proc.stdout
