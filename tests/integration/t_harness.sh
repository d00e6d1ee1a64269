#!/usr/bin/env bash
#
# t_harness.sh - checks the harness itself: the sample data loads, pgc_compare passes on an
# exact copy (pg_dump | psql) and fails, naming the table, on a copy with one changed row, a
# missing table or a missing row; the pagila generator is deterministic.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

# Schema and data of src's database into dst's, the plain way.
# shellcheck disable=SC2317  # called through t_assert_exit
copy_db() {
    "$PGC_BIN/pg_dump" --no-owner -d "$(pgc_dsn src "$SRC_DB")" | pgc_psql dst "$DST_DB" >/dev/null
}

t_begin harness

t_createdb src
SRC_DB=$T_DB
t_createdb dst
DST_DB=$T_DB

t_step "load alltypes on src"
t_assert_exit 0 pgc_psql src "$SRC_DB" -f "$T_REPO/tests/data/alltypes.sql" ||
    t_fail "tests/data/alltypes.sql does not load"
t_assert_eq 49906 "$(pgc_sql src "$SRC_DB" 'SELECT count(*) FROM int_pk')" "int_pk has its rows"
t_assert_eq 0 "$(pgc_sql src "$SRC_DB" 'SELECT count(*) FROM empty_table')" "empty_table is empty"
t_assert_eq "500 800" "$(pgc_sql src "$SRC_DB" 'SELECT count(*) FROM ONLY inh_parent') $(pgc_sql src "$SRC_DB" 'SELECT count(*) FROM inh_parent')" \
    "inh_parent has 500 rows of its own, 800 with its child"
t_assert_eq t "$(pgc_sql src "$SRC_DB" "SELECT count(*) > 100 FROM toasty WHERE pg_column_size(body) > 20000 AND pg_column_size(blob) > 20000")" \
    "toasty holds large values"

t_step "the fingerprint"
t_assert_exit 0 pgc_checksum src "$SRC_DB" 'public."Mixed Case"'
t_assert_eq 1000 "$(cut -d' ' -f1 "$T_OUT")" "pgc_checksum counts the rows"
t_assert_eq 64 "$(cut -d' ' -f2 "$T_OUT" | tr -d '\n' | wc -c)" "pgc_checksum prints a sha256"
t_assert_exit 0 pgc_checksum src "$SRC_DB" public.inh_parent
t_assert_eq 500 "$(cut -d' ' -f1 "$T_OUT")" "pgc_checksum leaves inheritance children out"
t_assert_exit 0 pgc_checksum src "$SRC_DB" public.part_range
t_assert_eq 8003 "$(cut -d' ' -f1 "$T_OUT")" "pgc_checksum of a partitioned table covers its partitions"
t_assert_exit '!0' pgc_checksum src "$SRC_DB" public.no_such_table
t_assert_contains "$(t_err)" 'does not exist' "pgc_checksum says what is wrong"

t_step "compare a database with itself"
t_assert_exit 0 pgc_compare src "$SRC_DB" src "$SRC_DB"
t_assert_contains "$(t_out)" "pgc_compare: 33 tables, 0 differ" "every table of alltypes is compared"

t_step "copy src to dst with pg_dump | psql"
t_assert_exit 0 copy_db || t_fail "pg_dump | psql failed"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_assert_contains "$(t_out)" "0 differ" "an exact copy compares equal"

t_step "one changed row on dst"
pgc_sql dst "$DST_DB" "UPDATE \"Other Schema\".\"Mixed Case\" SET note = note || '!' WHERE \"Id\" = 250" >/dev/null
t_assert_exit 1 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_assert_contains "$(t_out)" 'DIFF "Other Schema"."Mixed Case": source 500 rows' "the changed table is named"
t_assert_eq 1 "$(grep -c '^DIFF' "$T_OUT")" "only that table differs"
pgc_sql dst "$DST_DB" "UPDATE \"Other Schema\".\"Mixed Case\" SET note = 'other 250' WHERE \"Id\" = 250" >/dev/null
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" "Other Schema"
t_assert_contains "$(t_out)" "pgc_compare: 2 tables, 0 differ" "a schema filter compares only that schema"

t_step "subtle differences, a missing table"
# '' instead of NULL, 0 instead of -0, one of two identical rows gone, one byte deep in TOAST,
# a dropped table whose name needs quotes, a table only the target has.
pgc_sql dst "$DST_DB" "UPDATE alltypes SET c_text = '' WHERE id = 2" >/dev/null
pgc_sql dst "$DST_DB" "UPDATE composite_pk SET v = 0 WHERE a = 0 AND b = ' '" >/dev/null
pgc_sql dst "$DST_DB" "DELETE FROM no_key WHERE ctid = (SELECT min(ctid) FROM no_key WHERE a = 10)" >/dev/null
pgc_sql dst "$DST_DB" "UPDATE toasty SET blob = set_byte(blob, length(blob) / 2, (get_byte(blob, length(blob) / 2) + 1) % 256) WHERE id = 7" >/dev/null
pgc_sql dst "$DST_DB" 'DROP TABLE "quote""d"; CREATE TABLE extra_on_dst (a int)' >/dev/null
t_assert_exit 1 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_assert_contains "$(t_out)" 'DIFF public.alltypes:' "NULL vs empty string is a difference"
t_assert_contains "$(t_out)" 'DIFF public.composite_pk:' "-0 vs 0 is a difference"
t_assert_contains "$(t_out)" 'DIFF public.no_key: source 4528 rows' "one duplicate row less is a difference"
t_assert_contains "$(t_out)" 'DIFF public.toasty:' "one byte deep in a TOASTed value is a difference"
t_assert_contains "$(t_out)" 'MISSING public."quote""d"' "a missing table is reported, quoted"
t_assert_contains "$(t_out)" 'EXTRA public.extra_on_dst' "a table only on the target is mentioned"
t_assert_contains "$(t_out)" 'pgc_compare: 33 tables, 5 differ' "nothing else differs"

t_step "restart a cluster"
t_assert_exit 0 pgc_restart dst
t_assert_eq 1 "$(pgc_sql dst "$DST_DB" 'SELECT 1')" "dst answers after a restart"

t_step "pagila at scale 1, loaded twice, is the same twice"
t_createdb src pagila
PAGILA_SRC=$T_DB
t_createdb dst pagila
PAGILA_DST=$T_DB
t_assert_exit 0 pgc_load_pagila src "$PAGILA_SRC" 1 || t_fail "pagila does not load"
t_assert_exit 0 pgc_load_pagila dst "$PAGILA_DST" 1 || t_fail "pagila does not load"
t_assert_exit 0 pgc_compare src "$PAGILA_SRC" dst "$PAGILA_DST"
t_assert_contains "$(t_out)" "pgc_compare: 70 tables, 0 differ" "two loads of pagila are identical"
EMPTY_TABLES="SELECT coalesce(string_agg(t, ' '), 'none') FROM (SELECT c.oid::regclass::text AS t FROM pg_class c
  WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
    AND (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass), false, true, '')))[1]::text = '0') e"
t_assert_eq none "$(pgc_sql src "$PAGILA_SRC" "$EMPTY_TABLES")" "every pagila table and partition has rows"

t_pass
