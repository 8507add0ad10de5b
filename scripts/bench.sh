#!/usr/bin/env bash
# `make bench` (not part of `make test`). Figures are printed to compare. BENCH_KINDS="search tiles maps api topology"
# (the default: all) chooses which:
#   search  over HTTP against the production server and the same SQL run directly, on the real data and
#           on synthetic corpora of 100k and 1M names, each in a database of its own (mdj_bench_100k,
#           mdj_bench_1m); BENCH_SIZES="real 100000 1000000" BENCH_QUERIES=200 to choose.
#   tiles   vector tiles at z6, z10, z14, cached and uncached, and tiles.json / style.json, over HTTP
#           against the production server and the same database work run directly, on the real data.
#   maps    the render time of each print map of the plan's set (the city, six county-level units,
#           four districts), A3, in-process, on the real data.
#   api     what one API request costs in-process (routing, validation, error answers; bench/api_bench.py):
#           reads, refusals and a stale write, BENCH_API_REQUESTS=300 each, officer token.
#   topology  the boundaries' topology: build from the polygons, rebuild every county from its edges,
#           validate, move one edge (each rolled back; bench/topology_bench.py, BENCH_TOPOLOGY_RUNS=5).
#   load    many clients at once against the production server as `make run` starts it (its workers and
#           threads; BENCH_WEB_WORKERS/BENCH_WEB_THREADS to try others), on the real data: closed loop,
#           50 search + 20 tile clients (BENCH_LOAD_SECONDS=60), search alone, /healthz alone, then an
#           open loop of searches at BENCH_OPEN_RATE=200/s for BENCH_OPEN_SECONDS=30 (bench/load_bench.py).
#           127.0.0.1 only. The clients use an API token of the account mdj-bench (made here with
#           create_officer, revoked at the end), so no per-client limit applies. Figures also go to
#           var/bench/load-<time>.json. Not in the default set: BENCH_KINDS=load.
#   numbering  numbering a street of 500 entrances, 50 buildings inserted later, a renumbering proposal and
#           its approval (bench/house_numbers_bench.py, BENCH_NUMBERING_RUNS=3).
#   faces   1,000 sign faces rendered as one production order (PDF) and as SVG (bench/sign_faces_bench.py).
#   addresses  address search (太平路12号, taipinglu 12, 12-1, buildings; the reverse look-up's nearest address)
#           at BENCH_ADDRESS_SIZES="100000 1000000" synthetic addresses, each set written in a transaction that
#           is rolled back, in-process: the endpoint, the statement and the SQL floor; index build times;
#           the other design (addresses as name-index rows) at the smallest size (bench/address_search_bench.py).
. "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
load_local_env
[ -n "${DATABASE_URL:-}" ] || die "no database: run 'make setup' first"

KINDS="${BENCH_KINDS:-search tiles maps api topology addresses numbering faces}"
for kind in $KINDS; do
  case "$kind" in search|tiles|maps|api|topology|load|addresses|numbering|faces) ;; *) die "BENCH_KINDS: unknown kind '$kind' (search, tiles, maps, api, topology, load, addresses, numbering, faces)" ;; esac
done
wants() { case " $KINDS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
SIZES="${BENCH_SIZES:-real 100000 1000000}"
QUERIES="${BENCH_QUERIES:-200}"
PORT="${BENCH_PORT:-8765}"
BENCH_VAR="$(mktemp -d /tmp/mdj-bench.XXXXXX)"
SERVER_PID=""
cp "$VAR_DIR/secret_key" "$BENCH_VAR/secret_key"
BENCH_USER=mdj-bench
BENCH_TOKEN=""
trap 'stop_server; revoke_token; rm -rf "$BENCH_VAR"' EXIT

MAIN_URL="$DATABASE_URL"
url_for() { printf '%s' "${MAIN_URL%/*}/$1"; }

start_server() {
  echo "DATABASE_URL=$1" > "$BENCH_VAR/local.env"
  local -a server_env=(WEB_WORKERS=2 WEB_THREADS=1 MDJ_RATE_LIMIT_PER_MINUTE=0)
  if [ "${2:-}" = load ]; then
    # As `make run` serves (unless BENCH_WEB_* say otherwise), with limits that never refuse but are
    # still counted for anonymous requests (the token's requests skip them, as staff's do).
    server_env=(MDJ_RATE_LIMIT_PER_MINUTE=1000000000 MDJ_TILE_RATE_LIMIT_PER_MINUTE=1000000000)
    [ -z "${BENCH_WEB_WORKERS:-}" ] || server_env+=("WEB_WORKERS=$BENCH_WEB_WORKERS")
    [ -z "${BENCH_WEB_THREADS:-}" ] || server_env+=("WEB_THREADS=$BENCH_WEB_THREADS")
  fi
  # MDJ_WORKER=0: the web server only, no background job worker beside it (nothing to measure there).
  env DATABASE_URL="$1" MDJ_VAR_DIR="$BENCH_VAR" PORT="$PORT" "${server_env[@]}" MDJ_WORKER=0 \
    setsid "$PROJECT_DIR/scripts/serve.sh" > "$BENCH_VAR/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$BENCH_VAR/server.log" >&2
  die "the benchmark server did not start"
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then kill -TERM -- "-$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  SERVER_PID=""
}

ensure_corpus() {
  local size="$1" db="mdj_bench_$1" url
  url="$(url_for "$db")"
  if [ "$("$PY" - "$db" <<'PYEOF'
import sys, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.db import connection
with connection.cursor() as c:
    c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[1]])
    print("yes" if c.fetchone() else "no")
PYEOF
)" = no ]; then
    log "Creating $db (synthetic corpus of $size names)"
    "$PY" - "$db" <<'PYEOF'
