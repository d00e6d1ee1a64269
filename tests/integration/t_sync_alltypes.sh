#!/usr/bin/env bash
#
# t_sync_alltypes.sh - a parallel sync of every column type PostgreSQL 15 tables can hold
# (escapes, NULLs, NaN, infinity, arrays, ranges, json, bytea, enums, domains, composites),
# tables with no key, composite, text, uuid and skewed keys, TOAST values, partitions,
# inheritance, quoted identifiers and an empty table, in small chunks over three workers.
# The target must equal the source row for row (independent checksums), its indexes,
# constraints, foreign keys and sequences restored; a second sync gives the same target.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin sync_alltypes
t_databases

t_step "load alltypes on src, its schema on dst"
t_assert_exit 0 pgc_psql src "$SRC_DB" -f "$T_REPO/tests/data/alltypes.sql" || t_fail "load"
# Secondary indexes (expression, partial, unique), a foreign key, a check constraint and
# comments: all must come back on the target exactly as they were.
pgc_psql src "$SRC_DB" <<'SQL' || t_fail "extra schema objects"
CREATE INDEX int_pk_grp_created ON int_pk (grp, created DESC);
CREATE INDEX int_pk_lower_label ON int_pk (lower(label)) WHERE label IS NOT NULL;
CREATE UNIQUE INDEX text_pk_v_key ON text_pk (v);
CREATE TABLE fk_parent (id integer PRIMARY KEY, name text NOT NULL CHECK (name <> ''));
CREATE TABLE fk_child (id bigint PRIMARY KEY,
                       parent integer NOT NULL CONSTRAINT fk_child_parent_fkey REFERENCES fk_parent,
                       note text);
INSERT INTO fk_parent SELECT i, 'parent ' || i FROM generate_series(1, 2000) AS i;
INSERT INTO fk_child SELECT i, 1 + i % 2000, md5(i::text) FROM generate_series(1, 40000) AS i;
COMMENT ON INDEX int_pk_grp_created IS 'by group, newest first';
COMMENT ON CONSTRAINT fk_child_parent_fkey ON fk_child IS 'every child has a parent';
-- Key constraints of every kind: built as an index then attached (the primary key with a
-- storage option, CLUSTER ON and a comment; a unique key with INCLUDE and NULLS NOT
-- DISTINCT, the replica identity, referenced by a foreign key), or in one ALTER TABLE
-- (a deferrable unique key, an exclusion constraint).
CREATE TABLE con_kinds (id integer NOT NULL, code text NOT NULL, grp integer, span int4range,
    CONSTRAINT con_kinds_pkey PRIMARY KEY (id) WITH (fillfactor = 90),
    CONSTRAINT con_kinds_code_key UNIQUE NULLS NOT DISTINCT (code) INCLUDE (grp),
    CONSTRAINT con_kinds_grp_key UNIQUE (grp) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT con_kinds_span_excl EXCLUDE USING gist (span WITH &&));
ALTER TABLE con_kinds CLUSTER ON con_kinds_pkey;
ALTER TABLE con_kinds REPLICA IDENTITY USING INDEX con_kinds_code_key;
COMMENT ON CONSTRAINT con_kinds_pkey ON con_kinds IS 'the key';
CREATE TABLE con_ref (id integer PRIMARY KEY, code text REFERENCES con_kinds (code));
INSERT INTO con_kinds SELECT i, 'c' || i, i, int4range(i * 10, i * 10 + 5) FROM generate_series(1, 5000) AS i;
INSERT INTO con_ref SELECT i, 'c' || (1 + i % 5000) FROM generate_series(1, 8000) AS i;
SQL
pgc_sql src "$SRC_DB" "ANALYZE" >/dev/null
t_copy_schema || t_fail "schema copy"
# Rows already on the target must go: the sync truncates the selection first.
pgc_sql dst "$DST_DB" "INSERT INTO int_pk (id) VALUES (-42)" >/dev/null 2>&1 || true
# Every index and constraint of the user's schemas, one line each, in a stable order.
INDEXES="SELECT string_agg(x, E'\n' ORDER BY x COLLATE \"C\") FROM (SELECT i.indexrelid::regclass::text || ' ' || pg_get_indexdef(i.indexrelid) || ' ' || i.indisvalid AS x FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'confiture')) s"
CONSTRAINTS="SELECT string_agg(x, E'\n' ORDER BY x COLLATE \"C\") FROM (SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated AS x FROM pg_constraint WHERE connamespace <> 'pg_catalog'::regnamespace AND conrelid <> 0 AND contype IN ('p', 'u', 'f', 'x', 'c') AND connamespace::regnamespace::text <> 'confiture') s"
SEQUENCES="SELECT string_agg(x, ',' ORDER BY x COLLATE \"C\") FROM (SELECT schemaname || '.' || sequencename || '=' || coalesce(last_value, 0) AS x FROM pg_sequences WHERE schemaname <> 'confiture') s"
idx_before=$(pgc_sql dst "$DST_DB" "$INDEXES")
con_before=$(pgc_sql dst "$DST_DB" "$CONSTRAINTS")

