"""Sphinx configuration of the CloudKitty API reference."""
project = 'CloudKitty API Reference'
copyright = 'CloudKitty developers'
author = 'CloudKitty developers'

extensions = [
    # rest_method / rest_parameters / rest_status_code directives.
    'os_api_ref',
    'openstackdocstheme',
]

html_theme = 'openstackdocs'
html_theme_options = {
    'sidebar_dropdown': 'api_ref',
    'sidebar_mode': 'toc',
}
openstackdocs_repo_name = 'cloudkitty-ng/cloudkitty'
openstackdocs_bug_project = 'cloudkitty'
openstackdocs_bug_tag = 'api-ref'
openstackdocs_auto_name = False

source_suffix = '.rst'
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'
