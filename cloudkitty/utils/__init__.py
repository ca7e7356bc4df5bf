"""Small helpers shared across CloudKitty."""
import decimal
import fractions
import math


def num2decimal(num):
    """Decimal from a number, a Fraction or a fraction string ("1/1024")."""
    if isinstance(num, decimal.Decimal):
        return num
    if isinstance(num, str) and '/' in num:
        num = float(fractions.Fraction(num))
    if isinstance(num, fractions.Fraction):
        num = float(num)
    return decimal.Decimal(num)


def mutate(value, mode='NONE', mutate_map=None):
    """Apply a metrics.yml mutator to a collected quantity."""
    if mode == 'NUMBOOL':
        return float(value != 0.0)
    if mode == 'NOTNUMBOOL':
        return float(value == 0.0)
    if mode == 'FLOOR':
        return math.floor(value)
    if mode == 'CEIL':
        return math.ceil(value)
    if mode == 'MAP':
        if not mutate_map:
            return 0.0
        for key, mapped in mutate_map.items():
            try:
                if decimal.Decimal(str(key)) == value:
                    return mapped
            except (decimal.InvalidOperation, ValueError, TypeError):
                continue
        return 0.0
    return value
