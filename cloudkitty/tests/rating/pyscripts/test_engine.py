"""The data a script sees and returns, without a database."""
import datetime
import decimal

import pytest

from cloudkitty import dataframe
from cloudkitty.rating.pyscripts import db as pyscripts_db
from cloudkitty.rating.pyscripts import engine

D = decimal.Decimal
UTC = datetime.timezone.utc
BEGIN = datetime.datetime(2030, 1, 1, tzinfo=UTC)
END = datetime.datetime(2030, 1, 1, 1, tzinfo=UTC)


class _Stored(object):
    def __init__(self, source, name='s1', script_id='id-1'):
        self.data = source
        self.name = name
        self.script_id = script_id
        # Code is cached by checksum: it must be the source's.
        self.checksum = pyscripts_db.checksum(source)


def compiled(source, name='s1'):
    return engine.compile_script(_Stored(source, name))


def run(frame, *sources):
    return engine.run([compiled(s, 'script%d' % i)
                       for i, s in enumerate(sources)], frame)


def point(qty='1', price='0', flavor='m1.tiny', unit='instance', **groupby):
    groupby = groupby or {'id': 'abc', 'project_id': 'p1'}
    return dataframe.DataPoint(unit, qty, price, groupby,
                               {'flavor_name': flavor, 'flavor_id': '42'})


def make_frame():
    frame = dataframe.DataFrame(BEGIN, END)
    frame.add_point(point('2', '0.5', unit='GiB'), 'volume.size')
    frame.add_point(point('1', '0', 'm1.large'), 'instance')
    frame.add_point(point('3', '1', 'm1.tiny'), 'instance')
    return frame


def test_data_shape():
    """frame_to_dict: period datetimes, sorted types, Decimal vol/rating."""
    frame = make_frame()
    data = engine.frame_to_dict(frame)
    assert list(data) == ['period', 'usage']
    assert data['period'] == {'begin': BEGIN, 'end': END}
    assert list(data['usage']) == ['instance', 'volume.size']
    first = data['usage']['instance'][0]
    assert first == {
        'vol': {'unit': 'instance', 'qty': D('1')},
        'rating': {'price': D('0')},
        'groupby': {'id': 'abc', 'project_id': 'p1'},
        'metadata': {'flavor_name': 'm1.large', 'flavor_id': '42'}}
    assert isinstance(first['vol']['qty'], D)
    assert isinstance(first['rating']['price'], D)
    assert type(first['groupby']) is dict
    assert type(first['metadata']) is dict


def test_data_shape_as_seen_by_a_script():
    """The same checks, made by the script itself (a failure raises)."""
    source = (
        'import datetime, decimal\n'
        'assert isinstance(data, dict)\n'
        'assert list(data) == ["period", "usage"]\n'
        'assert isinstance(data["period"]["begin"], datetime.datetime)\n'
        'assert isinstance(data["period"]["end"], datetime.datetime)\n'
        'assert list(data["usage"]) == ["instance", "volume.size"]\n'
        'p = data["usage"]["instance"][1]\n'
        'assert sorted(p) == ["groupby", "metadata", "rating", "vol"]\n'
        'assert p["vol"] == {"unit": "instance",'
        ' "qty": decimal.Decimal(3)}\n'
        'assert p["rating"] == {"price": decimal.Decimal(1)}\n'
        'assert p["groupby"]["project_id"] == "p1"\n'
        'assert p["metadata"]["flavor_name"] == "m1.tiny"\n'
        'p["groupby"]["mutable"] = "yes"\n')
    out = run(make_frame(), source)
    assert [p.groupby.get('mutable') for _, p in out.iterpoints()] == [
        None, 'yes', None]


