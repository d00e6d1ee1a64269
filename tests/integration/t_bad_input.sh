#!/usr/bin/env bash
#
# t_bad_input.sh - every way a user can get a sync wrong is refused with its documented exit
# code and a message that names what to fix, and the target is left exactly as it was: same
# rows (fingerprints of every table), same columns, indexes, constraints and triggers, and no
# "confiture" schema. Covered: a missing environment file (the hint lists the environments
# there), malformed YAML (file and line), an unset ${VAR}, an unknown --tables pattern, an
# unreachable server, a role and a database that do not exist, a target missing a table or a
# column or with an extra NOT NULL column, a bad --chunk-size, an unknown option; the JSON
# error envelope on stdout; a password never printed, whatever went wrong.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin bad_input
t_databases
t_createdb dst notable
DST_NOTABLE=$T_DB
t_createdb dst nocolumn
DST_NOCOLUMN=$T_DB
t_createdb dst extracol
DST_EXTRACOL=$T_DB
t_createdb dst password
DST_PASSWORD=$T_DB
DST_PORT=$(pgc_port dst)
CONFITURE=$T_BIN/confiture
ENVS=$T_WORK/environments
SECRET=SECRETXYZ

t_step "source with two tables, targets pre-filled with other rows"
t_assert_exit 0 pgc_psql src "$SRC_DB" -c "
CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int);
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
INSERT INTO items SELECT g, 'item ' || g, g % 7 FROM generate_series(1, 2000) g;
INSERT INTO notes SELECT g, repeat('n', g % 50) FROM generate_series(1, 500) g;
ANALYZE;" || t_fail "source setup"

# The same schema as the source, with rows of its own that a refused sync must not touch.
# shellcheck disable=SC2317  # called through t_assert_exit
make_target() {
    local db=$1 items_ddl=${2:-"CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int)"}
    local with_notes=${3:-1} post=${4:-}
    pgc_psql dst "$db" -c "$items_ddl" &&
        pgc_psql dst "$db" -c "CREATE INDEX items_name ON items (name)" &&
        pgc_psql dst "$db" -c "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \$\$BEGIN NEW.name := NEW.name || '!'; RETURN NEW; END\$\$" &&
        pgc_psql dst "$db" -c "CREATE TRIGGER items_touch BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION touch()" &&
        pgc_psql dst "$db" -c "ALTER TABLE items DISABLE TRIGGER items_touch" &&
        pgc_psql dst "$db" -c "INSERT INTO items (id, name) VALUES (-1, 'target only'), (-2, 'keep me')" &&
        pgc_psql dst "$db" -c "ALTER TABLE items ENABLE TRIGGER items_touch" || return 1
    if [[ -n $post ]]; then
        pgc_psql dst "$db" -c "$post" || return 1
    fi
    if ((with_notes)); then
        pgc_psql dst "$db" -c "CREATE TABLE notes (id bigint PRIMARY KEY, body text);
            INSERT INTO notes VALUES (-1, 'target note')" || return 1
    fi
}
t_assert_exit 0 make_target "$DST_DB" || t_fail "target setup"
t_assert_exit 0 make_target "$DST_NOTABLE" "" 0 || t_fail "target setup (no notes)"
t_assert_exit 0 make_target "$DST_NOCOLUMN" "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)" ||
    t_fail "target setup (no qty)"
t_assert_exit 0 make_target "$DST_EXTRACOL" "" 1 \
    "ALTER TABLE items ADD COLUMN sku text; UPDATE items SET sku = 'SKU' || id; ALTER TABLE items ALTER sku SET NOT NULL" ||
    t_fail "target setup (extra sku)"

