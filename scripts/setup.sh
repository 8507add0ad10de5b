#!/usr/bin/env bash
# Everything `make run` and `make test` need before they serve or test, idempotent:
# Debian packages, .venv, npm packages, the database (local cluster or DATABASE_URL),
# migrations, static files, the source packages and the base data.
# A second run installs and downloads nothing and keeps every row.
. "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"

# Debian packages, installed only when missing. chromium is for the browser tests.
DEBIAN_PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
  fonts-noto-cjk poppler-utils
  python3-venv python3-dev gcc pkg-config libcairo2-dev
  chromium
)

install_debian_packages() {
  local missing=() p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "Installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the packaged cluster; this project uses its own and wants no system service.
  if command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q '^15 *main .*online'; then
    as_root pg_ctlcluster 15 main stop || true
  fi
}

python_for_venv() {
  # Python 3.11 is the supported interpreter; Debian 12's python3 is 3.11.
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$candidate"; return 0
    fi
  done
  die "Python 3.11 not found (set PYTHON=/path/to/python3.11)"
}

install_python_packages() {
  if [ ! -x "$PY" ]; then
    log "Creating .venv"
    "$(python_for_venv)" -m venv "$VENV"
  fi
  local want; want="$(stamp_of requirements.txt)"
  if [ "$(cat "$VENV/.requirements-stamp" 2>/dev/null)" != "$want" ]; then
    log "Installing Python requirements"
    # (grep drops the noise of a pip.conf that names local indexes absent on this machine)
    "$PY" -m pip install -q --disable-pip-version-check -r requirements.txt 2> >(grep -v "^WARNING: Location" >&2) \
      || die "pip could not install requirements.txt (see above)"
    echo "$want" > "$VENV/.requirements-stamp"
  fi
}

install_npm_packages() {
  [ -f package-lock.json ] || return 0
  command -v npm >/dev/null || die "npm is not installed (Node.js 20 with npm is expected on the machine)"
  local want; want="$(stamp_of package.json package-lock.json)"
  if [ ! -d node_modules ] || [ "$(cat node_modules/.install-stamp 2>/dev/null)" != "$want" ]; then
    log "Installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    echo "$want" > node_modules/.install-stamp
  fi
}

prepare_database() {
  if uses_local_cluster; then
    "$PROJECT_DIR/scripts/pg_cluster.sh" start
  else
    log "Using the external database in DATABASE_URL (no local cluster)"
  fi
  load_local_env
  "${MANAGE[@]}" check_database
  "${MANAGE[@]}" migrate --noinput -v 0
}

# The front-end files the pages load, from the npm packages (package.json pins their versions).
VENDOR_FILES=(
  "ol/dist/ol.js:ol/ol.js"
  "ol/ol.css:ol/ol.css"
  "swagger-ui-dist/swagger-ui-bundle.js:swagger-ui/swagger-ui-bundle.js"
  "swagger-ui-dist/swagger-ui.css:swagger-ui/swagger-ui.css"
)

copy_vendor_files() {
  local entry source target
  for entry in "${VENDOR_FILES[@]}"; do
    source="node_modules/${entry%%:*}" target="web/vendor/${entry##*:}"
    [ -f "$source" ] || die "$source is missing: npm packages not installed"
    mkdir -p "$(dirname "$target")"
    # Without their source-map comments: the maps are not shipped, and the static-file manifest
    # refuses references to missing files.
    sed '/^\/[/*]# sourceMappingURL=/d' "$source" > "$target.tmp"
    if cmp -s "$target.tmp" "$target"; then rm "$target.tmp"; else mv "$target.tmp" "$target"; fi
  done
}

prepare_static_files() {
  copy_vendor_files
  local want; want="$(stamp_of requirements.txt package-lock.json $(find web -type f -not -path 'web/vendor/*' | sort))"
  if [ ! -d staticfiles ] || [ "$(cat staticfiles/.stamp 2>/dev/null)" != "$want" ]; then
    log "Collecting static files"
    "${MANAGE[@]}" collectstatic --noinput -v 0
    echo "$want" > staticfiles/.stamp
  fi
}

load_data() {
  "${MANAGE[@]}" fetch_sources
  "${MANAGE[@]}" load_base_data
  "${MANAGE[@]}" apply_due_decisions
  "${MANAGE[@]}" demo_streets  # synthetic demonstration streets (示例数据); a second run adds nothing
}

install_debian_packages
install_python_packages
install_npm_packages
prepare_database
prepare_static_files
load_data
log "Set-up complete"
