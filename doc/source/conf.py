"""Sphinx configuration of the CloudKitty documentation."""
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
]

source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'sphinx'
html_theme = 'alabaster'
html_static_path = []
