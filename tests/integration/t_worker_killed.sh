#!/usr/bin/env bash
#
# t_worker_killed.sh - a worker SIGKILLed in the middle of a chunk: its transactions roll back,
# the coordinator notices it is gone and gives its chunk to another worker, and the sync still
# ends with exit 0 and a target equal to the source: every row once, no chunk committed twice.
#
# How the kill lands mid-chunk for sure: once the target shows a COPY from a worker, all our
# workers are stopped (SIGSTOP) for a moment; a target backend still in COPY then is waiting
# for a frozen worker, found through its TCP port (pg_stat_activity.client_port, ss -p). That
# worker is SIGKILLed and the others continued (SIGCONT). Only processes of this test's own
# confiture run are signalled.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin worker_killed
command -v ss >/dev/null || t_skip "ss (iproute2) is needed to map a COPY to its worker"
t_databases
# The target over TCP, so that a target backend's client_port names its worker.
DST=$(pgc_tcp_dsn dst "$DST_DB")
DST_PORT=$(pgc_port dst)
ROWS=2000000

t_step "source: $ROWS narrow rows, and a small table"
t_assert_exit 0 pgc_psql src "$SRC_DB" -c "
CREATE TABLE big (id bigint PRIMARY KEY, n int NOT NULL, t text);
INSERT INTO big SELECT g, g % 1000, md5(g::text) FROM generate_series(1, $ROWS) g;
CREATE TABLE small (id int PRIMARY KEY, v text);
INSERT INTO small SELECT g, 'v' || g FROM generate_series(1, 1000) g;
ANALYZE;" || t_fail "source data"
t_assert_exit 0 pgc_psql dst "$DST_DB" -c "
CREATE TABLE big (id bigint PRIMARY KEY, n int NOT NULL, t text);
CREATE INDEX big_n ON big (n);
CREATE TABLE small (id int PRIMARY KEY, v text);
INSERT INTO big VALUES (-1, -1, 'old row');" || t_fail "target schema"

t_step "sync with 3 workers in small chunks, in the background"
"$T_BIN/confiture" sync --from "$SRC" --to "$DST" --workers 3 --chunk-size 4MB --format json \
    >"$T_WORK/sync.out" 2>"$T_WORK/sync.err" &
cli=$!

# Our own workers: the children of this confiture run.
our_workers() { pgrep -P "$cli" -f confiture-worker; }

# Active COPY FROM STDIN sessions of confiture workers on the target: "client_port application_name".
COPYING="SELECT client_port || ' ' || application_name FROM pg_stat_activity
 WHERE datname = '$DST_DB' AND application_name LIKE 'confiture job=%' AND state = 'active'
   AND query LIKE 'COPY %FROM STDIN%' ORDER BY backend_start"

killed=
killed_app=
deadline=$((SECONDS + 40))
while [[ -z $killed ]] && ((SECONDS < deadline)) && kill -0 "$cli" 2>/dev/null; do
    if [[ -z $(pgc_sql dst postgres "$COPYING") ]]; then
        sleep 0.05
        continue
    fi
    mapfile -t workers < <(our_workers)
    ((${#workers[@]} > 0)) || break
    kill -STOP "${workers[@]}"
    sleep 0.3 # a chunk that was ending commits; the ones left wait for their frozen worker
    while read -r port app; do
        [[ -n $port ]] || continue
        pid=$(ss -Htnp state established "( sport = :$port and dport = :$DST_PORT )" |
            grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2)
        for w in "${workers[@]}"; do
            if [[ $pid == "$w" ]]; then
                killed=$pid
                killed_app=$app
                break 2
            fi
        done
    done < <(pgc_sql dst postgres "$COPYING")
    if [[ -n $killed ]]; then
        kill -KILL "$killed"
    fi
    kill -CONT "${workers[@]}" 2>/dev/null
done
if [[ -z $killed ]]; then
    kill -TERM "$cli" 2>/dev/null
    wait "$cli"
    t_fail "could not catch a worker in the middle of a chunk"
fi
t_assert_contains "$killed_app" "confiture job=" "killed worker $killed in the middle of a chunk ($killed_app)"
killed_task=$(sed -n 's/.* task=\([0-9]*\) .*/\1/p' <<<"$killed_app")
job=$(sed -n 's/.*job=\([^ ]*\) .*/\1/p' <<<"$killed_app")
sleep 0.5
t_assert_eq "" "$(ps -o stat= -p "$killed" 2>/dev/null | grep -v Z)" "the killed worker is gone"

t_step "the sync still ends well"
wait "$cli"
rc=$?
t_assert_eq 0 "$rc" "confiture sync exits 0 after losing a worker" || {
    tail -n 5 "$T_WORK/sync.out"
    tail -n 20 "$T_WORK/sync.err"
}
summary=$(tail -n 1 "$T_WORK/sync.out")
t_assert_eq "True $job True $ROWS" "$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
c = d["chunks"]
print(d["ok"], d["job"], c["done"] == c["total"] and c["total"] >= 20, d["rows"] - 1000)' "$summary" 2>&1)" \
    "the summary: ok, this job, every one of 20+ chunks done, every row once"

t_step "the target equals the source"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_assert_eq "$ROWS $ROWS" "$(pgc_sql dst "$DST_DB" 'SELECT count(*), count(DISTINCT id) FROM big' | tr '|' ' ')" \
    "big has every row once on the target"
t_assert_eq "$(pgc_sql src "$SRC_DB" 'SELECT count(*), sum(n), sum(id) FROM big')" \
    "$(pgc_sql dst "$DST_DB" 'SELECT count(*), sum(n), sum(id) FROM big')" "rows per table equal"
t_assert_eq "big_n big_pkey" "$(pgc_sql dst "$DST_DB" "SELECT string_agg(indexrelid::regclass::text, ' ' ORDER BY indexrelid::regclass::text COLLATE \"C\") FROM pg_index WHERE indrelid = 'big'::regclass AND indisvalid")" \
    "the indexes of big are back"

t_step "the ledger: the killed chunk was redone once, no chunk committed twice"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM (SELECT job_id, task_id FROM confiture.task_done GROUP BY 1, 2 HAVING count(*) > 1) d")" \
    "no task committed twice"
t_assert_eq "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task WHERE job_id = '$job' AND kind = 'copy'")" \
    "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task_done d JOIN confiture.task t USING (job_id, task_id) WHERE job_id = '$job' AND t.kind = 'copy'")" \
    "every chunk committed"
t_assert_eq t "$(pgc_sql dst "$DST_DB" "SELECT attempt > 1 FROM confiture.task_done WHERE job_id = '$job' AND task_id = $killed_task")" \
    "the killed chunk (task $killed_task) was committed by a later attempt"
t_assert_eq "$ROWS" "$(pgc_sql dst "$DST_DB" "SELECT sum(d.rows) FROM confiture.task_done d JOIN confiture.task t USING (job_id, task_id) WHERE job_id = '$job' AND t.kind = 'copy' AND t.relation = 'public.big'")" \
    "the ledger counts every row of big once"
t_assert_eq "done" "$(pgc_sql dst "$DST_DB" "SELECT state FROM confiture.job WHERE job_id = '$job'")" "the job is done"
t_pass
