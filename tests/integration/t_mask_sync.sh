#!/usr/bin/env bash
#
# t_mask_sync.sh - a masked sync (--anonymize) on real clusters: every masked value differs
# from its source, NULLs stay NULL, unmasked columns and tables are byte-equal, a shared
# domain keeps joins (users.email = orders.customer_email), a UNIQUE email column loads,
# COPY escapes and UTF-8 survive in masked and unmasked fields, in both the binary path
# (text-like masked columns) and the text path (a masked date); two runs with one key give
# identical targets, another key another target; the ledger records the rules' hash and the
# key's fingerprint, never the key; the key never appears in any output.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin mask_sync
t_databases
CONFITURE=$T_BIN/confiture
KEY_A='correct horse battery staple, for tests only'
KEY_B='another secret of more than sixteen characters'

t_step "source: users, orders, a table without rules"
pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source schema"
CREATE TABLE users (
    id integer PRIMARY KEY,
    email text NOT NULL UNIQUE,
    phone varchar(32),
    full_name text,
    ssn char(11),
    notes text,
    plan text NOT NULL
);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_email text,
    shipped date,
    amount numeric(10,2) NOT NULL
);
CREATE TABLE products (id integer PRIMARY KEY, title text, price numeric);
CREATE TABLE events (id integer, at date, email text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events SELECT i, DATE '2024-06-01' + (i % 400), 'ev' || i || '@corp.example.org'
FROM generate_series(1, 2000) AS i;
INSERT INTO users
SELECT i, 'user' || i || '@corp.example.org',
       CASE WHEN i % 10 = 0 THEN NULL ELSE '+33 6 ' || lpad((i * 7919 % 100000000)::text, 8, '0') END,
       CASE i % 4 WHEN 0 THEN 'Jane Doe ' || i WHEN 1 THEN 'Émile Zoëllner' || i
                  WHEN 2 THEN 'José' || E'\t' || 'María ' || i ELSE NULL END,
       lpad((i % 1000)::text, 3, '0') || '-' || lpad((i % 100)::text, 2, '0') || '-' || lpad(i::text, 4, '0'),
       CASE i % 3 WHEN 0 THEN E'line one\nline two\\ back ' || i WHEN 1 THEN 'naïve café ☕ ' || i
                  ELSE E'tab\there ' || i END,
       CASE WHEN i % 2 = 0 THEN 'pro' ELSE E'free\\tier' END
FROM generate_series(1, 3000) AS i;
INSERT INTO orders
SELECT i, CASE WHEN i % 50 = 0 THEN NULL ELSE 'user' || (1 + i % 3000) || '@corp.example.org' END,
       DATE '2024-01-01' + (i % 365), (i % 1000) / 10.0
FROM generate_series(1, 6000) AS i;
INSERT INTO products SELECT i, E'product\t"' || i || E'"\n', i * 1.5 FROM generate_series(1, 500) AS i;
ANALYZE;
SQL
t_copy_schema || t_fail "schema copy"

mkdir -p "$T_WORK/db/sync"
RULES=$T_WORK/db/sync/anonymization.yaml
cat >"$RULES" <<'YAML'
users:
  - column: email
    strategy: email
  - column: phone
    strategy: phone
  - column: full_name
    strategy: name
  - column: ssn
    strategy: hash
    options: {length: 11}
  - column: notes
    strategy: text
orders:
  - column: customer_email
    strategy: email
  - column: shipped
    strategy: date
    options: {days: 30}
events_2025:             # a partition's own rule wins over its parent's, in any order
  - column: email
    strategy: hash
events:                  # a partitioned table: the rule covers its partitions
  - column: email
    strategy: email
domains:
  customer_email:
    - users.email
    - orders.customer_email
YAML

# Rows of a table as "id<TAB>column" lines, sorted, from one side.
rows() { pgc_sql "$1" "$2" "SELECT id, $4 FROM $3 ORDER BY id" ; }
# md5 of whole tables or column lists, one side.
digest() { pgc_sql "$1" "$2" "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM (SELECT $4 FROM $3) t"; }

t_step "a masked dry run shows the masking and changes nothing"
t_assert_exit 0 env CONFITURE_MASK_KEY="$KEY_A" "$CONFITURE" sync --from "$SRC" --to "$DST" \
    --anonymize --anonymization-config "$RULES" --dry-run
t_assert_contains "$(t_out)" "masking: 9 columns in 4 tables" "the plan counts the masked columns"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM pg_namespace WHERE nspname = 'confiture'")" \
    "a masked dry run writes nothing"

t_step "masked sync, key A"
t_assert_exit 0 env CONFITURE_MASK_KEY="$KEY_A" "$CONFITURE" sync --from "$SRC" --to "$DST" \
    --anonymize --anonymization-config "$RULES" --workers 2 --chunk-size 64kB --format json \
    --log-level debug || t_fail "masked sync failed"
t_assert_contains "$(tail -n 1 "$T_OUT")" '"ok":true' "the masked sync reports success"
t_assert_contains "$(tail -n 1 "$T_OUT")" '"leaks":[]' "the leak scan found no leak"
t_assert_not_contains "$(cat "$T_OUT" "$T_ERR")" "$KEY_A" "the key appears in no output, debug logs included"
t_assert_contains "$(cat "$T_ERR")" "masking with 9 rules" "(the debug log was on)"
t_assert_contains "$(cat "$T_OUT")" '"masked":5' "users has 5 masked columns in the plan"
t_assert_contains "$(grep '"event":"plan"' "$T_OUT")" '"table":"public.users","qname"' "the plan lists users"
users_format=$(grep '"event":"plan"' "$T_OUT" | grep -o '"table":"public.users"[^}]*"format":"[a-z]*"' | grep -o '"format":"[a-z]*"')
orders_format=$(grep '"event":"plan"' "$T_OUT" | grep -o '"table":"public.orders"[^}]*"format":"[a-z]*"' | grep -o '"format":"[a-z]*"')
t_assert_eq '"format":"binary"' "$users_format" "users (text-like masked columns) goes binary"
t_assert_eq '"format":"text"' "$orders_format" "orders (a masked date) goes text"

t_step "every masked value differs from its source, NULLs stay NULL"
for col in email phone full_name ssn notes; do
    same=$(join -t $'\t' <(rows src "$SRC_DB" users "coalesce($col::text, '<NULL>')" | tr '|' '\t' | sort) \
                        <(rows dst "$DST_DB" users "coalesce($col::text, '<NULL>')" | tr '|' '\t' | sort) |
           awk -F'\t' '$2 == $3 && $2 != "<NULL>"' | wc -l)
    t_assert_eq 0 "$same" "users.$col: no value kept"
    t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT count(*) FROM users WHERE $col IS NULL")" \
        "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM users WHERE $col IS NULL")" "users.$col: NULLs stay NULL"
