#!/usr/bin/env bash
#
# t_json.sh - `--format json` is for scripts: every line on stdout is a JSON document; a sync
# prints its plan, its events and, last, a summary {ok, command, job, tables, chunks {total,
# done, skipped}, rows, bytes, seconds} whose numbers are the truth (rows = the rows of the
# source); a dry run prints the plan and changes nothing; verify prints {"ok":true,
# "command":"verify",...} and, on a difference, exits 1 with ok false and the table listed.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin json
t_databases
CONFITURE=$T_BIN/confiture

SCHEMA="
CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2));
CREATE TABLE events (id int PRIMARY KEY, account_id bigint, payload jsonb, at timestamptz);
CREATE TABLE tags (name text);
CREATE TABLE empty_one (id int PRIMARY KEY);"

t_step "source: four tables, one empty, one without a key"
t_assert_exit 0 pgc_psql src "$SRC_DB" -c "$SCHEMA
INSERT INTO accounts SELECT g, 'owner \"' || g || E'\"\\\\n', g * 3.25 FROM generate_series(1, 7000) g;
INSERT INTO events SELECT g, 1 + g % 7000, jsonb_build_object('n', g, 'text', E'line\\nbreak \"q\"'),
    timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, 23000) g;
INSERT INTO tags SELECT 'tag ' || g FROM generate_series(1, 1234) g;
ANALYZE;" || t_fail "source data"
t_assert_exit 0 pgc_psql dst "$DST_DB" -c "$SCHEMA
INSERT INTO tags VALUES ('target only');" || t_fail "target schema"
TRUE_ROWS=$(pgc_sql src "$SRC_DB" "SELECT (SELECT count(*) FROM accounts) + (SELECT count(*) FROM events) + (SELECT count(*) FROM tags) + (SELECT count(*) FROM empty_one)")
t_assert_eq 31234 "$TRUE_ROWS" "the source holds 31234 rows"

# check_lines: prints "ok" when every stdout line of the last command is a JSON document,
# else what went wrong.
check_lines() {
    python3 -c '
import json, sys
lines = sys.stdin.read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
if not lines:
    print("no output"); sys.exit()
for i, l in enumerate(lines, 1):
    try:
        json.loads(l)
    except ValueError as e:
        print("line %d is not JSON (%s): %s" % (i, e, l[:200])); sys.exit()
print("ok")' <"$T_OUT" 2>&1
}

t_step "a dry run in JSON prints the plan and changes nothing"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --dry-run --format json --chunk-size 64kB --workers 2
t_assert_eq ok "$(check_lines)" "every stdout line of the dry run is JSON"
t_assert_eq "plan accounts,empty_one,events,tags True" "$(python3 -c '
import json, sys
docs = [json.loads(l) for l in sys.stdin if l.strip()]
plans = [d for d in docs if d.get("event") == "plan"]
p = plans[0] if plans else {}
names = sorted(t["table"].split(".")[-1] for t in p.get("tables", []))
print(p.get("event"), ",".join(names), docs[-1].get("ok"))' <"$T_OUT" 2>&1)" \
    "the dry run prints a plan event listing the four tables, and ends ok"
t_assert_eq "command:sync job:True tables:4 rows:0" "$(python3 -c '
import json, sys
docs = [json.loads(l) for l in sys.stdin if l.strip()]
plan = next((d for d in docs if d.get("event") == "plan"), {})
s = docs[-1]
print("command:%s job:%s tables:%s rows:%s" % (s.get("command"), bool(s.get("job")) and s.get("job") == plan.get("job"),
      s.get("tables"), s.get("rows")))' <"$T_OUT" 2>&1)" \
    "the dry run's summary names the planned job and its 4 tables, and copied no row"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM pg_namespace WHERE nspname = 'confiture'")" \
    "the dry run wrote no ledger"
t_assert_eq "target only" "$(pgc_sql dst "$DST_DB" "SELECT string_agg(name, ',') FROM tags")" \
    "the dry run left the target's rows"

t_step "a sync in JSON"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --format json --chunk-size 64kB --workers 3 ||
    t_fail "sync failed"
