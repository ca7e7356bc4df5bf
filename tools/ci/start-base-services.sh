#!/usr/bin/env bash
# Start PostgreSQL, MariaDB, Redis and RabbitMQ if they are not running
# (they are on a fresh machine of this kind; a stopped one is restarted).
set -u

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! up 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! up 3306; then
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
if ! up 6379; then
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! up 5672; then
    rabbitmq-server -detached || true
fi
for port in 5432 3306 6379 5672; do
    for _ in $(seq 1 60); do
        up "$port" && break
        sleep 1
    done
    up "$port" || echo "warning: nothing listens on 127.0.0.1:$port"
done
