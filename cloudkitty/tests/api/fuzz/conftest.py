"""Hypothesis profiles of the fuzz suite.

``ci`` (default): bounded, deterministic, a few seconds per backend.
``long`` (``make fuzz``, or ``CK_FUZZ_PROFILE=long``): many more examples
with fresh random data. ``CK_FUZZ_EXAMPLES`` overrides the number of
examples of either.
"""
import os

from hypothesis import HealthCheck
from hypothesis import settings

_COMMON = dict(
    deadline=None,
    database=None,
    # The API's state persists across the examples of one test on
    # purpose (objects created by one example are used by the next).
    suppress_health_check=[HealthCheck.function_scoped_fixture,
                           HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile('ci', max_examples=60, derandomize=True,
                          **_COMMON)
settings.register_profile('long', max_examples=1500, **_COMMON)


def profile():
    name = os.environ.get('CK_FUZZ_PROFILE', 'ci')
    examples = os.environ.get('CK_FUZZ_EXAMPLES')
    if examples:
        return settings(settings.get_profile(name),
                        max_examples=int(examples))
    return settings.get_profile(name)
