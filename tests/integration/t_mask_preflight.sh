#!/usr/bin/env bash
#
# t_mask_preflight.sh - what a masked sync refuses before writing anything, and the tools
# around it. Every refusal exits non-zero with the problem named and leaves the target
# exactly as it was (its marker rows, no ledger): rules naming a missing table or column, an
# unknown strategy or option, a strategy that cannot produce the column's type, `null` on a
# NOT NULL column (all listed in one error); no key, a short key, a key file others can read;
# a malformed rules file; --strict with a PII-looking column left without a rule. Then
# `anonymize check` and `anonymize preview`, the warning a non-strict sync prints, and a rule
# that keeps the source value (ip with every bit kept), which the leak scan must catch.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin mask_preflight
t_databases
CONFITURE=$T_BIN/confiture
export CONFITURE_MASK_KEY='a test key that is long enough'

pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source schema"
CREATE TABLE customers (
    id integer PRIMARY KEY,
    email text NOT NULL,
    mobile_phone text,
    age integer NOT NULL,
    last_login inet,
    contact text,
    score integer
);
INSERT INTO customers
SELECT i, 'c' || i || '@shop.example.net', '+1 555 01' || lpad(i::text, 2, '0'), 20 + i % 50,
       ('10.1.' || (i % 250) || '.' || (1 + i % 200))::inet, 'person' || i || '@mail.example.org', i
FROM generate_series(1, 400) AS i;
SQL
t_copy_schema || t_fail "schema copy"
pgc_sql dst "$DST_DB" "INSERT INTO customers VALUES (-1, 'marker', NULL, 1, NULL, NULL, NULL)" >/dev/null ||
    t_fail "marker row"
