#!/usr/bin/env bash
# The page `gcsplan report` makes of the example archive's plan, read by
# headless Chromium the way chromium.sh reads the library's pages
# (chrome.sh):
#   - the DOM it builds holds one row per job of the plan, each finding of
#     its pre-flight, a treemap box per summary node that holds bytes, and
#     the page's one script;
#   - the browser refused nothing (Content-Security-Policy) and the page
#     started no request (net log; chromium.sh's controls show that both
#     checks can fail);
#   - a screenshot is kept as OUT_DIR/report-example.png, the picture in
#     README.md, with the wall times in OUT_DIR/times.txt.
# SOURCE_DATE_EPOCH fixes the page's time: the same plan, the same page.
#
#   cli_chromium.sh GCSPLAN TESTS_REPORT_DIR TEST_DATA_DIR OUT_DIR
#
# Exit 77 (skipped) when chromium or jq is missing.
set -euo pipefail
bin=$1 here=$2 data=$3 out=$4
. "$here/chrome.sh"
[ -n "$browser" ] || { echo "chromium is not installed: skipped"; exit 77; }
command -v jq > /dev/null || { echo "jq is not installed: skipped"; exit 77; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

export SOURCE_DATE_EPOCH=1714546800
plan=$out/example-plan.json page=$out/report-example.html
"$bin" plan --json --listing "$data/example/listing.jsonl" --max-bytes 20M \
    --store projects/imaging/locations/us-central1/datasets/archive/dicomStores/studies \
    'gs://example-archive/**' -o "$plan" 2> /dev/null
"$bin" report -o "$page" "$plan"

: > "$out/times.txt"
t0=$(now)
chrome "$out/report.chromium.log" --log-net-log="$out/report.netlog.json" --dump-dom \
    "file://$page" > "$out/report.dom.html"
t1=$(now)
echo "report-example.html $(wc -c < "$page") bytes, dump-dom $(elapsed "$t0" "$t1") s" >> "$out/times.txt"
dom=$out/report.dom.html
want=$(jq '.jobs | length' "$plan")
n=$(count '<tr id="job-[0-9]*"' "$dom")
[ "$n" = "$want" ] || bad "the DOM has $n job rows, the plan $want jobs"
for code in $(jq -r '.preflight.findings[].code' "$plan"); do
    grep -q "<code>$code</code>" "$dom" || bad "finding $code is not in the DOM"
done
want=$(jq '[.summary.nodes[] | select(.bytes > 0)] | length' "$plan")
n=$(count 'class="node"' "$dom")
[ "$n" = "$want" ] || bad "the DOM has $n treemap boxes, the summary $want nodes with bytes"
n=$(count '<script' "$dom")
[ "$n" = 1 ] || bad "$n scripts in the DOM"
if grep -q 'Content Security Policy' "$out/report.chromium.log"; then
    bad "the browser refused something:"
    grep 'Content Security Policy' "$out/report.chromium.log" | head -3 >&2
fi
requests=$(page_requests "$out/report.netlog.json")
[ -z "$requests" ] || bad "the page made network requests: $requests"

rm -f "$out/report-example.png"
t0=$(now)
chrome "$out/screenshot.log" --screenshot="$out/report-example.png" --window-size=1280,1400 \
    --hide-scrollbars "file://$page" > /dev/null
t1=$(now)
echo "report-example.html screenshot $(elapsed "$t0" "$t1") s" >> "$out/times.txt"
[ "$(head -c 8 "$out/report-example.png" 2> /dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    bad "no screenshot"
cat "$out/times.txt"
[ "$fail" = 0 ] && echo "gcsplan report in Chromium: $want boxes, no request, screenshot $out/report-example.png"
exit "$fail"
