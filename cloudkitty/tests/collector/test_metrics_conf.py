"""metrics.yml validation and normalisation."""
import fractions

import pytest

from cloudkitty import collector
from cloudkitty.collector import exceptions
from cloudkitty.collector import gnocchi
from cloudkitty.collector import prometheus


def check(conf):
    return collector.check_metrics(conf)


def error_of(conf, checker=check):
    with pytest.raises(collector.InvalidConfiguration) as exc:
        checker(conf)
    return str(exc.value)


def test_exceptions_importable_from_both_modules():
    assert collector.CollectError is exceptions.CollectError
    assert collector.NoDataCollected is exceptions.NoDataCollected
    assert collector.InvalidConfiguration is exceptions.InvalidConfiguration


def test_no_data_collected_message():
    exc = collector.NoDataCollected('prometheus', 'instance')
    assert str(exc) == ("Collector 'prometheus' returned no data for "
                        "resource 'instance'")


def test_defaults_and_scope_key(conf):
    out = check({'metrics': {'cpu': {'unit': 'instance'}}})
    assert out == {'cpu': {
        'unit': 'instance', 'factor': 1, 'offset': 0, 'groupby':
        ['project_id'], 'metadata': [], 'mutate': 'NONE'}}


def test_scope_key_option_and_not_duplicated(conf):
    conf.set_override('scope_key', 'tenant_id', 'collect')
    out = check({'metrics': {'cpu': {
        'unit': 'instance', 'groupby': ['tenant_id', 'id']}}})
    assert out['cpu']['groupby'] == ['tenant_id', 'id']
    out = check({'metrics': {'cpu': {'unit': 'instance',
                                     'groupby': ['id']}}})
    assert out['cpu']['groupby'] == ['id', 'tenant_id']


def test_list_and_alt_name_keys(conf):
    out = check({'metrics': {
        'cpu': [{'unit': 'instance', 'alt_name': 'instance'},
                {'unit': 'vcpu', 'alt_name': 'vcpus'}],
        'image.size': {'unit': 'MiB', 'factor': '1/1048576'}}})
    assert list(out) == ['cpu@#instance', 'cpu@#vcpus', 'image.size']
    assert out['image.size']['factor'] == fractions.Fraction(1, 1048576)
    assert collector.metric_name('cpu@#vcpus') == 'cpu'


def test_duplicate_key(conf):
    message = error_of({'metrics': {'cpu': [
        {'unit': 'a', 'alt_name': 'x'}, {'unit': 'b', 'alt_name': 'x'}]}})
    assert message.startswith(
        'Metric cpu@#x already exists, you should change thealt_name '
        'for metric: ')


def test_duplicate_rated_name(conf):
    message = error_of({'metrics': {
        'cpu': {'unit': 'a', 'alt_name': 'instance'},
        'vcpus': {'unit': 'b', 'alt_name': 'instance'}}})
    assert message == ("metrics.yml: metric 'vcpus': alt_name: 'instance' "
                       "is already the rated name of metric 'cpu'")
    message = error_of({'metrics': {
        'instance': {'unit': 'a'},
        'cpu': [{'unit': 'b', 'alt_name': 'x'},
                {'unit': 'b', 'alt_name': 'instance'}]}})
    assert message == ("metrics.yml: metric 'cpu' (definition 2): alt_name: "
                       "'instance' is already the rated name of metric "
                       "'instance'")


