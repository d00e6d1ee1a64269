#!/usr/bin/env bash
#
# run.sh [PATTERN] - runs the integration tests: tests/integration/t_*.sh, or only those whose
# name contains PATTERN. Builds nothing (make integration builds first).
#
# Starts two throwaway PostgreSQL 15 clusters, "src" and "dst", in a fresh directory under
# tmp/clusters/ (so two runs in one checkout do not collide), exports PGC_ROOT so the tests
# find them, runs each test under `timeout` (T_TIMEOUT, default 300 s) with its output in
# tmp/test-logs/NAME.log, prints a line per test (and the end of the log of a failed one),
# stops and removes the clusters on exit, Ctrl-C included, and ends with the line
# "N passed, N failed". Exit status: 0 when none failed.
#
# PGC_KEEP=1 keeps the clusters' files after the run; the server logs are copied to
# tmp/test-logs/ in any case.

set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
# shellcheck source-path=SCRIPTDIR source=../../scripts/pgcluster.sh
source "$REPO/scripts/pgcluster.sh"

PATTERN=${1:-}
LOG_DIR=${T_LOG_DIR:-$REPO/tmp/test-logs}
TIMEOUT=${T_TIMEOUT:-300}
mkdir -p -- "$LOG_DIR" "$REPO/tmp/clusters" || exit 1

tests=()
for f in "$REPO"/tests/integration/t_*.sh; do
    [[ -e $f ]] || continue
    name=$(basename "$f" .sh)
    if [[ -n $PATTERN && $name != *"$PATTERN"* ]]; then continue; fi
    tests+=("$f")
done
if ((${#tests[@]} == 0)); then
    if [[ -n $PATTERN ]]; then
        printf 'run.sh: no test matches "%s"\n' "$PATTERN" >&2
        printf '0 passed, 0 failed\n'
        exit 2
    fi
    printf '0 passed, 0 failed\n'
    exit 0
fi

# Under /tmp: the checkout may sit below a directory the postgres OS user cannot enter.
PGC_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/confiture-clusters.XXXXXX") || exit 1
export PGC_ROOT
current=

cleanup() {
    local rc=$? c log
    trap - EXIT INT TERM HUP
    # Stop the running test (timeout passes TERM on to its whole process group), then the
    # clusters, which also ends whatever the test still had running against them.
    [[ -n $current ]] && kill -TERM "$current" 2>/dev/null
    pgc_stop_all
    [[ -n $current ]] && wait "$current" 2>/dev/null
    for c in src dst; do
        log=$PGC_ROOT/$c/postgres.log
        [[ -r $log ]] && cp -- "$log" "$LOG_DIR/postgres-$c.log"
    done
    if [[ ${PGC_KEEP:-0} == 1 ]]; then
        printf 'run.sh: clusters kept in %s\n' "$PGC_ROOT" >&2
    else
        while IFS= read -r c; do pgc_destroy "$c"; done < <(pgc_list)
        rmdir -- "$PGC_ROOT" 2>/dev/null
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

started=$SECONDS
# initdb both at once, then start them one after the other (each takes the next free port).
pgc_init src >"$LOG_DIR/harness-init-src.log" 2>&1 &
p1=$!
pgc_init dst >"$LOG_DIR/harness-init-dst.log" 2>&1 &
p2=$!
ok=1
wait "$p1" || ok=0
wait "$p2" || ok=0
if ((ok)) && ! { pgc_start src && pgc_start dst; }; then
    ok=0
fi
if ((!ok)); then
    printf 'run.sh: could not start the PostgreSQL clusters:\n' >&2
    cat "$LOG_DIR"/harness-init-*.log >&2
    printf '0 passed, %d failed\n' "${#tests[@]}"
    exit 1
fi
rm -f -- "$LOG_DIR"/harness-init-*.log
printf 'clusters: src on port %s, dst on port %s, in %s (%ss)\n' "$(pgc_port src)" \
    "$(pgc_port dst)" "${PGC_ROOT#"$REPO"/}" "$((SECONDS - started))"

passed=0
failed=0
skipped=0
for f in "${tests[@]}"; do
    name=$(basename "$f" .sh)
    log=$LOG_DIR/$name.log
    t0=$SECONDS
    timeout -k 10 "$TIMEOUT" bash "$f" >"$log" 2>&1 </dev/null &
    current=$!
    wait "$current"
    rc=$?
    current=
    secs=$((SECONDS - t0))
    case $rc in
    0)
        passed=$((passed + 1))
        printf 'ok      %s (%ss)\n' "$name" "$secs"
        ;;
    77)
        skipped=$((skipped + 1))
        printf 'skip    %s: %s\n' "$name" "$(grep -m1 '^SKIP' "$log" | cut -c7-)"
        ;;
    *)
        failed=$((failed + 1))
        if ((rc == 124 || rc == 137)); then
            printf 'FAILED  %s (timed out after %ss)\n' "$name" "$TIMEOUT"
        else
            printf 'FAILED  %s (exit %s, %ss) - %s\n' "$name" "$rc" "$secs" "${log#"$REPO"/}"
        fi
        # What failed (lib.sh prints "FAIL: ..." and the details below it), then the end.
        if (($(wc -l <"$log") > 40)) && grep -q '^FAIL' "$log"; then
            grep -A 8 '^FAIL' "$log" | grep -v '^ok: ' | head -n 40 | sed 's/^/    | /'
            printf '    | ...\n'
            tail -n 6 -- "$log" | sed 's/^/    | /'
        else
            tail -n 30 -- "$log" | sed 's/^/    | /'
        fi
        ;;
    esac
    # A test may stop or crash a shared cluster on purpose; the next one gets it back up.
    for c in src dst; do
        if ! pgc_running "$c"; then
            printf '        (cluster %s was down after %s: restarting it)\n' "$c" "$name"
            pgc_restart "$c" || printf '        could not restart %s\n' "$c"
        fi
    done
done

if ((skipped > 0)); then printf '%d skipped\n' "$skipped"; fi
printf '%d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
