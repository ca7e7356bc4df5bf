import datetime

import pytest

from cloudkitty.utils import tz as tzutils

UTC = datetime.timezone.utc


def test_naive_is_utc():
    naive = datetime.datetime(2019, 5, 1, 12)
    assert tzutils.localized(naive) == naive.replace(tzinfo=UTC)
    assert tzutils.localized(naive).tzinfo is not None


def test_local_to_utc_naive():
    aware = datetime.datetime(2019, 5, 1, 12, tzinfo=datetime.timezone(
        datetime.timedelta(hours=2)))
    assert tzutils.local_to_utc(aware, naive=True) == datetime.datetime(
        2019, 5, 1, 10)
    assert tzutils.local_to_utc(aware).tzinfo == UTC


@pytest.mark.parametrize('text,expected', [
    ('2019-07-16T08:55:01+02:00', datetime.datetime(2019, 7, 16, 6, 55, 1)),
    ('20190716T085501Z', datetime.datetime(2019, 7, 16, 8, 55, 1)),
    ('2019-07-16 08:55:01', datetime.datetime(2019, 7, 16, 8, 55, 1)),
    ('2019-07-16', datetime.datetime(2019, 7, 16)),
    ('2019-07-16T08:55:01.999', datetime.datetime(2019, 7, 16, 8, 55, 1)),
])
def test_dt_from_iso(text, expected):
    parsed = tzutils.dt_from_iso(text)
    assert parsed.tzinfo is not None
    assert tzutils.local_to_utc(parsed, naive=True) == expected
    assert tzutils.dt_from_iso(text, as_utc=True).tzinfo == UTC


@pytest.mark.parametrize('text', ['abc', '', '2019-13-45', None,
                                  '2019-01-01T00:00:00+99:00'])
def test_dt_from_iso_invalid(text):
    with pytest.raises(ValueError):
        tzutils.dt_from_iso(text)


def test_month_bounds():
    dt = datetime.datetime(2019, 2, 14, 15, 3, tzinfo=UTC)
    start = tzutils.get_month_start(dt)
    assert (start.year, start.month, start.day, start.hour) == (2019, 2, 1, 0)
    nxt = tzutils.get_next_month(dt)
    assert (nxt.year, nxt.month, nxt.day, nxt.hour) == (2019, 3, 1, 0)
    dec = tzutils.get_next_month(datetime.datetime(2019, 12, 31, tzinfo=UTC))
    assert (dec.year, dec.month, dec.day) == (2020, 1, 1)


def test_delta_and_diff():
    dt = datetime.datetime(2019, 1, 1, tzinfo=UTC)
    later = tzutils.add_delta(dt, datetime.timedelta(hours=5))
    assert tzutils.diff_seconds(later, dt) == 5 * 3600
    assert tzutils.diff_seconds(dt, later) == 5 * 3600
    assert tzutils.substract_delta(later, datetime.timedelta(hours=5)) == dt


def test_align():
    dt = datetime.datetime(2019, 1, 1, 10, 42, 17, tzinfo=UTC)
    assert tzutils.align(dt, 3600) == datetime.datetime(
        2019, 1, 1, 10, tzinfo=UTC)
    assert tzutils.align(dt, 86400) == datetime.datetime(
        2019, 1, 1, tzinfo=UTC)
    assert not tzutils.is_aligned(dt, 3600)
    assert tzutils.is_aligned(tzutils.align(dt, 3600), 3600)


def test_now_is_aware_without_microseconds():
    now = tzutils.localized_now()
    assert now.tzinfo is not None and now.microsecond == 0


def test_aware_utcnow_is_utc_without_microseconds():
    now = tzutils.aware_utcnow()
    assert now.tzinfo is UTC and now.microsecond == 0


def test_naive_utc_is_the_stored_form():
    plus2 = datetime.timezone(datetime.timedelta(hours=2))
    naive = datetime.datetime(2019, 5, 1, 10)
    assert tzutils.naive_utc(datetime.datetime(2019, 5, 1, 12,
                                               tzinfo=plus2)) == naive
    # Naive input is UTC already; None stays None.
    assert tzutils.naive_utc(naive) == naive
    assert tzutils.naive_utc(None) is None
