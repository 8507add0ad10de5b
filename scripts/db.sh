#!/usr/bin/env bash
# `make backup` / `make restore FILE=...`: back up and restore the database and the uploaded files
# (core/backup.py: one tar file, mode 0600, in backups/ of mode 0700; an old plain .dump restores too).
. "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
load_local_env
# Nothing these commands write (dumps hold password hashes and session keys) is for other users' eyes.
umask 077
case "${1:-}" in
  backup) "${MANAGE[@]}" backup_db ;;
  restore) "${MANAGE[@]}" restore_db "$2" ;;
  *) die "usage: $0 backup | restore FILE" ;;
esac
