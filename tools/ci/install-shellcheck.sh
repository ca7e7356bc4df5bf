#!/usr/bin/env bash
# Install shellcheck (Debian package): the tests lint the DevStack plugin
# with it. Idempotent and quick when already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/ci/lib.sh

if command -v shellcheck >/dev/null 2>&1; then
    exit 0
fi

apt_install shellcheck
shellcheck --version | head -n2