# Everything a user could look at on a target: rows of every table, columns, constraints,
# indexes, triggers and their state, schemas.
target_state() {
    local db=$1 t
    pgc_sql dst "$db" "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1" |
        while IFS= read -r t; do
            printf '%s %s\n' "$t" "$(pgc_checksum dst "$db" "$t")"
        done
    pgc_sql dst "$db" "
SELECT 'schemas: ' || string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace
 WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
UNION ALL
SELECT 'columns: ' || string_agg(format('%s.%s %s %s %s', attrelid::regclass, attname,
       format_type(atttypid, atttypmod), attnotnull, atthasdef), ', ' ORDER BY attrelid::regclass::text, attnum)
  FROM pg_attribute WHERE attrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r')
   AND attnum > 0 AND NOT attisdropped
UNION ALL
SELECT 'constraints: ' || string_agg(format('%s %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid), convalidated), ', ' ORDER BY conname)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'indexes: ' || string_agg(pg_get_indexdef(indexrelid) || ' ' || indisvalid, ', ' ORDER BY indexrelid::regclass::text)
  FROM pg_index WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
UNION ALL
SELECT 'triggers: ' || string_agg(format('%s %s %s', tgrelid::regclass, tgname, tgenabled), ', ' ORDER BY tgname)
  FROM pg_trigger WHERE NOT tgisinternal"
}

declare -A BEFORE
for db in "$DST_DB" "$DST_NOTABLE" "$DST_NOCOLUMN" "$DST_EXTRACOL"; do
    BEFORE[$db]=$(target_state "$db") || t_fail "cannot fingerprint $db"
done
t_assert_contains "${BEFORE[$DST_DB]}" "public.items 2 " "the fingerprint sees the target's own rows"
t_assert_contains "${BEFORE[$DST_DB]}" "items_touch O" "the fingerprint sees the target's trigger"

# unchanged DB WHAT: the target is exactly as it was, and has no ledger.
unchanged() {
    local db=$1 what=$2
    t_assert_eq "${BEFORE[$db]}" "$(target_state "$db")" "$what: the target is left exactly as it was"
    t_assert_eq 0 "$(pgc_sql dst "$db" "SELECT count(*) FROM pg_namespace WHERE nspname = 'confiture'")" \
        "$what: no confiture schema on the target"
}

# json_error CODE: stdout of the last command is one JSON line, the error envelope with CODE.
json_error() {
    local want=$1 what=$2 got
    got=$(python3 -c '
import json, sys
lines = [l for l in sys.stdin.read().splitlines() if l.strip()]
if len(lines) != 1:
    print("%d lines on stdout" % len(lines)); sys.exit(0)
d = json.loads(lines[0])
e = d.get("error") or {}
print("ok=%s command=%s code=%s message=%s hint=%s" % (d.get("ok"), d.get("command"), e.get("code"),
      bool(e.get("message")), bool(e.get("hint"))))
' <"$T_OUT" 2>&1)
    t_assert_eq "ok=False command=sync code=$want message=True hint=True" "$got" \
        "$what: the JSON error envelope on stdout"
}

mkdir -p -- "$ENVS"
printf 'database_url: "%s"\n' "$SRC" >"$ENVS/source.yaml"
printf 'database_url: "%s"\n' "$DST" >"$ENVS/target.yaml"

t_step "the environment files work (sanity: the failures below are the input's fault)"
t_assert_exit 0 "$CONFITURE" sync --from source --to target --config-dir "$ENVS" --dry-run
t_assert_contains "$(t_out)" "public.items" "a dry run through the environment files plans items"
unchanged "$DST_DB" "dry run"

t_step "missing environment file"
t_assert_exit 3 "$CONFITURE" sync --from source --to staging --config-dir "$ENVS"
t_assert_contains "$(t_err)" "$ENVS/staging.yaml" "the message names the file it looked for"
t_assert_contains "$(t_err)" "hint: environments in $ENVS: source, target" \
    "the hint lists the environments there"
t_assert_exit 3 "$CONFITURE" sync --from source --to staging --config-dir "$ENVS" --format json
json_error config "missing environment"
t_assert_contains "$(t_out)" "staging.yaml" "the JSON message names the file"
t_assert_exit 3 "$CONFITURE" verify --from staging --to target --config-dir "$ENVS"
t_assert_contains "$(t_err)" "$ENVS/staging.yaml" "verify names the missing file too"
unchanged "$DST_DB" "missing environment"

t_step "malformed YAML"
printf '# staging, for the demo\ndatabase_url: postgresql://app@localhost/app\n  port: 5432\n' \
    >"$ENVS/broken.yaml"
t_assert_exit 3 "$CONFITURE" sync --from source --to broken --config-dir "$ENVS"
t_assert_contains "$(t_err)" "$ENVS/broken.yaml:3" "the message names the file and line 3"
t_assert_contains "$(t_err)" "hint:" "with a hint"
unchanged "$DST_DB" "malformed YAML"

t_step "unset \${VAR}"
unset CONFITURE_T_UNSET_DB
# shellcheck disable=SC2016  # the file holds a literal ${VAR}
printf '# uses a variable\ndatabase_url: "%s dbname=${CONFITURE_T_UNSET_DB}"\n' "$DST" >"$ENVS/needsvar.yaml"
t_assert_exit 3 "$CONFITURE" sync --from source --to needsvar --config-dir "$ENVS"
t_assert_contains "$(t_err)" "needsvar.yaml:2" "the message names the file and line"
t_assert_contains "$(t_err)" 'CONFITURE_T_UNSET_DB} is not set' "the message names the variable"
t_assert_contains "$(t_err)" "hint: export CONFITURE_T_UNSET_DB" "the hint says how to set it"
CONFITURE_T_UNSET_DB=$DST_DB t_assert_exit 0 "$CONFITURE" sync --from source --to needsvar \
    --config-dir "$ENVS" --dry-run
unchanged "$DST_DB" "unset variable"

t_step "unknown table in --tables"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --tables 'public.items,public.no_such_table'
t_assert_contains "$(t_err)" '"public.no_such_table" matches no table' "the message names the pattern"
t_assert_contains "$(t_err)" "hint:" "with a hint"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --tables public.no_such_table --format json
json_error usage "unknown table"
unchanged "$DST_DB" "unknown table"

t_step "unreachable server"
free_port=59871
while (: <>"/dev/tcp/127.0.0.1/$free_port") 2>/dev/null; do free_port=$((free_port + 1)); done
t_assert_exit 4 "$CONFITURE" sync --from "$SRC" --to "host=127.0.0.1 port=$free_port dbname=$DST_DB"
t_assert_contains "$(t_err)" "cannot connect to the target database" "the message says which side"
t_assert_contains "$(t_err)" "port $free_port" "the message names the port"
t_assert_exit 4 "$CONFITURE" sync --from "host=127.0.0.1 port=$free_port dbname=$SRC_DB" --to "$DST"
t_assert_contains "$(t_err)" "cannot connect to the source database" "the source side too"
t_assert_exit 4 "$CONFITURE" sync --from "$SRC" --to "host=127.0.0.1 port=$free_port dbname=$DST_DB" --format json
json_error connect "unreachable"
unchanged "$DST_DB" "unreachable server"

t_step "a role that does not exist, a database that does not exist"
t_assert_exit 4 "$CONFITURE" sync --from "$SRC" --to "$DST user=no_such_role_t"
t_assert_contains "$(t_err)" 'role "no_such_role_t" does not exist' "the message names the role"
t_assert_exit 4 "$CONFITURE" sync --from "$SRC" --to "$(pgc_dsn dst no_such_db_t)"
t_assert_contains "$(t_err)" 'database "no_such_db_t" does not exist' "the message names the database"
t_assert_exit 4 "$CONFITURE" verify --from "$SRC" --to "$(pgc_dsn dst no_such_db_t)"
t_assert_contains "$(t_err)" 'database "no_such_db_t" does not exist' "verify names it too"
unchanged "$DST_DB" "bad role or database"

t_step "wrong password"
# A role that must give a password over TCP (the clusters trust everyone else).
pgc_sql dst postgres "DROP ROLE IF EXISTS pw_user_t; CREATE ROLE pw_user_t LOGIN PASSWORD 'right-one'; GRANT ALL ON DATABASE $DST_DB TO pw_user_t" >/dev/null
hba=$(pgc_sql dst postgres "SHOW hba_file")
if ! grep -q pw_user_t "$hba"; then
    { echo "host all pw_user_t 127.0.0.1/32 scram-sha-256"; cat "$hba"; } >"$hba.new" &&
        cat "$hba.new" >"$hba" && rm -f "$hba.new"
fi
pgc_sql dst postgres "SELECT pg_reload_conf()" >/dev/null
sleep 0.3
t_cleanup 'sed -i "/pw_user_t/d" "'"$hba"'"; pgc_sql dst postgres "SELECT pg_reload_conf()"'
WRONG=WrongPassword4711
t_assert_exit 4 "$CONFITURE" sync --from "$SRC" --to "$(pgc_tcp_dsn dst "$DST_DB" | sed 's/ user=[^ ]*$//') user=pw_user_t password=$WRONG"
t_assert_contains "$(t_err)" 'password authentication failed for user "pw_user_t"' \
    "the message says the password was refused, for which user"
t_assert_contains "$(t_err)" "hint: check the user and password" "the hint says what to check"
t_assert_not_contains "$(t_out)$(t_err)" "$WRONG" "the wrong password is not printed"
t_assert_exit 4 "$CONFITURE" sync --from "$SRC" --to "$(pgc_tcp_dsn dst "$DST_DB" | sed 's/ user=[^ ]*$//') user=pw_user_t" \
    --format json
json_error connect "no password"
unchanged "$DST_DB" "wrong password"

t_step "target missing a table"
t_assert_exit 5 "$CONFITURE" sync --from "$SRC" --to "$(pgc_dsn dst "$DST_NOTABLE")"
t_assert_contains "$(t_err)" "public.notes is missing on the target" "the message names the table"
t_assert_contains "$(t_err)" "hint:" "with a hint"
t_assert_exit 5 "$CONFITURE" sync --from "$SRC" --to "$(pgc_dsn dst "$DST_NOTABLE")" --format json
json_error schema "missing table"
unchanged "$DST_NOTABLE" "missing table"

t_step "target missing a column"
t_assert_exit 5 "$CONFITURE" sync --from "$SRC" --to "$(pgc_dsn dst "$DST_NOCOLUMN")" --workers 2
t_assert_contains "$(t_err)" "public.items.qty" "the message names the column"
t_assert_contains "$(t_err)" "missing on the target" "and what is wrong with it"
unchanged "$DST_NOCOLUMN" "missing column"

t_step "target with an extra NOT NULL column without default"
t_assert_exit 5 "$CONFITURE" sync --from "$SRC" --to "$(pgc_dsn dst "$DST_EXTRACOL")" --tables public.items
t_assert_contains "$(t_err)" "public.items.sku" "the message names the column"
t_assert_contains "$(t_err)" "NOT NULL" "and says why it is a problem"
unchanged "$DST_EXTRACOL" "extra NOT NULL column"

t_step "invalid --chunk-size, unknown option"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --chunk-size lots
t_assert_contains "$(t_err)" '--chunk-size "lots"' "the message names the option and value"
t_assert_contains "$(t_err)" "64MB" "the hint shows a valid size"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --chunk-size 0
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --chunk-size 100
t_assert_contains "$(t_err)" "too small" "a chunk size under 1kB is refused, saying why"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --bogus-option
t_assert_contains "$(t_err)" "bogus-option" "the message names the unknown option"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC"
t_assert_contains "$(t_err)" "--to" "a missing --to is named"
unchanged "$DST_DB" "bad options"
# A script that asked for JSON reads stdout, whatever went wrong.
t_assert_exit 2 "$CONFITURE" sync --format json --from "$SRC" --to "$DST" --chunk-size lots
json_error usage "invalid --chunk-size with --format json"

t_step "a password never appears in any output"
printf 'database_url: "host=127.0.0.1 port=%s dbname=%s user=no_such_role_t password=%s"\n' \
    "$DST_PORT" "$DST_DB" "$SECRET" >"$ENVS/withpw.yaml"
printf 'database_url: "postgresql://no_such_role_t:%s@127.0.0.1:%s/%s"\n' \
    "$SECRET" "$DST_PORT" "$DST_DB" >"$ENVS/withpwuri.yaml"
printf 'database:\n  host: 127.0.0.1\n  port: %s\n  name: %s\n  user: no_such_role_t\n  password: %s\n' \
    "$DST_PORT" "$DST_DB" "$SECRET" >"$ENVS/withpwmap.yaml"
for target in "host=127.0.0.1 port=$DST_PORT dbname=$DST_DB user=no_such_role_t password=$SECRET" \
    "$DST user=no_such_role_t password=$SECRET" \
    "postgresql://no_such_role_t:$SECRET@127.0.0.1:$DST_PORT/$DST_DB" \
    "postgresql://no_such_role_t@127.0.0.1:$DST_PORT/$DST_DB?password=$SECRET" \
    "postgresql://no_such_role_t:$SECRET@127.0.0.1:$DST_PORT/$DST_DB?sslmode=bogus" \
    "host=127.0.0.1 port=$DST_PORT dbname=$DST_DB user=no_such_role_t password=$SECRET bogus=1" \
    withpw withpwuri withpwmap; do
    for cmd in sync verify; do
        for format in text json; do
            t_run "$CONFITURE" "$cmd" --from source --to "$target" --config-dir "$ENVS" --format "$format"
            label="$cmd --format $format --to ${target//$SECRET/***}"
            if ((T_RC != 3 && T_RC != 4)); then
                t_assert_eq "3 or 4" "$T_RC" "$label: refused"
            fi
            t_assert_not_contains "$(t_out)$(t_err)" "$SECRET" "$label: no password in the output"
        done
    done
done
unchanged "$DST_DB" "bad passwords"

t_step "a successful sync with passwords in both connection strings prints none"
# Trust authentication ignores the password: the sync works and the secret travels everywhere.
t_assert_exit 0 pgc_psql dst "$DST_PASSWORD" -c "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int);
    CREATE TABLE notes (id bigint PRIMARY KEY, body text)"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC password=$SECRET" \
    --to "$(pgc_dsn dst "$DST_PASSWORD") password=$SECRET" --workers 2 --chunk-size 16kB --log-level debug
t_assert_not_contains "$(t_out)$(t_err)" "$SECRET" "no password in a debug log of a sync"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC password=$SECRET" \
    --to "$(pgc_dsn dst "$DST_PASSWORD") password=$SECRET" --workers 2 --format json
t_assert_not_contains "$(t_out)$(t_err)" "$SECRET" "no password in the JSON output of a sync"
t_assert_eq 0 "$(pgc_sql dst "$DST_PASSWORD" "SELECT count(*) FROM confiture.job WHERE source LIKE '%$SECRET%' OR spec::text LIKE '%$SECRET%'")" \
    "no password in the ledger on the target"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_PASSWORD"
t_pass
