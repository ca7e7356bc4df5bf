"""Fixtures of the functional tests."""
import pytest

from cloudkitty.tests.functional import api_server as api_server_mod


@pytest.fixture(scope='module')
def api_server():
    """A started noauth API process (module scope)."""
    server = api_server_mod.APIServer()
    try:
        server.start()
    except Exception:
        server.cleanup()
        raise
    yield server
    server.cleanup()
