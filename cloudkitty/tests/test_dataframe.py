import datetime
import decimal
import json

import hypothesis
from hypothesis import strategies as st
import pytest

from cloudkitty import dataframe
from cloudkitty.utils import tz as tzutils

START = datetime.datetime(2019, 1, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2019, 1, 1, 1, tzinfo=datetime.timezone.utc)


def _point(**kw):
    args = dict(unit='GiB', qty=1.2, price=0.04,
                groupby={'id': 'a', 'project_id': 'p'},
                metadata={'volume_type': 'ceph'})
    args.update(kw)
    return dataframe.DataPoint(**args)


class TestDataPoint(object):

    def test_float_goes_through_str(self):
        point = _point(qty=0.121, price=0.3)
        assert point.qty == decimal.Decimal('0.121')
        assert point.price == decimal.Decimal('0.3')

    def test_empty_unit_is_undefined(self):
        assert _point(unit='').unit == 'undefined'
        assert _point(unit=None).unit == 'undefined'

    def test_immutable(self):
        point = _point()
        with pytest.raises(TypeError):
            point.groupby['id'] = 'b'
        with pytest.raises(AttributeError):
            point.qty = 3

    def test_set_price_returns_copy(self):
        point = _point()
        priced = point.set_price(decimal.Decimal('2.5'))
        assert priced.price == decimal.Decimal('2.5')
        assert point.price == decimal.Decimal('0.04')
        assert priced.groupby == point.groupby

    def test_desc_groupby_wins(self):
        point = _point(groupby={'id': 'a'}, metadata={'id': 'x', 'm': 1})
        assert point.desc == {'id': 'a', 'm': 1}

    def test_dict_round_trip(self):
        point = _point()
        as_dict = point.as_dict(mutable=True)
        assert as_dict == {
            'vol': {'unit': 'GiB', 'qty': decimal.Decimal('1.2')},
            'rating': {'price': decimal.Decimal('0.04')},
            'groupby': {'id': 'a', 'project_id': 'p'},
            'metadata': {'volume_type': 'ceph'},
        }
        assert dataframe.DataPoint.from_dict(as_dict) == point

    def test_legacy_dict(self):
        point = _point()
        legacy = point.as_dict(legacy=True, mutable=True)
        assert 'groupby' not in legacy and 'metadata' not in legacy
        assert legacy['desc'] == {'id': 'a', 'project_id': 'p',
                                  'volume_type': 'ceph'}
        back = dataframe.DataPoint.from_dict(legacy, legacy=True)
        assert back.groupby == legacy['desc']
        assert back.metadata == {}

    def test_from_dict_rating_optional(self):
        point = dataframe.DataPoint.from_dict({
            'vol': {'unit': 'u', 'qty': '3'}, 'groupby': {}, 'metadata': {}})
        assert point.price == 0
        assert point.qty == 3

    @pytest.mark.parametrize('bad', [
        {'vol': {'unit': 'u', 'qty': 1}, 'groupby': {}},
        {'vol': {'unit': 'u'}, 'groupby': {}, 'metadata': {}},
        {'vol': {'unit': 'u', 'qty': 'abc'}, 'groupby': {}, 'metadata': {}},
        {'vol': {'unit': 'u', 'qty': 1}, 'groupby': {}, 'metadata': {},
         'extra': 1},
        {'vol': {'unit': 1, 'qty': 1}, 'groupby': {}, 'metadata': {}},
        {'vol': {'unit': 'u', 'qty': 1}, 'rating': {'price': 'x'},
         'groupby': {}, 'metadata': {}},
        'not a dict',
    ])
    def test_from_dict_invalid(self, bad):
        with pytest.raises(ValueError, match="isn't a valid DataPoint"):
            dataframe.DataPoint.from_dict(bad)


class TestDataFrame(object):

    def test_types_checked(self):
        with pytest.raises(TypeError):
            dataframe.DataFrame('2019-01-01', END)
        with pytest.raises(TypeError):
            dataframe.DataFrame(START, END, usage=[])

    def test_usage_sorted_and_iteration(self):
        a, b, c = _point(qty=1), _point(qty=2), _point(qty=3)
        frame = dataframe.DataFrame(START, END, usage={'z': [a], 'b': [b]})
        frame.add_point(c, 'a')
        frame.add_points([c], 'b')
        assert [t for t, _ in frame.itertypes()] == ['b', 'z', 'a']
        assert list(frame.iterpoints()) == [
            ('b', b), ('b', c), ('z', a), ('a', c)]
        assert len(frame) == 4

    def test_json_round_trip(self):
        frame = dataframe.DataFrame(START, END, usage={'vol': [_point()]})
        text = frame.json()
        loaded = json.loads(text)
        assert loaded['period'] == {'begin': '2019-01-01T00:00:00+00:00',
                                    'end': '2019-01-01T01:00:00+00:00'}
        assert loaded['usage']['vol'][0]['vol']['qty'] == 1.2
        back = dataframe.DataFrame.from_dict(loaded)
        assert back.start == START and back.end == END
        assert back.start.tzinfo is not None
        assert list(back.iterpoints()) == list(frame.iterpoints())

    def test_from_dict_iso_strings_local_tz(self):
        frame = dataframe.DataFrame.from_dict({
            'period': {'begin': '2019-01-01T00:00:00.123',
                       'end': '2019-01-01T01:00:00Z'},
            'usage': {}})
        assert frame.start == START
        assert frame.start.microsecond == 0
        assert frame.start.tzinfo == tzutils.get_local_tz()

    @pytest.mark.parametrize('bad', [
        {'period': {'begin': 'x', 'end': '2019-01-01'}, 'usage': {}},
        {'period': {'begin': '2019-01-01'}, 'usage': {}},
        {'period': {'begin': '2019-01-01', 'end': '2019-01-01'}},
        {'period': {'begin': '2019-01-01', 'end': '2019-01-01'},
         'usage': {}, 'other': 1},
        {'period': {'begin': '2019-01-01', 'end': '2019-01-01'},
         'usage': {'m': [{'vol': {}}]}},
    ])
    def test_from_dict_invalid(self, bad):
        with pytest.raises(ValueError, match="isn't a valid DataFrame"):
            dataframe.DataFrame.from_dict(bad)


_NUMBERS = st.one_of(
    st.integers(-10 ** 20, 10 ** 20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False).map(str))


@hypothesis.settings(max_examples=200, deadline=None)
@hypothesis.given(
    _NUMBERS, _NUMBERS,
    st.text(max_size=5),
    st.dictionaries(
        st.text(max_size=3),
        st.text(max_size=3), max_size=3))
def test_from_dict_builds_what_the_constructor_builds(qty, price, unit,
                                                      groupby):
    point = dataframe.DataPoint.from_dict({
        'vol': {'unit': unit, 'qty': qty}, 'rating': {'price': price},
        'groupby': groupby, 'metadata': {'m': 1}})
    built = dataframe.DataPoint(unit, str(qty), str(price), groupby,
                                {'m': 1})
    assert point == built
    assert type(point.qty) is decimal.Decimal
    assert type(point.groupby) is type(built.groupby)
    assert point.description is None