cp -- "$T_OUT" "$T_WORK/sync.json"
t_assert_eq ok "$(check_lines)" "every stdout line of the sync is JSON"
t_assert_eq "" "$(grep -v '^confiture' "$T_ERR" | grep -v '^NOTICE' | head -n 3)" "nothing else than log lines on stderr"
summary_check=$(python3 -c '
import json, sys
true_rows = int(sys.argv[1])
docs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
s = docs[-1]
plan = next((d for d in docs if d.get("event") == "plan"), {})
copies = [d for d in docs if d.get("event") == "task_done" and d.get("kind") == "copy"]
out = []
want = {"ok", "command", "job", "tables", "chunks", "rows", "bytes", "seconds"}
out.append("keys:" + ",".join(sorted(want - set(s))))
out.append("ok:%s command:%s" % (s.get("ok"), s.get("command")))
out.append("job:%s" % (bool(s.get("job")) and s.get("job") == plan.get("job")))
out.append("tables:%s" % s.get("tables"))
c = s.get("chunks", {})
out.append("chunks:%s" % (sorted(c) == ["done", "skipped", "total"]))
out.append("total=plan:%s" % (c.get("total") == plan.get("chunks") and c.get("total", 0) > 4))
out.append("done=total:%s" % (c.get("done") == c.get("total") == len(copies)))
out.append("skipped:%s" % c.get("skipped"))
out.append("rows=true:%s" % (s.get("rows") == true_rows))
out.append("rows=events:%s" % (sum(d.get("rows", 0) for d in copies) == true_rows))
out.append("bytes:%s" % (isinstance(s.get("bytes"), int) and s["bytes"] > 0))
out.append("seconds:%s" % (isinstance(s.get("seconds"), (int, float)) and 0 <= s["seconds"] < 600))
print(" ".join(out))' "$TRUE_ROWS" "$T_WORK/sync.json" 2>&1)
t_assert_eq "keys: ok:True command:sync job:True tables:4 chunks:True total=plan:True done=total:True skipped:0 rows=true:True rows=events:True bytes:True seconds:True" \
    "$summary_check" "the last line is the summary, and its numbers are true"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_assert_eq "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["job"])' "$T_WORK/sync.json")" \
    "$(pgc_sql dst "$DST_DB" "SELECT job_id FROM confiture.job WHERE state = 'done'")" \
    "the summary's job is the job recorded on the target"

t_step "verify in JSON"
t_assert_exit 0 "$CONFITURE" verify --from "$SRC" --to "$DST" --format json
t_assert_eq ok "$(check_lines)" "verify prints JSON"
t_assert_eq "1 True verify 4 []" "$(python3 -c '
import json, sys
docs = [json.loads(l) for l in sys.stdin if l.strip()]
d = docs[-1]
print(len(docs), d.get("ok"), d.get("command"), d.get("tables"), json.dumps(d.get("differences")))' <"$T_OUT" 2>&1)" \
    'verify: one document {"ok":true,"command":"verify","tables":4,"differences":[]}'

t_step "verify in JSON on a difference"
pgc_sql dst "$DST_DB" "UPDATE events SET payload = '{}' WHERE id = 777" >/dev/null
t_assert_exit 1 "$CONFITURE" verify --from "$SRC" --to "$DST" --format json
t_assert_eq ok "$(check_lines)" "verify prints JSON on a difference too"
t_assert_eq "False verify public.events 23000 23000" "$(python3 -c '
import json, sys
d = [json.loads(l) for l in sys.stdin if l.strip()][-1]
diffs = d.get("differences") or []
names = [x.get("table", "") for x in diffs]
print(d.get("ok"), d.get("command"), ",".join(names), *[str(x.get(k)) for x in diffs for k in ("source_rows", "target_rows")])' <"$T_OUT" 2>&1)" \
    "verify: ok false, the changed table listed with its row counts"
pgc_sql dst "$DST_DB" "DELETE FROM tags WHERE name = 'tag 5'" >/dev/null
t_assert_exit 1 "$CONFITURE" verify --from "$SRC" --to "$DST" --format json --tables 'public.tags'
t_assert_eq "False public.tags 1234 1233" "$(python3 -c '
import json, sys
d = [json.loads(l) for l in sys.stdin if l.strip()][-1]
x = (d.get("differences") or [{}])[0]
print(d.get("ok"), x.get("table", ""), x.get("source_rows"), x.get("target_rows"))' <"$T_OUT" 2>&1)" \
    "verify --tables: a missing row is listed with both counts"

t_step "a second sync in JSON brings the target back"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --format json --workers 2
t_assert_eq ok "$(check_lines)" "every stdout line is JSON"
t_assert_eq "True $TRUE_ROWS" "$(tail -n 1 "$T_OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], d["rows"])' 2>&1)" \
    "the summary counts every row again"
t_assert_exit 0 "$CONFITURE" verify --from "$SRC" --to "$DST" --format json
t_pass