t_step "dry run plans and changes nothing"
t_assert_exit 0 "$T_BIN/confiture" sync --from "$SRC" --to "$DST" --workers 3 --chunk-size 256kB --dry-run
t_assert_contains "$(t_out)" "public.int_pk" "the plan lists int_pk"
t_assert_contains "$(t_out)" "dry run: nothing was changed" "the dry run says so"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM pg_namespace WHERE nspname = 'confiture'")" \
    "a dry run writes no ledger"

t_step "sync"
t_assert_exit 0 "$T_BIN/confiture" sync --from "$SRC" --to "$DST" --workers 3 --chunk-size 256kB \
    --format json || t_fail "sync failed"
t_assert_contains "$(t_out)" '"format":"binary"' "binary COPY where both sides have the same types"
t_assert_contains "$(t_out)" '"format":"text"' "text COPY where a type is not portable (enum arrays, composites)"
t_assert_contains "$(tail -n 1 "$T_OUT")" '"ok":true' "sync reports success"

t_step "compare row by row"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB" || t_fail "target differs from source"
t_assert_exit 0 "$T_BIN/confiture" verify --from "$SRC" --to "$DST"
t_assert_contains "$(t_out)" "source and target match" "confiture verify agrees"

t_step "indexes, constraints and sequences are back"
idx_after=$(pgc_sql dst "$DST_DB" "$INDEXES")
con_after=$(pgc_sql dst "$DST_DB" "$CONSTRAINTS")
t_assert_eq "$idx_before" "$idx_after" "every index is restored as it was"
t_assert_eq "$con_before" "$con_after" "every constraint is restored as it was, validated"
t_assert_contains "$con_after" "fk_child_parent_fkey FOREIGN KEY (parent) REFERENCES fk_parent(id) true" \
    "the foreign key is among them, validated"
t_assert_eq "validate public.fk_child fk_child_parent_fkey" \
    "$(pgc_sql dst "$DST_DB" "SELECT kind || ' ' || relation FROM confiture.task WHERE kind = 'validate' AND relation LIKE '%fk_child_parent_fkey'")" \
    "it was added NOT VALID, then validated by a task of its own"
t_assert_eq "by group, newest first|every child has a parent" \
    "$(pgc_sql dst "$DST_DB" "SELECT obj_description('int_pk_grp_created'::regclass, 'pg_class') || '|' || obj_description((SELECT oid FROM pg_constraint WHERE conname = 'fk_child_parent_fkey'), 'pg_constraint')")" \
    "comments on indexes and constraints survive"
CON_KINDS="SELECT string_agg(indexrelid::regclass::text || ' ' || indisclustered || ' ' || indisreplident || ' ' || indimmediate, ', ' ORDER BY indexrelid::regclass::text) || ' | ' || obj_description((SELECT oid FROM pg_constraint WHERE conname = 'con_kinds_pkey'), 'pg_constraint') FROM pg_index WHERE indrelid = 'con_kinds'::regclass"
t_assert_eq "$(pgc_sql src "$SRC_DB" "$CON_KINDS")" "$(pgc_sql dst "$DST_DB" "$CON_KINDS")" \
    "key constraints keep CLUSTER ON, the replica identity, deferrability and their comment"
t_assert_contains "$(pgc_sql dst "$DST_DB" "SELECT string_agg(detail, ' ') FROM confiture.task WHERE kind = 'finish' AND relation = 'public.con_kinds'")" \
    "ADD CONSTRAINT con_kinds_pkey PRIMARY KEY USING INDEX con_kinds_pkey" \
    "the primary key was built as an index, then attached by the finish task"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM confiture.task WHERE detail LIKE '%IS NULL%'")" \
    "no COMMENT ... IS NULL in the restore statements"
t_assert_eq "$(pgc_sql src "$SRC_DB" "$SEQUENCES")" "$(pgc_sql dst "$DST_DB" "$SEQUENCES")" \
    "sequences match the source"
t_assert_eq 0 "$(pgc_sql dst "$DST_DB" "SELECT count(*) FROM (SELECT job_id, task_id FROM confiture.task_done GROUP BY 1, 2 HAVING count(*) > 1) d")" \
    "no task committed twice"

t_step "a second sync, in text COPY format throughout, gives the same target"
t_assert_exit 0 "$T_BIN/confiture" sync --from "$SRC" --to "$DST" --workers 2 --chunk-size 1MB \
    --format json --copy-format text
t_assert_contains "$(t_out)" '"ok":true' "the JSON summary says ok"
t_assert_contains "$(t_out)" '"format":"text"' "the plan says text"
t_assert_not_contains "$(t_out)" '"format":"binary"' "and never binary"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"

t_step "verify notices a changed row"
pgc_sql dst "$DST_DB" "UPDATE int_pk SET id = -id WHERE id = (SELECT min(id) FROM int_pk WHERE id > 0)" >/dev/null
t_assert_exit 1 "$T_BIN/confiture" verify --from "$SRC" --to "$DST"
t_assert_contains "$(t_out)" "DIFFERENT" "verify names the different table"
t_pass
