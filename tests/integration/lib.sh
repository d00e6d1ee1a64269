# shellcheck shell=bash
#
# lib.sh - what every integration test sources: scripts/pgcluster.sh plus a small assertion
# library. A test is one script tests/integration/t_NAME.sh that exits 0 when it passed:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   t_begin NAME                      # clusters "src" and "dst" are up (run.sh started them)
#   t_createdb src; SRC_DB=$T_DB      # t_NAME_src on cluster src, dropped when the test passes
#   t_assert_exit 0 pgc_psql src "$SRC_DB" -f "$T_REPO/tests/data/alltypes.sql"
#   t_assert_eq 3 "$(pgc_sql src "$SRC_DB" 'SELECT 3')" "three"
#   t_pass                            # ends the test: exit 0, or 1 if any assertion failed
#
# Assertions print "ok: MSG" or "FAIL: MSG" with what was expected, what came and the end of
# the last command's stderr; they do not stop the test, they return 1 (so `|| t_fail ...` stops
# it). t_fail MSG stops the test as failed; t_skip MSG stops it as skipped (exit 77). A test
# that ends without t_pass, t_fail or t_skip has failed.
#
# Run standalone (bash tests/integration/t_NAME.sh), t_begin starts private "src" and "dst"
# clusters and removes them at the end.
#
# Variables: T_REPO (repository root), T_BIN (its bin/), T_NAME, T_WORK (a scratch directory
# for this test, under tmp/test-work, removed when it passed), T_OUT / T_ERR (stdout / stderr files of the last
# t_assert_exit or t_run), T_RC (its exit status), T_DB (the last t_createdb).

T_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_REPO=$(cd "$T_LIB_DIR/../.." && pwd)
export T_BIN=$T_REPO/bin
# shellcheck source-path=SCRIPTDIR source=../../scripts/pgcluster.sh
source "$T_REPO/scripts/pgcluster.sh"

T_NAME=
T_WORK=
T_OUT=
T_ERR=
T_RC=0
T_DB=
T_FAILED=0
T_CHECKS=0
T_ENDED=0
T_OWN_CLUSTERS=0
T_DBS=()
T_START=$SECONDS

# t_begin NAME: starts the test; sets the exit trap; makes sure src and dst are up.
t_begin() {
    T_NAME=${1:?t_begin NAME}
    T_WORK=$T_REPO/tmp/test-work/$T_NAME
    rm -rf -- "$T_WORK"
    mkdir -p -- "$T_WORK" || exit 1
    T_OUT=$T_WORK/last.out
    T_ERR=$T_WORK/last.err
    : >"$T_OUT"
    : >"$T_ERR"
    trap _t_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    printf '== %s (%s)\n' "$T_NAME" "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    if [[ -z ${PGC_ROOT:-} ]] || ! pgc_running src || ! pgc_running dst; then
        printf '   no shared clusters: starting private src and dst\n'
        mkdir -p -- "$T_REPO/tmp/clusters"
        PGC_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/confiture-clusters.XXXXXX") || exit 1
        export PGC_ROOT
        T_OWN_CLUSTERS=1
        pgc_start src || t_fail "could not start cluster src"
        pgc_start dst || t_fail "could not start cluster dst"
    fi
}

# t_cleanup CMD...: runs CMD when the test ends, however it ends (stop daemons it started...),
# without touching its exit status. Do not set an EXIT trap of your own: it would hide it.
T_CLEANUPS=()
t_cleanup() { T_CLEANUPS+=("$*"); }

