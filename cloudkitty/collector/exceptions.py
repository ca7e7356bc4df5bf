"""Exceptions raised by collectors."""


class CollectError(Exception):
    """Generic collection failure (data source unreachable, bad answer...).

    The processor lets it propagate: the period is not committed and is
    retried in the next cycle.
    """


class NoDataCollected(Exception):
    """A collector found no data for a metric in a period."""

    def __init__(self, collector, resource):
        super().__init__(
            "Collector '%s' returned no data for resource '%s'"
            % (collector, resource))
        self.collector = collector
        self.resource = resource


class InvalidConfiguration(Exception):
    """metrics.yml (or a collector option) is invalid.

    The message names the metric and the key at fault, e.g.
    ``metrics.yml: metric 'cpu': unit: required key not provided``.
    """
