"""The fast path of ``check_dataframes`` refuses exactly what the
detailed per-point check refuses, with the same message."""
import datetime
import decimal

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from cloudkitty.api import hardening
from cloudkitty import dataframe

_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(['a', '\x00', '\ud800', 'é']),
            max_size=4),
    st.sampled_from(['x' * 64, 'x' * 65, 'x' * 255, 'x' * 256,
                     'x' * 65536]))
_SCALAR = st.one_of(
    st.none(), st.booleans(), _TEXT,
    st.integers(-2 ** 64, 2 ** 64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True))
_VALUE = st.one_of(_SCALAR, st.lists(_SCALAR, max_size=2),
                   st.dictionaries(_TEXT, _SCALAR, max_size=2))
_KEY = st.one_of(_TEXT, st.sampled_from(
    ['project_id', 'month', 'year', 'day_of_the_year']))
_VALID_NUMBER = st.decimals(min_value=-10 ** 14, max_value=10 ** 14,
                            places=6)
# Mostly valid numbers, so that later fields get checked too.
_NUMBER = st.one_of(
    _VALID_NUMBER, _VALID_NUMBER, _VALID_NUMBER,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([decimal.Decimal(10) ** 15, -decimal.Decimal(10) ** 15,
                     decimal.Decimal(10) ** 15 - 1]))
_UNIT = st.one_of(st.just('u'), st.just('u'), _TEXT)


@st.composite
def _points(draw):
    # Built as tuples, bypassing validation, as a driver may see them.
    return tuple.__new__(dataframe.DataPoint, (
        draw(_UNIT), draw(_NUMBER), draw(_NUMBER),
        draw(st.dictionaries(_KEY, _SCALAR, max_size=3)),
        draw(st.dictionaries(_KEY, _VALUE, max_size=3)), None))


def _outcome(check, frames):
    try:
        check(frames, 'project_id')
    except hardening.InvalidInput as exc:
        return str(exc)
    return None


def _detailed(frames, scope_key):
    column_keys = hardening._TIME_KEYS + (scope_key,)
    for index, frame in enumerate(frames):
        for metric_type, points in frame.itertypes():
            for position, point in enumerate(points):
                hardening.check_point(point, 'dataframes[%d].usage.%s[%d]' % (
                    index, metric_type, position), column_keys)


@settings(max_examples=500, deadline=None)
@given(st.lists(_points(), min_size=1, max_size=4))
def test_fast_path_refuses_what_the_detailed_check_refuses(points):
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    frame = dataframe.DataFrame(start, start + datetime.timedelta(hours=1))
    frame.add_points(points, 'cpu')
    assert (_outcome(hardening.check_dataframes, [frame])
            == _outcome(_detailed, [frame]))
