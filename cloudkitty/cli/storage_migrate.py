"""``cloudkitty-storage-migrate``: copy rated data from one storage to
another, resumably, then verify the totals.

::

    cloudkitty-storage-migrate --from-config old.conf --to-config new.conf
        [--begin 2024-01-01] [--end 2025-01-01] [--scope ID ...]
        [--dry-run] [--state-file PATH] [--no-verify] [--no-init]

Both configuration files are complete ``cloudkitty.conf`` files; their
``[storage]`` (and backend) sections select the storages, any version and
backend. Exit status: 0 when the verification found no difference, 1 when
it did (the differences are printed), 2 on an error.
"""
import argparse
import datetime
import os
import sys
import time

from cloudkitty.storage import migrate
from cloudkitty.utils import tz as tzutils

PROG = 'cloudkitty-storage-migrate'
DEFAULT_BEGIN = '2010-01-01'


def _datetime(text):
    try:
        value = tzutils.dt_from_iso(text, as_utc=True)
    except (ValueError, TypeError):
        try:
            value = datetime.datetime.strptime(text, '%Y-%m-%d').replace(
                tzinfo=migrate.UTC)
        except ValueError:
            raise argparse.ArgumentTypeError(
                'not an ISO 8601 date or datetime: %r' % text)
    return value.astimezone(migrate.UTC)


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Copy the rated data of one CloudKitty storage to '
                    'another, scope by scope and day by day, then compare '
                    'the totals by scope, metric type and day.')
    parser.add_argument('--from-config', required=True, metavar='FILE',
                        help='cloudkitty.conf of the source storage')
    parser.add_argument('--to-config', required=True, metavar='FILE',
                        help='cloudkitty.conf of the target storage')
    parser.add_argument('--begin', type=_datetime, metavar='DATE',
                        default=_datetime(DEFAULT_BEGIN),
                        help='start of the data to copy (UTC when no '
                             'offset; default %s)' % DEFAULT_BEGIN)
    parser.add_argument('--end', type=_datetime, metavar='DATE',
                        help='end of the data to copy, excluded (default: '
                             'the start of the next UTC day)')
    parser.add_argument('--scope', action='append', metavar='ID',
                        help='copy only this scope (repeatable, or '
                             'comma-separated)')
    parser.add_argument('--dry-run', action='store_true',
                        help='read the source and tell what would be '
                             'copied; write nothing')
    parser.add_argument('--state-file', metavar='PATH',
                        help='where finished units are recorded (default: '
                             'cloudkitty-storage-migrate-<hash>.state in '
                             'the current directory, the hash naming the '
                             'two configuration files)')
    parser.add_argument('--no-verify', action='store_true',
                        help='skip the final comparison of the totals')
    parser.add_argument('--no-init', action='store_true',
                        help='do not prepare the target storage (as '
                             'cloudkitty-storage-init does) first')
    parser.add_argument('--progress', choices=('auto', 'bar', 'lines'),
                        default='auto',
                        help='a progress bar (default on a terminal) or '
                             'plain progress lines (default otherwise)')
    return parser


def _duration(seconds):
    seconds = int(max(seconds, 0))
    return '%d:%02d:%02d' % (seconds // 3600, seconds // 60 % 60,
                             seconds % 60)


class Progress(object):
    """A bar with an ETA on a terminal, plain lines otherwise."""

    WIDTH = 30

    def __init__(self, label, stream=None, bar=None, interval=5.0,
                 points=True):
        self.label = label
        self.show_points = points
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.interval = interval
        self.total = self.done = self.skipped = self.points = 0
        self.started = self._last = None

    def start(self, total, skipped):
        self.total, self.skipped = total, skipped
        self.done = skipped
        self.points = 0
        self.started = time.monotonic()
        self._last = self.started
        if not self.bar:
            self._line('%d units to do (%d already done)'
                       % (total - skipped, skipped))

    def _rate_eta(self):
        elapsed = max(time.monotonic() - self.started, 1e-6)
        processed = self.done - self.skipped
        rate = self.points / elapsed
        if processed:
            eta = elapsed / processed * (self.total - self.done)
        else:
            eta = None
        return elapsed, rate, eta

    def _line(self, text):
        self.stream.write('%s: %s\n' % (self.label, text))
        self.stream.flush()

    def advance(self, unit, points):
        self.done += 1
        self.points += points
        now = time.monotonic()
        _elapsed, rate, eta = self._rate_eta()
        percent = 100.0 * self.done / self.total if self.total else 100.0
        eta_text = _duration(eta) if eta is not None else '?'
        points_text = ' %d points %.0f pts/s' % (
            self.points, rate) if self.show_points else ''
        if self.bar:
            filled = int(self.WIDTH * percent / 100)
            self.stream.write(
                '\r%s [%s%s] %5.1f%% %d/%d units%s ETA %s ' % (
                    self.label, '#' * filled, '.' * (self.WIDTH - filled),
                    percent, self.done, self.total, points_text,
                    eta_text))
            self.stream.flush()
        elif now - self._last >= self.interval or self.done == self.total:
            self._last = now
            self._line('%d/%d units (%.1f%%),%s ETA %s; last: scope %s, %s'
                       % (self.done, self.total, percent,
                          points_text.replace(' points', ' points,'),
                          eta_text, unit.scope,
                          unit.begin.date().isoformat()))

    def finish(self):
        elapsed, rate, _eta = self._rate_eta()
        if self.bar:
            self.stream.write('\n')
        if self.show_points:
            self._line('done: %d units, %d points in %.1f s (%.0f '
                       'points/s)' % (self.done - self.skipped, self.points,
                                      elapsed, rate))
        else:
            self._line('done: %d units in %.1f s'
                       % (self.done - self.skipped, elapsed))
        self.elapsed = elapsed


