#!/usr/bin/env bash
# Stop the server started by `make run` and the local PostgreSQL cluster.
. "$(dirname "$0")/lib.sh"
PIDFILE="$VAR_DIR/gunicorn.pid"

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  log "Stopping the server (pid $(cat "$PIDFILE"))"
  kill -TERM "$(cat "$PIDFILE")"
  for _ in $(seq 1 50); do kill -0 "$(cat "$PIDFILE" 2>/dev/null)" 2>/dev/null || break; sleep 0.2; done
else
  log "The server is not running"
fi
rm -f "$PIDFILE"
WORKER_PIDFILE="$VAR_DIR/worker.pid"
if [ -f "$WORKER_PIDFILE" ] && kill -0 "$(cat "$WORKER_PIDFILE")" 2>/dev/null; then
  log "Stopping the job worker (pid $(cat "$WORKER_PIDFILE"); a map being drawn goes back to the queue)"
  kill -TERM "$(cat "$WORKER_PIDFILE")"
  for _ in $(seq 1 50); do kill -0 "$(cat "$WORKER_PIDFILE" 2>/dev/null)" 2>/dev/null || break; sleep 0.2; done
fi
rm -f "$WORKER_PIDFILE"
if uses_local_cluster; then "$PROJECT_DIR/scripts/pg_cluster.sh" stop; fi
