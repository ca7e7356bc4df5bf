"""Sessions and timestamps shared by the scope state stores."""
import contextlib

from cloudkitty import db
from cloudkitty.utils import tz as tzutils


def aware_utc(value):
    """A naive UTC datetime read from the database, made aware."""
    if value is None:
        return None
    return value.replace(tzinfo=tzutils.UTC)


@contextlib.contextmanager
def writer(session):
    """``session``, or a new write session committed on exit."""
    if session is not None:
        yield session
    else:
        with db.session_for_write() as new_session:
            yield new_session


@contextlib.contextmanager
def reader(session):
    """``session``, or a new read session."""
    if session is not None:
        yield session
    else:
        with db.session_for_read() as new_session:
            yield new_session