def test_only_data_is_injected():
    """The global namespace holds data and the builtins, nothing else."""
    source = (
        'names = sorted(k for k in globals() if k != "__builtins__")\n'
        'data["usage"]["instance"][0]["metadata"]["names"] = ",".join(names)\n'
        'data["usage"]["instance"][0]["metadata"]["len"] = str(len("ab"))\n')
    out = run(make_frame(), source)
    meta = dict(out.as_dict(mutable=True)['usage']['instance'][0]['metadata'])
    assert meta['names'] == 'data'
    assert meta['len'] == '2'


def test_documented_example_sets_prices():
    source = (
        'import decimal\n'
        'PRICES = {"m1.tiny": decimal.Decimal("0.01"),'
        ' "m1.large": decimal.Decimal("0.08")}\n'
        'for point in data["usage"].get("instance", []):\n'
        '    flavor = point["metadata"].get("flavor_name")\n'
        '    unit_price = PRICES.get(flavor, decimal.Decimal(0))\n'
        '    point["rating"] = {"price": decimal.Decimal('
        'point["vol"]["qty"]) * unit_price}\n')
    out = run(make_frame(), source)
    prices = [(t, p.price) for t, p in out.iterpoints()]
    # Prices are set (not added): the m1.tiny point had 1, now 3 * 0.01.
    assert prices == [('instance', D('0.08')), ('instance', D('0.03')),
                      ('volume.size', D('0.5'))]
    assert all(isinstance(p, D) for _, p in prices)


def test_float_and_int_prices_become_exact_decimals():
    source = (
        'data["usage"]["instance"][0]["rating"]["price"] = 0.1\n'
        'data["usage"]["instance"][1]["rating"]["price"] = 3\n'
        'data["usage"]["instance"][1]["vol"]["qty"] = "2.50"\n')
    out = run(make_frame(), source)
    points = [p for _, p in out.iterpoints()]
    assert points[0].price == D('0.1')
    assert str(points[0].price) == '0.1'
    assert points[1].price == D('3')
    assert str(points[1].qty) == '2.50'


def test_rebinding_data_replaces_the_frame():
    source = (
        'import datetime\n'
        'data = {"period": {"begin": "2030-01-01T00:00:00+00:00",'
        ' "end": "2030-01-01T01:00:00+00:00"},\n'
        '        "usage": {"zz": [], "cpu": [{"vol": {"unit": "core",'
        ' "qty": 4}, "groupby": {"id": "x"}, "metadata": []}]}}\n')
    out = run(make_frame(), source)
    assert out.start == BEGIN and out.end == END
    assert [t for t, _ in out.itertypes()] == ['cpu', 'zz']
    (_, cpu), = out.iterpoints()
    # rating omitted: price 0; metadata: anything convertible to a dict.
    assert cpu.price == D(0) and cpu.qty == D(4)
    assert dict(cpu.groupby) == {'id': 'x'} and dict(cpu.metadata) == {}


def test_scripts_may_add_and_remove_points_and_types():
    source = (
        'del data["usage"]["volume.size"]\n'
        'data["usage"]["instance"].pop(0)\n'
        'data["usage"]["new"] = [dict(data["usage"]["instance"][0])]\n')
    out = run(make_frame(), source)
    assert [(t, str(p.qty)) for t, p in out.iterpoints()] == [
        ('instance', '3'), ('new', '3')]


def test_scripts_run_in_order_on_fresh_structures():
    """The second script sees the first's result, as a new dict."""
    first = ('for p in data["usage"]["instance"]:\n'
             '    p["rating"]["price"] = p["vol"]["qty"] * 2\n'
             'data["usage"]["instance"][0]["extra_ref"] = None\n'
             'del data["usage"]["instance"][0]["extra_ref"]\n')
    second = ('for p in data["usage"]["instance"]:\n'
              '    p["rating"]["price"] += 1\n')
    out = run(make_frame(), first, second)
    assert [p.price for _, p in out.iterpoints()] == [
        D('3'), D('7'), D('0.5')]


def test_unchanged_data_keeps_the_frame():
    out = run(make_frame(), 'pass\n')
    assert out == make_frame()


