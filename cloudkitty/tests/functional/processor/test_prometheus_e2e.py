"""End to end on Prometheus: known usage, client-made rules, exact totals.

Prometheus holds known usage for two projects over six hours (backfilled
with promtool); hashmap rules are created with the real client; the real
processor rates the periods and ``/v2/summary`` must give the totals
computed here from the backfilled numbers, to the last decimal. Then
Prometheus is stopped mid-run: the scopes' states do not move, the
failure is logged with scope and metric, and the periods are caught up
once Prometheus is back.
"""
import datetime
import decimal
import shutil
import tempfile
import uuid

import pytest
import sqlalchemy as sa

from cloudkitty.tests.functional import api_server
from cloudkitty.tests.functional.fixtures import prometheus as fixture
from cloudkitty.tests.functional.processor import harness
from cloudkitty.utils import tz as tzutils

HOURS = 6
SUFFIX = uuid.uuid4().hex[:8]
CPU = 'ck_e2e_cpu_%s' % SUFFIX
RAM = 'ck_e2e_ram_%s' % SUFFIX
P1 = 'e2e-p1-%s' % SUFFIX
P2 = 'e2e-p2-%s' % SUFFIX
# resource -> (project, flavor, RAM MiB base)
RESOURCES = {
    'vm-1': (P1, 'm1.small', 2048),
    'vm-2': (P1, 'm1.large', 8192),
    'vm-3': (P2, 'm1.small', 1024),
}
FLAVOR_PRICE = {'m1.small': decimal.Decimal('0.25'),
                'm1.large': decimal.Decimal('0.75')}
RAM_PRICE = decimal.Decimal('0.0013')

METRICS_YML = """\
metrics:
  {cpu}:
    unit: instance
    alt_name: instance
    groupby: [id, project_id]
    metadata: [flavor_name]
    extra_args: {{aggregation_method: max}}
  {ram}:
    unit: MiB
    alt_name: ram
    groupby: [id, project_id]
    metadata: [flavor_name]
    extra_args: {{aggregation_method: max}}
""".format(cpu=CPU, ram=RAM)


def ram_value(base, period, minute):
    # Varies inside the period; the max (minute 59) is what is rated.
    return base + 16 * period + minute


@pytest.fixture(scope='module')
def setup():
    prom = fixture.get_server()
    start = tzutils.align(tzutils.aware_utcnow(), 3600) - datetime.timedelta(
        hours=HOURS + 1)
    first = int(start.timestamp())
    series = []
    for vm, (project, flavor, base) in RESOURCES.items():
        labels = {'id': vm, 'project_id': project, 'flavor_name': flavor}
        cpu, ram = [], []
        for period in range(HOURS):
            for minute in range(60):
                # Strictly inside the period (ranges are closed).
                ts = first + period * 3600 + minute * 60 + 30
                cpu.append((ts, 1))
                ram.append((ts, ram_value(base, period, minute)))
        series.append(fixture.Series(CPU, labels, cpu))
        series.append(fixture.Series(RAM, labels, ram))
    prom.backfill(series)
    tmp_dir = tempfile.mkdtemp(prefix='ck-processor-prom-')
    server = api_server.APIServer(
        overrides=harness.processor_overrides(
            [P1, P2], 'file://%s/locks' % tmp_dir,
            collect={'collector': 'prometheus'},
            collector_prometheus={'prometheus_url': prom.api_url,
                                  'timeout': '5'},
            orchestrator={'max_workers': '1'}),
        metrics_conf=METRICS_YML, tmp_dir=tmp_dir)
    server.start()
    yield prom, server, tzutils.utc_to_local(start)
    server.stop()
    shutil.rmtree(tmp_dir, ignore_errors=True)
    prom.start()


def _cli_json(server, *args, version='1'):
    result = server.cli(*args, '-f', 'json', version=version)
    assert result.returncode == 0, result.stderr
    output = result.json()
    # Show commands print one object; list-like ones a list of one.
    return output[0] if isinstance(output, list) and len(output) == 1 \
        and args[-1] != 'get' and 'summary' not in args else output


