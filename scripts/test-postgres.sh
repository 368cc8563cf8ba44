#!/usr/bin/env bash
# A private, throw-away PostgreSQL server for Hylla's tests.
#
#   scripts/test-postgres.sh start    install (Debian's postgresql, if missing), initialise and start
#                                     the server, create role and database hylla_test; idempotent
#   scripts/test-postgres.sh stop     stop it
#   scripts/test-postgres.sh status   say whether it runs
#   scripts/test-postgres.sh url      print the SQLAlchemy URL of the test database
#   scripts/test-postgres.sh destroy  stop it and delete its data directory
#
# The server listens on 127.0.0.1:${HYLLA_PG_PORT:-54329} only, with trust authentication and
# fsync off: for tests, never for data. Run as root it runs as the `postgres` system user.
# Tests create their own databases (per xdist worker) from the URL as the superuser postgres.
set -euo pipefail

PGDATA_DIR="${HYLLA_PG_DIR:-/tmp/hylla-pg}"
PORT="${HYLLA_PG_PORT:-54329}"
SOCKET_DIR="${HYLLA_PG_SOCKET_DIR:-/tmp}"
DB=hylla_test
URL="postgresql+psycopg://postgres@127.0.0.1:${PORT}/${DB}"

log() { echo "test-postgres: $*" >&2; }

find_bindir() {
    local d
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    # Debian keeps the server binaries out of PATH; take the newest version installed.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

install_postgres() {
    if [ "$(id -u)" != 0 ]; then
        log "PostgreSQL is not installed and this is not root: run 'sudo apt-get install postgresql'"
        exit 1
    fi
    log "installing Debian's postgresql package"
    apt-get update -qq </dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql </dev/null
}

# Run a command as the user that owns the cluster (postgres refuses to run as root).
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

is_running() {
    [ -f "$PGDATA_DIR/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

psql_admin() {
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"
}

init_cluster() {
    local major
    major="$("$BIN/postgres" --version | sed -E 's/.* ([0-9]+)(\.[0-9]+)?.*/\1/')"
    if [ -f "$PGDATA_DIR/PG_VERSION" ] && [ "$(cat "$PGDATA_DIR/PG_VERSION")" = "$major" ] \
        && [ -f "$PGDATA_DIR/postgresql.conf" ]; then
        return 0
    fi
    log "initialising a new cluster in $PGDATA_DIR (PostgreSQL $major)"
    rm -rf "$PGDATA_DIR"
    mkdir -p "$PGDATA_DIR"
    chmod 700 "$PGDATA_DIR"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 \
            || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        chown postgres: "$PGDATA_DIR"
    fi
    local locale_opt=(--no-locale)
    if locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$'; then
        locale_opt=(--locale=C.UTF-8)
    fi
    as_owner "$BIN/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 "${locale_opt[@]}" \
        >/dev/null
    cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# --- hylla test server ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKET_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_checkpoints = off
EOF
}

start() {
    if ! BIN="$(find_bindir)"; then
        install_postgres
        BIN="$(find_bindir)" || { log "no PostgreSQL server binaries after installing"; exit 1; }
    fi
    if ! is_running; then
        init_cluster
        log "starting PostgreSQL on 127.0.0.1:$PORT"
        # The server must not inherit our descriptors (the lock, a caller's pipes): a pipe kept
        # open by a daemon makes whoever reads it wait for ever.
        (
            for fd in /proc/$BASHPID/fd/*; do
                fd="${fd##*/}"
                [ "$fd" -gt 2 ] && eval "exec $fd>&-"
            done
            exec </dev/null >/dev/null
            as_owner "$BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 start
        ) || { tail -n 20 "$PGDATA_DIR/server.log" >&2 || true; exit 1; }
    fi
    PSQL="$BIN/psql"
    [ -x "$PSQL" ] || PSQL="$(command -v psql)"
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$DB'")" != 1 ]; then
        psql_admin -c "CREATE ROLE $DB LOGIN CREATEDB"
    fi
    if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
        psql_admin -c "CREATE DATABASE $DB OWNER $DB ENCODING 'UTF8' TEMPLATE template0"
    fi
    log "ready: $URL"
}

stop() {
    BIN="$(find_bindir)" || return 0
    if is_running; then
        as_owner "$BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null
        log "stopped"
    fi
}

cmd="${1:-}"
case "$cmd" in
    start)
        # One start at a time (two make runs at once).
        exec 9>"$PGDATA_DIR.lock"
        flock -w 300 9
        start
        ;;
    stop) stop ;;
    status)
        if BIN="$(find_bindir)" && is_running; then echo "running: $URL"; else echo "stopped"; exit 3; fi
        ;;
    url) echo "$URL" ;;
    destroy)
        stop
        rm -rf "$PGDATA_DIR" "$PGDATA_DIR.lock"
        ;;
    *)
        echo "usage: $0 start|stop|status|url|destroy" >&2
        exit 2
        ;;
esac