import sys, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.db import connection
with connection.cursor() as c:
    c.execute(f'CREATE DATABASE "{sys.argv[1]}" TEMPLATE template0 ENCODING \'UTF8\' LC_COLLATE \'C.UTF-8\' LC_CTYPE \'C.UTF-8\'')
PYEOF
  fi
  DATABASE_URL="$url" "${MANAGE[@]}" migrate --noinput -v 0
  DATABASE_URL="$url" "$PY" bench/build_corpus.py --names "$size" --readings-from "$BENCH_VAR/readings.json"
}

bench_search() {
  # The readings of the real names, from which the synthetic corpora are made.
  "${MANAGE[@]}" shell -c "
import json
from gazetteer.models import SearchEntry
from gazetteer.romanization import romanize
rows = []
for name in SearchEntry.objects.filter(kind='standard').values_list('name', flat=True).distinct():
    try:
        rows.append([name, [d.reading for d in romanize(name).decisions]])
    except ValueError:
        pass
open('$BENCH_VAR/readings.json', 'w').write(json.dumps(rows, ensure_ascii=False))
"
  local size url label
  for size in $SIZES; do
    if [ "$size" = real ]; then url="$MAIN_URL"; label="real data"; else ensure_corpus "$size"; url="$(url_for "mdj_bench_$size")"; label="synthetic $size (labelled synthetic)"; fi
    start_server "$url"
    DATABASE_URL="$url" "$PY" bench/search_bench.py --port "$PORT" --label "$label" --queries "$QUERIES"
    stop_server
  done
}

bench_tiles() {
  start_server "$MAIN_URL"
  "$PY" bench/tiles_bench.py --port "$PORT" --label "real data"
  stop_server
}

bench_maps() {
  "$PY" bench/maps_bench.py --paper A3
}

bench_api() {
  # In-process: no server; the warnings Django logs for each refused request are not figures.
  "$PY" bench/api_bench.py --requests "${BENCH_API_REQUESTS:-300}" 2> >(grep -v "WARNING django.request" >&2)
}

bench_topology() {
  # Build, rebuild, validate and one edge moved, each rolled back (bench/topology_bench.py).
  "$PY" bench/topology_bench.py --runs "${BENCH_TOPOLOGY_RUNS:-5}"
}

revoke_token() {
  [ -n "$BENCH_TOKEN" ] || return 0
  "${MANAGE[@]}" shell -v 0 -c "
from django.utils import timezone
from accounts.models import ApiToken
ApiToken.objects.filter(user__username='$BENCH_USER', revoked_at__isnull=True).update(revoked_at=timezone.now())
" || true
  BENCH_TOKEN=""
}

bench_load() {
  BENCH_TOKEN="$("${MANAGE[@]}" create_officer "$BENCH_USER" --role cartographer --name "make bench (load)" --token \
    | sed -n 's/^API token (shown once): //p')"
  [ -n "$BENCH_TOKEN" ] || die "could not make the benchmark's API token"
  start_server "$MAIN_URL" load
  MDJ_BENCH_TOKEN="$BENCH_TOKEN" "$PY" bench/load_bench.py --port "$PORT" --var-dir "$BENCH_VAR" \
    --json "$VAR_DIR/bench/load-$(date +%Y%m%d-%H%M%S).json"
  stop_server
  revoke_token
}

for kind in search tiles maps api topology load; do
  if wants "$kind"; then "bench_$kind"; fi
done

bench_addresses() {
  # Synthetic addresses written and rolled back in one transaction each (bench/address_search_bench.py).
  # shellcheck disable=SC2086 # the sizes are words
  "$PY" bench/address_search_bench.py --sizes ${BENCH_ADDRESS_SIZES:-100000 1000000} --queries "$QUERIES"
}
if wants addresses; then bench_addresses; fi

bench_numbering() {
  # A 500-entrance street numbered, 50 later buildings, a renumbering proposed and approved (rolled back).
  "$PY" bench/house_numbers_bench.py --runs "${BENCH_NUMBERING_RUNS:-3}"
}
bench_faces() {
  # 1,000 sign faces as one production order PDF, and as SVG (bench/sign_faces_bench.py).
  "$PY" bench/sign_faces_bench.py
}
if wants numbering; then bench_numbering; fi
if wants faces; then bench_faces; fi