def _cell(value):
    return '-' if value is None else str(value)


def format_differences(differences):
    """The differences as a text table."""
    header = ['scope', 'type', 'day', 'source count', 'target count',
              'source qty', 'target qty', 'source price', 'target price']
    rows = []
    for diff in differences:
        src = diff.source or (None, None, None)
        dst = diff.target or (None, None, None)
        rows.append([diff.scope, diff.type, diff.day, _cell(src[0]),
                     _cell(dst[0]), _cell(src[1]), _cell(dst[1]),
                     _cell(src[2]), _cell(dst[2])])
    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    lines = [' | '.join(str(c).ljust(w) for c, w in zip(header, widths)),
             '-+-'.join('-' * w for w in widths)]
    lines += [' | '.join(str(c).ljust(w) for c, w in zip(row, widths))
              for row in rows]
    return '\n'.join(line.rstrip() for line in lines)


def _scopes(values):
    scopes = []
    for value in values or []:
        scopes += [s.strip() for s in value.split(',') if s.strip()]
    return scopes or None


def run(args, out=None):
    out = out or sys.stdout
    end = args.end or migrate.day_start(tzutils.aware_utcnow()) + migrate.DAY
    if args.begin >= end:
        raise migrate.MigrationError('--begin must be before --end')
    bar = {'auto': None, 'bar': True, 'lines': False}[args.progress]
    source = target = state = None
    try:
        # Both sides load (slowly: a whole service's imports) at once.
        source = migrate.Side('source', args.from_config)
        if not args.dry_run:
            target = migrate.Side('target', args.to_config)
        source.wait_ready()
        if target is not None:
            target.wait_ready()
        units = migrate.plan(source, args.begin, end, _scopes(args.scope))
        out.write('%d units (scope x day) between %s and %s\n'
                  % (len(units), args.begin.isoformat(), end.isoformat()))
        if args.dry_run:
            total = migrate.dry_run(source, units,
                                    Progress('read', bar=bar))
            out.write('dry run: %d points would be copied from %s to %s\n'
                      % (total, args.from_config, args.to_config))
            return 0
        if not args.no_init:
            target.call('init')
        path = args.state_file or migrate.default_state_file(
            source.config_file, target.config_file)
        state = migrate.StateFile(path, source.config_file,
                                  target.config_file)
        out.write('state file: %s\n' % path)
        progress = Progress('migrate', bar=bar)
        migrate.Migration(source, target, state, progress).run(units)
        out.write('copied %d points in %.1f s (%.0f points/s)\n' % (
            progress.points, progress.elapsed,
            progress.points / max(progress.elapsed, 1e-6)))
        if args.no_verify:
            return 0
        differences, groups = migrate.verify(source, target, units,
                                             Progress('verify', bar=bar,
                                                      points=False))
        if differences:
            out.write('verification FAILED: %d of %d totals by scope, '
                      'type and day differ\n' % (len(differences), groups))
            out.write(format_differences(differences) + '\n')
            return 1
        out.write('verification passed: %d totals by scope, type and day '
                  'are equal in the source and the target\n' % groups)
        return 0
    finally:
        if state is not None:
            state.close()
        for side in (source, target):
            if side is not None:
                side.close()


def main(argv=None):
    argv = sys.argv if argv is None else argv
    args = build_parser().parse_args(argv[1:])
    try:
        return run(args)
    except migrate.MigrationError as exc:
        if os.environ.get('CK_MIGRATE_DEBUG') and len(exc.args) > 1:
            sys.stderr.write(exc.args[1])
        sys.stderr.write('%s: error: %s\n' % (PROG, exc.args[0]))
        return 2
    except KeyboardInterrupt:
        sys.stderr.write('%s: interrupted; run the same command again to '
                         'continue\n' % PROG)
        return 130


if __name__ == '__main__':
    sys.exit(main())
