#!/usr/bin/env bash
# The report of large plans: how big the plan and the page get and how long
# gcsplan and Chromium take, for archives of N generated objects. Figures,
# not assertions (the times depend on the machine and its load).
#
#   bench/report.sh BUILD_DIR [N...]        (default N: 1000000)
#
# BUILD_DIR holds gcsplan and tests/report_driver (a build with the tests:
# cmake --build BUILD_DIR --target gcsplan report_driver). For each N the
# driver writes its generated imaging archive as a listing (the one
# docs/report.md measures the library with), then, timed: `gcsplan plan
# --json` of it (max 10,000 objects and 1 TiB a job) and `gcsplan report` of
# that plan, with their peak memory; then headless Chromium reads the page
# (--dump-dom: load, parse, layout, script) and takes a screenshot, beside
# the same for an empty page (the browser's own start-up). Files go to
# BUILD_DIR/bench-report/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "$1" && pwd)
shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000)
bin=$build/gcsplan driver=$build/tests/report_driver
[ -x "$bin" ] && [ -x "$driver" ] || { echo "build gcsplan and report_driver in $build first" >&2; exit 2; }
out=$build/bench-report
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
. "$here/../tests/report/chrome.sh"
export SOURCE_DATE_EPOCH=1714546800
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# timed LABEL CMD...: wall time and peak memory of CMD into $t and $mem.
timed() {
    shift
    local t0
    t0=$(now)
    /usr/bin/time -f '%M' -o "$out/time.txt" "$@"
    t=$(elapsed "$t0" "$(now)")
    mem=$(( $(tail -1 "$out/time.txt") / 1024 ))
}
browse() { # PAGE: wall times of --dump-dom and --screenshot into $dom_s, $shot_s
    local t0
    if [ -z "$browser" ]; then dom_s=- shot_s=-; return; fi
    t0=$(now)
    chrome "$1.log" --dump-dom "file://$1" > "$1.dom"
    dom_s=$(elapsed "$t0" "$(now)")
    t0=$(now)
    chrome "$1.shot.log" --screenshot="$1.png" --window-size=1400,2000 "file://$1" > /dev/null
    shot_s=$(elapsed "$t0" "$(now)")
}

printf '<!DOCTYPE html><html><head><title>empty</title></head><body></body></html>\n' > "$out/empty.html"
browse "$out/empty.html"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Chromium, an empty page: dump-dom $dom_s s, screenshot $shot_s s"
printf '%10s %7s %11s %10s %9s %9s %10s %9s %9s %10s %9s\n' objects jobs plan.json summary page \
    plan_s plan_MiB report_s rep_MiB dump-dom_s shot_s
for n in "${sizes[@]}"; do
    listing=$out/archive-$n.jsonl plan=$out/plan-$n.json page=$out/report-$n.html
    [ -s "$listing" ] || "$driver" --generate "$n" --write-listing "$listing" "$out/driver-$n.html"
    timed plan "$bin" plan --json --no-progress --max-objects 10000 --max-bytes 1T \
        --listing "$listing" 'gs://archive-bucket/studies/**' -o "$plan" 2> /dev/null
    plan_s=$t plan_mem=$mem
    timed report "$bin" report -o "$page" "$plan"
    report_s=$t report_mem=$mem
    browse "$page"
    jobs=$(jq '.jobs | length' "$plan")
    summary=$(jq -c .summary "$plan" | wc -c)
    printf '%10s %7s %11s %10s %9s %9s %10s %9s %9s %10s %9s\n' "$n" "$jobs" "$(wc -c < "$plan")" \
        "$summary" "$(wc -c < "$page")" "$plan_s" "$plan_mem" "$report_s" "$report_mem" \
        "$dom_s" "$shot_s"
done
