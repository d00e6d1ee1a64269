#!/usr/bin/env bash
#
# t_fault_resume.sh - the whole job killed (SIGKILL to the CLI, its coordinator and workers
# at once: a laptop that rebooted, save that the snapshot holder lives in a session of its
# own) and resumed from its checkpoint: once with the snapshot kept (rows changed on the
# source after the kill must not reach the target: the resume reads the first snapshot),
# once with it lost (a plain warning, a new snapshot, still a complete copy); then Ctrl-C
# (exit 130, state interrupted) and a resume; then resumes that must be refused (other
# tables, other masking rules, no checkpoint). Each resume ends with the target checked row
# by row against the source and every chunk committed exactly once.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin fault_resume
t_databases
CONFITURE=$T_BIN/confiture
CP=$T_WORK/sync.json

pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source data"
CREATE TABLE big (id bigint PRIMARY KEY, v text NOT NULL);
INSERT INTO big SELECT i, repeat(md5(i::text), 6) FROM generate_series(1, 240000) AS i;
CREATE TABLE child (id int PRIMARY KEY, big_id bigint NOT NULL REFERENCES big, note text);
INSERT INTO child SELECT i, 1 + (i * 7) % 240000, 'c' || i FROM generate_series(1, 20000) AS i;
CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE);
INSERT INTO users SELECT i, 'u' || i || '@example.org' FROM generate_series(1, 3000) AS i;
ANALYZE;
SQL
t_copy_schema || t_fail "schema copy"

# sync_bg ARGS...: starts a sync in a session of its own (so that one kill reaches the CLI,
# its coordinator and its workers, as a reboot would), output in $T_WORK/bg.{out,err}.
sync_bg() {
    rm -f -- "$CP"
    setsid "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
        --checkpoint "$CP" "$@" >"$T_WORK/bg.out" 2>"$T_WORK/bg.err" &
    BG=$!
}
# wait_chunks N: until the checkpoint says N chunks committed (or 60 s).
wait_chunks() {
    local i
    for ((i = 0; i < 1200; i++)); do
        python3 - "$CP" "$1" 2>/dev/null <<'PY' && return 0
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["chunks"]["done"] >= int(sys.argv[2]) else 1)
PY
        sleep 0.05
    done
    return 1
}
cp_field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d" + sys.argv[2]))' "$CP" "$1"; }
# holders: snapshot holders of this test's jobs (other tests' or users' may run beside)
holders() {
    local pid n=0
    for pid in $(pgrep -f -- "--hold-snapshot"); do
        tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -q "dbname=$SRC_DB\b" && n=$((n + 1))
    done
    echo "$n"
}
kill_holders() {
    local pid
    for pid in $(pgrep -f -- "--hold-snapshot"); do
        tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -q "dbname=$SRC_DB\b" && kill "-$1" "$pid"
    done
}
# once: every copy chunk has exactly one committed row, and their rows add up to the source.
once() {
    t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task t LEFT JOIN confiture.task_done d USING (job_id, task_id) WHERE t.job_id = '$1' AND t.kind = 'copy' AND d.task_id IS NULL")" \
        "$2: every chunk committed"
    t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT (SELECT count(*) FROM big) + (SELECT count(*) FROM child) + (SELECT count(*) FROM users)")" \
        "$(pgc_sql dst "$DST_DB" "SELECT sum(d.rows) FROM confiture.task_done d JOIN confiture.task t USING (job_id, task_id) WHERE t.job_id = '$1' AND t.kind = 'copy'")" \
        "$2: the committed chunks' rows add up to the source's, none twice"
}

t_step "SIGKILL the whole job mid-run; the snapshot holder survives"
sync_bg
wait_chunks 5 || t_fail "no chunk committed in time: $(cat "$T_WORK/bg.err")"
kill -KILL -- "-$BG"
wait "$BG" 2>/dev/null
job=$(cp_field '["job"]')
done_before=$(cp_field '["chunks"]["done"]')
total=$(cp_field '["chunks"]["total"]')
t_assert_eq t "$( ((done_before < total)) && echo t || echo f)" \
    "killed mid-run ($done_before of $total chunks committed)"
