#!/usr/bin/env bash
#
# t_verify_pii.sh - confiture verify --pii: the leak scan of the masked columns. The target is
# built by hand (no sync): the source's rows, then the "masked" columns changed by UPDATE.
# Checks: a clean masked copy passes (exit 0) with every compared column's row count; values
# without a letter or digit and 'infinity' are not counted; strategies that cannot carry
# their input, a table without a usable key (none, nullable, masked), a column missing on the
# target are reported skipped; a composite key and a quoted, mixed-case table and column
# work; three rows holding their source value are a leak (exit 1, text and JSON, no value
# printed); a changed unmasked column is still a difference; rules naming a missing table or
# column, rules naming no selected table and a missing rules file are configuration errors
# (exit 3); verify without --pii still compares every column.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin verify_pii
t_databases
CONFITURE=${CONFITURE:-$T_BIN/confiture}
RULES=$T_WORK/anonymization.yaml

# shellcheck disable=SC2016  # $$ quotes SQL literals
SCHEMA='
CREATE TABLE public.users (id int PRIMARY KEY, email text, phone text, name text, notes text,
    born date, secret text, city text);
CREATE TABLE public.logs (msg text, email text);
CREATE TABLE public."Client Files" ("Id" int PRIMARY KEY, "E-mail" text);
CREATE TABLE public.users_roles (user_id int, role text, contact text, PRIMARY KEY (user_id, role));
CREATE TABLE public.accounts (email text PRIMARY KEY, nick text);
CREATE TABLE public.contacts (id int PRIMARY KEY, email text, fax text);
CREATE TABLE public.badges (badge_no int NOT NULL UNIQUE, holder text);
CREATE TABLE public.tokens (token text UNIQUE, code text);
CREATE TABLE public.plain (id int PRIMARY KEY, v text);'

# shellcheck disable=SC2016
ROWS='
INSERT INTO public.users SELECT g, $$user$$ || g || $$@example.com$$, $$+1555$$ || lpad(g::text, 7, $$0$$),
    $$Name $$ || g,
    CASE WHEN g % 10 = 0 THEN NULL WHEN g % 10 = 1 THEN $$---$$ ELSE $$note about $$ || g END,
    CASE WHEN g % 100 = 0 THEN $$infinity$$::date ELSE date $$1970-01-01$$ + g END,
    $$secret $$ || g, $$City $$ || g % 7
    FROM generate_series(1, 1000) g;
INSERT INTO public.logs SELECT $$message $$ || g, $$log$$ || g || $$@example.com$$ FROM generate_series(1, 50) g;
INSERT INTO public."Client Files" SELECT g, $$client$$ || g || $$@example.com$$ FROM generate_series(1, 20) g;
INSERT INTO public.users_roles SELECT g % 100, $$role $$ || g / 100, $$contact$$ || g || $$@example.com$$
    FROM generate_series(0, 199) g;
INSERT INTO public.accounts SELECT $$account$$ || g || $$@example.com$$, $$nick $$ || g FROM generate_series(1, 30) g;
INSERT INTO public.contacts SELECT g, $$contact$$ || g || $$@example.com$$, $$+33 1 $$ || g FROM generate_series(1, 40) g;
INSERT INTO public.badges SELECT g * 3, $$Holder $$ || g FROM generate_series(1, 60) g;
INSERT INTO public.tokens SELECT $$tok$$ || g, $$code $$ || g FROM generate_series(1, 10) g;
INSERT INTO public.plain SELECT g, $$v $$ || g FROM generate_series(1, 10) g;'

# What a masking sync would have written: every masked column changed, except the values it
# leaves as they are by design (NULL, no letter or digit, infinity).
# shellcheck disable=SC2016
MASK='
UPDATE public.users SET email = $$masked$$ || id || $$@example.org$$,
    phone = $$+1999$$ || lpad(id::text, 7, $$0$$), name = $$Masked $$ || id,
    notes = CASE WHEN notes ~ $$[[:alnum:]]$$ THEN $$masked note $$ || id ELSE notes END,
    born = CASE WHEN born = $$infinity$$ THEN born ELSE born + 1 END, secret = $$REDACTED$$;
UPDATE public.logs SET email = md5(email) || $$@example.org$$;
UPDATE public."Client Files" SET "E-mail" = $$m$$ || "Id" || $$@example.org$$;
UPDATE public.users_roles SET contact = $$m$$ || user_id || role || $$@example.org$$;
UPDATE public.accounts SET nick = $$masked $$ || nick;
UPDATE public.contacts SET email = $$m$$ || id || $$@example.org$$;
ALTER TABLE public.contacts DROP COLUMN fax;
UPDATE public.badges SET holder = $$Masked $$ || badge_no;
UPDATE public.tokens SET code = md5(code);'

