#!/usr/bin/env bash
# run.sh - runs the libFuzzer targets that make builds in build/fuzz/ (make fuzz, fuzz-smoke).
#
#   tests/fuzz/run.sh probe CC             exits 0 when CC builds libFuzzer targets with ASan
#                                          and UBSan, else says what is missing and exits 1
#   tests/fuzz/run.sh smoke SECONDS BIN... runs each target SECONDS, from tmp/fuzz-smoke/
#                                          (emptied first) and the committed seed corpus
#   tests/fuzz/run.sh long SECONDS BIN...  runs each target SECONDS, from tmp/fuzz/ (kept,
#                                          so each run starts where the last one stopped)
#                                          and the committed seed corpus
#
# A target BIN named fuzz_NAME reads the seeds in tests/fuzz/corpus/fuzz_NAME/ and never
# writes there: libFuzzer saves what it finds to the first corpus directory it is given, the
# scratch one, SCRATCH/fuzz_NAME/. Its output goes to SCRATCH/fuzz_NAME.log. A crash, a leak,
# a sanitizer report, a failed property or a timeout stops the run: the input is left in
# SCRATCH/crashes/, the end of the log is shown and the script exits 1. To replay an input,
# with UBSan's reports fatal and the known issues of tests/fuzz/ubsan.supp left out as here:
#     UBSAN_OPTIONS=halt_on_error=1:suppressions=tests/fuzz/ubsan.supp build/fuzz/fuzz_NAME FILE
set -euo pipefail
cd "$(dirname "$0")/../.."

# UBSan's checks are built recoverable so that known issues can be suppressed; any other
# report stops the target (libFuzzer then saves the input, as for a crash).
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$PWD/tests/fuzz/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

usage() {
    echo "usage: tests/fuzz/run.sh probe CC | smoke SECONDS BIN... | long SECONDS BIN..." >&2
    exit 2
}

[ $# -ge 2 ] || usage
mode=$1

if [ "$mode" = probe ]; then
    cc=$2
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "fuzz: $cc not found; install clang and libclang-rt-14-dev (scripts/install-deps.sh)"
        exit 1
    fi
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void) d; (void) n; return 0; }' \
        >"$dir/probe.c"
    if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$dir/probe" "$dir/probe.c" \
        >"$dir/log" 2>&1; then
        echo "fuzz: $cc cannot link a libFuzzer target with ASan and UBSan:"
        sed 's/^/    /' "$dir/log" | head -n 5
        echo "hint: install clang and libclang-rt-14-dev (scripts/install-deps.sh)"
        exit 1
    fi
    exit 0
fi

[ "$mode" = smoke ] || [ "$mode" = long ] || usage
[ $# -ge 3 ] || usage
seconds=$2
shift 2
if [ "$mode" = smoke ]; then
    scratch=tmp/fuzz-smoke
    rm -rf "$scratch"
    extra=()
else
    scratch=tmp/fuzz
    # comparisons' operands guide the mutations: slower per input, better on long runs
    extra=(-use_value_profile=1)
fi
mkdir -p "$scratch/crashes"

for bin in "$@"; do
    name=$(basename "$bin")
    seeds=tests/fuzz/corpus/$name
    log=$scratch/$name.log
    [ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; exit 1; }
    [ -d "$seeds" ] || { echo "fuzz: no seed corpus $seeds" >&2; exit 1; }
    mkdir -p "$scratch/$name"
    [ "$mode" = long ] && echo "fuzz: $name for ${seconds}s (follow: tail -f $log)"
    start=$(date +%s)
    # -timeout: a single input taking this long is a hang, reported as a failure
    if ! "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$scratch/crashes/$name-" ${extra[@]+"${extra[@]}"} \
        "$scratch/$name" "$seeds" >"$log" 2>&1; then
        echo "fuzz: $name FAILED; from $log:"
        # the report, without libFuzzer's own frames
        sed -n '/ERROR:\|runtime error:\|fuzz property failed\|ALARM:/,$p' "$log" |
            grep -v ' in fuzzer::\| in main \|__libc_start\| in _start \|^0x\|^MS:\|^Base64:' |
            head -n 40 | sed 's/^/    /'
        echo "fuzz: the input is in $scratch/crashes/; replay it with $bin FILE"
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    found=$(find "$scratch/$name" -type f | wc -l)
    echo "fuzz: $name ok: ${runs:-?} inputs in $(($(date +%s) - start))s," \
        "$(find "$seeds" -type f | wc -l) seeds, $found inputs in $scratch/$name"
done
