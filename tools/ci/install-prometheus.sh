#!/usr/bin/env bash
# Install Prometheus and promtool (Debian package) for the functional tests.
# Idempotent and quick when already installed. It does not start anything:
# the tests start their own Prometheus on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/ci/lib.sh

if command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1
then
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo -n"
fi
apt_install prometheus
# Debian's package may start its own daemon on :9090 where init allows it;
# the tests do not need it (they never use the default port).
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
prometheus --version | head -n1
