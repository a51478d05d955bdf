#!/usr/bin/env bash
# Short libFuzzer run of every fuzz target, for CI and for a quick local check.
#
#   fuzz/smoke.sh [BUILD_DIR]        (default: build-fuzz, relative to the current directory)
#   FUZZ_TARGETS="fuzz_page fuzz_token" fuzz/smoke.sh BUILD_DIR   (some targets only)
#
# Configures BUILD_DIR as a clang build with only the fuzzers, builds them, and
# runs each target for FUZZ_SECONDS (default 30) or FUZZ_RUNS inputs (default
# 5000000), whichever ends first, with its dictionary and a copy of its seed
# corpus: new inputs go to a temporary directory, never into fuzz/corpus.
# Prints each target's execution count; exits 1 when a target finds a
# problem, after copying the input that triggered it to BUILD_DIR/fuzz-findings.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-build-fuzz}
seconds=${FUZZ_SECONDS:-30}
runs=${FUZZ_RUNS:-5000000}
# The targets are the ones fuzz/CMakeLists.txt builds: one list. FUZZ_TARGETS
# (space-separated) runs some of them only.
all=$(sed -n 's/^set(GCSPLAN_FUZZ_TARGETS \(.*\))$/\1/p' "$here/CMakeLists.txt")
[ -n "$all" ] || { echo "smoke.sh: no GCSPLAN_FUZZ_TARGETS in $here/CMakeLists.txt" >&2; exit 2; }
targets=${FUZZ_TARGETS:-$all}
for t in $targets; do
    case " $all " in *" $t "*) ;; *) echo "smoke.sh: $t is not a fuzz target" >&2; exit 2 ;; esac
done

mkdir -p "$build"
cmake -S "$root" -B "$build" -DGCSPLAN_BUILD_FUZZERS=ON -DGCSPLAN_BUILD_TESTS=OFF \
    -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log"; exit 2; }
cmake --build "$build" -j2 --target $targets

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for t in $targets; do
    cp -r "$here/corpus/$t" "$work/$t"
    mkdir "$work/$t.findings"
    # -max_len above the longest valid object pattern (2049 bytes) so that
    # the length limits themselves get fuzzed.
    if "$build/fuzz/$t" -dict="$here/$t.dict" -max_total_time="$seconds" -runs="$runs" \
        -max_len=4096 -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$work/$t.findings/" "$work/$t" > "$work/$t.log" 2>&1; then
        result="no finding"
    else
        result="FINDING"
        status=1
        mkdir -p "$build/fuzz-findings"
        cp "$work/$t.findings/"* "$build/fuzz-findings/" 2>/dev/null || true
        grep -E -B2 -A12 'FAILURE|ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)' \
            "$work/$t.log" | head -60 >&2 || tail -40 "$work/$t.log" >&2
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
    echo "$t: ${execs:-?} executions in at most ${seconds}s: $result"
done
if [ "$status" -ne 0 ]; then
    echo "findings saved in $build/fuzz-findings; reproduce with $build/fuzz/TARGET FILE" >&2
fi
exit "$status"