cat >"$RULES" <<'EOF'
users:
  - column: email
    strategy: email
  - column: phone
    strategy: phone
  - column: name
    strategy: name
  - column: notes
    strategy: text
  - column: born
    strategy: date
  - column: secret
    strategy: redact
logs:
  - column: email
    strategy: email
'"Client Files"':
  - column: E-mail
    strategy: email
users_roles:
  - column: contact
    strategy: text
accounts:
  - column: email
    strategy: email
  - column: nick
    strategy: name
contacts:
  - column: email
    strategy: email
  - column: fax
    strategy: phone
badges:
  - column: holder
    strategy: name
tokens:
  - column: code
    strategy: hash
EOF

t_step "source and a hand-masked target"
t_assert_exit 0 pgc_psql src "$SRC_DB" -c "$SCHEMA" -c "$ROWS" || t_fail "source"
t_assert_exit 0 pgc_psql dst "$DST_DB" -c "$SCHEMA" -c "$ROWS" -c "$MASK" || t_fail "target"

# line NAME: the output line of a masked column (schema.table.column).
line() { grep -F -- "$1 " "$T_OUT" | head -n 1; }

# json EXPR: evaluates a Python expression over the JSON document on stdout (d).
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T_OUT" "$1" 2>&1; }

t_step "a clean masked copy: ok, every row compared"
t_assert_exit 0 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$RULES"
t_assert_contains "$(t_out)" "verified 9 tables: the unmasked columns match; 9 masked columns compared, none holds its source value (6 skipped)" "summary line"
t_assert_contains "$(line public.users.email)" "checked 1000  equal 0  ok" "users.email: every row compared"
t_assert_contains "$(line public.users.phone)" "checked 1000  equal 0  ok" "users.phone"
t_assert_contains "$(line public.users.name)" "checked 1000  equal 0  ok" "users.name"
t_assert_contains "$(line public.users.notes)" "checked 800  equal 0  ok" "users.notes: NULL and '---' are not counted"
t_assert_contains "$(line public.users.born)" "checked 990  equal 0  ok" "users.born: infinity is not counted"
t_assert_contains "$(line public.users.secret)" "skipped: redact" "users.secret: redact is not compared"
t_assert_contains "$(line public.logs.email)" "skipped: no primary key or unique key to pair rows" "logs: no key"
t_assert_contains "$(line 'public.Client Files.E-mail')" "checked 20  equal 0  ok" "a quoted mixed-case table and column"
t_assert_contains "$(line public.users_roles.contact)" "checked 200  equal 0  ok" "a composite primary key"
t_assert_contains "$(line public.accounts.nick)" "skipped: its unique keys hold masked columns" "a masked primary key pairs nothing"
t_assert_contains "$(line public.contacts.email)" "checked 40  equal 0  ok" "contacts.email"
t_assert_contains "$(line public.contacts.fax)" "skipped: missing on the target" "a column missing on the target"
t_assert_contains "$(line public.badges.holder)" "checked 60  equal 0  ok" "a NOT NULL unique key pairs the rows"
t_assert_contains "$(line public.tokens.code)" "skipped: no primary key or unique key to pair rows" "a nullable unique key does not"
t_assert_contains "$(line public.users)" "1000         1000  ok" "users: the unmasked columns are equal"

t_step "without --pii, verify compares every column as before"
t_assert_exit 1 "$CONFITURE" verify --from "$SRC" --to "$DST" --tables public.users
t_assert_contains "$(t_out)" "DIFFERENT ROWS" "the masked columns differ"
t_assert_not_contains "$(t_out)" "checked" "no leak scan"

t_step "three rows hold their source email: a leak"
# shellcheck disable=SC2016
t_assert_exit 0 pgc_sql dst "$DST_DB" 'UPDATE public.users SET email = $$user$$ || id || $$@example.com$$ WHERE id IN (5, 500, 999)'
t_assert_exit 1 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$RULES"
t_assert_contains "$(line public.users.email)" "checked 1000  equal 3  LEAK" "the leaking column's line"
t_assert_contains "$(line public.users.phone)" "equal 0  ok" "the other columns are still ok"
t_assert_contains "$(t_err)" "confiture: error: PII leak: public.users.email holds its source value in 3 of 1000 rows" "the error names the column"
t_assert_not_contains "$(t_out)$(t_err)" "example.com" "no value is printed"
t_assert_exit 1 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$RULES" --format json
t_assert_eq "False 1 [] leak 3 1000 None" \
    "$(json '" ".join(str(x) for x in [d["ok"], d["leaks"], d["differences"]] + [[p["status"], p["equal"], p["checked"], p["reason"]] for p in d["pii"] if p["table"] == "public.users" and p["column"] == "email"][0])')" \
    "JSON: ok false, one leak, users.email equal 3"
