#!/usr/bin/env python3
"""``make run``: CloudKitty on the embedded defaults, in the foreground.

Creates ``run-data/`` (git-ignored) with a configuration using SQLite,
file locks, the ``source`` fetcher and the ``synthetic`` collector,
prepares the databases, starts ``cloudkitty-api`` on 127.0.0.1:8889
(``--port`` or ``CK_API_PORT`` to change it), enables hashmap with sample
rules and starts ``cloudkitty-processor``. Ctrl-C stops both.

New scopes are rated from the start of the current month, one hour at a
time, so a few seconds after start-up the past periods are visible with
the client.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(os.path.abspath(sys.executable))

SCOPES = ['demo-project-a', 'demo-project-b', 'demo-project-c']

METRICS_YML = """\
# Synthetic usage (cloudkitty.collector.synthetic): deterministic values
# generated per scope, resource and period.
metrics:
  cpu:
    unit: instance
    alt_name: instance
    groupby: [id, user_id, project_id]
    metadata: [flavor_name, flavor_id, vcpus]
    mutate: NUMBOOL
    extra_args: {resources: 4, qty: 1}
  volume.size:
    unit: GiB
    groupby: [id, user_id, project_id]
    metadata: [volume_type]
    extra_args: {resources: 3, min: 1, max: 200, precision: 0}
  image.size:
    unit: MiB
    factor: 1/1048576
    groupby: [id, user_id, project_id]
    metadata: [container_format, disk_format]
    extra_args: {resources: 2, min: 10485760, max: 1073741824, precision: 0}
  ip.floating:
    unit: ip
    groupby: [id, user_id, project_id]
    metadata: [state]
    mutate: NUMBOOL
    extra_args: {resources: 1, qty: 1}
"""

CONF_TEMPLATE = """\
[DEFAULT]
auth_strategy = noauth
api_paste_config = {paste}
log_dir = {run_dir}/logs
debug = false

[api]
host_ip = {host}
port = {port}

[database]
connection = sqlite:///{run_dir}/cloudkitty.sqlite

[storage]
version = 2
backend = sqlalchemy

[orchestrator]
coordination_url = file://{run_dir}/locks
max_workers = 2
max_workers_reprocessing = 1

[fetcher]
backend = source

[fetcher_source]
sources = {sources}

