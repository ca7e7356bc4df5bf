"""The module-level helpers third-party plugins import from cloudkitty.utils.
"""
import datetime
import decimal
import fractions
import os

from dateutil import tz as dateutil_tz
import pytest

from cloudkitty import utils
from cloudkitty.utils import tz as tzutils

UTC = datetime.timezone.utc
D = decimal.Decimal


def test_isotime():
    dt = datetime.datetime(2019, 2, 14, 20, 53, 7, 123456)
    assert utils.isotime(dt) == '2019-02-14T20:53:07Z'
    assert utils.isotime(dt, subsecond=True) == '2019-02-14T20:53:07.123456Z'
    assert utils.isotime(dt.replace(tzinfo=UTC)) == '2019-02-14T20:53:07Z'
    assert utils.isotime().endswith('Z')


def test_timestamps():
    dt = datetime.datetime(2019, 2, 14, 20, 53, 7)
    ts = utils.dt2ts(dt)
    assert ts == 1550177587
    # An aware datetime: its fields are read as UTC (calendar.timegm).
    assert utils.dt2ts(dt.replace(tzinfo=UTC)) == ts
    assert utils.ts2dt(ts) == dt
    assert utils.ts2dt(str(ts)) == dt
    assert utils.ts2dt(ts).tzinfo is None
    assert utils.ts2iso(ts) == '2019-02-14T20:53:07Z'
    assert utils.iso8601_from_timestamp(ts + 0.5, microsecond=True) == (
        '2019-02-14T20:53:07.500000Z')
    assert utils.dt2iso(dt) == '2019-02-14T20:53:07Z'


@pytest.mark.parametrize('text,expected', [
    ('2019-02-14T20:53:07Z', datetime.datetime(2019, 2, 14, 20, 53, 7)),
    ('2019-02-14T22:53:07+02:00', datetime.datetime(2019, 2, 14, 20, 53, 7)),
    ('2019-02-14T20:53:07', datetime.datetime(2019, 2, 14, 20, 53, 7)),
])
def test_iso2dt_is_naive_utc(text, expected):
    assert utils.iso2dt(text) == expected
    assert utils.iso2dt(text).tzinfo is None


def test_utcnow_is_naive():
    now = utils.utcnow()
    assert now.tzinfo is None
    assert abs(now - datetime.datetime.now(UTC).replace(tzinfo=None)) < (
        datetime.timedelta(seconds=5))
    # The reference's name for the one naive "now" helper.
    assert utils.utcnow is utils.naive_utcnow


@pytest.mark.parametrize('value,expected', [
    (None, []), ('a', ['a']), (0, [0]), (['a', 'b'], ['a', 'b']),
    (('a',), ['a']), ({'a'}, ['a']), (frozenset(['a']), ['a']), ([], []),
])
def test_as_list(value, expected):
    assert utils.as_list(value) == expected


def test_month_helpers():
    dt = datetime.datetime(2020, 2, 14, 15, 3)
    assert utils.get_month_days(dt) == 29
    assert utils.get_month_days(datetime.datetime(2019, 2, 1)) == 28
    assert utils.get_month_start(dt) == datetime.datetime(2020, 2, 1)
    assert utils.get_month_start_timestamp(dt) == utils.dt2ts(
        datetime.datetime(2020, 2, 1))
    assert utils.get_month_end(dt) == datetime.datetime(2020, 2, 29)
    assert utils.get_last_month(dt) == datetime.datetime(2020, 1, 1)
    assert utils.get_last_month(datetime.datetime(2020, 1, 5)) == (
        datetime.datetime(2019, 12, 1))
    assert utils.get_next_month(dt) == datetime.datetime(2020, 3, 1)
    assert utils.get_next_month(datetime.datetime(2019, 12, 31, 23)) == (
        datetime.datetime(2020, 1, 1))
    assert utils.get_next_month_timestamp(dt) == utils.dt2ts(
        datetime.datetime(2020, 3, 1))
    # Defaults: now.
    assert utils.get_month_start().day == 1
    assert utils.get_month_start().tzinfo is None


def test_add_days():
    dt = datetime.datetime(2019, 2, 10)
    assert utils.add_days(dt, 5) == datetime.datetime(2019, 2, 15)
    # More days than the month has: its end.
    assert utils.add_days(dt, 30) == datetime.datetime(2019, 2, 28)
    assert utils.add_days(dt, 30, stay_on_month=False) == (
        datetime.datetime(2019, 3, 12))


