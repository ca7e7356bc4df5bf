"""Quantity conversion and mutation, and make_point."""
import datetime
import decimal
import fractions

import pytest

from cloudkitty import collector

D = decimal.Decimal


def converter(**metric):
    metric.setdefault('unit', 'u')
    return collector.Converter(metric)


def test_exact_decimal():
    assert collector.exact_decimal(fractions.Fraction(1, 1048576)) == D(
        '9.5367431640625E-7')
    # The reference went through a binary float here.
    assert collector.exact_decimal('3600/1000000') == D('0.0036')
    assert collector.exact_decimal(0.1) == D('0.1')
    assert collector.exact_decimal(3) == D(3)
    assert collector.exact_decimal(D('1.5')) == D('1.5')


def test_factor_offset():
    convert = converter(factor=fractions.Fraction(3600, 1000000))
    assert convert(1000000) == D('3600')
    assert converter(factor=2, offset=D('0.5'))(D('1.25')) == D('3.00')
    assert converter(factor=0.1)(10) == D('1.0')
    # Floats are read through str(), as DataPoint does.
    assert converter()(0.121) == D('0.121')
    assert converter(offset=-1)('2') == D(1)


@pytest.mark.parametrize('mode,value,expected', [
    ('NONE', D('2.5'), D('2.5')),
    ('NUMBOOL', D('2.5'), D('1.0')),
    ('NUMBOOL', D(0), D('0.0')),
    ('NOTNUMBOOL', D(0), D('1.0')),
    ('NOTNUMBOOL', D('0.1'), D('0.0')),
    ('FLOOR', D('2.9'), D(2)),
    ('FLOOR', D('-2.1'), D(-3)),
    ('CEIL', D('2.1'), D(3)),
])
def test_mutators(mode, value, expected):
    result = converter(mutate=mode)(value)
    assert result == expected
    assert isinstance(result, D)


def test_mutation_after_conversion():
    assert converter(factor=10, mutate='CEIL')(D('9.91')) == D(100)
    assert converter(factor=10, mutate='FLOOR')(D('9.99')) == D(99)


def test_map():
    convert = converter(mutate='MAP', mutate_map={
        0.0: 1.0, 11.0: 1.0, 12: 2, '3/2': 5})
    assert convert(0) == D('1.0')
    assert convert(D('0.000')) == D('1.0')
    assert convert(11) == D('1.0')
    assert convert(D('12.0')) == D(2)
    assert convert(D('1.5')) == D(5)
    assert convert(4) == D('0.0')
    assert converter(mutate='MAP')(0) == D('0.0')


def test_make_point():
    start = datetime.datetime(2024, 1, 7, 10, tzinfo=datetime.timezone.utc)
    point = collector.make_point(
        {'unit': 'GiB', 'description': 'Volumes'}, D('1.5'), 0,
        {'id': 'x'}, {'volume_type': 'ceph'}, start)
    assert point.unit == 'GiB'
    assert point.qty == D('1.5')
    assert point.price == 0
    assert point.description == 'Volumes'
    assert dict(point.metadata) == {'volume_type': 'ceph'}
    # 2024-01-07 is the first Sunday of 2024: week "01" (%U, Sunday based).
    assert dict(point.groupby) == {
        'id': 'x', 'week_of_the_year': '01', 'day_of_the_year': '7',
        'month': '1', 'year': '2024'}
    point = collector.make_point({'unit': 'u'}, 1, 0, None, None,
                                 start.replace(month=12, day=31))
    assert point.groupby['day_of_the_year'] == '366'
    assert point.groupby['week_of_the_year'] == '52'
    assert point.groupby['month'] == '12'
    assert point.description is None