[collect]
collector = synthetic
period = 3600
wait_periods = 1
metrics_conf = {run_dir}/metrics.yml
scope_key = project_id
"""

# Rules valid since 2000 (created with force=true): the processor rates
# past periods with the rules valid at each period's start.
RULE_START = '2000-01-01T00:00:00'
SERVICE_RULES = {
    # service: (flat price per unit, {field: {value: flat price}})
    'instance': ('0.05', {'flavor_name': {'m1.tiny': '0.01',
                                          'm1.small': '0.02',
                                          'm1.medium': '0.04',
                                          'm1.large': '0.08'}}),
    'volume.size': ('0.001', {'volume_type': {'ssd': '0.002'}}),
    'image.size': ('0.0001', {}),
    'ip.floating': ('0.01', {}),
}


def log(message):
    print('[make run] %s' % message, flush=True)


def write_config(run_dir, host, port):
    os.makedirs(os.path.join(run_dir, 'locks'), exist_ok=True)
    os.makedirs(os.path.join(run_dir, 'logs'), exist_ok=True)
    conf_file = os.path.join(run_dir, 'cloudkitty.conf')
    paste = os.path.join(REPO, 'etc', 'cloudkitty', 'api_paste.ini')
    with open(conf_file, 'w') as stream:
        stream.write(CONF_TEMPLATE.format(
            run_dir=run_dir, host=host, port=port, paste=paste,
            sources=','.join(SCOPES)))
    with open(os.path.join(run_dir, 'metrics.yml'), 'w') as stream:
        stream.write(METRICS_YML)
    return conf_file


def run_tool(name, *args):
    command = [os.path.join(BIN, name)] + list(args)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        sys.exit('%s failed (%s):\n%s%s' % (name, result.returncode,
                                            result.stdout, result.stderr))


def wait_for_api(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit('cloudkitty-api exited with %s; see run-data/logs'
                     % process.returncode)
        try:
            if requests.get(url + '/', timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    sys.exit('cloudkitty-api did not answer on %s' % url)


def setup_rating(url):
    """Enable hashmap and create the sample rules (once)."""
    session = requests.Session()
    session.headers['Content-Type'] = 'application/json'
    resp = session.put(url + '/v2/rating/modules/hashmap',
                       json={'enabled': True, 'priority': 1})
    resp.raise_for_status()
    base = url + '/v1/rating/module_config/hashmap'
    existing = session.get(base + '/services')
    existing.raise_for_status()
    if existing.json().get('services'):
        log('hashmap rules already present')
        return
    for service, (cost, fields) in SERVICE_RULES.items():
        resp = session.post(base + '/services', json={'name': service})
        resp.raise_for_status()
        service_id = resp.json()['service_id']
        resp = session.post(base + '/mappings', params={'force': 'true'},
                            json={'service_id': service_id, 'type': 'flat',
                                  'cost': cost, 'start': RULE_START})
        resp.raise_for_status()
        for field, values in fields.items():
            resp = session.post(base + '/fields', json={
                'service_id': service_id, 'name': field})
            resp.raise_for_status()
            field_id = resp.json()['field_id']
            for value, value_cost in values.items():
                resp = session.post(
                    base + '/mappings', params={'force': 'true'},
                    json={'field_id': field_id, 'value': value,
                          'type': 'flat', 'cost': value_cost,
                          'start': RULE_START})
                resp.raise_for_status()
    log('hashmap enabled with sample rules for %s'
        % ', '.join(SERVICE_RULES))


def stop(process, name, timeout=20):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        log('%s did not stop in %s s, killing it' % (name, timeout))
        process.kill()
        process.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int,
                        default=int(os.environ.get('CK_API_PORT', 8889)))
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--run-dir', default=os.environ.get(
        'CK_RUN_DIR', os.path.join(REPO, 'run-data')))
    parser.add_argument('--reset', action='store_true',
                        help='remove the run directory first')
    args = parser.parse_args()
    run_dir = os.path.abspath(args.run_dir)
    if args.reset and os.path.isdir(run_dir):
        shutil.rmtree(run_dir)
    conf_file = write_config(run_dir, args.host, args.port)
    url = 'http://%s:%s' % (args.host, args.port)
    log('configuration: %s' % conf_file)
    run_tool('cloudkitty-dbsync', '--config-file', conf_file, 'upgrade')
    run_tool('cloudkitty-storage-init', '--config-file', conf_file)
    log('databases ready (%s/cloudkitty.sqlite)' % run_dir)

    api = processor = None
    # SIGTERM (e.g. from a supervisor) stops like Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        api = subprocess.Popen(
            [os.path.join(BIN, 'cloudkitty-api'), '--config-file',
             conf_file], stdin=subprocess.DEVNULL, start_new_session=True)
        wait_for_api(url, api)
        log('API listening on %s (logs in %s/logs)' % (url, run_dir))
        setup_rating(url)
        processor = subprocess.Popen(
            [os.path.join(BIN, 'cloudkitty-processor'), '--config-file',
             conf_file], stdin=subprocess.DEVNULL, start_new_session=True)
        log('processor started: rating %s from the start of the month'
            % ', '.join(SCOPES))
        client = os.path.join(os.path.relpath(BIN, os.getcwd()),
                              'cloudkitty')
        print('\nQuery it with the client, e.g.:\n\n'
              '    OS_AUTH_TYPE=cloudkitty-noauth OS_ENDPOINT=%s '
              '%s summary get\n'
              '    OS_AUTH_TYPE=cloudkitty-noauth OS_ENDPOINT=%s '
              '%s summary get -g project_id,type\n'
              '    OS_AUTH_TYPE=cloudkitty-noauth OS_ENDPOINT=%s '
              '%s scope state get\n\nCtrl-C stops the API and the '
              'processor.\n' % (url, client, url, client, url, client),
              flush=True)
        while True:
            for process, name in ((api, 'cloudkitty-api'),
                                  (processor, 'cloudkitty-processor')):
                if process.poll() is not None:
                    log('%s exited with %s; see %s/logs'
                        % (name, process.returncode, run_dir))
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        log('stopping')
        return 0
    finally:
        # A second Ctrl-C/SIGTERM must not interrupt the clean stop and
        # leave a daemon running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(processor, 'cloudkitty-processor')
        stop(api, 'cloudkitty-api')


if __name__ == '__main__':
    sys.exit(main())
