# Shared by the tools/ci/install-*.sh scripts (sourced, not run).
#
# A service installed from PyPI lives in a virtualenv of its own (its
# requirements differ from CloudKitty's). A stamp file in the venv records
# a finished install, so a second run returns at once; an interrupted one
# starts over:
#
#   venv_installed "$VENV" && exit 0
#   create_venv "$VENV" package...
#   "$VENV/bin/some-command" --version   # proves the install works
#   mark_venv_installed "$VENV"

venv_installed() {
    [ -f "$1/.installed-v1" ]
}

mark_venv_installed() {
    touch "$1/.installed-v1"
}

# apt_install PACKAGE...: Debian packages, refreshing the package lists
# only when the first attempt fails (a fresh machine may have none).
apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y -q --no-install-recommends "$@"; then
        $sudo apt-get update -q
        $sudo apt-get install -y -q --no-install-recommends "$@"
    fi
}

# create_venv VENV PACKAGE...: a fresh venv with PACKAGEs installed.
create_venv() {
    local venv=$1
    shift
    local python=${CK_SERVICES_PYTHON:-python3}
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    if ! "$python" -m venv "$venv"; then
        # Debian's python3 needs python3-venv for ensurepip.
        rm -rf "$venv"
        apt_install python3-venv
        "$python" -m venv "$venv"
    fi
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "$@"
}
