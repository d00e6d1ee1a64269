#!/usr/bin/env bash
#
# t_fault_backends.sh - database faults during a sync: the workers' source and target
# backends terminated mid-chunk (pg_terminate_backend), then the target cluster restarted in
# the middle of a job. The workers retry the same attempt with backoff; the job completes
# with the target equal to the source, every chunk committed once. Then errors that cannot
# heal (a column the target lacks permission on) fail at once, not after retries.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin fault_backends
t_databases
CONFITURE=$T_BIN/confiture
pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source data"
CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL);
INSERT INTO big SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, 300000) AS i;
CREATE TABLE other (id int PRIMARY KEY, v text);
INSERT INTO other SELECT i, 'o' || i FROM generate_series(1, 50000) AS i;
ANALYZE;
SQL
t_copy_schema || t_fail "schema copy"

once() {
    t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT (SELECT count(*) FROM big) + (SELECT count(*) FROM other)")" \
        "$(pgc_sql dst "$DST_DB" "SELECT sum(d.rows) FROM confiture.task_done d JOIN confiture.task t USING (job_id, task_id) WHERE t.kind = 'copy' AND t.job_id = (SELECT job_id FROM confiture.job ORDER BY created_at DESC LIMIT 1)")" \
        "$1: the committed chunks add up to the source's rows, none twice"
}
# active_copies SIDE: how many confiture backends are copying on that cluster now
active_copies() {
    pgc_sql "$1" "$2" "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'confiture job=%' AND state = 'active'"
}

t_step "source and target backends terminated mid-chunk"
"$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 1MB --format json \
    --log-level info >"$T_WORK/sync.out" 2>"$T_WORK/sync.err" &
cli=$!
killed=0
for ((i = 0; i < 600 && killed < 4; i++)); do
    side=$((killed % 2 == 0 ? 0 : 1))
    if ((side == 0)); then name=src db=$SRC_DB; else name=dst db=$DST_DB; fi
    if [[ $(active_copies "$name" "$db") -gt 0 ]]; then
        n=$(pgc_sql "$name" "$db" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'confiture job=%' AND state = 'active'")
        ((n > 0)) && killed=$((killed + 1))
        sleep 0.3
    fi
    sleep 0.02
done
wait "$cli"
t_assert_eq 0 "$?" "the job survives terminated backends"
t_assert_eq t "$( ((killed >= 2)) && echo t || echo f)" "backends were terminated mid-chunk ($killed times)"
t_assert_contains "$(cat "$T_WORK/sync.err")" "retrying in" "the workers said they retried"
t_assert_contains "$(tail -n 1 "$T_WORK/sync.out")" '"ok":true' "the summary says ok"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs after terminated backends"
once "terminated backends"

t_step "the target cluster restarted mid-job"
"$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 1MB --format json \
    --log-level info >"$T_WORK/sync.out" 2>"$T_WORK/sync.err" &
cli=$!
for ((i = 0; i < 600; i++)); do
    [[ $(active_copies dst "$DST_DB") -gt 0 ]] && break
    sleep 0.02
done
pgc_restart dst >/dev/null 2>&1 || t_fail "cannot restart the target cluster"
wait "$cli"
t_assert_eq 0 "$?" "the job survives a target restart"
t_assert_contains "$(cat "$T_WORK/sync.err")" "retrying in" "the workers waited for the target"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs after a restart"
once "target restart"

t_step "an error that cannot heal fails at once"
pgc_sql src "$SRC_DB" "CREATE TABLE nokey (id int, v text); INSERT INTO nokey SELECT i, 'n' || i FROM generate_series(1, 1000) AS i" >/dev/null
pgc_sql dst "$DST_DB" "CREATE TABLE nokey (id int, v text); CREATE ROLE limited LOGIN; GRANT USAGE ON SCHEMA public, confiture TO limited; GRANT ALL ON ALL TABLES IN SCHEMA confiture TO limited; GRANT SELECT, TRUNCATE ON nokey TO limited" >/dev/null
limited_dst="$(pgc_dsn dst "$DST_DB" | sed 's/user=[^ ]*/user=limited/')"
start=$SECONDS
t_assert_exit 6 "$CONFITURE" sync --from "$SRC" --to "$limited_dst" --workers 2 --tables nokey \
    --retry-time 60
t_assert_contains "$(t_err)" "permission denied" "the error names the cause"
t_assert_not_contains "$(t_err)" "retrying in" "it was not retried"
t_assert_eq t "$( ((SECONDS - start < 30)) && echo t || echo f)" \
    "a permission error fails at once ($((SECONDS - start)) s)"
t_pass
