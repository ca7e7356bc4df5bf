#!/usr/bin/env bash
# Install Gnocchi (from PyPI) in a virtualenv of its own for the functional
# tests: .ci-services/gnocchi-venv (git-ignored). Indexer on PostgreSQL,
# file storage; the tests create a fresh database and start gnocchi-api
# (gunicorn) and gnocchi-metricd themselves. Idempotent via a stamp file.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=.ci-services/gnocchi-venv
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
"$VENV/bin/pip" install -q 'gnocchi[postgresql,file]' gunicorn
"$VENV/bin/gnocchi-upgrade" --help >/dev/null
touch "$STAMP"