t_assert_eq "skipped no primary key or unique key to pair rows" \
    "$(json '" ".join([[p["status"], p["reason"]] for p in d["pii"] if p["table"] == "public.logs"][0])')" \
    "JSON: a skipped column and its reason"
t_assert_eq "15 ok" "$(json 'str(len(d["pii"])) + " " + [p["status"] for p in d["pii"] if p["column"] == "phone"][0]')" \
    "JSON: one entry per masked column"
t_assert_not_contains "$(t_out)" "example.com" "JSON: no value is printed"
# shellcheck disable=SC2016
t_assert_exit 0 pgc_sql dst "$DST_DB" 'UPDATE public.users SET email = $$masked$$ || id || $$@example.org$$ WHERE id IN (5, 500, 999)'

t_step "leaks where the strategy leaves some values as they are: counted, those values are not"
# notes (text) and users_roles.contact (text, paired by a composite key): the equal rows are
# looked at again on the source, and only '---' and NULL stay out of the counts; past
# CONFITURE_LEAKSCAN_RECHECK_MAX equal rows a column is read again with the source filtered
# row by row instead: the same counts.
# shellcheck disable=SC2016
t_assert_exit 0 pgc_sql dst "$DST_DB" 'UPDATE public.users SET notes = $$note about $$ || id WHERE id IN (12, 13);
    UPDATE public.users_roles SET contact = $$contact7@example.com$$ WHERE user_id = 7 AND role = $$role 0$$'
for max in "" 1; do
    t_assert_exit 1 env CONFITURE_LEAKSCAN_RECHECK_MAX="$max" "$CONFITURE" verify --from "$SRC" --to "$DST" \
        --pii --anonymization-config "$RULES"
    t_assert_contains "$(line public.users.notes)" "checked 800  equal 2  LEAK" "notes: 2 leaks, '---' not counted (limit '$max')"
    t_assert_contains "$(line public.users.born)" "checked 990  equal 0  ok" "born: infinity not counted (limit '$max')"
    t_assert_contains "$(line public.users_roles.contact)" "checked 200  equal 1  LEAK" "a leak paired by a composite key (limit '$max')"
done
# shellcheck disable=SC2016
t_assert_exit 0 pgc_sql dst "$DST_DB" 'UPDATE public.users SET notes = $$masked note $$ || id WHERE id IN (12, 13);
    UPDATE public.users_roles SET contact = $$m7role 0@example.org$$ WHERE user_id = 7 AND role = $$role 0$$'

t_step "a changed unmasked column is still a difference"
# shellcheck disable=SC2016
t_assert_exit 0 pgc_sql dst "$DST_DB" 'UPDATE public.users SET city = $$Elsewhere$$ WHERE id = 42'
t_assert_exit 1 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$RULES"
t_assert_contains "$(line public.users)" "DIFFERENT ROWS" "users: the changed city is seen"
t_assert_contains "$(t_err)" "1 of 9 tables differ" "one table differs"
t_assert_not_contains "$(t_err)" "PII leak" "and nothing leaks"
# shellcheck disable=SC2016
t_assert_exit 0 pgc_sql dst "$DST_DB" 'UPDATE public.users SET city = $$City $$ || id % 7 WHERE id = 42'
t_assert_exit 0 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$RULES" --tables public.users
t_assert_contains "$(t_out)" "verified 1 tables" "--tables narrows the scan"

t_step "rules that name what the source lacks, or nothing selected"
cat >"$T_WORK/bad.yaml" <<'EOF'
users:
  - column: emial
    strategy: email
nosuchtable:
  - column: x
    strategy: text
EOF
t_assert_exit 3 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$T_WORK/bad.yaml"
t_assert_contains "$(t_err)" "column public.users.emial does not exist on the source" "the missing column is named"
t_assert_contains "$(t_err)" "table public.nosuchtable does not exist on the source" "the missing table is named"
cat >"$T_WORK/one.yaml" <<'EOF'
users:
  - column: Email
    strategy: email
EOF
t_assert_exit 3 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$T_WORK/one.yaml" --format json
t_assert_eq "rules" "$(json 'd["error"]["code"]')" "JSON: code rules"
t_assert_contains "$(json 'd["error"]["message"]')" "column public.users.Email does not exist on the source" "names are case-sensitive"
t_assert_exit 3 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$RULES" --tables public.plain
t_assert_contains "$(t_err)" "no masking rule names a selected table" "no rule for the selection"
t_assert_contains "$(t_err)" "hint:" "with a hint"
t_assert_exit 3 "$CONFITURE" verify --from "$SRC" --to "$DST" --pii --anonymization-config "$T_WORK/none.yaml"
t_assert_contains "$(t_err)" "none.yaml" "a missing rules file is named"
t_pass
