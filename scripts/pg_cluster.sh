#!/usr/bin/env bash
# The project-local PostgreSQL 15 + PostGIS cluster: `pg_cluster.sh start|stop|status|psql`.
# No system service and no Docker: initdb/pg_ctl run as the postgres user in a folder it can reach,
# listening on a unix socket only. `start` also writes var/local.env with the DATABASE_URL to use.
. "$(dirname "$0")/lib.sh"

init_cluster() {
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is not installed ($PG_BIN/initdb missing); run 'make setup'"
  as_root mkdir -p "$PG_ROOT"
  as_root chown postgres:postgres "$PG_ROOT"
  as_root chmod 700 "$PG_ROOT"
  as_postgres mkdir -p "$PG_SOCKET_DIR"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "Creating the local PostgreSQL cluster in $PG_DATA"
    # C.UTF-8, not C: with the C locale pg_trgm ignores Chinese characters and search finds nothing.
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -E UTF8 --locale=C.UTF-8 -U postgres --auth=trust >/dev/null
    as_postgres tee -a "$PG_DATA/postgresql.conf" >/dev/null <<EOF
# --- project-local settings (scripts/pg_cluster.sh) ---
listen_addresses = ''
unix_socket_directories = '$PG_SOCKET_DIR'
port = $PG_PORT
shared_buffers = 512MB
work_mem = 32MB
maintenance_work_mem = 256MB
max_connections = 50
fsync = on
logging_collector = off
EOF
  fi
}

start_cluster() {
  init_cluster
  if pg_running; then
    log "Local PostgreSQL already running ($PG_SOCKET_DIR)"
  else
    log "Starting local PostgreSQL ($PG_SOCKET_DIR)"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null \
      || { tail -20 "$PG_LOG" >&2; die "PostgreSQL did not start; log above"; }
  fi
  create_database
  write_local_env
}

psql_admin() { as_postgres env PGOPTIONS='-c client_min_messages=warning' "$PG_BIN/psql" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

create_database() {
  # The application role is a superuser of this private cluster: it creates the PostGIS extension
  # in the test databases that pytest makes.
  if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='$LOCAL_DB_USER'")" != 1 ]; then
    psql_admin -d postgres -c "CREATE ROLE $LOCAL_DB_USER LOGIN SUPERUSER"
  fi
  if [ "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$LOCAL_DB_NAME'")" != 1 ]; then
    log "Creating database $LOCAL_DB_NAME"
    psql_admin -d postgres -c "CREATE DATABASE $LOCAL_DB_NAME OWNER $LOCAL_DB_USER"
  fi
  psql_admin -d "$LOCAL_DB_NAME" -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;"
}

write_local_env() {
  mkdir -p "$VAR_DIR"
  local socket_enc="${PG_SOCKET_DIR//\//%2F}"
  printf 'DATABASE_URL=postgres://%s@%s:%s/%s\n' "$LOCAL_DB_USER" "$socket_enc" "$PG_PORT" "$LOCAL_DB_NAME" \
    > "$VAR_DIR/local.env.tmp"
  mv "$VAR_DIR/local.env.tmp" "$VAR_DIR/local.env"
}

stop_cluster() {
  if pg_running; then
    log "Stopping local PostgreSQL"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  else
    log "Local PostgreSQL is not running"
  fi
}

case "${1:-}" in
  start) start_cluster ;;
  stop) stop_cluster ;;
  status) if pg_running; then echo "running: $PG_DATA (socket $PG_SOCKET_DIR)"; else echo "stopped: $PG_DATA"; exit 3; fi ;;
  psql) shift; psql_admin -d "$LOCAL_DB_NAME" "$@" ;;
  *) die "usage: $0 start|stop|status|psql" ;;
esac
