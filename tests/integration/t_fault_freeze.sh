#!/usr/bin/env bash
#
# t_fault_freeze.sh - a worker frozen mid-chunk (SIGSTOP) past the worker timeout: the
# coordinator declares it dead, ends its database backends (found by application_name),
# requeues its chunk with the next attempt, and another worker commits it. Thawed (SIGCONT)
# after that, the frozen worker's stale attempt must not commit: the ledger keeps the later
# attempt's row, the target equals the source, and no chunk is loaded twice.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

t_begin fault_freeze
t_databases
pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source data"
CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL);
INSERT INTO big SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, 300000) AS i;
ANALYZE;
SQL
t_copy_schema || t_fail "schema copy"

CTL=tcp://127.0.0.1:$(free_port)
WORK=tcp://127.0.0.1:$(free_port)
"$T_BIN/confiture-coordinator" --ctl "$CTL" --work "$WORK" --worker-timeout-ms 2000 \
    --heartbeat-ms 200 --log-level debug >"$T_WORK/coordinator.log" 2>&1 &
coordinator=$!
"$T_BIN/confiture-worker" --connect "$WORK" --name frozen --heartbeat-ms 200 --log-level debug \
    >"$T_WORK/frozen.log" 2>&1 &
frozen=$!
other=
stop_all() { kill -CONT "$frozen" 2>/dev/null; kill "$coordinator" "$frozen" $other 2>/dev/null; wait 2>/dev/null; }
t_cleanup stop_all
sleep 0.5

t_step "start the job with one worker; freeze it in the middle of a chunk"
"$T_BIN/confiture" sync --coordinator "$CTL" --from "$SRC" --to "$DST" --chunk-size 2MB \
    --format json >"$T_WORK/sync.out" 2>"$T_WORK/sync.err" &
cli=$!
task=
for ((i = 0; i < 400; i++)); do
    task=$(pgc_sql dst "$DST_DB" "SELECT substring(application_name FROM 'task=([0-9]+)') FROM pg_stat_activity WHERE application_name LIKE 'confiture job=%' AND state = 'active' AND query LIKE 'COPY%' LIMIT 1")
    [[ -n $task ]] && break
    sleep 0.02
done
[[ -n $task ]] || t_fail "the worker never ran a COPY"
kill -STOP "$frozen"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task_done WHERE task_id = $task")" \
    "task $task was not committed when its worker froze"

t_step "a second worker finishes the job; the frozen attempt is requeued"
"$T_BIN/confiture-worker" --connect "$WORK" --name other --heartbeat-ms 200 --log-level debug \
    >"$T_WORK/other.log" 2>&1 &
other=$!
for ((i = 0; i < 600; i++)); do
    [[ $(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task_done WHERE task_id = $task") == 1 ]] && break
    sleep 0.1
done
t_assert_eq "other" "$(pgc_sql dst "$DST_DB" "SELECT worker FROM confiture.task_done WHERE task_id = $task")" \
    "task $task was committed by the other worker"
t_assert_contains "$(cat "$T_WORK/coordinator.log")" "worker frozen is silent: declared dead" \
    "the coordinator declared the frozen worker dead"
t_assert_contains "$(cat "$T_WORK/coordinator.log")" "ended the target backend of attempt 1" \
    "and ended its target backend"

t_step "thaw the frozen worker: its stale attempt must not commit"
kill -CONT "$frozen"
wait "$cli"
t_assert_eq 0 "$?" "the job succeeds"
t_assert_contains "$(tail -n 1 "$T_WORK/sync.out")" '"ok":true' "the summary says ok"
sleep 1
t_assert_eq "other" "$(pgc_sql dst "$DST_DB" "SELECT worker FROM confiture.task_done WHERE task_id = $task")" \
    "the ledger still holds the later attempt's commit"
t_assert_eq t "$(pgc_sql dst "$DST_DB" "SELECT attempt > 1 FROM confiture.task_done WHERE task_id = $task")" \
    "committed by a later attempt than the frozen one"
t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT count(*) FROM big")" \
    "$(pgc_sql dst "$DST_DB" "SELECT sum(rows) FROM confiture.task_done d JOIN confiture.task t USING (job_id, task_id) WHERE t.kind = 'copy'")" \
    "the committed chunks add up to the source's rows: none twice"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs from source"
t_assert_contains "$(cat "$T_WORK/frozen.log")" "task $task attempt 1" "the thawed worker reports its stale attempt as failed"
t_pass