done
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM users WHERE email NOT LIKE '%@example.com'")" \
    "masked emails are valid addresses of the default domain"
t_assert_eq 3000 "$(pgc_sql dst "$DST_DB" "SELECT count(DISTINCT email) FROM users")" \
    "the UNIQUE email column stays unique"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM users WHERE length(ssn) <> 11 OR ssn !~ '^[0-9a-f]+$'")" \
    "hash fits char(11)"
t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT sum(length(notes)) FROM users")" \
    "$(pgc_sql dst "$DST_DB" "SELECT sum(length(notes)) FROM users")" "text keeps every length (escapes, UTF-8)"
t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT count(*) FROM users WHERE notes LIKE E'%\\n%'")" \
    "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM users WHERE notes LIKE E'%\\n%'")" "newlines kept in masked text"
t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT count(*) FROM users WHERE phone ~ '^\\+33 [0-9] [0-9]{8}$'")" \
    "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM users WHERE phone ~ '^\\+33 [0-9] [0-9]{8}$'")" "phones keep their shape"
same_dates=$(join -t '|' <(rows src "$SRC_DB" orders shipped | sort) <(rows dst "$DST_DB" orders shipped | sort) |
             awk -F'|' '$2 == $3' | wc -l)
t_assert_eq 0 "$same_dates" "orders.shipped: every date shifted"

