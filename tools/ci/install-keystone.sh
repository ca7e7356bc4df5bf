#!/usr/bin/env bash
# Install Keystone (from PyPI) in a virtualenv of its own for the functional
# tests: .ci-services/keystone-venv (git-ignored). Its requirements differ
# from CloudKitty's, hence the separate venv. Idempotent: a stamp file
# records a finished install. Nothing is started here; the tests start
# Keystone under gunicorn on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/ci/lib.sh

VENV=.ci-services/keystone-venv
venv_installed "$VENV" && exit 0
create_venv "$VENV" keystone gunicorn
"$VENV/bin/keystone-manage" --version
mark_venv_installed "$VENV"
