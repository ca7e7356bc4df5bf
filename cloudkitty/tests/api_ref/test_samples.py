"""The examples of the API reference are what the API answers.

A real API process (SQLite, noauth) replays the scenario that recorded
``api-ref/source/*/samples``; every committed example must equal the new
recording. After a deliberate change, run ``tools/record_api_samples.py``.
"""
import glob
import json
import os
import re

import pytest

from cloudkitty.tests.api_ref import recorder
from cloudkitty.tests.functional import api_server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
API_REF = os.path.join(ROOT, 'api-ref', 'source')


def _committed():
    samples = {}
    for path in glob.glob(os.path.join(API_REF, 'v*', 'samples', '*.json')):
        with open(path) as sample:
            samples[os.path.relpath(path, API_REF)] = json.load(sample)
    return samples


@pytest.fixture(scope='module')
def recorded(tmp_path_factory):
    with api_server.APIServer(
            tmp_dir=str(tmp_path_factory.mktemp('api-ref'))) as server:
        return recorder.record(server)


def test_samples_match_the_api(recorded):
    committed = _committed()
    assert sorted(committed) == sorted(recorded), (
        'run tools/record_api_samples.py')
    for name, document in recorded.items():
        assert committed[name] == document, (
            '%s differs from the API answer; run '
            'tools/record_api_samples.py' % name)


def test_every_sample_is_shown():
    included = set()
    for path in glob.glob(os.path.join(API_REF, 'v*', '*.inc')):
        version = os.path.basename(os.path.dirname(path))
        with open(path) as source:
            for match in re.finditer(r'literalinclude:: (samples/\S+)',
                                     source.read()):
                included.add('%s/%s' % (version, match.group(1)))
    committed = set(_committed())
    assert included <= committed, included - committed
    # Every request body and every response of a listing or read is shown.
    assert not committed - included, committed - included
