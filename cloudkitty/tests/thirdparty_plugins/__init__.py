"""A third-party plugin pack, written only against CloudKitty's plugin API.

These plugins use the base classes and helper modules a plugin written
for the reference uses (``cloudkitty.collector``, ``cloudkitty.fetcher``,
``cloudkitty.rating``, ``cloudkitty.storage.v2``, ``cloudkitty.utils``,
``cloudkitty.utils.tz``, ``cloudkitty.dataframe``), with their own names
for the parameters (``project_id``, ``tenant``...). They are the complete
examples of the developer documentation, which includes them.

A real plugin pack declares its entry points in its packaging metadata;
``install_dist_info`` writes the same declaration as a ``.dist-info``
directory, so that a directory on ``PYTHONPATH`` registers the plugins
for stevedore in any process (processor, API, command line tools).
"""
import os

DIST_NAME = 'ck_example_plugins'
DIST_VERSION = '1.0'

_PACKAGE = __name__

ENTRY_POINTS = {
    'cloudkitty.collector.backends': {
        'example': _PACKAGE + '.collector:ExampleCollector'},
    'cloudkitty.fetchers': {
        'example': _PACKAGE + '.fetcher:ExampleFetcher'},
    'cloudkitty.rating.processors': {
        'example': _PACKAGE + '.rating:ExampleRating'},
    'cloudkitty.storage.v2.backends': {
        'example': _PACKAGE + '.storage:ExampleStorage'},
}


def install_dist_info(site_dir):
    """Write the pack's ``.dist-info`` into ``site_dir``; returns site_dir.

    Add ``site_dir`` to ``sys.path`` (``PYTHONPATH`` for a subprocess) to
    register the plugins.
    """
    path = os.path.join(site_dir, '%s-%s.dist-info' % (DIST_NAME,
                                                       DIST_VERSION))
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, 'METADATA'), 'w') as handle:
        handle.write('Metadata-Version: 2.1\nName: %s\nVersion: %s\n'
                     % (DIST_NAME, DIST_VERSION))
    with open(os.path.join(path, 'entry_points.txt'), 'w') as handle:
        for group, entries in sorted(ENTRY_POINTS.items()):
            handle.write('[%s]\n' % group)
            for name, target in sorted(entries.items()):
                handle.write('%s = %s\n' % (name, target))
            handle.write('\n')
    return site_dir