@pytest.mark.parametrize('conf_dict,message', [
    ({}, 'metrics.yml: metrics: required key not provided'),
    (None, "metrics.yml: expected a mapping with a 'metrics' key"),
    ({'metrics': {}}, 'metrics.yml: metrics: expected a non-empty mapping'),
    ({'metrics': {'a': {'unit': 'u'}}, 'other': 1},
     'metrics.yml: other: extra keys not allowed'),
    ({'metrics': {'cpu': {}}}, "metrics.yml: metric 'cpu': expected a "
     "non-empty mapping or a non-empty list"),
    ({'metrics': {'cpu': []}}, "metrics.yml: metric 'cpu': expected a "
     "non-empty mapping or a non-empty list"),
    ({'metrics': {'cpu': [{'unit': 'a'}, {}]}},
     "metrics.yml: metric 'cpu' (definition 2): expected a non-empty "
     "mapping"),
    ({'metrics': {'cpu': {'alt_name': 'x'}}},
     "metrics.yml: metric 'cpu': unit: required key not provided"),
    ({'metrics': {'cpu': [{'unit': 'a'}, {'alt_name': 'x'}]}},
     "metrics.yml: metric 'cpu' (definition 2): unit: required key not "
     "provided"),
    ({'metrics': {'cpu': {'unit': ''}}},
     "metrics.yml: metric 'cpu': unit: expected a non-empty string"),
    ({'metrics': {'cpu': {'unit': 3}}},
     "metrics.yml: metric 'cpu': unit: expected a string"),
    ({'metrics': {'cpu': {'unit': 'a', 'description': ''}}},
     "metrics.yml: metric 'cpu': description: expected a non-empty"),
    ({'metrics': {'cpu': {'unit': 'a', 'factor': 'abc'}}},
     "metrics.yml: metric 'cpu': factor: expected a number or a fraction"),
    ({'metrics': {'cpu': {'unit': 'a', 'factor': '1/0'}}},
     "metrics.yml: metric 'cpu': factor: expected a number or a fraction"),
    ({'metrics': {'cpu': {'unit': 'a', 'factor': True}}},
     "metrics.yml: metric 'cpu': factor: expected a number or a fraction"),
    ({'metrics': {'cpu': {'unit': 'a', 'offset': [1]}}},
     "metrics.yml: metric 'cpu': offset: expected a number or a fraction"),
    ({'metrics': {'cpu': {'unit': 'a', 'alt_name': ''}}},
     "metrics.yml: metric 'cpu': alt_name: expected a non-empty string"),
    ({'metrics': {'cpu': {'unit': 'a', 'groupby': 'id'}}},
     "metrics.yml: metric 'cpu': groupby: expected a list"),
    ({'metrics': {'cpu': {'unit': 'a', 'groupby': ['id', '']}}},
     "metrics.yml: metric 'cpu': groupby[1]: expected a non-empty string"),
    ({'metrics': {'cpu': {'unit': 'a', 'metadata': [1]}}},
     "metrics.yml: metric 'cpu': metadata[0]: expected a string"),
    ({'metrics': {'cpu': {'unit': 'a', 'mutate': 'ROUND'}}},
     "metrics.yml: metric 'cpu': mutate: expected one of NONE, NUMBOOL, "
     "NOTNUMBOOL, FLOOR, CEIL, MAP"),
    ({'metrics': {'cpu': {'unit': 'a', 'mutate_map': [1]}}},
     "metrics.yml: metric 'cpu': mutate_map: expected a mapping"),
    ({'metrics': {'cpu': {'unit': 'a', 'mutate_map': {'x': 1}}}},
     "metrics.yml: metric 'cpu': mutate_map: expected a mapping of numbers"),
    ({'metrics': {'cpu': {'unit': 'a', 'extra_args': 'x'}}},
     "metrics.yml: metric 'cpu': extra_args: expected a mapping"),
    ({'metrics': {'cpu': {'unit': 'a', 'skip_datapoints_expression': ''}}},
     "metrics.yml: metric 'cpu': skip_datapoints_expression: expected a "
     "non-empty string"),
    ({'metrics': {'cpu': {'unit': 'a', 'colour': 'red'}}},
     "metrics.yml: metric 'cpu': colour: extra keys not allowed"),
])
def test_base_schema_errors(conf, conf_dict, message):
    assert error_of(conf_dict).startswith(message)


def test_several_errors_are_all_named(conf):
    message = error_of({'metrics': {'cpu': {'mutate': 'X', 'foo': 1}}})
    assert message.startswith("metrics.yml: metric 'cpu': ")
    for part in ('foo: extra keys not allowed', 'mutate: expected one of',
                 'unit: required key not provided'):
        assert part in message


def test_prometheus_extra_args(conf):
    out = prometheus.PrometheusCollector.check_configuration(
        {'metrics': {'m': {'unit': 'u'}}})
    assert out['m']['extra_args'] == {
        'aggregation_method': 'max', 'query_prefix': '',
        'query_suffix': ''}
    message = error_of(
        {'metrics': {'m': {'unit': 'u', 'extra_args': {
            'aggregation_method': 'median'}}}},
        prometheus.PrometheusCollector.check_configuration)
    assert message.startswith(
        "metrics.yml: metric 'm': extra_args.aggregation_method: ")
    message = error_of(
        {'metrics': {'m': {'unit': 'u', 'extra_args': {
            'range_function': 'sum'}}}},
        prometheus.PrometheusCollector.check_configuration)
    assert message.startswith(
        "metrics.yml: metric 'm': extra_args.range_function: ")
    message = error_of(
        {'metrics': {'m': {'unit': 'u', 'extra_args': {
            'query_function': 'exp2'}}}},
        prometheus.PrometheusCollector.check_configuration)
    assert message.startswith(
        "metrics.yml: metric 'm': extra_args.query_function: ")
    message = error_of(
        {'metrics': {'m': {'unit': 'u', 'extra_args': {'foo': 1}}}},
        prometheus.PrometheusCollector.check_configuration)
    assert message == ("metrics.yml: metric 'm': extra_args.foo: extra "
                       "keys not allowed")


