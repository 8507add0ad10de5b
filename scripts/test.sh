#!/usr/bin/env bash
# `make test`: lint, the migration check, then the whole suite on pytest's own test database.
. "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
load_local_env
log "ruff"
"$VENV/bin/ruff" check --quiet .
log "makemigrations --check"
"${MANAGE[@]}" makemigrations --check --dry-run -v 0 || die "models and migrations differ: run makemigrations"
log "pytest"
exec "$VENV/bin/pytest" "$@"
