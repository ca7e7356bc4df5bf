#!/usr/bin/env bash
# Install Gnocchi (from PyPI) in a virtualenv of its own for the functional
# tests: .ci-services/gnocchi-venv (git-ignored). Indexer on PostgreSQL,
# file storage; the tests create a fresh database and start gnocchi-api
# (gunicorn) and gnocchi-metricd themselves. Idempotent via a stamp file.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/ci/lib.sh

VENV=.ci-services/gnocchi-venv
venv_installed "$VENV" && exit 0
create_venv "$VENV" 'gnocchi[postgresql,file]' gunicorn
"$VENV/bin/gnocchi-upgrade" --help >/dev/null
mark_venv_installed "$VENV"