t_assert_eq 1 "$(holders)" "the snapshot holder outlived the job"
t_assert_exit 0 "$CONFITURE" status --checkpoint "$CP"
t_assert_contains "$(t_out)" "job $job: loading" "status names the job and its state"
t_assert_contains "$(t_out)" "committed" "status says what is committed"
t_assert_contains "$(t_out)" "--resume" "status says how to finish"
before=$(pgc_checksum src "$SRC_DB" big)
pgc_sql src "$SRC_DB" "UPDATE big SET v = 'changed after the kill' WHERE id % 1000 = 0" >/dev/null

t_step "resume in the kept snapshot"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume --format json || t_fail "resume failed"
t_assert_contains "$(t_out)" "\"resumed\":true" "the plan says it is a resume"
t_assert_contains "$(t_out)" "\"new_snapshot\":false" "in the first snapshot"
summary=$(tail -n 1 "$T_OUT")
t_assert_contains "$summary" '"ok":true' "the resume succeeds"
skipped=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["chunks"]["skipped"])' "$summary")
t_assert_eq t "$( ((skipped >= done_before)) && echo t || echo f)" \
    "chunks.skipped ($skipped) counts the chunks committed before ($done_before)"
t_assert_eq "$before" "$(pgc_checksum dst "$DST_DB" big)" \
    "the target is the source as of the first snapshot (later changes not copied)"
once "$job" "kept snapshot"
t_assert_eq done "$(cp_field '["state"]')" "the checkpoint says done"
t_assert_eq "$total" "$(cp_field '["chunks"]["done"]')" "and counts every chunk, before the resume too"
t_assert_eq "$(cp_field '["tasks"]["total"]')" "$(cp_field '["tasks"]["done"]')" "and every task"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume
t_assert_contains "$(t_err)" "nothing to resume" "a finished job is not resumed again"
sleep 3
t_assert_eq 0 "$(holders)" "the holder let go once the job was done"

t_step "SIGKILL again, and the snapshot lost too"
pgc_sql src "$SRC_DB" "UPDATE big SET v = repeat(md5(id::text), 6) WHERE id % 1000 = 0" >/dev/null
sync_bg
wait_chunks 5 || t_fail "no chunk committed in time"
kill -KILL -- "-$BG"
wait "$BG" 2>/dev/null
kill_holders KILL
sleep 0.5
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume || t_fail "resume in a new snapshot failed"
t_assert_contains "$(t_err)" "snapshot is gone" "the resume says the snapshot is gone"
t_assert_contains "$(t_err)" "not consistent with the chunks copied before" "and what that means"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs"
once "$(cp_field '["job"]')" "new snapshot"

t_step "Ctrl-C, then resume"
sync_bg
wait_chunks 5 || t_fail "no chunk committed in time"
kill -INT "$BG"
wait "$BG"
t_assert_eq 130 "$?" "Ctrl-C exits with 130"
t_assert_contains "$(cat "$T_WORK/bg.err")" "interrupted" "the CLI says the job was interrupted"
t_assert_eq interrupted "$(cp_field '["state"]')" "the checkpoint says interrupted"
job=$(cp_field '["job"]')
t_assert_eq interrupted "$(pgc_sql dst "$DST_DB" "SELECT state FROM confiture.job WHERE job_id = '$job'")" \
    "so does the ledger"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume || t_fail "resume after Ctrl-C failed"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs"
once "$job" "after Ctrl-C"

t_step "a second Ctrl-C leaves at once"
sync_bg
wait_chunks 2 || t_fail "no chunk committed in time"
kill -INT "$BG"
sleep 0.05
kill -INT "$BG" 2>/dev/null # the first may have been enough already
wait "$BG"
t_assert_eq 130 "$?" "two Ctrl-C: exit 130"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume || t_fail "resume after two Ctrl-C failed"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs"

t_step "a job begun privately is resumed through a coordinator"
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
CTL=tcp://127.0.0.1:$(port)
WORK=tcp://127.0.0.1:$(port)
"$T_BIN/confiture-coordinator" --ctl "$CTL" --work "$WORK" >"$T_WORK/daemon.log" 2>&1 &
daemons=($!)
for i in 1 2; do
    "$T_BIN/confiture-worker" --connect "$WORK" --name "d$i" >>"$T_WORK/daemon.log" 2>&1 &
    daemons+=($!)