_t_on_exit() {
    local rc=$? entry
    trap - EXIT INT TERM
    for entry in "${T_CLEANUPS[@]}"; do
        eval "$entry" >/dev/null 2>&1
    done
    if ((T_ENDED == 0 && rc == 0)); then
        printf 'FAIL: the test ended without t_pass\n'
        rc=1
    fi
    if ((rc == 0)); then
        for entry in "${T_DBS[@]}"; do
            pgc_dropdb "${entry%%/*}" "${entry#*/}" >/dev/null 2>&1
        done
        [[ -n $T_WORK ]] && rm -rf -- "$T_WORK"
    elif ((${#T_DBS[@]} > 0)); then
        printf '   kept for a look: %s\n' "${T_DBS[*]}"
    fi
    if ((T_OWN_CLUSTERS)); then
        pgc_cleanup
    fi
    exit "$rc"
}

# t_databases: creates the test's two databases, t_<test>_src on cluster src and t_<test>_dst
# on cluster dst, and sets SRC_DB, DST_DB and their connection strings SRC and DST.
# shellcheck disable=SC2034  # SRC_DB, DST_DB, SRC and DST are for the tests
t_databases() {
    t_createdb src || return 1
    SRC_DB=$T_DB
    t_createdb dst || return 1
    DST_DB=$T_DB
    SRC=$(pgc_dsn src "$SRC_DB")
    DST=$(pgc_dsn dst "$DST_DB")
}

# t_copy_schema: the source database's schema, without rows, into the target database (what
# a user prepares before a sync).
t_copy_schema() {
    "$PGC_BIN/pg_dump" --schema-only --no-owner -d "$SRC" | pgc_psql dst "$DST_DB" >/dev/null
}

# t_dbname [SUFFIX]: the database name for this test: t_<test>_<suffix>, lower case.
t_dbname() {
    local n="t_${T_NAME}${1:+_$1}"
    n=$(printf '%s' "$n" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9_' '_')
    printf '%s\n' "${n:0:63}"
}

# t_createdb CLUSTER [SUFFIX]: (re)creates database t_<test>_<SUFFIX or CLUSTER> on CLUSTER,
# sets T_DB to its name, and drops it at the end if the test passed.
t_createdb() {
    local cluster=${1:?t_createdb CLUSTER [SUFFIX]}
    T_DB=$(t_dbname "${2:-$cluster}")
    pgc_createdb "$cluster" "$T_DB" || t_fail "could not create database $T_DB on $cluster"
    T_DBS+=("$cluster/$T_DB")
}

# t_step MSG: a heading in the log.
t_step() { printf -- '-- %s (%ss)\n' "$*" "$((SECONDS - T_START))"; }

_t_show_tail() {
    local label=$1 file=$2
    if [[ -s $file ]]; then
        printf '    last lines of %s:\n' "$label"
        tail -n 15 -- "$file" | sed 's/^/      | /'
    fi
}

_t_ok() {
    T_CHECKS=$((T_CHECKS + 1))
    printf 'ok: %s\n' "$1"
}

_t_bad() {
    T_CHECKS=$((T_CHECKS + 1))
    T_FAILED=$((T_FAILED + 1))
    printf 'FAIL: %s\n' "$1"
}

# t_assert_eq EXPECTED ACTUAL MSG
t_assert_eq() {
    if [[ $1 == "$2" ]]; then
        _t_ok "$3"
        return 0
    fi
    _t_bad "$3"
    printf '    expected: %s\n    actual:   %s\n' "$1" "$2"
    return 1
}

# t_assert_contains HAYSTACK NEEDLE MSG: NEEDLE is a fixed string.
t_assert_contains() {
    if [[ $1 == *"$2"* ]]; then
        _t_ok "$3"
        return 0
    fi
    _t_bad "$3"
    printf '    expected to contain: %s\n    in: %s\n' "$2" "$(printf '%s' "$1" | tail -n 20)"
    return 1
}

# t_assert_not_contains HAYSTACK NEEDLE MSG
t_assert_not_contains() {
    if [[ $1 != *"$2"* ]]; then
        _t_ok "$3"
        return 0
    fi
    _t_bad "$3"
    printf '    expected not to contain: %s\n    in: %s\n' "$2" "$(printf '%s' "$1" | tail -n 20)"
    return 1
}

# t_run cmd...: runs a command, its stdout in $T_OUT, its stderr in $T_ERR, its status in T_RC.
t_run() {
    "$@" >"$T_OUT" 2>"$T_ERR"
    T_RC=$?
    return "$T_RC"
}

# t_assert_exit CODE cmd...: runs cmd like t_run and checks its exit status: CODE is a number,
# or "!0" for any failure. The output stays in $T_OUT and $T_ERR for further checks.
t_assert_exit() {
    local want=$1 cmd
    shift
    t_run "$@"
    printf -v cmd '%q ' "$@"
    cmd=${cmd% }
    if [[ $want == '!0' && $T_RC -ne 0 ]] || [[ $want == "$T_RC" ]]; then
        _t_ok "exit $T_RC: ${cmd:0:200}"
        return 0
    fi
    _t_bad "exit status of: ${cmd:0:300}"
    printf '    expected: %s\n    actual:   %s\n' "$want" "$T_RC"
    _t_show_tail stdout "$T_OUT"
    _t_show_tail stderr "$T_ERR"
    return 1
}

# t_out / t_err: the stdout / stderr of the last t_run or t_assert_exit.
t_out() { cat -- "$T_OUT"; }
t_err() { cat -- "$T_ERR"; }

# t_fail MSG: ends the test as failed.
t_fail() {
    _t_bad "${1:-failed}"
    _t_show_tail stderr "$T_ERR"
    T_ENDED=1
    exit 1
}

# t_skip MSG: ends the test as skipped (exit 77; run.sh counts it neither passed nor failed).
t_skip() {
    printf 'SKIP: %s\n' "${1:-skipped}"
    T_ENDED=1
    exit 77
}

# t_pass: ends the test: passed when no assertion failed.
t_pass() {
    T_ENDED=1
    if ((T_FAILED > 0)); then
        printf 'FAILED: %d of %d checks failed (%ss)\n' "$T_FAILED" "$T_CHECKS" "$((SECONDS - T_START))"
        exit 1
    fi
    printf 'PASSED: %d checks (%ss)\n' "$T_CHECKS" "$((SECONDS - T_START))"
    exit 0
}
