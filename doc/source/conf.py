"""Sphinx configuration of the CloudKitty documentation."""
import glob
import os
import sys

# Build from the source tree without installing the package.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__),
                                                '..', '..')))

project = 'CloudKitty'
copyright = 'CloudKitty developers'
author = 'CloudKitty developers'

extensions = [
    # ``.. show-options::`` renders the registered options of a namespace.
    'oslo_config.sphinxext',
    # ``.. show-policy::`` renders the default rules of the policy
    # namespace (read through the installed entry points).
    'oslo_policy.sphinxext',
]


source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'sphinx'
html_theme = 'alabaster'
html_static_path = []


def _developer_guides(app, docname, source):
    # The plugin guides of developer/ are globbed; without any (yet) the
    # glob would be a build warning, which -W turns into an error.
    if docname == 'developer' and not glob.glob(
            os.path.join(app.srcdir, 'developer', '*.rst')):
        source[0] = source[0].replace('   developer/plugins\n', '').replace(
            '   developer/*\n', '')


def setup(app):
    app.connect('source-read', _developer_guides)
