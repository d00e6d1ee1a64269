#!/usr/bin/env bash
#
# t_daemon.sh - the same programs as long-running daemons over tcp://: a coordinator and two
# workers started by hand, each with its own environment directory; the CLI submits with
# --coordinator and names environments it has no file for (the daemons resolve them, with a
# secret only they know). The copy is exact, no secret appears in any output, a connection
# string with a password is refused before it could cross the network, malformed frames on
# both sockets are dropped, and the daemons serve a second job and stop cleanly on SIGTERM.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

t_begin daemon
t_databases

t_step "data"
pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source data"
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12, 2));
INSERT INTO accounts SELECT i, 'owner ' || i, i / 7.0 FROM generate_series(1, 60000) AS i;
CREATE TABLE ledger_lines (account bigint REFERENCES accounts, amount numeric, at timestamptz);
INSERT INTO ledger_lines SELECT 1 + i % 60000, i % 1000 - 500, '2026-01-01'::timestamptz + i * interval '1 s'
FROM generate_series(1, 120000) AS i;
ANALYZE;
SQL
t_copy_schema || t_fail "schema copy"

t_step "daemons with their own environments"
mkdir -p "$T_WORK/daemon-env" "$T_WORK/cli-env"
cat >"$T_WORK/daemon-env/production.yaml" <<EOF2
database:
  host: $(pgc_host src)
  port: $(pgc_port src)
  name: $SRC_DB
  user: $(pgc_user src)
  password: \${DAEMON_SECRET}
EOF2
printf 'database_url: postgresql://%s@:%s/%s?host=%s\n' "$(pgc_user dst)" "$(pgc_port dst)" \
    "$DST_DB" "$(pgc_host dst)" >"$T_WORK/daemon-env/staging.yaml"
CTL=tcp://127.0.0.1:$(free_port)
WORK=tcp://127.0.0.1:$(free_port)
DAEMON_SECRET=SECRETDAEMON7 "$T_BIN/confiture-coordinator" --ctl "$CTL" --work "$WORK" \
    --config-dir "$T_WORK/daemon-env" >"$T_WORK/coordinator.log" 2>&1 &
coordinator=$!
workers=()
for i in 1 2; do
    # A short heartbeat: 15 silent intervals (3 s) and a worker says hello again.
    DAEMON_SECRET=SECRETDAEMON7 "$T_BIN/confiture-worker" --connect "$WORK" --name "w$i" \
        --heartbeat-ms 200 --config-dir "$T_WORK/daemon-env" >"$T_WORK/worker$i.log" 2>&1 &
    workers+=($!)
done
stop_daemons() { kill "$coordinator" "${workers[@]}" 2>/dev/null; wait 2>/dev/null; }
t_cleanup stop_daemons

t_step "sync through the coordinator, by environment names the CLI has no file for"
t_assert_exit 0 "$T_BIN/confiture" sync --coordinator "$CTL" --from production --to staging \
    --config-dir "$T_WORK/cli-env" --chunk-size 1MB --format json || t_fail "daemon sync failed"
t_assert_contains "$(tail -n 1 "$T_OUT")" '"ok":true' "the summary says ok"
t_assert_contains "$(tail -n 1 "$T_OUT")" '"rows":180000' "every row is counted"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs"
t_assert_eq 2 "$(pgc_sql dst "$DST_DB" "SELECT count(DISTINCT worker) FROM confiture.task_done")" \
    "both daemon workers did tasks"

t_step "a connection string with a password is refused before anything is sent"
t_assert_exit 3 "$T_BIN/confiture" sync --coordinator "$CTL" \
    --from "$(pgc_dsn src "$SRC_DB") password=SECRETDSN9" --to staging
t_assert_contains "$(t_err)" "cannot be sent to a coordinator" "the refusal says why"
t_assert_not_contains "$(t_out)$(t_err)" "SECRETDSN9" "the refused password is not echoed"

t_step "an unknown environment is reported by the coordinator"
t_assert_exit 3 "$T_BIN/confiture" sync --coordinator "$CTL" --from nowhere --to staging
t_assert_contains "$(t_err)" 'environment "nowhere" not found' "the message names the environment"

t_step "malformed and hostile frames on both sockets are logged and dropped"
t_assert_exit 0 "$T_BIN/badframes" "$CTL"
t_assert_exit 0 "$T_BIN/badframes" "$WORK"
sleep 1
t_assert_eq alive "$(kill -0 "$coordinator" 2>/dev/null && echo alive)" "the coordinator survives them"
t_assert_contains "$(cat "$T_WORK/coordinator.log")" "dropped a malformed message" \
    "the coordinator logs what it dropped"

t_step "a second job on the same daemons"
pgc_sql src "$SRC_DB" "UPDATE accounts SET balance = balance + 1 WHERE id % 100 = 0" >/dev/null
t_assert_exit 0 "$T_BIN/confiture" sync --coordinator "$CTL" --from production --to staging \
    --config-dir "$T_WORK/cli-env" || t_fail "second sync failed"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"

t_step "a coordinator blocked by a lock on the source: workers say hello again, keep their work"
pgc_sql src "$SRC_DB" "UPDATE accounts SET balance = balance - 1 WHERE id % 50 = 0" >/dev/null
pgc_psql src "$SRC_DB" -c "BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(5); COMMIT;" \
    >/dev/null 2>&1 &
locker=$!
sleep 0.5
t_assert_exit 0 "$T_BIN/confiture" sync --coordinator "$CTL" --from production --to staging \
    --config-dir "$T_WORK/cli-env" --chunk-size 1MB || t_fail "sync behind a lock failed"
wait "$locker"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_assert_contains "$(cat "$T_WORK"/worker*.log)" "saying hello again" \
    "the workers did hear nothing for a while and said hello again"
t_assert_not_contains "$(cat "$T_WORK/coordinator.log")" "requeued" "no task was requeued"
t_assert_not_contains "$(cat "$T_WORK/coordinator.log")" "restarted" "no worker was taken for restarted"
t_assert_not_contains "$(cat "$T_WORK/coordinator.log")" "busy with another task" \
    "no task reached a busy worker"

t_step "no secret anywhere, and a clean stop"
kill -TERM "$coordinator" "${workers[@]}"
for pid in "$coordinator" "${workers[@]}"; do
    wait "$pid"
    rc=$?
    t_assert_eq t "$( ((rc == 0 || rc == 130)) && echo t || echo "f ($rc)")" "pid $pid stopped cleanly"
done
all_output=$(cat "$T_WORK"/*.log "$T_WORK"/last.* 2>/dev/null)
t_assert_not_contains "$all_output" "SECRETDAEMON7" "the environment's password is in no log"
t_assert_not_contains "$(pgc_sql dst "$DST_DB" "SELECT string_agg(spec::text || source, ' ') FROM confiture.job")" \
    "SECRETDAEMON7" "nor in the ledger"
t_pass
