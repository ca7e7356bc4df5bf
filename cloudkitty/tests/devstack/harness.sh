#!/bin/bash
# Runs devstack/plugin.sh phases outside DevStack: the DevStack functions
# the plugin calls are replaced by stubs that log their arguments to
# $CALLS (one line per call); iniset also records its arguments in
# $INISET_LOG, from which the test rebuilds the ini files.
# Usage: harness.sh <repo root> <phase args>... ; configuration from the
# environment (DEST, CLOUDKITTY_* ...).
set -o errexit -o nounset -o pipefail
set +o nounset  # DevStack code expects unset variables to be empty

ROOT=$1
shift

# DevStack's arrays of library repositories, filled by the settings.
# shellcheck disable=SC2034
declare -A GITREPO GITBRANCH GITDIR

log() { echo "$*" >> "$CALLS"; }
die() { echo "die: $*" >> "$CALLS"; echo "die: $*" >&2; exit 3; }
echo_summary() { :; }
trueorfalse() {
    local default=$1 value=${!2:-$1}
    case $value in
        [tT]rue|1|yes|[oO]n) echo True ;;
        [fF]alse|0|no|[oO]ff) echo False ;;
        *) echo "$default" ;;
    esac
}
enable_service() { :; }
is_service_enabled() {
    local service
    for service in "$@"; do
        [[ ",$ENABLED_SERVICES," == *",$service,"* ]] && return 0
    done
    return 1
}
use_library_from_git() { [[ ",${LIBS_FROM_GIT:-}," == *",$1,"* ]]; }
get_python_exec_prefix() { echo "$FAKE_BIN"; }
iniset() {
    # file, section, option, value: the test rebuilds the ini files.
    log "iniset $*"
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$INISET_LOG"
}
iniset_rpc_backend() { log "iniset_rpc_backend $*"; iniset "$2" "$3" transport_url "rabbit://stackrabbit:secret@127.0.0.1:5672/"; }
database_connection_url() { echo "mysql+pymysql://root:secret@127.0.0.1/$1?charset=utf8"; }
configure_keystone_authtoken_middleware() { log "configure_keystone_authtoken_middleware $*"; iniset "$1" keystone_authtoken username "$2"; }
for stub in setup_develop setup_dev_lib git_clone git_clone_by_name pip_install \
        pip_install_gr install_package install_apache_uwsgi restart_service \
        write_uwsgi_config remove_uwsgi_config recreate_database \
        create_service_user get_or_create_service get_or_create_endpoint \
        get_or_create_role get_or_add_user_project_role run_process \
        stop_process wait_for_service start_tls_proxy influx; do
    eval "$stub() { log \"$stub\${*:+ \$*}\"; }"
done
sudo() { "$@"; }

export -f log
# shellcheck source=/dev/null
source "$ROOT/devstack/settings"
# shellcheck source=/dev/null
source "$ROOT/devstack/plugin.sh" "$@"