done
stop_daemons() { kill "${daemons[@]}" 2>/dev/null; wait "${daemons[@]}" 2>/dev/null; }
t_cleanup stop_daemons
sync_bg
wait_chunks 5 || t_fail "no chunk committed in time"
kill -INT "$BG"
wait "$BG"
job=$(cp_field '["job"]')
t_assert_exit 0 "$CONFITURE" sync --coordinator "$CTL" --from "$SRC" --to "$DST" --workers 2 \
    --chunk-size 256kB --checkpoint "$CP" --resume || t_fail "resume through a coordinator failed"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs"
once "$job" "resumed through a coordinator"
t_assert_eq t "$(pgc_sql dst "$DST_DB" "SELECT count(*) > 0 FROM confiture.task_done WHERE job_id = '$job' AND worker LIKE 'd_'")" \
    "the daemon workers did the rest"
stop_daemons

t_step "resumes that must be refused"
cat >"$T_WORK/rules-a.yaml" <<'YAML'
users:
  - column: email
    strategy: email
YAML
cat >"$T_WORK/rules-b.yaml" <<'YAML'
users:
  - column: email
    strategy: hash
YAML
export CONFITURE_MASK_KEY='fault suite key, long enough'
sync_bg --anonymize --anonymization-config "$T_WORK/rules-a.yaml"
wait_chunks 3 || t_fail "no chunk committed in time"
kill -INT "$BG"
wait "$BG"
dst_before=$(pgc_checksum dst "$DST_DB" big)
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume --tables big
t_assert_contains "$(t_err)" "--tables differ" "other tables: refused, and why"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume --anonymize --anonymization-config "$T_WORK/rules-b.yaml"
t_assert_contains "$(t_err)" "masking rules differ" "other masking rules: refused"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 1MB \
    --checkpoint "$CP" --resume --anonymize --anonymization-config "$T_WORK/rules-a.yaml"
t_assert_contains "$(t_err)" "--chunk-size differs" "another chunking: refused"
t_assert_eq "$dst_before" "$(pgc_checksum dst "$DST_DB" big)" "a refused resume changes nothing"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --checkpoint "$T_WORK/none.json" --resume
t_assert_contains "$(t_err)" "cannot read the checkpoint" "no checkpoint file: refused"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 256kB \
    --checkpoint "$CP" --resume --anonymize --anonymization-config "$T_WORK/rules-a.yaml" ||
    t_fail "the right resume failed"
t_assert_exit 0 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii \
    --anonymization-config "$T_WORK/rules-a.yaml"
unset CONFITURE_MASK_KEY
sleep 3
t_assert_eq 0 "$(holders)" "no snapshot holder is left after the jobs ended"

t_step "a new snapshot that breaks a foreign key is reported, never a silent success"
# One worker copies big's chunks in key order, then child's. Kill it a few chunks in: big's
# first chunk (keys below its first bound, -1 included) is committed, child's are not. Then a
# parent row -1 and a child row pointing at it appear on the source, and the snapshot is lost:
# the resume copies the child row but never the parent row.
sync_bg --workers 1 --tables big,child
wait_chunks 5 || t_fail "no chunk committed in time"
kill -KILL -- "-$BG"
wait "$BG" 2>/dev/null
t_assert_eq 0 "$(cp_field '["per_table"][1]["done"]')" "(no chunk of child was committed yet)"
kill_holders KILL
pgc_sql src "$SRC_DB" "INSERT INTO big VALUES (-1, 'late'); INSERT INTO child VALUES (-1, -1, 'late')" >/dev/null
t_assert_exit 6 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 1 --chunk-size 256kB \
    --checkpoint "$CP" --resume --tables big,child
t_assert_contains "$(t_err)" "public.child" "the failure names the table"
t_assert_contains "$(t_err)" "child_big_id_fkey" "and the constraint"
t_assert_contains "$(t_err)" "Copy the tables of this foreign key again" "and the repair"
t_assert_contains "$(t_err)" "VALIDATE CONSTRAINT child_big_id_fkey" "with the statement that validates it after"
pgc_sql src "$SRC_DB" "DELETE FROM child WHERE id = -1; DELETE FROM big WHERE id = -1" >/dev/null
t_assert_eq 1 "$(holders)" "the failed job keeps its (new) snapshot for another resume"
kill_holders TERM
t_pass
