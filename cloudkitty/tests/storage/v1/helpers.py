"""Rated data written by the processor's worker, for the v1 storage tests
and the storage migration tests."""
import datetime
import decimal

from cloudkitty import dataframe
from cloudkitty import orchestrator
from cloudkitty import storage_state
from cloudkitty.utils import tz as tzutils

HOUR = datetime.timedelta(hours=1)
UNIT_PRICE = decimal.Decimal('0.123456789')


class Collector(object):
    """Two instances and one volume per scope and period.

    Quantities depend on the scope and the hour, so that every period and
    scope has its own totals.
    """

    collector_name = 'fixed'
    concurrent_retrieve = False

    def __init__(self, empty_scopes=()):
        self.conf = {'cpu': {'unit': 'instance'},
                     'volume.size': {'unit': 'GiB'}}
        self.empty_scopes = set(empty_scopes)

    def retrieve(self, metric, start, end, scope_id=None, q_filter=None):
        from cloudkitty.collector import NoDataCollected
        if scope_id in self.empty_scopes:
            raise NoDataCollected('fixed', metric)
        hour = tzutils.local_to_utc(start).hour
        points = []
        count = 2 if metric == 'cpu' else 1
        for index in range(count):
            qty = decimal.Decimal(hour + index + 1) + (
                decimal.Decimal('0.5') if metric != 'cpu' else 0)
            groupby = {'project_id': scope_id,
                       'id': '%s-%s-%d' % (scope_id, metric, index)}
            metadata = {'flavor_name': 'm1.tiny'} if metric == 'cpu' else {
                'volume_type': 'ssd'}
            points.append(dataframe.DataPoint(
                'instance' if metric == 'cpu' else 'GiB', qty, 0, groupby,
                metadata))
        return metric, points


class Pricing(object):
    """price = qty * UNIT_PRICE."""

    def reload_config(self, start=None):
        pass

    def process(self, frame):
        out = dataframe.DataFrame(frame.start, frame.end)
        for metric, point in frame.iterpoints():
            out.add_point(point.set_price(point.qty * UNIT_PRICE), metric)
        return out


class Modules(object):
    def for_scope(self, scope_id):
        return [Pricing()]

    def invalidate(self):
        pass


def process(conf, storage, scopes, hours, collector=None):
    """Run the worker of each scope over ``hours`` due periods.

    Returns the start of the first period processed.
    """
    conf.set_override('period', 3600, 'collect')
    conf.set_override('wait_periods', 1, 'collect')
    state = storage_state.StateManager()
    state.init()
    now = tzutils.localized_now()
    last = tzutils.align(now, 3600) - HOUR * (hours + 1)
    collector = collector or Collector()
    for scope in scopes:
        state.set_last_processed_timestamp(scope, last)
        worker = orchestrator.Worker(
            collector, storage, scope, 0, modules=Modules(), state=state,
            skip_expressions={})
        assert worker.run() == hours
    return last + HOUR


def expected_points(scopes, first, hours, empty_scopes=()):
    """(scope, type, start, qty, price) of what ``process`` stores."""
    collector = Collector(empty_scopes)
    output = []
    for scope in scopes:
        if scope in empty_scopes:
            continue
        for hour in range(hours):
            start = first + HOUR * hour
            for metric in sorted(collector.conf):
                _name, points = collector.retrieve(metric, start, None,
                                                   scope)
                for point in points:
                    output.append((scope, metric, start, point.qty,
                                   point.qty * UNIT_PRICE))
    return output
