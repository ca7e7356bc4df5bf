"""Packaging metadata an operator or a distribution packager reads."""
import configparser
import os

from cloudkitty import version

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _metadata():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(ROOT, 'setup.cfg'))
    return parser['metadata']


def test_license_is_apache_2():
    with open(os.path.join(ROOT, 'LICENSE')) as license_file:
        text = license_file.read()
    assert 'Apache License' in text and 'Version 2.0, January 2004' in text
    assert 'END OF TERMS AND CONDITIONS' in text
    assert _metadata()['license'] == 'Apache-2.0'


def test_release_version_and_home_page():
    meta = _metadata()
    target = meta['version']
    major = int(target.split('.')[0])
    assert major >= 1
    # pbr builds "<target>.devN" between releases, "<target>" on the tag.
    installed = version.version_info.release_string()
    assert installed == target or installed.startswith(target + '.dev')
    assert meta['home_page'].startswith('https://')
    assert 'example' not in meta['home_page']
