#!/usr/bin/env bash
#
# t_selection.sh - which tables a sync touches: --tables with wildcards (* ?), schema-less
# patterns (any schema), several --tables options, --exclude alone and with --tables, a
# partitioned table selected by its parent's name (all its partitions, sub-partitions and a
# partition living in another schema), an intermediate partitioned table, and quoted
# identifiers ("Mixed Case"). Each case starts from a fresh target whose every table holds
# rows of its own: the selected tables end equal to the source, every other one keeps its
# rows exactly.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin selection
t_createdb src
SRC_DB=$T_DB
DST_DB=$(t_dbname dst)
T_DBS+=("dst/$DST_DB")
SRC=$(pgc_dsn src "$SRC_DB")
DST=$(pgc_dsn dst "$DST_DB")
CONFITURE=$T_BIN/confiture

# shellcheck disable=SC2016  # $$ quotes SQL literals
SCHEMA='
CREATE SCHEMA archive;
CREATE TABLE public.orders (id int PRIMARY KEY, v text);
CREATE TABLE public.order_items (id int PRIMARY KEY, v text);
CREATE TABLE public.customers (id int PRIMARY KEY, v text);
CREATE TABLE public."Mixed Case" (id int PRIMARY KEY, "Value" text);
CREATE TABLE public.mixed_case (id int PRIMARY KEY, v text);
CREATE TABLE archive.orders (id int PRIMARY KEY, v text);
CREATE TABLE archive.old_stuff (id int PRIMARY KEY, v text);
CREATE TABLE public.measurements (id int, at date, v numeric, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE public.measurements_2023 PARTITION OF public.measurements
    FOR VALUES FROM ($$2023-01-01$$) TO ($$2024-01-01$$);
CREATE TABLE public.measurements_2024 PARTITION OF public.measurements
    FOR VALUES FROM ($$2024-01-01$$) TO ($$2025-01-01$$) PARTITION BY RANGE (at);
CREATE TABLE archive.measurements_2024_h1 PARTITION OF public.measurements_2024
    FOR VALUES FROM ($$2024-01-01$$) TO ($$2024-07-01$$);
CREATE TABLE public.measurements_2024_h2 PARTITION OF public.measurements_2024
    FOR VALUES FROM ($$2024-07-01$$) TO ($$2025-01-01$$);
CREATE TABLE public.measurements_default PARTITION OF public.measurements DEFAULT;
CREATE INDEX measurements_v ON public.measurements (v);'

# Every ordinary table (leaf), as SQL names.
LEAVES=(public.orders public.order_items public.customers 'public."Mixed Case"' public.mixed_case
    archive.orders archive.old_stuff public.measurements_2023 archive.measurements_2024_h1
    public.measurements_2024_h2 public.measurements_default)

t_step "source: eleven tables in two schemas, a partitioned table two levels deep"
t_assert_exit 0 pgc_psql src "$SRC_DB" -c "$SCHEMA" || t_fail "source schema"
# shellcheck disable=SC2016
t_assert_exit 0 pgc_psql src "$SRC_DB" -c '
INSERT INTO public.orders SELECT g, $$order $$ || g FROM generate_series(1, 800) g;
INSERT INTO public.order_items SELECT g, $$item $$ || g FROM generate_series(1, 1500) g;
INSERT INTO public.customers SELECT g, $$customer $$ || g FROM generate_series(1, 300) g;
INSERT INTO public."Mixed Case" SELECT g, $$Mixed $$ || g FROM generate_series(1, 200) g;
INSERT INTO public.mixed_case SELECT g, $$mixed $$ || g FROM generate_series(1, 100) g;
INSERT INTO archive.orders SELECT g, $$old order $$ || g FROM generate_series(1, 400) g;
INSERT INTO archive.old_stuff SELECT g, $$stuff $$ || g FROM generate_series(1, 50) g;
INSERT INTO public.measurements SELECT g, date $$2023-01-01$$ + g % 900, g / 7.0 FROM generate_series(1, 3000) g;
ANALYZE;' || t_fail "source data"
for t in "${LEAVES[@]}"; do
    [[ $(pgc_sql src "$SRC_DB" "SELECT count(*) > 0 FROM ONLY $t") == t ]] || t_fail "source table $t is empty"
done

# A fresh target: the same schema, one row of its own in every table.
# shellcheck disable=SC2016
fresh_target() {
    pgc_createdb dst "$DST_DB" >/dev/null &&
        pgc_psql dst "$DST_DB" -c "$SCHEMA" &&
        pgc_psql dst "$DST_DB" -c '
INSERT INTO public.orders VALUES (-1, $$target$$);
INSERT INTO public.order_items VALUES (-1, $$target$$);
INSERT INTO public.customers VALUES (-1, $$target$$);
INSERT INTO public."Mixed Case" VALUES (-1, $$target$$);
INSERT INTO public.mixed_case VALUES (-1, $$target$$);
INSERT INTO archive.orders VALUES (-1, $$target$$);
INSERT INTO archive.old_stuff VALUES (-1, $$target$$);
INSERT INTO public.measurements VALUES (-1, $$2023-06-01$$, -1), (-2, $$2024-02-01$$, -2),
    (-3, $$2024-09-01$$, -3), (-4, $$2030-01-01$$, -4);'
}

declare -A SOURCE TARGET
t_assert_exit 0 fresh_target || t_fail "target setup"
for t in "${LEAVES[@]}"; do
    SOURCE[$t]=$(pgc_checksum src "$SRC_DB" "$t") || t_fail "checksum $t"
    TARGET[$t]=$(pgc_checksum dst "$DST_DB" "$t") || t_fail "checksum $t"
    [[ ${TARGET[$t]} == "1 "* ]] || t_fail "target table $t does not hold its one row"
done
INDEXES="SELECT string_agg(indexrelid::regclass::text || ' ' || indisvalid, ', ' ORDER BY indexrelid::regclass::text COLLATE \"C\") FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace IN ('public'::regnamespace, 'archive'::regnamespace)"
INDEXES_BEFORE=$(pgc_sql dst "$DST_DB" "$INDEXES")

# case NAME "SELECTED TABLES" confiture options...: syncs a fresh target and checks every table.
case_sync() {
    local name=$1 selected=" $2 " t
    shift 2
    t_step "$name"
    fresh_target >/dev/null 2>&1 || t_fail "target setup"
    t_assert_exit 0 "$CONFITURE" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 16kB "$@" ||
        return 1
    for t in "${LEAVES[@]}"; do
        if [[ $selected == *" $t "* ]]; then
            t_assert_eq "${SOURCE[$t]}" "$(pgc_checksum dst "$DST_DB" "$t")" "$name: $t is copied"
        else
            t_assert_eq "${TARGET[$t]}" "$(pgc_checksum dst "$DST_DB" "$t")" "$name: $t is left as it was"
        fi
    done
    t_assert_eq "$INDEXES_BEFORE" "$(pgc_sql dst "$DST_DB" "$INDEXES")" "$name: every index is there, valid"
}

case_sync "wildcard: public.order*" "public.orders public.order_items" \
    --tables 'public.order*'
case_sync "schema-less: orders matches it in every schema" "public.orders archive.orders" \
    --tables orders
case_sync "schema-less wildcards, ? and two --tables" "public.order_items archive.old_stuff public.orders archive.orders" \
    --tables 'order_item?' --tables '*_stuff,orders'
case_sync "a partitioned table by its parent's name: all its partitions" \
    "public.measurements_2023 archive.measurements_2024_h1 public.measurements_2024_h2 public.measurements_default" \
    --tables public.measurements
case_sync "an intermediate partitioned table, schema-less" \
    "archive.measurements_2024_h1 public.measurements_2024_h2" \
    --tables measurements_2024
case_sync 'a quoted identifier: public."Mixed Case"' 'public."Mixed Case"' \
    --tables 'public."Mixed Case"'
case_sync 'a wildcard reaches "Mixed Case" too, case-sensitive' 'public."Mixed Case"' \
    --tables 'public.Mixed*'
case_sync "--exclude alone" "public.orders public.order_items public.customers public.mixed_case" \
    --exclude 'archive.*,public.measurements' --exclude 'public."Mixed Case"'
case_sync "--tables with --exclude, a sub-partition excluded by its parent" \
    'public.customers public."Mixed Case" public.mixed_case public.measurements_2023 public.measurements_default' \
    --tables 'public.*' --exclude 'public.order*,public.measurements_2024'
case_sync "everything" "${LEAVES[*]}"

t_step "patterns that match nothing are refused"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --exclude 'public.nothing*'
t_assert_contains "$(t_err)" '"public.nothing*" matches no table' "an --exclude that matches nothing is named"
t_assert_exit 2 "$CONFITURE" sync --from "$SRC" --to "$DST" --tables 'public.mixed case'
t_assert_contains "$(t_err)" '"public.mixed case" matches no table' "names are case-sensitive"
t_pass