MARKER="SELECT string_agg(id::text, ',' ORDER BY id) FROM customers"
LEDGER="SELECT count(*) FROM pg_namespace WHERE nspname = 'confiture'"
untouched() {
    t_assert_eq "-1" "$(pgc_sql dst "$DST_DB" "$MARKER")" "$1: the target keeps its rows"
    t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "$LEDGER")" "$1: no ledger was written"
}
rules() { cat >"$T_WORK/rules.yaml"; }
sync() { "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --anonymize \
    --anonymization-config "$T_WORK/rules.yaml" "$@"; }

t_step "every rule problem, listed at once"
rules <<'YAML'
customers:
  - column: email
    strategy: email
  - column: emial
    strategy: email
  - column: score
    strategy: email
  - column: age
    strategy: null
  - column: mobile_phone
    strategy: telephone
  - column: contact
    strategy: hash
    options: {lenght: 12}
suppliers:
  - column: email
    strategy: email
YAML
t_assert_exit 3 sync
err=$(cat "$T_ERR")
t_assert_contains "$err" "do not fit the source" "one error for the rules"
t_assert_contains "$err" 'no column "emial"' "a missing column is named"
t_assert_contains "$err" "public.suppliers does not exist" "a missing table is named"
t_assert_contains "$err" "telephone" "an unknown strategy is named"
t_assert_contains "$err" "lenght" "an unknown option is named"
t_assert_contains "$err" "rules.yaml:6:" "problems point at FILE:LINE"
t_assert_contains "$err" "public.customers.score (integer)" "a type mismatch names the column and type"
t_assert_contains "$err" "public.customers.age (integer)" "null on a NOT NULL column is refused"
untouched "rule problems"

t_step "keys: none, too short, readable by others"
rules <<'YAML'
customers:
  - column: email
    strategy: email
YAML
t_assert_exit 3 env -u CONFITURE_MASK_KEY "$CONFITURE" sync --from "$SRC" --to "$DST" --anonymize \
    --anonymization-config "$T_WORK/rules.yaml"
t_assert_contains "$(cat "$T_ERR")" "masking needs a key" "no key: refused"
t_assert_contains "$(cat "$T_ERR")" "CONFITURE_MASK_KEY" "no key: the hint names the variable"
t_assert_exit 3 env CONFITURE_MASK_KEY=short "$CONFITURE" sync --from "$SRC" --to "$DST" \
    --anonymize --anonymization-config "$T_WORK/rules.yaml"
t_assert_contains "$(cat "$T_ERR")" "too short" "a short key: refused"
printf 'a key file that is long enough\n' >"$T_WORK/key"
chmod 644 "$T_WORK/key"
t_assert_exit 3 sync --mask-key-file "$T_WORK/key"
t_assert_contains "$(cat "$T_ERR")" "chmod 600" "a readable key file: refused with the fix"
untouched "key problems"

t_step "a malformed rules file, a missing one"
printf 'customers:\n  - column: email\n    strategy: [email\n' >"$T_WORK/rules.yaml"
t_assert_exit 3 sync
t_assert_contains "$(cat "$T_ERR")" "rules.yaml:" "bad YAML: the file and line are named"
t_assert_exit 3 "$CONFITURE" sync --from "$SRC" --to "$DST" --anonymize \
    --anonymization-config "$T_WORK/nope.yaml"
t_assert_contains "$(cat "$T_ERR")" "nope.yaml" "a missing rules file is named"
untouched "file problems"

t_step "--strict: PII-looking columns need a rule"
rules <<'YAML'
customers:
  - column: email
    strategy: email
YAML
t_assert_exit 3 sync --strict
t_assert_contains "$(cat "$T_ERR")" "public.customers.mobile_phone has no masking rule" "by name"
t_assert_contains "$(cat "$T_ERR")" "public.customers.contact has no masking rule and its values look like e-mail" \
    "by content"
untouched "--strict"

t_step "anonymize check"
t_assert_exit 0 "$CONFITURE" anonymize check --from "$SRC" --anonymization-config "$T_WORK/rules.yaml"
t_assert_contains "$(t_out)" "email" "check lists the masked column"
t_assert_contains "$(cat "$T_ERR")" "warning: public.customers.mobile_phone" "check warns about PII-looking columns"
t_assert_exit 3 "$CONFITURE" anonymize check --from "$SRC" --anonymization-config "$T_WORK/rules.yaml" --strict
t_assert_exit 0 env -u CONFITURE_MASK_KEY "$CONFITURE" anonymize check --from "$SRC" --to "$DST" \
    --anonymization-config "$T_WORK/rules.yaml" --format json
t_assert_contains "$(t_out)" '"command":"anonymize check"' "check needs no key; JSON output"
t_assert_contains "$(t_out)" '"warnings":[{' "JSON lists the warnings"

t_step "anonymize preview"
t_assert_exit 0 "$CONFITURE" anonymize preview --from "$SRC" --table customers --limit 3 \
    --anonymization-config "$T_WORK/rules.yaml" --format json
t_assert_contains "$(t_out)" '"before":"c1@shop.example.net"' "preview shows the source value"
t_assert_contains "$(t_out)" '@example.com"' "and its masked value"
t_assert_exit 3 env -u CONFITURE_MASK_KEY "$CONFITURE" anonymize preview --from "$SRC" \
    --table customers --anonymization-config "$T_WORK/rules.yaml"
untouched "check and preview"

t_step "a warning does not stop a sync"
t_assert_exit 0 sync
t_assert_contains "$(cat "$T_ERR")" "warning: public.customers.mobile_phone has no masking rule" \
    "the sync warns about an unruled PII-looking column"

t_step "the leak scan catches a rule that keeps values"
rules <<'YAML'
customers:
  - column: email
    strategy: email
  - column: last_login
    strategy: ip
    options: {prefix: 32}
YAML
t_assert_exit 1 sync --format json
t_assert_contains "$(tail -n 1 "$T_OUT")" '"code":"pii_leak"' "a leak fails the sync"
t_assert_contains "$(tail -n 1 "$T_OUT")" 'public.customers.last_login (ip) holds its source value in 400 of 400 rows' \
    "the leaking column is named with its count"
t_assert_eq leaked "$(pgc_sql dst "$DST_DB" "SELECT state FROM confiture.job ORDER BY created_at DESC LIMIT 1")" \
    "the ledger says the job leaked"

t_pass
