#!/usr/bin/env bash
# Install shellcheck (Debian package): the tests lint the DevStack plugin
# with it. Idempotent and quick when already installed.
set -euo pipefail

if command -v shellcheck >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
install() {
    $SUDO apt-get install -y -q --no-install-recommends shellcheck
}
if ! install; then
    $SUDO apt-get update -q
    install
fi
shellcheck --version | head -n2
