import decimal

import pytest

from cloudkitty import utils


def test_num2decimal():
    assert utils.num2decimal(decimal.Decimal('1.5')) == decimal.Decimal('1.5')
    assert utils.num2decimal('1/1048576') == decimal.Decimal(1 / 1048576)
    assert utils.num2decimal(2) == 2
    assert utils.num2decimal('3600/1000000') == decimal.Decimal(0.0036)


@pytest.mark.parametrize('mode,value,expected', [
    ('NONE', decimal.Decimal('9.9'), decimal.Decimal('9.9')),
    ('NUMBOOL', decimal.Decimal('5'), 1.0),
    ('NUMBOOL', decimal.Decimal('0'), 0.0),
    ('NOTNUMBOOL', decimal.Decimal('0'), 1.0),
    ('NOTNUMBOOL', decimal.Decimal('2'), 0.0),
    ('FLOOR', decimal.Decimal('9.9'), 9),
    ('CEIL', decimal.Decimal('9.1'), 10),
])
def test_mutate(mode, value, expected):
    assert utils.mutate(value, mode) == expected


def test_mutate_map_numeric_keys():
    mapping = {0.0: 1.0, 11.0: 1.0, 3: 5.0}
    assert utils.mutate(decimal.Decimal(0), 'MAP', mapping) == 1.0
    assert utils.mutate(decimal.Decimal('11'), 'MAP', mapping) == 1.0
    assert utils.mutate(decimal.Decimal('3.0'), 'MAP', mapping) == 5.0
    assert utils.mutate(decimal.Decimal('4'), 'MAP', mapping) == 0.0
    assert utils.mutate(decimal.Decimal('4'), 'MAP', None) == 0.0
