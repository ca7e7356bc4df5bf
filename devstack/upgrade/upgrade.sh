#!/bin/bash
# Grenade: upgrade CloudKitty from the base release to the target one.
# shellcheck disable=SC1090,SC1091,SC2154  # grenade's files and variables

echo "*********************************************************************"
echo "Begin $0"
echo "*********************************************************************"

set -o errexit
set -o xtrace

source "$GRENADE_DIR/grenaderc"
source "$GRENADE_DIR/functions"

# Keep track of the DevStack directory of the target release.
source "$TARGET_DEVSTACK_DIR/stackrc"
source "$TARGET_DEVSTACK_DIR/lib/apache"
source "$TARGET_DEVSTACK_DIR/lib/tls"
source "$TARGET_DEVSTACK_DIR/lib/keystone"

# The plugin of the target release (its functions and settings).
CLOUDKITTY_DEVSTACK_DIR=$(dirname "$0")/..
source "$CLOUDKITTY_DEVSTACK_DIR/settings"
source "$CLOUDKITTY_DEVSTACK_DIR/plugin.sh"

# Save the configuration of the base release.
RUN_DIR=$SAVE_DIR/cloudkitty
mkdir -p "$RUN_DIR"
cp -a "$CLOUDKITTY_CONF_DIR" "$RUN_DIR/etc"

# Install the new code.
install_cloudkitty
install_python_cloudkittyclient

# The new api_paste.ini: its pipeline may have changed.
cp "$CLOUDKITTY_DIR/etc/cloudkitty/api_paste.ini" "$CLOUDKITTY_API_PASTE_INI"

# Upgrade the schema, then start the services of the new release.
upgrade_cloudkitty_database
start_cloudkitty

# Both services must be up.
ensure_services_started ck-api ck-proc

set +o xtrace
echo "*********************************************************************"
echo "SUCCESS: End $0"
echo "*********************************************************************"