same_events=$(join -t '|' <(pgc_sql src "$SRC_DB" "SELECT id || '/' || at, email FROM events" | sort) \
    <(pgc_sql dst "$DST_DB" "SELECT id || '/' || at, email FROM events" | sort) | awk -F'|' '$2 == $3' | wc -l)
t_assert_eq 0 "$same_events" "events (partitions of a ruled parent): every email masked"
t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT count(*) FROM events_2024")" \
    "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM events_2024 WHERE email LIKE '%@example.com'")" \
    "events_2024 follows its parent's rule (email)"
t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT count(*) FROM events_2025")" \
    "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM events_2025 WHERE email ~ '^[0-9a-f]{32}$'")" \
    "events_2025 follows its own rule (hash)"

t_step "unmasked columns and tables are byte-equal"
t_assert_eq "$(digest src "$SRC_DB" users "id, plan")" "$(digest dst "$DST_DB" users "id, plan")" "users.id, users.plan equal"
t_assert_eq "$(digest src "$SRC_DB" orders "id, amount")" "$(digest dst "$DST_DB" orders "id, amount")" "orders.amount equal"
t_assert_eq "$(digest src "$SRC_DB" products "*")" "$(digest dst "$DST_DB" products "*")" "products (no rules) equal"

t_step "the shared domain keeps the join"
t_assert_eq "$(pgc_sql src "$SRC_DB" "SELECT count(*) FROM orders o JOIN users u ON u.email = o.customer_email")" \
    "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM orders o JOIN users u ON u.email = o.customer_email")" \
    "orders join users by masked email as by real email"
t_assert_eq 5880 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM orders o JOIN users u ON u.email = o.customer_email")" \
    "every order with an email finds its user"

t_step "the ledger records rules and key fingerprint, not the key"
fp=$(pgc_sql dst "$DST_DB" "SELECT mask_key_fingerprint FROM confiture.job ORDER BY created_at DESC LIMIT 1")
t_assert_eq 16 "${#fp}" "a 16-character key fingerprint is recorded"
t_assert_eq 64 "$(pgc_sql dst "$DST_DB" "SELECT length(rules_hash) FROM confiture.job ORDER BY created_at DESC LIMIT 1")" \
    "the rules hash is recorded"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.job WHERE spec::text LIKE '%' || 'horse battery' || '%'")" \
    "the key is not in the ledger"
first=$(digest dst "$DST_DB" users "*")
rows dst "$DST_DB" users email | sort >"$T_WORK/emails_a"
first_orders=$(digest dst "$DST_DB" orders "*")

t_step "same key again: identical target"
t_assert_exit 0 env CONFITURE_MASK_KEY="$KEY_A" "$CONFITURE" sync --from "$SRC" --to "$DST" \
    --anonymize --anonymization-config "$RULES" --workers 2 --chunk-size 128kB || t_fail "second sync"
t_assert_contains "$(t_out)" "leak scan: no masked column holds a source value" "text summary reports the leak scan"
t_assert_eq "$first" "$(digest dst "$DST_DB" users "*")" "users identical across runs (other chunking)"
t_assert_eq "$first_orders" "$(digest dst "$DST_DB" orders "*")" "orders identical across runs"

t_step "another key: another target"
key_file=$T_WORK/mask.key
printf '%s\n' "$KEY_B" >"$key_file"
chmod 600 "$key_file"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --anonymize \
    --anonymization-config "$RULES" --mask-key-file "$key_file" --workers 2 || t_fail "sync, key B"
t_assert_eq 0 "$(join -t '|' <(rows dst "$DST_DB" users email | sort) "$T_WORK/emails_a" |
    awk -F'|' '$2 == $3' | wc -l)" "key B masks every email otherwise than key A"
t_assert_not_contains "$first" "$(digest dst "$DST_DB" users "*")" "key B gives other users"
t_assert_eq "$(digest src "$SRC_DB" users "id, plan")" "$(digest dst "$DST_DB" users "id, plan")" "unmasked columns still equal"

t_pass