def test_empty_metric_list_is_valid():
    out = run(make_frame(), 'data["usage"]["instance"] = []\n')
    assert [t for t, _ in out.itertypes()] == ['instance', 'volume.size']
    assert len(out) == 1


@pytest.mark.parametrize('source,reason', [
    ('data["extra"] = 1', "extra keys not allowed in data: 'extra'"),
    ('del data["period"]', 'period'),
    ('del data["usage"]', 'usage'),
    ('del data["period"]["begin"]', 'begin'),
    ('data["period"]["end"] = "not a date"', 'period.end'),
    ('data["period"]["begin"] = 12', 'period.begin'),
    ('data["usage"] = []', 'usage'),
    ('data["usage"]["instance"] = 3', ''),
    ('data["usage"]["instance"] = "abc"',
     "data.usage['instance'] must be a list of points"),
    ('data["usage"]["instance"][1]["vol"]["qty"] = "x"',
     "data.usage['instance'][1].vol.qty must be a number, got 'x'"),
    ('data["usage"]["instance"][0]["rating"]["price"] = float("nan")',
     'must be a finite number'),
    ('data["usage"]["instance"][0]["rating"]["price"] = "Infinity"',
     'must be a finite number'),
    ('data["usage"]["instance"][0]["rating"]["price"] = True',
     'rating.price must be a number'),
    ('data["usage"]["instance"][0]["desc"] = {}', 'desc'),
    ('del data["usage"]["instance"][0]["vol"]["unit"]', 'unit'),
    ('data["usage"]["instance"][0]["vol"]["unit"] = 3', 'vol.unit'),
    ('del data["usage"]["instance"][0]["vol"]["qty"]', 'qty'),
    ('data["usage"]["instance"][0]["vol"]["qty"] = "x"', 'vol.qty'),
    ('data["usage"]["instance"][0]["vol"]["qty"] = None', 'vol.qty'),
    ('data["usage"]["instance"][0]["vol"]["extra"] = 1', 'vol'),
    ('data["usage"]["instance"][0]["rating"]["price"] = "abc"',
     'rating.price'),
    ('data["usage"]["instance"][0]["rating"]["cost"] = 1', 'rating'),
    ('data["usage"]["instance"][0]["rating"] = 5', 'rating'),
    ('del data["usage"]["instance"][0]["groupby"]', 'groupby'),
    ('del data["usage"]["instance"][0]["metadata"]', 'metadata'),
    ('data["usage"]["instance"][0]["metadata"] = 5', ''),
    ('data["usage"]["instance"][0] = 5', ''),
    ('data["usage"][3] = []', 'metric types (keys of data.usage) must be '
     'strings'),
    ('data = None', ''),
    ('del data', 'deleted'),
])
def test_invalid_results_are_refused(source, reason):
    with pytest.raises(engine.ScriptError) as excinfo:
        run(make_frame(), source)
    message = str(excinfo.value)
    assert "isn't a valid DataFrame" in message
    assert "'script0'" in message and '(id-1)' in message
    assert reason in message
    # The reason, not a dump of the whole structure.
    assert len(message) < 600


def test_rebuilt_points_equal_constructed_points():
    """The fast rebuild gives the same immutable points as DataPoint()."""
    frame = make_frame()
    out = engine.dict_to_frame(engine.frame_to_dict(frame), _Stored(''))
    assert out == frame
    originals = dict(frame.itertypes())
    rebuilt_points = [(t, p) for t, p in out.iterpoints()]
    expected = [(t, p) for t in sorted(originals) for p in originals[t]]
    assert [t for t, _ in rebuilt_points] == [t for t, _ in expected]
    for (_, rebuilt), (_, original) in zip(rebuilt_points, expected):
        assert rebuilt == original
        assert type(rebuilt) is dataframe.DataPoint
        assert rebuilt.desc == original.desc
        with pytest.raises(TypeError):
            rebuilt.groupby['x'] = 1
    data = engine.frame_to_dict(frame)
    data['usage']['instance'][0]['vol']['unit'] = ''
    out = engine.dict_to_frame(data, _Stored(''))
    assert next(out.iterpoints())[1].unit == 'undefined'


