"""A fetcher whose source is down: one line per attempt, no crash loop."""
import logging
import threading

from cloudkitty.processor import service as processor_service


class DownFetcher(object):
    name = 'down'

    def __init__(self, stop, failures):
        self.calls = 0
        self._stop = stop
        self._failures = failures

    def get_tenants(self):
        self.calls += 1
        if self.calls >= self._failures:
            self._stop.set()
        raise ConnectionError('Unable to establish connection to '
                              'http://keystone.example:5000/v3')


class NoModules(object):
    def invalidate(self):
        pass


def _service(failures):
    service = object.__new__(processor_service.CloudKittyProcessor)
    service._worker_id = 0
    service._stop = threading.Event()
    service._wake = threading.Event()
    service._idle = threading.Event()
    service._modules = NoModules()
    service.fetcher = DownFetcher(service._stop, failures)
    return service


def test_unreachable_fetcher_is_retried_without_restart(conf, caplog,
                                                        monkeypatch):
    monkeypatch.setattr(processor_service, 'FAILED_RETRY_DELAY', 0.01)
    service = _service(failures=3)
    with caplog.at_level(logging.DEBUG):
        # Returns instead of raising (which made cotyledon restart the
        # worker with a traceback every few seconds).
        runner = threading.Thread(target=service.run, daemon=True)
        runner.start()
        runner.join(30)
        service._stop.set()
        service._wake.set()
    assert not runner.is_alive()
    assert service.fetcher.calls == 3
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 3
    for record in errors:
        message = record.getMessage()
        assert 'Cannot list the scopes (fetcher' in message
        assert 'keystone.example' in message and 'retrying in' in message
        # The traceback goes to DEBUG only.
        assert record.exc_info is None