@pytest.mark.parametrize('dt,stay,expected', [
    (datetime.datetime(2019, 1, 15, 10), True,
     datetime.datetime(2019, 2, 15, 10)),
    (datetime.datetime(2019, 1, 31), True, datetime.datetime(2019, 2, 28)),
    (datetime.datetime(2020, 1, 31), True, datetime.datetime(2020, 2, 29)),
    (datetime.datetime(2019, 1, 31), False, datetime.datetime(2019, 3, 3)),
    (datetime.datetime(2019, 3, 31), True, datetime.datetime(2019, 4, 30)),
    (datetime.datetime(2019, 12, 31, 23, 59), True,
     datetime.datetime(2020, 1, 31, 23, 59)),
])
def test_add_month_month_ends(dt, stay, expected):
    assert utils.add_month(dt, stay_on_month=stay) == expected


@pytest.mark.parametrize('dt,stay,expected', [
    (datetime.datetime(2019, 3, 15), True, datetime.datetime(2019, 2, 15)),
    (datetime.datetime(2019, 3, 31), True, datetime.datetime(2019, 2, 28)),
    (datetime.datetime(2019, 3, 31), False, datetime.datetime(2019, 3, 3)),
    (datetime.datetime(2020, 1, 10), True, datetime.datetime(2019, 12, 10)),
])
def test_sub_month(dt, stay, expected):
    assert utils.sub_month(dt, stay_on_month=stay) == expected


def test_refresh_stevedore():
    from stevedore import extension
    cache = extension.ExtensionManager.ENTRY_POINT_CACHE
    cache['ck.test.a'] = []
    cache['ck.test.b'] = []
    utils.refresh_stevedore('ck.test.a')
    assert 'ck.test.a' not in cache and 'ck.test.b' in cache
    utils.refresh_stevedore('ck.test.absent')
    utils.refresh_stevedore()
    assert 'ck.test.b' not in cache


def test_check_time_state():
    start = utils.check_time_state()
    assert start == tzutils.get_month_start()
    assert start.tzinfo is not None
    hour = 3600
    old = tzutils.localized_now() - datetime.timedelta(hours=10)
    assert utils.check_time_state(old, hour, 2) == old + datetime.timedelta(
        hours=1)
    # The next period, plus the periods to wait, is not over yet.
    recent = tzutils.localized_now() - datetime.timedelta(hours=2)
    assert utils.check_time_state(recent, hour, 2) is None
    assert utils.check_time_state(recent, hour, 0) is not None


def test_load_conf(tmp_path):
    empty = tmp_path / 'empty.yml'
    empty.write_text('')
    assert utils.load_conf(str(empty)) == {}
    conf = tmp_path / 'metrics.yml'
    conf.write_text('metrics:\n  cpu: {unit: instance}\n')
    assert utils.load_conf(str(conf)) == {'metrics': {'cpu': {
        'unit': 'instance'}}}
    with pytest.raises(OSError):
        utils.load_conf(str(tmp_path / 'absent.yml'))


def test_tempdir():
    with utils.tempdir(prefix='ck-') as path:
        assert os.path.isdir(path)
        assert os.path.basename(path).startswith('ck-')
        open(os.path.join(path, 'f'), 'w').close()
    assert not os.path.exists(path)


@pytest.mark.parametrize('num,expected', [
    (D('1.5'), D('1.5')),
    (2, D(2)),
    ('2.5', D('2.5')),
    ('1/1048576', D(1 / 1048576)),
    # A float goes through its exact binary expansion.
    ('3600/1000000', D(0.0036)),
    (fractions.Fraction(1, 3), D(1 / 3)),
    (0.1, D(0.1)),
])
def test_num2decimal(num, expected):
    result = utils.num2decimal(num)
    assert isinstance(result, D)
    assert result == expected


def test_num2decimal_fraction_is_inexact():
    assert utils.num2decimal('3600/1000000') != D('0.0036')
    assert utils.num2decimal('1/1048576') == D(1) / D(1048576)


def test_convert_unit():
    assert utils.convert_unit(10, 2, 1) == D(21)
    assert utils.convert_unit('1048576', '1/1048576', 0) == D(1)
    assert utils.convert_unit(D('1.5'), D(2), D('0.5')) == D('3.5')


