#!/usr/bin/env bash
#
# t_mask_daemon.sh - masking with a coordinator and workers started as daemons over tcp://,
# every byte of both ZeroMQ sockets recorded by a relay (tests/tools/tcpspy.py). Workers
# hold the key in their environment or in a key file; one has no key and one another key:
# those two get no task of the masked job. The target equals what a private run with the
# same key gives (same key, same output, whatever the worker or mode). A job whose key no
# worker has fails with a clear error. Neither the secret nor the key derived from it ever
# crosses the sockets or appears in a log (all at debug level).
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

t_begin mask_daemon
t_databases
KEY_A='daemon test key A, long enough'
KEY_B='daemon test key B, long enough'
KEY_C='a key that no worker has here'

pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source data"
CREATE TABLE people (id bigint PRIMARY KEY, email text UNIQUE NOT NULL, phone text, city text);
INSERT INTO people SELECT i, 'p' || i || '@example.org', '+44 20 7946 ' || lpad((i % 10000)::text, 4, '0'),
       'city ' || (i % 97) FROM generate_series(1, 20000) AS i;
ANALYZE;
SQL
t_copy_schema || t_fail "schema copy"
cat >"$T_WORK/rules.yaml" <<'YAML'
people:
  - column: email
    strategy: email
  - column: phone
    strategy: phone
YAML

t_step "coordinator and workers behind recording relays"
CTL_PORT=$(free_port)
WORK_PORT=$(free_port)
CTL_SPY=$(free_port)
WORK_SPY=$(free_port)
CAPTURE=$T_WORK/zeromq.capture
: >"$CAPTURE"
python3 "$T_REPO/tests/tools/tcpspy.py" "$CTL_SPY" 127.0.0.1 "$CTL_PORT" "$CAPTURE" &
spies=($!)
python3 "$T_REPO/tests/tools/tcpspy.py" "$WORK_SPY" 127.0.0.1 "$WORK_PORT" "$CAPTURE" &
spies+=($!)
"$T_BIN/confiture-coordinator" --ctl "tcp://127.0.0.1:$CTL_PORT" --work "tcp://127.0.0.1:$WORK_PORT" \
    --worker-timeout-ms 3000 --log-level debug >"$T_WORK/coordinator.log" 2>&1 &
coordinator=$!
printf '%s\n' "$KEY_A" >"$T_WORK/key-a"
chmod 600 "$T_WORK/key-a"
sleep 0.5
worker() { # NAME [ENV...] -- [ARGS...]
    local name=$1
    shift
    env "$@" "$T_BIN/confiture-worker" --connect "tcp://127.0.0.1:$WORK_SPY" --name "$name" \
        --heartbeat-ms 200 --log-level debug >"$T_WORK/$name.log" 2>&1 &
    workers+=($!)
}
workers=()
worker with-env CONFITURE_MASK_KEY="$KEY_A"
env -u CONFITURE_MASK_KEY "$T_BIN/confiture-worker" --connect "tcp://127.0.0.1:$WORK_SPY" \
    --name with-file --mask-key-file "$T_WORK/key-a" --heartbeat-ms 200 --log-level debug \
    >"$T_WORK/with-file.log" 2>&1 &
workers+=($!)
worker without-key -u CONFITURE_MASK_KEY
worker other-key CONFITURE_MASK_KEY="$KEY_B"
stop_all() { kill "$coordinator" "${workers[@]}" "${spies[@]}" 2>/dev/null; wait 2>/dev/null; }
t_cleanup stop_all
sleep 1

t_step "a masked sync: only the workers with the job's key work"
t_assert_exit 0 env CONFITURE_MASK_KEY="$KEY_A" "$T_BIN/confiture" sync \
    --coordinator "tcp://127.0.0.1:$CTL_SPY" --from "$SRC" --to "$DST" --chunk-size 128kB \
    --anonymize --anonymization-config "$T_WORK/rules.yaml" --log-level debug --format json ||
    t_fail "daemon masked sync failed"
t_assert_contains "$(tail -n 1 "$T_OUT")" '"ok":true' "the job succeeds"
workers_used=$(pgc_sql dst "$DST_DB" "SELECT string_agg(DISTINCT worker, ',' ORDER BY worker) FROM confiture.task_done")
t_assert_eq "with-env,with-file" "$workers_used" "only the two workers with key A ran tasks"
t_assert_contains "$(cat "$T_WORK/coordinator.log")" "worker without-key has no masking key" \
    "the coordinator says why the keyless worker gets nothing"
t_assert_contains "$(cat "$T_WORK/coordinator.log")" "worker other-key has masking key" \
    "and why the other-key worker gets nothing"
daemon_digest=$(pgc_sql dst "$DST_DB" "SELECT md5(string_agg(p::text, '|' ORDER BY id)) FROM people p")

t_step "the same key in a private run gives the same target"
t_assert_exit 0 env CONFITURE_MASK_KEY="$KEY_A" "$T_BIN/confiture" sync --from "$SRC" --to "$DST" \
    --workers 2 --anonymize --anonymization-config "$T_WORK/rules.yaml" --log-level debug ||
    t_fail "private masked sync failed"
t_assert_eq "$daemon_digest" \
    "$(pgc_sql dst "$DST_DB" "SELECT md5(string_agg(p::text, '|' ORDER BY id)) FROM people p")" \
    "daemon workers and private workers mask alike"

t_step "a key no worker has: a clear failure"
t_assert_exit 3 env CONFITURE_MASK_KEY="$KEY_C" "$T_BIN/confiture" sync \
    --coordinator "tcp://127.0.0.1:$CTL_SPY" --from "$SRC" --to "$DST" \
    --anonymize --anonymization-config "$T_WORK/rules.yaml"
t_assert_contains "$(cat "$T_ERR")" "no worker has the masking key of this job" "the error says so"
t_assert_contains "$(cat "$T_ERR")" "CONFITURE_MASK_KEY" "and what to do"

t_step "no secret on the wire, none in a log"
t_assert_exit 0 test -s "$CAPTURE"
t_assert_contains "$(strings "$CAPTURE")" "HELLO" "the relays did record the traffic"
derived() { python3 -c 'import hashlib, sys; print(hashlib.blake2b(sys.argv[1].encode(), digest_size=32, key=b"confiture mask key v1").hexdigest())' "$1"; }
for key in "$KEY_A" "$KEY_B" "$KEY_C"; do
    t_assert_eq 0 "$(grep -c -F -- "$key" "$CAPTURE")" "secret not on the wire"
    hex=$(derived "$key")
    t_assert_eq 0 "$(grep -c -F -- "$hex" "$CAPTURE")" "derived key (hex) not on the wire"
    t_assert_eq 0 "$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(bytes.fromhex(sys.argv[2])))' "$CAPTURE" "$hex")" \
        "derived key (bytes) not on the wire"
    t_assert_eq 0 "$(cat "$T_WORK"/*.log "$T_OUT" "$T_ERR" | grep -c -F -- "$key")" "secret in no log"
done

t_pass
