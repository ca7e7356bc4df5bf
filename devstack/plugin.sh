#!/bin/bash
# DevStack plugin of CloudKitty: installs CloudKitty, its client and its
# dashboard, configures it against the DevStack cloud and runs the API
# (ck-api, under uWSGI by default) and the processor (ck-proc).
#
# DevStack sources this file with the phase as arguments, e.g.
# ``source plugin.sh stack post-config``. See doc/source/devstack.rst.
#
# shellcheck shell=bash
# Variables and functions come from DevStack (stackrc, functions-common,
# lib/*) and from devstack/settings:
# shellcheck disable=SC2154

_XTRACE_CLOUDKITTY=$(set +o | grep xtrace)
set -o xtrace

CLOUDKITTY_BIN_DIR=$(get_python_exec_prefix)

# The storage backends this project ships.
CLOUDKITTY_SHIPPED_STORAGE_BACKENDS="sqlalchemy influxdb"


function is_cloudkitty_enabled {
    is_service_enabled ck-api && return 0
    is_service_enabled ck-proc && return 0
    return 1
}

# URL of the API as registered in Keystone.
function cloudkitty_service_url {
    if [[ "$CLOUDKITTY_USE_UWSGI" == "True" ]]; then
        echo "$CLOUDKITTY_SERVICE_PROTOCOL://$CLOUDKITTY_SERVICE_HOST$CLOUDKITTY_API_URL_PREFIX"
    else
        echo "$CLOUDKITTY_SERVICE_PROTOCOL://$CLOUDKITTY_SERVICE_HOST:$CLOUDKITTY_SERVICE_PORT"
    fi
}

# Refuse early a storage backend this project does not ship.
function check_cloudkitty_storage_backend {
    local backend
    for backend in $CLOUDKITTY_SHIPPED_STORAGE_BACKENDS; do
        if [[ "$CLOUDKITTY_STORAGE_BACKEND" == "$backend" ]]; then
            return 0
        fi
    done
    die $LINENO "CLOUDKITTY_STORAGE_BACKEND=$CLOUDKITTY_STORAGE_BACKEND is not a storage backend of this CloudKitty: use one of: $CLOUDKITTY_SHIPPED_STORAGE_BACKENDS"
}


# stack install
# -------------

function install_cloudkitty {
    setup_develop "$CLOUDKITTY_DIR"
    if [[ "$CLOUDKITTY_USE_UWSGI" == "True" ]]; then
        install_apache_uwsgi
    fi
}

function install_python_cloudkittyclient {
    if use_library_from_git "python-cloudkittyclient"; then
        git_clone_by_name "python-cloudkittyclient"
        setup_dev_lib "python-cloudkittyclient"
    else
        pip_install python-cloudkittyclient
    fi
}

function install_cloudkitty_dashboard {
    git_clone "$CLOUDKITTY_DASHBOARD_REPO" "$CLOUDKITTY_DASHBOARD_DIR" \
        "$CLOUDKITTY_DASHBOARD_BRANCH"
    setup_develop "$CLOUDKITTY_DASHBOARD_DIR"
    local enabled
    for enabled in "$CLOUDKITTY_DASHBOARD_DIR"/cloudkittydashboard/enabled/_[0-9]*.py; do
        [[ -e "$enabled" ]] || continue
        ln -sf "$enabled" "$HORIZON_DIR/openstack_dashboard/local/enabled/"
    done
}

function install_cloudkitty_storage_backend {
    if [[ "$CLOUDKITTY_STORAGE_BACKEND" == "influxdb" ]]; then
        install_package influxdb influxdb-client
        restart_service influxdb
    fi
}


# stack post-config
# -----------------

function generate_cloudkitty_policy {
    "$CLOUDKITTY_BIN_DIR/oslopolicy-sample-generator" \
        --config-file "$CLOUDKITTY_DIR/etc/oslo-policy-generator/cloudkitty.conf" \
        --output-file "$CLOUDKITTY_POLICY"
}

