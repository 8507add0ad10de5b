#!/usr/bin/env bash
# `make maps`: the plan's set of administrative maps (city, six county-level units, four urban districts)
# into maps/ (MAPS_DIR=..., MAPS_PAPER=A3|..., MAPS_FORMAT=pdf|png|svg to change).
. "$(dirname "$0")/lib.sh"
cd "$PROJECT_DIR"
load_local_env
[ -n "${DATABASE_URL:-}" ] || die "no database: run 'make setup' first"
"${MANAGE[@]}" render_plan_maps --output "${MAPS_DIR:-maps}" --paper "${MAPS_PAPER:-A3}" --format "${MAPS_FORMAT:-pdf}"
