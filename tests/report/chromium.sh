#!/usr/bin/env bash
# The report pages in a real browser: headless Chromium reads each page
# (pages.sh) and
#   - the DOM it builds holds one row per job, the findings, our one script
#     and none of the markup the hostile strings carry;
#   - the page's script runs: its hash is in the page's Content-Security-Policy
#     (a page whose script was changed by one byte is refused, as a control);
#   - the page makes no network request: Chromium's net log holds no request
#     the page started (the browser's own background requests, which it
#     marks "not an origin", aside). A control page with an <img> of
#     127.0.0.1:9 proves the net log would show one;
#   - a screenshot of the example page is kept in OUT_DIR/example.png.
# Wall times of each run are in OUT_DIR/times.txt.
#
#   chromium.sh REPORT_DRIVER TESTS_REPORT_DIR TEST_DATA_DIR OUT_DIR
#
# Exit 77 (skipped) when chromium or jq is missing.
set -euo pipefail
driver=$1 here=$2 data=$3 out=$4
. "$here/chrome.sh"
[ -n "$browser" ] || { echo "chromium is not installed: skipped"; exit 77; }
command -v jq > /dev/null || { echo "jq is not installed: skipped"; exit 77; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
. "$here/pages.sh"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# Controls: the checks below must be able to fail.
printf '<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/control.png"></body></html>\n' \
    > "$out/control-request.html"
chrome "$out/control-request.log" --log-net-log="$out/control-request.netlog.json" \
    --dump-dom "file://$out/control-request.html" > /dev/null
page_requests "$out/control-request.netlog.json" | grep -q '127.0.0.1:9/control.png' ||
    bad "the net log does not show the control page's own request: the network check proves nothing"
sed 's/var m=document/var  m=document/' "$out/example.html" > "$out/control-script.html"
chrome "$out/control-script.log" --dump-dom "file://$out/control-script.html" > /dev/null
grep -q 'Content Security Policy' "$out/control-script.log" ||
    bad "a changed script was not refused: the script check proves nothing"

: > "$out/times.txt"
for i in "${!pages[@]}"; do
    p=${pages[$i]}
    f="$out/$p"
    t0=$(now)
    chrome "$f.chromium.log" --log-net-log="$f.netlog.json" --dump-dom "file://$f" > "$f.dom.html"
    t1=$(now)
    echo "$p dump-dom $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s" >> "$out/times.txt"
    n=$(count '<tr id="job-[0-9]*"' "$f.dom.html")
    [ "$n" = "${page_jobs[$i]}" ] || bad "$p: the DOM has $n job rows, want ${page_jobs[$i]}"
    grep -q '<section id="findings">' "$f.dom.html" || bad "$p: no findings in the DOM"
    n=$(count '<script' "$f.dom.html")
    [ "$n" = "${page_script[$i]}" ] || bad "$p: $n scripts in the DOM, want ${page_script[$i]}"
    n=$(count '<(img|iframe|object|embed|b|base|form)[ >/]' "$f.dom.html")
    [ "$n" = 0 ] || bad "$p: $n elements in the DOM that the page never writes"
    if grep -q 'Content Security Policy' "$f.chromium.log"; then
        bad "$p: the browser refused something:"
        grep 'Content Security Policy' "$f.chromium.log" | head -3 >&2
    fi
    requests=$(page_requests "$f.netlog.json")
    [ -z "$requests" ] || bad "$p made network requests: $requests"
done
grep -q 'Pre-flight findings' "$out/hostile.html.dom.html" &&
    grep -q 'alert(8)' "$out/hostile.html.dom.html" || bad "hostile.html: the findings are missing"

rm -f "$out/example.png"
t0=$(now)
chrome "$out/screenshot.log" --screenshot="$out/example.png" --window-size=1400,2000 \
    "file://$out/example.html" > /dev/null
t1=$(now)
echo "example.html screenshot $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s" >> "$out/times.txt"
[ "$(head -c 8 "$out/example.png" 2> /dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    bad "no screenshot"
cat "$out/times.txt"
[ "$fail" = 0 ] && echo "report pages in Chromium: ${#pages[@]} pages, no request, screenshot $out/example.png"
exit "$fail"
