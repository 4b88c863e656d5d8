#!/bin/sh
# Initialises PGDATA on first start the way the official image does, then runs the CMD.
set -eu

if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

init_database() {
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
        echo "error: POSTGRES_PASSWORD is not set (set POSTGRES_HOST_AUTH_METHOD=trust to allow no password)" >&2
        exit 1
    fi
    pwfile="$(mktemp)"
    printf '%s\n' "${POSTGRES_PASSWORD:-}" > "$pwfile"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of flags by contract
    initdb --username="$user" --pwfile="$pwfile" --auth-local=trust ${POSTGRES_INITDB_ARGS:-} >/dev/null
    rm -f "$pwfile"
    echo "host all all all $auth" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    # Unix socket only while initialising, so nobody connects to a half-made database.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$db" != postgres ]; then
        psql -v ON_ERROR_STOP=1 --username "$user" --dbname postgres -q \
             -c "CREATE DATABASE \"$db\"" >/dev/null
    fi
    if [ ! -r /docker-entrypoint-initdb.d ] || [ ! -x /docker-entrypoint-initdb.d ]; then
        echo "error: /docker-entrypoint-initdb.d is not readable by the postgres user" >&2
        exit 1
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh)     echo "running $f"; . "$f" ;;
            *.sql)    echo "running $f"; psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -f "$f" ;;
            *.sql.gz) echo "running $f"; gunzip -c "$f" | psql -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" ;;
            *)        ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "PostgreSQL init process complete; ready for start up."
}

if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    init_database
fi

exec "$@"