def test_gnocchi_extra_args(conf):
    check_gnocchi = gnocchi.GnocchiCollector.check_configuration
    message = error_of({'metrics': {'m': {'unit': 'u'}}}, check_gnocchi)
    assert message == ("metrics.yml: metric 'm': extra_args: required key "
                       "not provided")
    message = error_of({'metrics': {'m': {'unit': 'u', 'extra_args': {}}}},
                       check_gnocchi)
    assert message == ("metrics.yml: metric 'm': extra_args.resource_type: "
                       "required key not provided")
    out = check_gnocchi({'metrics': {'m': {
        'unit': 'u', 'groupby': ['user_id'],
        'extra_args': {'resource_type': 'instance'}}}})
    assert out['m']['groupby'] == ['user_id', 'project_id', 'id']
    assert out['m']['extra_args'] == {
        'resource_type': 'instance', 'resource_key': 'id',
        'aggregation_method': 'max', 're_aggregation_method': 'max',
        'force_granularity': 3600, 'use_all_resource_revisions': True,
        'custom_query': ''}
    for method in ('rate:mean', '95pct', 'rate:1pct'):
        check_gnocchi({'metrics': {'m': {'unit': 'u', 'extra_args': {
            'resource_type': 'i', 'aggregation_method': method}}}})
    for key, value in (('aggregation_method', '100pct'),
                       ('re_aggregation_method', '95pct'),
                       ('force_granularity', -1),
                       ('resource_type', ''),
                       ('use_all_resource_revisions', 'maybe')):
        message = error_of({'metrics': {'m': {'unit': 'u', 'extra_args': {
            'resource_type': 'i', key: value}}}}, check_gnocchi)
        assert message.startswith(
            "metrics.yml: metric 'm': extra_args.%s: " % key), message


def test_validate_conf(conf):
    out = collector.validate_conf({'metrics': {
        'cpu': {'unit': 'instance', 'groupby': ['id', 'id'],
                'metadata': ['flavor', 'flavor']},
        'ram': {'unit': 'MB', 'alt_name': 'memory'}}}, 'prometheus')
    assert out['cpu']['alt_name'] == 'cpu'
    assert sorted(out['cpu']['groupby']) == ['id', 'project_id']
    assert out['cpu']['metadata'] == ['flavor']
    assert out['ram@#memory']['alt_name'] == 'memory'


@pytest.mark.parametrize('definition,message', [
    ({'unit': 'u', 'groupby': ['a'], 'metadata': ['a']},
     'Metric cpu has duplicates in groupby and metadata: '),
    ({'unit': 'u', 'mutate': 'MAP'},
     'Metric cpu uses MAP mutator but mutate_map is missing: '),
    ({'unit': 'u', 'mutate_map': {1: 2}},
     'Metric cpu not using MAP mutator but mutate_map is present: '),
])
def test_validate_conf_errors(conf, definition, message):
    with pytest.raises(collector.InvalidConfiguration) as exc:
        collector.validate_conf({'metrics': {'cpu': definition}},
                                'synthetic')
    assert str(exc.value).startswith(message)


def test_validate_conf_uses_collector_option(conf):
    conf.set_override('collector', 'gnocchi', 'collect')
    with pytest.raises(collector.InvalidConfiguration):
        collector.validate_conf({'metrics': {'cpu': {'unit': 'u'}}})
    out = collector.validate_conf({'metrics': {'cpu': {
        'unit': 'u', 'extra_args': {'resource_type': 'instance'}}}})
    assert sorted(out['cpu']['groupby']) == ['id', 'project_id']


def test_load_conf(tmp_path):
    path = tmp_path / 'metrics.yml'
    path.write_text('')
    assert collector.load_conf(str(path)) == {}
    path.write_text('metrics:\n  cpu:\n    unit: instance\n')
    assert collector.load_conf(str(path)) == {
        'metrics': {'cpu': {'unit': 'instance'}}}
    path.write_text('metrics: [\n')
    with pytest.raises(collector.InvalidConfiguration):
        collector.load_conf(str(path))
    with pytest.raises(OSError):
        collector.load_conf(str(tmp_path / 'missing.yml'))


def test_shipped_examples_are_valid(conf):
    import os
    root = os.path.join(os.path.dirname(collector.__file__), '..', '..',
                        'etc', 'cloudkitty')
    for name, collector_name, count in (
            ('metrics.yml', 'gnocchi', 7),
            ('metrics.yml', 'synthetic', 7),
            ('prom_metrics.yml', 'prometheus', 3)):
        path = os.path.join(root, name)
        checked = collector.get_collector_class(collector_name).\
            check_configuration(collector.load_conf(path))
        assert len(checked) == count


def test_missing_arguments(conf):
    from cloudkitty.collector import synthetic
    with pytest.raises(ValueError) as exc:
        synthetic.SyntheticCollector(period=3600)
    assert str(exc.value) == 'Missing argument (conf)'
    with pytest.raises(ValueError) as exc:
        synthetic.SyntheticCollector(conf={})
    assert str(exc.value) == 'Missing argument (period)'
    with pytest.raises(collector.InvalidConfiguration):
        synthetic.SyntheticCollector(period=3600, conf={})


def test_get_metadata(conf):
    conf_ = collector.check_metrics({'metrics': {'cpu': {
        'unit': 'instance', 'groupby': ['id'], 'metadata': ['flavor']}}})
    assert collector.BaseCollector.get_metadata('cpu') == {
        'metadata': [], 'unit': 'undefined'}
    assert prometheus.PrometheusCollector.get_metadata('cpu', conf_) == {
        'metadata': ['id', 'project_id', 'flavor'], 'unit': 'instance'}
