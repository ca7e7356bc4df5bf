"""Sphinx configuration of the CloudKitty release notes (reno)."""
project = 'CloudKitty Release Notes'
copyright = 'CloudKitty developers'
author = 'CloudKitty developers'

extensions = [
    # ``.. release-notes::`` renders releasenotes/notes from git history.
    'reno.sphinxext',
]

source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'sphinx'
html_theme = 'alabaster'
html_static_path = []
