#!/usr/bin/env bash
#
# t_refuse_cascade.sh - a target table that the selection does not cover references a selected
# table through a foreign key: truncating the selection would have to cascade into it (or
# break it), so the sync is refused up front with exit 5, naming the referencing table and the
# constraint, with a hint, and both tables keep their rows. The same through --exclude and
# through a partitioned referencing table. Selecting both tables copies both and brings the
# foreign key back, validated.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin refuse_cascade
t_databases
CONFITURE=$T_BIN/confiture

SCHEMA="
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL
    CONSTRAINT orders_customer_fk REFERENCES customers (id), total numeric(10,2));
CREATE TABLE shipments (id int, order_id int, shipped date, PRIMARY KEY (id, shipped))
    PARTITION BY RANGE (shipped);
CREATE TABLE shipments_2023 PARTITION OF shipments FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE shipments_2024 PARTITION OF shipments FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE products (id int PRIMARY KEY, label text);"

t_step "source and target: orders references customers, shipments references products"
t_assert_exit 0 pgc_psql src "$SRC_DB" -c "$SCHEMA" || t_fail "source schema"
t_assert_exit 0 pgc_psql src "$SRC_DB" -c "
ALTER TABLE shipments ADD CONSTRAINT shipments_order_fk FOREIGN KEY (order_id) REFERENCES products (id);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 3000) g;
INSERT INTO orders SELECT g, 1 + g % 3000, g * 1.5 FROM generate_series(1, 9000) g;
INSERT INTO products SELECT g, 'product ' || g FROM generate_series(1, 100) g;
INSERT INTO shipments SELECT g, 1 + g % 100, date '2023-01-01' + g % 700 FROM generate_series(1, 2000) g;
ANALYZE;" || t_fail "source data"
t_assert_exit 0 pgc_psql dst "$DST_DB" -c "$SCHEMA" || t_fail "target schema"
t_assert_exit 0 pgc_psql dst "$DST_DB" -c "
ALTER TABLE shipments ADD CONSTRAINT shipments_order_fk FOREIGN KEY (order_id) REFERENCES products (id);
INSERT INTO customers VALUES (-1, 'target customer'), (-2, 'another');
INSERT INTO orders VALUES (-10, -1, 1.00), (-11, -2, 2.00), (-12, -1, 3.00);
INSERT INTO products VALUES (-5, 'target product');
INSERT INTO shipments VALUES (-1, -5, '2024-05-05');" || t_fail "target rows"

FK_STATE="SELECT string_agg(format('%s %s %s', conrelid::regclass, conname, convalidated), ', ' ORDER BY conname, conrelid::regclass::text) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
fingerprint() {
    local t
    for t in public.customers public.orders public.products public.shipments; do
        printf '%s %s\n' "$t" "$(pgc_checksum dst "$DST_DB" "$t")"
    done
    pgc_sql dst "$DST_DB" "$FK_STATE"
    pgc_sql dst "$DST_DB" "SELECT count(*) AS confiture_schemas FROM pg_namespace WHERE nspname = 'confiture'"
}
before=$(fingerprint)
t_assert_contains "$before" "public.orders 3 " "the target's orders hold their own 3 rows"

# refused WHAT ARGS...: exit 5 naming orders and its constraint, the target untouched.
refused() {
    local what=$1 referencing=$2 constraint=$3
    shift 3
    t_assert_exit 5 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 "$@"
    t_assert_contains "$(t_err)" "$referencing" "$what: the message names the referencing table"
    t_assert_contains "$(t_err)" "$constraint" "$what: the message names the constraint"
    t_assert_contains "$(t_err)" "hint:" "$what: with a hint"
    t_assert_contains "$(t_err)" "--tables" "$what: the hint says to add it to --tables"
    t_assert_eq "$before" "$(fingerprint)" "$what: both tables keep their rows, the target is as it was"
}

t_step "--tables selecting only the referenced table is refused"
refused "--tables customers" public.orders orders_customer_fk --tables public.customers

t_step "--exclude of the referencing table is refused"
refused "--exclude orders" public.orders orders_customer_fk --exclude public.orders

t_step "a partitioned referencing table left out is refused too"
refused "--exclude shipments" public.shipments shipments_order_fk --exclude 'public.shipments*'

t_step "the refusal in JSON"
t_assert_exit 5 "$CONFITURE" sync --from "$SRC" --to "$DST" --tables public.customers --format json
t_assert_eq "False schema True" "$(python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
e = d["error"]
print(d["ok"], e["code"], "orders_customer_fk" in e.get("message", "") + e.get("detail", "") and bool(e.get("hint")))' <"$T_OUT" 2>&1)" \
    "the JSON envelope: ok false, code schema, the constraint named, a hint"
t_assert_eq "$before" "$(fingerprint)" "still as it was"

t_step "selecting both tables copies both"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 32kB \
    --tables 'public.customers,public.orders' || t_fail "sync of both tables"
for t in public.customers public.orders; do
    t_assert_eq "$(pgc_checksum src "$SRC_DB" "$t")" "$(pgc_checksum dst "$DST_DB" "$t")" "$t equals the source"
done
t_assert_eq "$(pgc_sql src "$SRC_DB" "$FK_STATE")" "$(pgc_sql dst "$DST_DB" "$FK_STATE")" \
    "the foreign keys are back, validated"
t_assert_eq "$(printf '%s\n' "$before" | grep -e '^public.products' -e '^public.shipments')" \
    "$(fingerprint | grep -e '^public.products' -e '^public.shipments')" \
    "the tables left out keep their rows"

t_step "everything, the default selection, copies everything"
t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 || t_fail "full sync"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_assert_eq "$(pgc_sql src "$SRC_DB" "$FK_STATE")" "$(pgc_sql dst "$DST_DB" "$FK_STATE")" \
    "the foreign keys are back, validated"
t_pass
