#!/usr/bin/env bash
# `make backup` / `make restore FILE=...`: dump and restore the application database.
. "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
load_local_env
case "${1:-}" in
  backup) "${MANAGE[@]}" backup_db ;;
  restore) "${MANAGE[@]}" restore_db "$2" ;;
  *) die "usage: $0 backup | restore FILE" ;;
esac
