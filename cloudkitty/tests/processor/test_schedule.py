"""Period arithmetic of reprocessing windows, without a database."""
import collections
import datetime

from cloudkitty.processor import schedule

UTC = datetime.timezone.utc
HOUR = 3600

Row = collections.namedtuple(
    'Row', 'start_reprocess_time end_reprocess_time current_reprocess_time')


def dt(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_window_starts_at_its_start():
    assert schedule.next_in_window(
        datetime.datetime(2021, 1, 1), datetime.datetime(2021, 1, 1, 2),
        None, HOUR) == dt(2021, 1, 1)


def test_window_end_is_the_start_of_its_last_period():
    start, end = dt(2021, 1, 1), dt(2021, 1, 1, 2)
    assert schedule.next_in_window(start, end, dt(2021, 1, 1, 1),
                                   HOUR) == end
    assert schedule.next_in_window(start, end, end, HOUR) is None


def test_naive_positions_are_utc():
    # Stored datetimes are naive UTC; an aware position means the same.
    start, end = datetime.datetime(2021, 1, 1), datetime.datetime(2021, 1, 2)
    naive = schedule.next_in_window(
        start, end, datetime.datetime(2021, 1, 1, 5), HOUR)
    aware = schedule.next_in_window(start, end, dt(2021, 1, 1, 5), HOUR)
    assert naive == aware == dt(2021, 1, 1, 6)


def test_row_and_window_agree():
    row = Row(datetime.datetime(2021, 1, 1), datetime.datetime(2021, 1, 1, 3),
              datetime.datetime(2021, 1, 1, 1))
    assert schedule.next_reprocess_time(row, HOUR) == schedule.next_in_window(
        row.start_reprocess_time, row.end_reprocess_time,
        row.current_reprocess_time, HOUR) == dt(2021, 1, 1, 2)
    assert schedule.next_reprocess_time(None, HOUR) is None


def test_period_delta_follows_the_configuration(conf):
    conf.set_override('period', 600, 'collect')
    assert schedule.period_delta() == datetime.timedelta(minutes=10)
