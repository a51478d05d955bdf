#!/usr/bin/env bash
# CLI benchmark: `gcsplan match URI < names` against `LC_ALL=C grep -E` with
# the equivalent anchored regex, on a file of generated object names.
#
#   bench/cli_match.sh GCSPLAN [COUNT]
#
# GCSPLAN is the gcsplan binary of a Release build configured with
# -DGCSPLAN_BUILD_BENCH=ON; COUNT defaults to 5000000 names. Environment:
#   BENCH_DIR  where bench_gen_names and bench_match are (default: GCSPLAN's dir/bench)
#   WORK       where the names file is written and kept (default: GCSPLAN's dir/bench-data)
#   REPS       runs per command; the fastest counts (default 5)
# The patterns are bench_match's classes (bench_match --cases). Uses
# hyperfine when it is installed, else a best-of-REPS wall-clock timer that
# runs the two commands in turns.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 GCSPLAN [COUNT]" >&2
    exit 2
fi
gcsplan=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
count=${2:-5000000}
bench_dir=${BENCH_DIR:-$(dirname "$gcsplan")/bench}
work=${WORK:-$(dirname "$gcsplan")/bench-data}
reps=${REPS:-5}

mkdir -p "$work"
names=$work/names-$count.txt
if [ ! -s "$names" ]; then
    "$bench_dir/bench_gen_names" "$count" 42 > "$names.tmp"
    mv "$names.tmp" "$names"
fi
echo "$count names, $(($(stat -c %s "$names") / 1048576)) MiB: $names"

# Seconds (fractional) of one run of a shell command line.
run_once() {
    local start end
    start=$(date +%s%N)
    bash -c "$1" || [ $? -eq 1 ] # exit 1 is "nothing matched", not a failure
    end=$(date +%s%N)
    echo $((end - start))
}

# Fastest of $reps runs of each of two command lines, taken in turns so that
# a burst of load from elsewhere does not fall on one of them only: "T1 T2".
best_pair() {
    local b1="" b2="" t
    for _ in $(seq "$reps"); do
        t=$(run_once "$1")
        if [ -z "$b1" ] || [ "$t" -lt "$b1" ]; then b1=$t; fi
        t=$(run_once "$2")
        if [ -z "$b2" ] || [ "$t" -lt "$b2" ]; then b2=$t; fi
    done
    awk -v a="$b1" -v b="$b2" 'BEGIN { printf "%.3f %.3f\n", a / 1e9, b / 1e9 }'
}

# Fastest time of each of two command lines, by hyperfine: "T1 T2".
hyperfine_pair() {
    local json=$work/hyperfine.json
    hyperfine -N --warmup 1 --runs "$reps" -i --export-json "$json" "$1" "$2" > /dev/null
    grep -o '"min": *[0-9.e+-]*' "$json" | awk '{ printf "%.3f ", $2 }'
}

printf '%-10s %8s %10s %10s %9s\n' class matches gcsplan_s grep_s grep/gcsplan
status=0
while IFS=$'\t' read -r label uri regex; do
    # Both write their output to a file: GNU grep stops at the first match
    # when stdout is /dev/null, which would time nothing.
    g_cmd="$gcsplan match '$uri' < '$names' > '$work/g.out'"
    r_cmd="LC_ALL=C grep -E '^$regex\$' < '$names' > '$work/r.out'"
    g_count=$({ "$gcsplan" match "$uri" < "$names" || [ $? -eq 1 ]; } | wc -l)
    r_count=$(LC_ALL=C grep -cE "^$regex\$" < "$names" || true)
    if [ "$g_count" != "$r_count" ]; then
        echo "$label: gcsplan matches $g_count names, grep $r_count" >&2
        status=1
    fi
    if command -v hyperfine > /dev/null; then
        # hyperfine -N runs without a shell, so give it one for the redirections.
        read -r g_s r_s < <(hyperfine_pair "bash -c \"$g_cmd\"" "bash -c \"$r_cmd\"")
    else
        read -r g_s r_s < <(best_pair "$g_cmd" "$r_cmd")
    fi
    ratio=$(awk -v g="$g_s" -v r="$r_s" 'BEGIN { printf "%.2fx", r / g }')
    printf '%-10s %8s %10s %10s %9s\n' "$label" "$g_count" "$g_s" "$r_s" "$ratio"
done < <("$bench_dir/bench_match" --cases)
echo "grep/gcsplan = grep's time / gcsplan's time; the target is >= 1.00x (gcsplan no slower)."
exit "$status"
