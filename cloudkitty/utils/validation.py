"""Voluptuous validators shared by the v2 API and metrics.yml checks."""
import voluptuous

from cloudkitty.utils import tz as tzutils


def get_string_type():
    """The type of valid (non-empty) strings."""
    return voluptuous.All(str, voluptuous.Length(min=1))


class DictTypeValidator(object):
    """Validate a dict's keys and values with the given types."""

    def __init__(self, key_type, value_type, cast=True):
        self._kval = voluptuous.Coerce(key_type) if cast else key_type
        self._vval = voluptuous.Coerce(value_type) if cast else value_type

    def __call__(self, item):
        try:
            return {self._kval(k): self._vval(v)
                    for k, v in dict(item).items()}
        except (TypeError, ValueError, voluptuous.Invalid):
            raise voluptuous.Invalid('{} can not be converted to a dict '
                                     'of {} -> {}'.format(item, self._kval,
                                                          self._vval))


class IterableValuesDict(DictTypeValidator):
    """Validate a dict whose values are iterables of ``value_type``."""

    def __call__(self, item):
        try:
            return {self._kval(k): [self._vval(i) for i in v]
                    for k, v in dict(item).items()}
        except (TypeError, ValueError, voluptuous.Invalid):
            raise voluptuous.Invalid(
                '{} can not be converted to a dict of iterables'.format(item))


def iso_datetime(value):
    """Voluptuous validator: ISO 8601 string -> aware local datetime."""
    try:
        return tzutils.dt_from_iso(value)
    except ValueError:
        raise voluptuous.Invalid('expected dt_from_iso')