def test_mappings_other_than_dicts_are_accepted():
    source = (
        'import collections\n'
        'p = data["usage"]["instance"][0]\n'
        'p["vol"] = collections.OrderedDict(p["vol"])\n'
        'p["groupby"] = list(p["groupby"].items())\n'
        'data["usage"] = collections.OrderedDict(data["usage"])\n'
        'data["usage"]["instance"] = tuple(data["usage"]["instance"])\n')
    out = run(make_frame(), source)
    assert out == make_frame()


def test_optional_rating_and_price():
    source = ('del data["usage"]["instance"][0]["rating"]\n'
              'del data["usage"]["instance"][1]["rating"]["price"]\n')
    out = run(make_frame(), source)
    assert [p.price for _, p in out.iterpoints()][:2] == [D(0), D(0)]


@pytest.mark.parametrize('source,kind', [
    ('raise RuntimeError("boom")', 'RuntimeError at line 1: boom'),
    ('1 / 0', 'ZeroDivisionError'),
    ('import sys\nsys.exit(3)', 'SystemExit'),
    ('undefined_name', 'NameError'),
])
def test_script_exceptions_are_reported(source, kind):
    with pytest.raises(engine.ScriptError) as excinfo:
        run(make_frame(), source)
    assert kind in str(excinfo.value)
    assert "'script0'" in str(excinfo.value)


@pytest.mark.parametrize('source,line', [
    ('def (:', 1), ('a = 1\nreturn 0\n', 2)])
def test_compile_errors_are_raised_when_run(source, line):
    # Stored as the reference does; running it names the script and line.
    script = compiled(source, 'broken')
    assert script.code is None
    with pytest.raises(engine.ScriptError) as excinfo:
        engine.run([script], make_frame())
    assert "'broken'" in str(excinfo.value)
    assert 'cannot be compiled: line %d: ' % line in str(excinfo.value)


def test_runtime_errors_name_the_line():
    with pytest.raises(engine.ScriptError) as excinfo:
        run(make_frame(), 'a = 1\n\ndef f():\n    return 1 / 0\n\nf()\n')
    assert str(excinfo.value) == (
        "PyScripts script 'script0' (id-1): raised ZeroDivisionError at "
        "line 4: division by zero")


def test_tracebacks_show_the_script():
    script = compiled('x = 1\nraise ValueError("v")', 'tb')
    with pytest.raises(engine.ScriptError) as excinfo:
        engine.run([script], make_frame())
    cause = excinfo.value.__cause__
    assert isinstance(cause, ValueError)
    assert cause.__traceback__.tb_next.tb_frame.f_code.co_filename == (
        '<pyscript tb (id-1)>')


def test_code_cache_is_shared_and_bounded(monkeypatch):
    monkeypatch.setattr(engine, '_CODE_CACHE_SIZE', 2)
    first = compiled('a = 1', 'cache0')
    assert compiled('a = 1', 'cache0').code is first.code
    compiled('a = 2', 'cache1')
    compiled('a = 3', 'cache2')
    assert len(engine._CODE_CACHE) <= 2
    assert compiled('a = 1', 'cache0').code is not first.code


def test_error_messages_stay_short():
    source = 'data["usage"]["instance"][0]["vol"]["qty"] = "x" * 100000\n'
    with pytest.raises(engine.ScriptError) as excinfo:
        run(make_frame(), source)
    assert len(str(excinfo.value)) < 300


def test_failing_objects_in_the_result_are_reported():
    source = ('class Bad(object):\n'
              '    def __str__(self):\n'
              '        raise KeyError("no str")\n'
              'data["usage"]["instance"][0]["vol"]["qty"] = Bad()\n')
    with pytest.raises(engine.ScriptError) as excinfo:
        run(make_frame(), source)
    assert "isn't a valid DataFrame: KeyError" in str(excinfo.value)
