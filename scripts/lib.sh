# Shared shell helpers for the set-up, serve and database scripts. Source it; do not run it.
# Everything here is idempotent: calling a helper twice leaves the machine as calling it once.

set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
VAR_DIR="${MDJ_VAR_DIR:-$PROJECT_DIR/var}"
VENV="$PROJECT_DIR/.venv"
PY="$VENV/bin/python"
MANAGE=("$PY" "$PROJECT_DIR/manage.py")
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# The local cluster lives outside the checkout: the postgres user must be able to reach it, and a
# checkout in a home folder (mode 700) is not reachable. One cluster per checkout, named by its path.
PG_ROOT="${MDJ_PG_ROOT:-/var/tmp/mdj-pg-$(printf '%s' "$PROJECT_DIR" | sha1sum | cut -c1-12)}"
PG_DATA="$PG_ROOT/data"
PG_SOCKET_DIR="$PG_ROOT/run"
PG_LOG="$PG_ROOT/postgres.log"
PG_PORT="${MDJ_PG_PORT:-5432}"
LOCAL_DB_NAME="mdj"
LOCAL_DB_USER="mdj"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command with root rights: directly as root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "this step needs root: run as root or install sudo ($*)"; fi
}

# initdb and postgres refuse to run as root: run them as the postgres user.
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -u postgres -- "$@"; fi
}

# Load var/local.env (written by the set-up for the local cluster) unless DATABASE_URL is set.
load_local_env() {
  if [ -z "${DATABASE_URL:-}" ] && [ -f "$VAR_DIR/local.env" ]; then
    set -a; . "$VAR_DIR/local.env"; set +a
  fi
}

uses_local_cluster() { [ -z "${DATABASE_URL:-}" ]; }

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

# A hash of the given files, used as a stamp so that unchanged requirements install nothing.
stamp_of() { cat "$@" 2>/dev/null | sha1sum | cut -c1-40; }
