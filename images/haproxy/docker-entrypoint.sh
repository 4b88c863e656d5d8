#!/bin/sh
# As the official image: flags alone go to haproxy; haproxy runs master-worker (-W) and
# in the foreground (-db).
set -eu
if [ "${1#-}" != "$1" ]; then set -- haproxy "$@"; fi
if [ "$1" = haproxy ]; then
    shift
    set -- haproxy -W -db "$@"
fi
exec "$@"