function create_cloudkitty_cache_dir {
    sudo install -d -o "$STACK_USER" "$CLOUDKITTY_AUTH_CACHE_DIR"
    rm -f "$CLOUDKITTY_AUTH_CACHE_DIR"/*
}

function configure_cloudkitty_metrics {
    # An operator's file (CLOUDKITTY_METRICS_CONF set to an existing path)
    # is used as it is.
    if [[ -f "$CLOUDKITTY_METRICS_CONF" ]]; then
        return
    fi
    local sample=metrics.yml
    if [[ "$CLOUDKITTY_COLLECTOR" == "prometheus" ]]; then
        sample=prom_metrics.yml
    fi
    sudo install -d -o "$STACK_USER" "$(dirname "$CLOUDKITTY_METRICS_CONF")"
    cp "$CLOUDKITTY_DIR/etc/cloudkitty/$sample" "$CLOUDKITTY_METRICS_CONF"
}

# The service user's keystoneauth options, in the section of a plugin.
function iniset_cloudkitty_credentials {
    local section=$1
    iniset "$CLOUDKITTY_CONF" "$section" auth_type password
    iniset "$CLOUDKITTY_CONF" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$CLOUDKITTY_CONF" "$section" username cloudkitty
    iniset "$CLOUDKITTY_CONF" "$section" password "$SERVICE_PASSWORD"
    iniset "$CLOUDKITTY_CONF" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$CLOUDKITTY_CONF" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$CLOUDKITTY_CONF" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
}

function configure_cloudkitty_fetcher {
    iniset "$CLOUDKITTY_CONF" fetcher backend "$CLOUDKITTY_FETCHER"
    case "$CLOUDKITTY_FETCHER" in
        keystone)
            iniset_cloudkitty_credentials fetcher_keystone
            iniset "$CLOUDKITTY_CONF" fetcher_keystone keystone_version 3
            ;;
        gnocchi)
            iniset_cloudkitty_credentials fetcher_gnocchi
            iniset "$CLOUDKITTY_CONF" fetcher_gnocchi region_name "$REGION_NAME"
            ;;
        prometheus)
            iniset "$CLOUDKITTY_CONF" fetcher_prometheus prometheus_url "$CLOUDKITTY_PROMETHEUS_URL"
            iniset "$CLOUDKITTY_CONF" fetcher_prometheus metric "$CLOUDKITTY_PROMETHEUS_FETCHER_METRIC"
            iniset "$CLOUDKITTY_CONF" fetcher_prometheus scope_attribute id
            ;;
    esac
}

function configure_cloudkitty_collector {
    iniset "$CLOUDKITTY_CONF" collect collector "$CLOUDKITTY_COLLECTOR"
    iniset "$CLOUDKITTY_CONF" collect period "$CLOUDKITTY_COLLECT_PERIOD"
    iniset "$CLOUDKITTY_CONF" collect wait_periods "$CLOUDKITTY_WAIT_PERIODS"
    iniset "$CLOUDKITTY_CONF" collect metrics_conf "$CLOUDKITTY_METRICS_CONF"
    case "$CLOUDKITTY_COLLECTOR" in
        gnocchi)
            iniset_cloudkitty_credentials collector_gnocchi
            iniset "$CLOUDKITTY_CONF" collector_gnocchi region_name "$REGION_NAME"
            ;;
        prometheus)
            iniset "$CLOUDKITTY_CONF" collector_prometheus prometheus_url "$CLOUDKITTY_PROMETHEUS_URL"
            # The OpenStack exporter labels projects with tenant_id.
            iniset "$CLOUDKITTY_CONF" collect scope_key tenant_id
            ;;
    esac
}

function configure_cloudkitty_storage {
    iniset "$CLOUDKITTY_CONF" storage version "$CLOUDKITTY_STORAGE_VERSION"
    iniset "$CLOUDKITTY_CONF" storage backend "$CLOUDKITTY_STORAGE_BACKEND"
    if [[ "$CLOUDKITTY_STORAGE_BACKEND" == "influxdb" ]]; then
        iniset "$CLOUDKITTY_CONF" storage_influxdb host "$CLOUDKITTY_INFLUXDB_HOST"
        iniset "$CLOUDKITTY_CONF" storage_influxdb port "$CLOUDKITTY_INFLUXDB_PORT"
        iniset "$CLOUDKITTY_CONF" storage_influxdb username "$CLOUDKITTY_INFLUXDB_USER"
        iniset "$CLOUDKITTY_CONF" storage_influxdb password "$CLOUDKITTY_INFLUXDB_PASSWORD"
        iniset "$CLOUDKITTY_CONF" storage_influxdb database "$CLOUDKITTY_INFLUXDB_DATABASE"
    fi
}

function configure_cloudkitty_api {
    if [[ "$CLOUDKITTY_USE_UWSGI" == "True" ]]; then
        write_uwsgi_config "$CLOUDKITTY_UWSGI_CONF" "$CLOUDKITTY_UWSGI_APP" \
            "$CLOUDKITTY_API_URL_PREFIX" "" "cloudkitty-api"
    else
        iniset "$CLOUDKITTY_CONF" api host_ip "$CLOUDKITTY_SERVICE_HOST"
        iniset "$CLOUDKITTY_CONF" api port "$CLOUDKITTY_SERVICE_PORT"
    fi
}

function configure_cloudkitty {
    sudo install -d -o "$STACK_USER" "$CLOUDKITTY_CONF_DIR" \
        "$CLOUDKITTY_DATA_DIR" "$CLOUDKITTY_DATA_DIR/locks"
    rm -f "$CLOUDKITTY_CONF"
    touch "$CLOUDKITTY_CONF"
    cp "$CLOUDKITTY_DIR/etc/cloudkitty/api_paste.ini" "$CLOUDKITTY_API_PASTE_INI"
    configure_cloudkitty_metrics
    generate_cloudkitty_policy

    iniset "$CLOUDKITTY_CONF" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$CLOUDKITTY_CONF" DEFAULT auth_strategy keystone
    iniset "$CLOUDKITTY_CONF" DEFAULT api_paste_config "$CLOUDKITTY_API_PASTE_INI"
    iniset_rpc_backend cloudkitty "$CLOUDKITTY_CONF" DEFAULT
    iniset "$CLOUDKITTY_CONF" oslo_policy policy_file "$CLOUDKITTY_POLICY"
    iniset "$CLOUDKITTY_CONF" database connection "$(database_connection_url cloudkitty)"

    configure_keystone_authtoken_middleware "$CLOUDKITTY_CONF" cloudkitty

    configure_cloudkitty_fetcher
    configure_cloudkitty_collector
    configure_cloudkitty_storage
    iniset "$CLOUDKITTY_CONF" orchestrator coordination_url "file://$CLOUDKITTY_DATA_DIR/locks"
    iniset "$CLOUDKITTY_CONF" oslo_concurrency lock_path "$CLOUDKITTY_DATA_DIR/locks"
    configure_cloudkitty_api
}

function create_cloudkitty_accounts {
    create_service_user "cloudkitty" "admin"
    get_or_create_service "cloudkitty" "rating" "OpenStack Rating"
    get_or_create_endpoint "rating" "$REGION_NAME" "$(cloudkitty_service_url)"
    # The keystone fetcher rates the projects where cloudkitty has it.
    get_or_create_role "rating"
    get_or_add_user_project_role "rating" "cloudkitty" "demo"
}

# Schema of the core, the rating modules and the storage backend; grenade
# calls it after installing the new code.
function upgrade_cloudkitty_database {
    "$CLOUDKITTY_BIN_DIR/cloudkitty-storage-init" --config-file "$CLOUDKITTY_CONF"
    "$CLOUDKITTY_BIN_DIR/cloudkitty-dbsync" --config-file "$CLOUDKITTY_CONF" upgrade
}

function init_cloudkitty_storage_backend {
    if [[ "$CLOUDKITTY_STORAGE_BACKEND" == "influxdb" ]]; then
        influx -host "$CLOUDKITTY_INFLUXDB_HOST" -port "$CLOUDKITTY_INFLUXDB_PORT" \
            -execute "CREATE DATABASE $CLOUDKITTY_INFLUXDB_DATABASE"
    fi
}

function init_cloudkitty {
    create_cloudkitty_cache_dir
    recreate_database cloudkitty
    init_cloudkitty_storage_backend
    upgrade_cloudkitty_database
}


# stack extra, unstack, clean
# ---------------------------

function start_cloudkitty {
    run_process ck-proc "$CLOUDKITTY_BIN_DIR/cloudkitty-processor --config-file=$CLOUDKITTY_CONF"
    local api_port=$CLOUDKITTY_SERVICE_PORT
    if [[ "$CLOUDKITTY_USE_UWSGI" == "True" ]]; then
        run_process ck-api "$(which uwsgi) --procname-prefix cloudkitty --ini $CLOUDKITTY_UWSGI_CONF" ""
    else
        if is_service_enabled tls-proxy; then
            api_port=$CLOUDKITTY_SERVICE_PORT_INT
            start_tls_proxy cloudkitty '*' "$CLOUDKITTY_SERVICE_PORT" \
                "$CLOUDKITTY_SERVICE_HOST" "$CLOUDKITTY_SERVICE_PORT_INT"
        fi
        run_process ck-api "$CLOUDKITTY_BIN_DIR/cloudkitty-api --config-file=$CLOUDKITTY_CONF --host $CLOUDKITTY_SERVICE_HOST --port $api_port"
    fi
    echo "Waiting for ck-api to answer..."
    if ! wait_for_service "$SERVICE_TIMEOUT" "$(cloudkitty_service_url)/"; then
        die $LINENO "ck-api did not start: see its log"
    fi
}

function stop_cloudkitty {
    stop_process ck-api
    stop_process ck-proc
}

function cleanup_cloudkitty {
    if [[ "$CLOUDKITTY_USE_UWSGI" == "True" ]]; then
        remove_uwsgi_config "$CLOUDKITTY_UWSGI_CONF" "cloudkitty-api"
    fi
    sudo rm -rf "$CLOUDKITTY_CONF_DIR" "$CLOUDKITTY_DATA_DIR" \
        "$CLOUDKITTY_AUTH_CACHE_DIR"
}


# Dispatch
# --------

if is_cloudkitty_enabled; then
    if [[ "$1" == "stack" && "$2" == "pre-install" ]]; then
        check_cloudkitty_storage_backend
    elif [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing CloudKitty"
        check_cloudkitty_storage_backend
        install_cloudkitty
        install_python_cloudkittyclient
        if is_service_enabled horizon && [[ "$CLOUDKITTY_ENABLE_DASHBOARD" == "True" ]]; then
            install_cloudkitty_dashboard
        fi
        install_cloudkitty_storage_backend
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring CloudKitty"
        configure_cloudkitty
        if is_service_enabled keystone; then
            create_cloudkitty_accounts
        fi
        echo_summary "Initializing the CloudKitty database"
        init_cloudkitty
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting CloudKitty"
        start_cloudkitty
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_cloudkitty
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_cloudkitty
    fi
fi

$_XTRACE_CLOUDKITTY
