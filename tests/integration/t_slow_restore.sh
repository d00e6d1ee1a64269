#!/usr/bin/env bash
#
# t_slow_restore.sh - an index whose build takes longer than the worker timeout (5 s): the
# worker must keep heartbeating while the server builds it, so it is not declared dead, its
# task is not requeued, and the index comes back valid.
#
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -o pipefail

t_begin slow_restore
t_databases

t_step "a table with an index that takes ~7 s to build"
pgc_psql src "$SRC_DB" <<'SQL' || t_fail "source data"
CREATE FUNCTION slow_id(integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE
    AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN $1; END $$;
CREATE TABLE things (id integer PRIMARY KEY, name text);
INSERT INTO things SELECT i, 'thing ' || i FROM generate_series(1, 3500) AS i;
SQL
t_copy_schema || t_fail "schema copy"
# The index exists on the target only (a source index would make the dump slow too).
pgc_sql dst "$DST_DB" "CREATE INDEX things_slow ON things (slow_id(id))" >/dev/null ||
    t_fail "slow index"

t_step "sync with the default worker timeout"
t_assert_exit 0 "$T_BIN/confiture" sync --from "$SRC" --to "$DST" --workers 2 || t_fail "sync failed"
t_assert_not_contains "$(t_err)" "declared dead" "no worker is declared dead during the build"
t_assert_not_contains "$(t_err)" "requeued" "no task is requeued"
t_assert_eq "t" "$(pgc_sql dst "$DST_DB" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'things_slow'::regclass")" \
    "the slow index is back and valid"
t_assert_exit 0 pgc_compare src "$SRC_DB" dst "$DST_DB"
t_pass
