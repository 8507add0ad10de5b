#!/usr/bin/env bash
# `make run`: if a server is already up, say so and stop; otherwise set up and serve in the foreground.
. "$(dirname "$0")/lib.sh"
PIDFILE="$VAR_DIR/gunicorn.pid"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "Already serving (gunicorn pid $(cat "$PIDFILE")) on http://${HOST:-127.0.0.1}:${PORT:-8000} - 'make stop' stops it."
  exit 0
fi
"$PROJECT_DIR/scripts/setup.sh"
exec "$PROJECT_DIR/scripts/serve.sh"
