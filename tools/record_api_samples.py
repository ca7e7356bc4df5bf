"""Write the example requests and responses of ``api-ref/source``.

Starts a real API (SQLite, noauth) in a temporary directory, runs the
scenario of ``cloudkitty/tests/api_ref/recorder.py`` and writes every
request and response body under ``api-ref/source/v1|v2/samples/``.
Run it after changing an endpoint; ``cloudkitty/tests/api_ref`` fails
until the samples match the API again::

    .venv/bin/python tools/record_api_samples.py
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def dump(document):
    return json.dumps(document, indent=4, sort_keys=False) + '\n'


def main():
    sys.path.insert(0, ROOT)
    from cloudkitty.tests.api_ref import recorder
    from cloudkitty.tests.functional import api_server

    with api_server.APIServer() as server:
        samples = recorder.record(server)
    base = os.path.join(ROOT, 'api-ref', 'source')
    for version in ('v1', 'v2'):
        directory = os.path.join(base, version, 'samples')
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith('.json'):
                os.unlink(os.path.join(directory, name))
    for name, document in sorted(samples.items()):
        with open(os.path.join(base, name), 'w') as sample:
            sample.write(dump(document))
    print('%d samples written under %s' % (len(samples), base))
    return 0


if __name__ == '__main__':
    sys.exit(main())
