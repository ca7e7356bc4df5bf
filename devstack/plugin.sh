#!/bin/bash
# DevStack plugin for CloudKitty: installs, configures and starts
# cloudkitty-api (standalone on $CLOUDKITTY_SERVICE_PORT) and
# cloudkitty-processor.

function install_cloudkitty {
    setup_develop $CLOUDKITTY_DIR
}

function configure_cloudkitty {
    sudo install -d -o $STACK_USER $CLOUDKITTY_CONF_DIR $CLOUDKITTY_DATA_DIR \
        $CLOUDKITTY_DATA_DIR/locks
    cp $CLOUDKITTY_DIR/etc/cloudkitty/api_paste.ini $CLOUDKITTY_API_PASTE_INI
    cp $CLOUDKITTY_DIR/etc/cloudkitty/$CLOUDKITTY_METRICS_CONF \
        $CLOUDKITTY_CONF_DIR/metrics.yml
    touch $CLOUDKITTY_CONF

    iniset $CLOUDKITTY_CONF DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset $CLOUDKITTY_CONF DEFAULT auth_strategy keystone
    iniset_rpc_backend cloudkitty $CLOUDKITTY_CONF DEFAULT
    iniset $CLOUDKITTY_CONF database connection \
        $(database_connection_url cloudkitty)

    iniset $CLOUDKITTY_CONF authinfos auth_type password
    iniset $CLOUDKITTY_CONF authinfos auth_url $KEYSTONE_SERVICE_URI
    iniset $CLOUDKITTY_CONF authinfos username cloudkitty
    iniset $CLOUDKITTY_CONF authinfos password $SERVICE_PASSWORD
    iniset $CLOUDKITTY_CONF authinfos project_name $SERVICE_PROJECT_NAME
    iniset $CLOUDKITTY_CONF authinfos user_domain_name default
    iniset $CLOUDKITTY_CONF authinfos project_domain_name default
    configure_keystone_authtoken_middleware $CLOUDKITTY_CONF cloudkitty

    iniset $CLOUDKITTY_CONF fetcher backend $CLOUDKITTY_FETCHER
    iniset $CLOUDKITTY_CONF fetcher_$CLOUDKITTY_FETCHER auth_section authinfos
    iniset $CLOUDKITTY_CONF collect collector $CLOUDKITTY_COLLECTOR
    iniset $CLOUDKITTY_CONF collect wait_periods 0
    iniset $CLOUDKITTY_CONF collect metrics_conf $CLOUDKITTY_CONF_DIR/metrics.yml
    iniset $CLOUDKITTY_CONF collector_$CLOUDKITTY_COLLECTOR auth_section authinfos
    iniset $CLOUDKITTY_CONF storage version 2
    iniset $CLOUDKITTY_CONF storage backend $CLOUDKITTY_STORAGE_BACKEND
    iniset $CLOUDKITTY_CONF orchestrator coordination_url \
        file://$CLOUDKITTY_DATA_DIR/locks
}

function create_cloudkitty_accounts {
    create_service_user "cloudkitty" "admin"
    get_or_create_service "cloudkitty" "rating" "OpenStack Rating"
    get_or_create_endpoint "rating" "$REGION_NAME" \
        "$CLOUDKITTY_SERVICE_PROTOCOL://$CLOUDKITTY_SERVICE_HOST:$CLOUDKITTY_SERVICE_PORT"
    get_or_create_role "rating"
    get_or_add_user_project_role "rating" "cloudkitty" "demo"
}

function init_cloudkitty {
    recreate_database cloudkitty utf8
    $CLOUDKITTY_BIN_DIR/cloudkitty-dbsync --config-file $CLOUDKITTY_CONF upgrade
    $CLOUDKITTY_BIN_DIR/cloudkitty-storage-init --config-file $CLOUDKITTY_CONF
}

function start_cloudkitty {
    run_process ck-api "$CLOUDKITTY_BIN_DIR/cloudkitty-api --config-file $CLOUDKITTY_CONF"
    run_process ck-proc "$CLOUDKITTY_BIN_DIR/cloudkitty-processor --config-file $CLOUDKITTY_CONF"
}

function stop_cloudkitty {
    stop_process ck-api
    stop_process ck-proc
}

CLOUDKITTY_BIN_DIR=$(get_python_exec_prefix)

if [[ "$1" == "stack" && "$2" == "install" ]]; then
    install_cloudkitty
elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
    configure_cloudkitty
    create_cloudkitty_accounts
elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
    init_cloudkitty
    start_cloudkitty
fi
if [[ "$1" == "unstack" ]]; then
    stop_cloudkitty
fi
