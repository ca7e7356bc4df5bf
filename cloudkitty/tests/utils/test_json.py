"""JSON rendering of API bodies."""
import datetime
import decimal
import json

from cloudkitty.utils import json as ck_json

D = decimal.Decimal


def test_decimals_are_numbers_and_datetimes_iso():
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    text = ck_json.dumps({'rate': D('1.25'), 'begin': when})
    assert json.loads(text) == {'rate': 1.25,
                                'begin': '2026-01-01T00:00:00+00:00'}


def test_non_finite_decimals_are_null_not_invalid_json():
    text = ck_json.dumps([D('NaN'), D('Infinity'), D('-Infinity'),
                          D('sNaN')])

    # Strict parsers (and Python's with parse_constant refusing) accept it.
    def refuse(token):
        raise ValueError(token)
    assert json.loads(text, parse_constant=refuse) == [None] * 4
