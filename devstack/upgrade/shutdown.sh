#!/bin/bash
# Grenade: stop the CloudKitty services of the base release.
# shellcheck disable=SC1090,SC1091,SC2154  # grenade's files and variables

set -o errexit

source "$GRENADE_DIR/grenaderc"
source "$GRENADE_DIR/functions"

# Only the functions of DevStack and of the plugin are needed here.
source "$BASE_DEVSTACK_DIR/functions"
source "$BASE_DEVSTACK_DIR/stackrc"
source "$(dirname "$0")/../settings"
source "$(dirname "$0")/../plugin.sh"

set -o xtrace

stop_cloudkitty

# Nothing must be left running.
ensure_services_stopped ck-api ck-proc
