#!/usr/bin/env bash
#
# demo.sh - `make demo`: on a fresh Debian 12, installs what is missing, builds, starts two
# throwaway PostgreSQL 15 clusters, loads the Pagila sample (schema from tests/data plus
# generated rows) into one, gives the other the schema only, and runs a parallel masked
# sync between two environments (deploy/examples/anonymization.yaml, a random key kept in
# tmp/demo/mask.key) with its live progress display, then verifies the copy and that no
# masked column kept a source value.
#
#   DEMO_SCALE=8      size of the generated data (default 8: a sync of several seconds)
#   DEMO_WORKERS=N    workers (default: number of CPUs)
#   DEMO_KEEP=1       leave the clusters running afterwards (stop: scripts/demo.sh stop)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PGC_ROOT=$repo/tmp/demo
# shellcheck source=pgcluster.sh
source "$repo/scripts/pgcluster.sh"

if [[ ${1:-} == stop ]]; then
    pgc_stop_all
    exit 0
fi

scale=${DEMO_SCALE:-8}
workers=${DEMO_WORKERS:-$(nproc)}

echo "== installing what is missing"
scripts/install-deps.sh
echo "== building"
make -s all

cleanup() {
    if [[ ${DEMO_KEEP:-0} == 1 ]]; then
        echo "clusters left running under $PGC_ROOT (stop them with: scripts/demo.sh stop)"
    else
        pgc_stop_all >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

echo "== starting two PostgreSQL 15 clusters under tmp/demo"
pgc_stop_all >/dev/null 2>&1 || true
pgc_start production
pgc_start staging

echo "== loading Pagila with generated rows (scale $scale) into \"production\""
start=$SECONDS
pgc_load_pagila production app "$scale" >/dev/null
pgc_sql production app "ANALYZE" >/dev/null
echo "   $(pgc_sql production app "SELECT pg_size_pretty(pg_database_size('app'))"), $(pgc_sql production app "SELECT sum(n_live_tup) FROM pg_stat_user_tables") rows in $((SECONDS - start)) s"
pgc_createdb staging app
"$PGC_BIN/pg_dump" --schema-only --no-owner -d "$(pgc_dsn production app)" |
    pgc_psql staging app >/dev/null

echo "== environments: tmp/demo/environments/{production,staging}.yaml"
mkdir -p "$PGC_ROOT/environments"
for env in production staging; do
    printf 'name: %s\ndatabase_url: postgresql://%s@:%s/app?host=%s\n' "$env" "$(pgc_user "$env")" \
        "$(pgc_port "$env")" "$(pgc_host "$env")" >"$PGC_ROOT/environments/$env.yaml"
done

rules=deploy/examples/anonymization.yaml
key_file=$PGC_ROOT/mask.key
if [[ ! -s $key_file ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 >"$key_file")
fi
echo "== masking key: $key_file (random, mode 600); rules: $rules"
echo "== confiture anonymize check --from production"
bin/confiture anonymize check --from production --config-dir "$PGC_ROOT/environments" \
    --anonymization-config "$rules" | tail -n 1

echo "== confiture sync --from production --to staging --anonymize --workers $workers --chunk-size 4MB"
bin/confiture sync --from production --to staging --workers "$workers" --chunk-size 4MB \
    --config-dir "$PGC_ROOT/environments" --log-level info \
    --anonymize --anonymization-config "$rules" --mask-key-file "$key_file"

echo "== confiture verify --from production --to staging --pii"
bin/confiture verify --from production --to staging --config-dir "$PGC_ROOT/environments" \
    --pii --anonymization-config "$rules" | tail -n 3
echo "== a customer before and after:"
pgc_sql production app "SELECT first_name, last_name, email FROM customer WHERE customer_id = 1"
pgc_sql staging app "SELECT first_name, last_name, email FROM customer WHERE customer_id = 1"
