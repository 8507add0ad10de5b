#!/usr/bin/env bash
# Serve the application in the foreground with gunicorn (static files through WhiteNoise), and beside it
# the background worker of the job queue (print maps; MDJ_WORKER=0 to leave it out).
# Refuses to start a second server: if one is already serving, it says so and exits.
. "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
load_local_env

PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
PIDFILE="$VAR_DIR/gunicorn.pid"
WORKER_PIDFILE="$VAR_DIR/worker.pid"

if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "Already serving (gunicorn pid $(cat "$PIDFILE")) on http://$HOST:$PORT - 'make stop' stops it."
  exit 0
fi
if "$PY" - "$HOST" "$PORT" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(0.5)
sys.exit(0 if s.connect_ex((sys.argv[1], int(sys.argv[2]))) == 0 else 1)
EOF
then
  echo "Port $PORT on $HOST is already in use by another program; set PORT=... to use another port."
  exit 1
fi

WORKER_PID=""
stop_worker() {
  if [ -n "$WORKER_PID" ]; then kill -TERM "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; fi
  rm -f "$WORKER_PIDFILE"
}
if [ "${MDJ_WORKER:-1}" != 0 ]; then
  if [ -f "$WORKER_PIDFILE" ] && kill -0 "$(cat "$WORKER_PIDFILE")" 2>/dev/null; then
    log "A job worker is already running (pid $(cat "$WORKER_PIDFILE"))"
  else
    "${MANAGE[@]}" run_worker &
    WORKER_PID=$!
    echo "$WORKER_PID" > "$WORKER_PIDFILE"
    trap stop_worker EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
fi

log "Serving on http://$HOST:$PORT (Ctrl-C or 'make stop' to stop)"
# Without a worker to look after, gunicorn takes this process's place.
[ -n "$WORKER_PID" ] && EXEC="" || EXEC="exec"
# Every option (bind, workers, threads, timeout, pid file, access log, worker recycling and memory caps)
# is in config/gunicorn.conf.py, read from the same environment variables; HOST, PORT and the var/
# folder (pid file) as this script has them. The address is repeated on the command line (the same
# value) only so that the process list shows which server listens where.
export HOST PORT MDJ_VAR_DIR="$VAR_DIR"
$EXEC "$VENV/bin/gunicorn" -c "$PROJECT_DIR/config/gunicorn.conf.py" --bind "$HOST:$PORT" config.wsgi:application
