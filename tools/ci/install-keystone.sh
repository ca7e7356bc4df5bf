#!/usr/bin/env bash
# Install Keystone (from PyPI) in a virtualenv of its own for the functional
# tests: .ci-services/keystone-venv (git-ignored). Its requirements differ
# from CloudKitty's, hence the separate venv. Idempotent: a stamp file
# records a finished install. Nothing is started here; the tests start
# Keystone under gunicorn on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.ci-services/keystone-venv
STAMP="$VENV/.installed-v1"
if [ -f "$STAMP" ]; then
    exit 0
fi
PYTHON=${CK_SERVICES_PYTHON:-python3}
rm -rf "$VENV"
mkdir -p .ci-services
if ! "$PYTHON" -m venv "$VENV"; then
    # Debian's python3 needs python3-venv for ensurepip.
    rm -rf "$VENV"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-venv
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q keystone gunicorn
"$VENV/bin/keystone-manage" --version
touch "$STAMP"