@pytest.mark.parametrize('mode,value,mapping,expected', [
    ('NONE', D('9.9'), None, D('9.9')),
    ('NUMBOOL', D('0.01'), None, 1.0),
    ('NOTNUMBOOL', D('0'), None, 1.0),
    ('FLOOR', D('9.9'), None, 9),
    ('CEIL', D('9.1'), None, 10),
    ('MAP', D('0'), {0.0: 1.0, 11.0: 2.0}, 1.0),
    ('MAP', D('11'), {0.0: 1.0, 11.0: 2.0}, 2.0),
    ('MAP', D('5'), {0.0: 1.0}, 0.0),
    ('MAP', D('5'), None, 0.0),
])
def test_mutate(mode, value, mapping, expected):
    assert utils.mutate(value, mode, mapping) == expected


def test_mutate_after_conversion():
    # Factor 10 and CEIL turn 9.9 into 99.
    assert utils.mutate(utils.convert_unit('9.9', 10, 0), 'CEIL') == 99


def test_flat_dict():
    nested = {'a': 1, 'b': {'c': 2, 'd': {'e': 3}}, 'f': {'a': 4}}
    assert utils.flat_dict(nested) == {'a': 4, 'c': 2, 'e': 3}
    assert utils.flat_dict({'x': 1}, parent={'y': 2}) == {'x': 1, 'y': 2}


def test_template_str_substitute():
    assert utils.template_str_substitute(
        'project_id="$scope"', {'scope': 'abc'}) == 'project_id="abc"'
    assert utils.template_str_substitute(
        string='${a}-${b}', replace_map={'a': 1, 'b': 'x'}) == '1-x'
    with pytest.raises(KeyError):
        utils.template_str_substitute('$missing', {})
    with pytest.raises(ValueError):
        utils.template_str_substitute('$', {})


# -- cloudkitty.utils.tz ------------------------------------------------------

@pytest.fixture
def paris(monkeypatch):
    """Europe/Paris as the local tz (DST ends of March and October)."""
    zone = dateutil_tz.gettz('Europe/Paris')
    monkeypatch.setattr(tzutils, '_LOCAL_TZ', zone)
    return zone


def test_add_delta_across_dst(paris):
    # 01:30 CET + 1 h is 03:30 CEST: 02:30 does not exist that night.
    before = datetime.datetime(2019, 3, 31, 1, 30, tzinfo=paris)
    after = tzutils.add_delta(before, datetime.timedelta(hours=1))
    assert (after.hour, after.minute) == (3, 30)
    assert after.utcoffset() == datetime.timedelta(hours=2)
    assert tzutils.diff_seconds(after, before) == 3600
    assert tzutils.substract_delta(after, datetime.timedelta(hours=1)) == (
        before)
    # Autumn: 24 h after midnight is 23:00 the same calendar day.
    night = datetime.datetime(2019, 10, 27, 0, 0, tzinfo=paris)
    later = tzutils.add_delta(night, datetime.timedelta(days=1))
    assert (later.day, later.hour) == (27, 23)
    assert tzutils.diff_seconds(later, night) == 86400


def test_month_bounds_keep_local_midnight(paris):
    dt = datetime.datetime(2019, 3, 31, 12, tzinfo=paris)
    start = tzutils.get_month_start(dt)
    assert (start.day, start.hour, start.utcoffset()) == (
        1, 0, datetime.timedelta(hours=1))
    nxt = tzutils.get_next_month(dt)
    assert (nxt.month, nxt.day, nxt.hour, nxt.utcoffset()) == (
        4, 1, 0, datetime.timedelta(hours=2))
    assert tzutils.get_next_month(dt, naive=True) == datetime.datetime(
        2019, 4, 1)
    assert tzutils.get_month_start(dt, naive=True).tzinfo is None


def test_tz_keyword_names():
    parsed = tzutils.dt_from_iso(time_str='2019-01-01T00:00:00Z',
                                 as_utc=True)
    assert parsed == datetime.datetime(2019, 1, 1, tzinfo=UTC)
    assert tzutils.dt_from_ts(ts=0, as_utc=True) == datetime.datetime(
        1970, 1, 1, tzinfo=UTC)
    local = tzutils.utc_to_local(dt=parsed)
    assert tzutils.local_to_utc(dt=local, naive=True) == (
        datetime.datetime(2019, 1, 1))
    assert tzutils.localized_now().tzinfo is not None
