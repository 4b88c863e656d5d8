#!/bin/sh
# Runs redis-server as the redis user; without a config file, protected mode is turned
# off (as in the official image) so that other containers may connect.
set -eu

case "$1" in
    -*|*.conf) set -- redis-server "$@" ;;
esac

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi

if [ "$1" = redis-server ]; then
    has_conf=no
    has_mode=no
    for arg in "$@"; do
        case "$arg" in
            *.conf) has_conf=yes ;;
            --protected-mode) has_mode=yes ;;
        esac
    done
    if [ "$has_conf" = no ] && [ "$has_mode" = no ]; then
        set -- "$@" --protected-mode no
    fi
fi

exec "$@"
