#!/usr/bin/env bash
#
# t_sync_pagila.sh - a real-world schema (Pagila: 60+ tables, a partitioned payment table,
# enums, domains, arrays, tsvector, bytea, generated columns, triggers, foreign keys) synced
# between two environments defined in YAML files, in small chunks; the target equals the
# source row for row, its triggers are enabled again, and the plan, the JSON summary and the
# ledger say what happened.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin sync_pagila
t_databases

t_step "load pagila (scale 1) on src, its schema on dst"
t_assert_exit 0 pgc_load_pagila src "$SRC_DB" 1 || t_fail "pagila does not load"
pgc_sql src "$SRC_DB" "ANALYZE" >/dev/null
t_copy_schema || t_fail "schema copy"
triggers_before=$(pgc_sql dst "$DST_DB" "SELECT string_agg(tgrelid::regclass || '.' || tgname || '=' || tgenabled::text, ',' ORDER BY tgrelid::regclass::text, tgname) FROM pg_trigger WHERE NOT tgisinternal")

t_step "environments in YAML, with \${VAR} expansion"
mkdir -p "$T_WORK/env"
printf 'database_url: postgresql://%s@:%s/%s?host=%s\n' "$(pgc_user src)" "$(pgc_port src)" \
    "$SRC_DB" "$(pgc_host src)" >"$T_WORK/env/production.yaml"
# shellcheck disable=SC2016  # ${DST_PORT} is for confiture to expand, not the shell
printf 'database:\n  host: %s\n  port: ${DST_PORT}\n  name: %s\n  user: ${DST_USER:-%s}\n' \
    "$(pgc_host dst)" "$DST_DB" "$(pgc_user dst)" >"$T_WORK/env/staging.yaml"
export DST_PORT
DST_PORT=$(pgc_port dst)

t_step "sync"
t_assert_exit 0 "$T_BIN/confiture" sync --from production --to staging --config-dir "$T_WORK/env" \
    --workers 3 --chunk-size 128kB --format json || t_fail "sync failed"
summary=$(tail -n 1 "$T_OUT")
t_assert_contains "$summary" '"ok":true' "the summary says ok"
t_assert_contains "$summary" '"command":"sync"' "the summary names the command"
rows=$(pgc_sql src "$SRC_DB" "SELECT sum(n_live_tup) FROM pg_stat_user_tables")
t_assert_contains "$summary" "\"rows\":$rows," "the summary counts every row"
t_assert_contains "$(t_out)" '"event":"plan"' "the plan is printed as an event"
chunks=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["chunks"]["total"])' "$summary")
t_assert_eq t "$( ((chunks > 70)) && echo t || echo f)" "big tables are cut into several chunks ($chunks chunks)"

t_step "compare row by row"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs from source"
t_assert_exit 0 "$T_BIN/confiture" verify --from production --to staging --config-dir "$T_WORK/env"
t_assert_eq "$triggers_before" "$(pgc_sql dst "$DST_DB" "SELECT string_agg(tgrelid::regclass || '.' || tgname || '=' || tgenabled::text, ',' ORDER BY tgrelid::regclass::text, tgname) FROM pg_trigger WHERE NOT tgisinternal")" \
    "triggers are as they were"
t_assert_eq "done" "$(pgc_sql dst "$DST_DB" "SELECT state FROM confiture.job")" "the ledger records the job as done"
t_assert_eq "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task")" \
    "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task_done")" "every planned task committed once"
t_step "on a terminal: a live display, redrawn in place"
# script(1) gives the sync a pseudo-terminal, as an operator's shell would.
t_assert_exit 0 script -qefc "$(printf '%q ' "$T_BIN/confiture" sync --from production --to staging \
    --config-dir "$T_WORK/env" --workers 2 --chunk-size 128kB --log-level info)" /dev/null
screen=$(cat "$T_OUT")
t_assert_contains "$screen" $'\033[F' "the block is redrawn in place (cursor up)"
t_assert_eq t "$(grep -qE 'workers [0-2]/2' <<<"$screen" && echo t || echo f)" \
    "it shows how many of the 2 workers are busy"
t_assert_contains "$screen" "MB/s" "it shows the rate"
t_assert_contains "$screen" "ETA" "it shows the time left"
t_assert_contains "$screen" "public.rental" "it shows a table in progress"
t_assert_contains "$screen" "synced 70 tables" "it ends with the summary"
t_assert_not_contains "$screen" "confiture: copied public." "no plain per-table lines on a terminal"

t_step "masked with the example rules (deploy/examples/anonymization.yaml)"
RULES=$T_REPO/deploy/examples/anonymization.yaml
t_assert_exit 0 env -u CONFITURE_MASK_KEY "$T_BIN/confiture" anonymize check --from production \
    --to staging --config-dir "$T_WORK/env" --anonymization-config "$RULES" --strict
t_assert_contains "$(t_out)" "fit the source" "the example rules fit Pagila, even with --strict"
t_assert_exit 0 "$T_BIN/confiture" sync --from production --to staging --config-dir "$T_WORK/env" \
    --workers 3 --chunk-size 128kB --anonymize --anonymization-config "$RULES" --mask-key-random \
    --format json || t_fail "masked sync failed"
t_assert_contains "$(tail -n 1 "$T_OUT")" '"leaks":[]' "no leak"
t_assert_exit 0 env CONFITURE_MASK_KEY=unrelated-but-long-enough "$T_BIN/confiture" verify \
    --from production --to staging --config-dir "$T_WORK/env" --pii --anonymization-config "$RULES"
t_assert_contains "$(t_out)" "public.customer.email" "verify --pii checks the masked columns"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM customer WHERE email LIKE '%@sakilacustomer.org'")" \
    "no customer email of the source is left"
t_pass
