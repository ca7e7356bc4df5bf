#!/usr/bin/env bash
# InfluxDB 1.x for the storage tests (Debian package "influxdb").
# Idempotent and non-interactive; the tests start influxd themselves on a
# free loopback port (cloudkitty/tests/functional/fixtures/influxdb.py),
# so the packaged service is left stopped.
set -euo pipefail
if command -v influxd >/dev/null 2>&1; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo -E"
fi
# Keep the package's init script from starting a server on port 8086.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -q influxdb >/dev/null 2>&1 || {
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q influxdb >/dev/null
}
command -v influxd >/dev/null