def create_rules(server):
    """The operator's rules, with the real client (v1 hashmap)."""
    result = server.cli('module', 'enable', 'hashmap')
    assert result.returncode == 0, result.stderr
    cpu = _cli_json(server, 'hashmap', 'service', 'create', 'instance')
    field = _cli_json(server, 'hashmap', 'field', 'create',
                      cpu['Service ID'], 'flavor_name')
    for flavor, price in FLAVOR_PRICE.items():
        _cli_json(server, 'hashmap', 'mapping', 'create', '--field-id',
                  field['Field ID'], '--value', flavor, '-t', 'flat',
                  str(price))
    ram = _cli_json(server, 'hashmap', 'service', 'create', 'ram')
    _cli_json(server, 'hashmap', 'mapping', 'create', '--service-id',
              ram['Service ID'], '-t', 'flat', str(RAM_PRICE))
    # Rules start when created, and the processor rates a period with the
    # rules valid at its start: date them back as if they had been
    # created before the usage (the API refuses a past start).
    engine = sa.create_engine(server.db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE hashmap_mappings SET start = "
                             "'2000-01-01 00:00:00'"))
    engine.dispose()


def expected_totals():
    totals = {P1: decimal.Decimal(0), P2: decimal.Decimal(0)}
    for _vm, (project, flavor, base) in RESOURCES.items():
        for period in range(HOURS):
            totals[project] += FLAVOR_PRICE[flavor] * 1
            totals[project] += RAM_PRICE * ram_value(base, period, 59)
    return totals


def test_prometheus_end_to_end(setup, conf):
    prom, server, start = setup
    create_rules(server)
    run = harness.ProcessorHarness(server, conf)
    hour = datetime.timedelta(hours=1)
    periods = [start + hour * i for i in range(HOURS)]
    try:
        for project in (P1, P2):
            run.state.set_last_processed_timestamp(
                project, start - hour, fetcher='source',
                collector='prometheus', scope_key='project_id')
        run.start('processor')
        # The hour after the usage is due too (and empty).
        last_due = run.last_due()
        run.wait_states([P1, P2], last_due, timeout=120)
        end = periods[-1] + hour
        resp = server.get('/v2/summary', begin=start.isoformat(),
                          end=end.isoformat(), groupby='project_id')
        assert resp.status_code == 200, resp.text
        body = resp.json()
        columns = body['columns']
        got = {row[columns.index('project_id')]:
               decimal.Decimal(str(row[columns.index('rate')]))
               for row in body['results']}
        expected = expected_totals()
        assert got == expected
        # The client shows the same totals.
        rows = _cli_json(server, 'summary', 'get', '-b', start.isoformat(),
                         '-e', end.isoformat(), '-g', 'project_id',
                         version='2')
        rows = [{k.lower().replace(' ', '_'): v for k, v in r.items()}
                for r in rows]
        assert {r['project_id']: decimal.Decimal(str(r['rate']))
                for r in rows} == expected

        # Prometheus stops mid-run: two more periods become due again.
        run.stop(run.processes[0])
        prom.stop()
        for project in (P1, P2):
            run.state.set_last_processed_timestamp(
                project, periods[-3], fetcher='source',
                collector='prometheus', scope_key='project_id')
        processor = run.start('processor-prometheus-down')
        run.wait_for(lambda: 'Error processing scope' in run.log(processor),
                     60, 'a collection failure')
        log = run.log(processor)
        assert any(CPU in line and (P1 in line or P2 in line)
                   for line in log.splitlines()
                   if 'Error while collecting metric' in line), log[-3000:]
        states = run.states()
        assert states[P1] == periods[-3] and states[P2] == periods[-3]
        prom.start()
        run.wait_states([P1, P2], last_due, timeout=120)
        resp = server.get('/v2/summary', begin=start.isoformat(),
                          end=end.isoformat(), groupby='project_id')
        got = {row[columns.index('project_id')]:
               decimal.Decimal(str(row[columns.index('rate')]))
               for row in resp.json()['results']}
        assert got == expected
    finally:
        run.stop_all()
        prom.start()
