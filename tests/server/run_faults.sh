#!/bin/bash
# Fault injection: each kind happens, is counted, is deterministic under a
# seed, and never blocks a retrying client.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || skip "curl is not installed"
command -v jq >/dev/null || skip "jq is not installed"

G=(--gen-bucket gen='2x50,size=1000')
L="/storage/v1/b/gen/o"

code() { curl -s -o "$WORK/body" -w '%{http_code}' "$@" 2>/dev/null || true; }

# --- the same seed gives the same faults; another seed different ones
run_seq() {
    start_server "${G[@]}" --seed "$1" --rate-429 0.1 --rate-500 0.1 --rate-503 0.1
    for i in $(seq 40); do code "$BASE$L?maxResults=$i"; echo; done >"$WORK/seq.$1.$2"
    stop_server
}
run_seq 1 a; run_seq 1 b; run_seq 2 a
same "seed 1 replay" "$WORK/seq.1.a" "$WORK/seq.1.b"
cmp -s "$WORK/seq.1.a" "$WORK/seq.2.a" && fail "seeds 1 and 2 injected the same faults"
grep -qv 200 "$WORK/seq.1.a" || fail "no fault at 30%"
echo "ok: deterministic under --seed"

# --- certain failure is capped: a retry always gets through
start_server "${G[@]}" --rate-500 1 --max-consecutive 2
for i in 1 2 3 4 5 6; do code "$BASE$L"; echo; done | tr '\n' ' ' >"$WORK/cap"
[ "$(cat "$WORK/cap")" = "500 500 200 500 500 200 " ] || fail "consecutive cap: $(cat "$WORK/cap")"
code "$BASE$L" >/dev/null # the 7th fails again
jq -e '.error.code == 500 and .error.errors[0].reason == "backendError"' "$WORK/body" >/dev/null ||
    fail "500 body is not the service's error document"
stop_server
[ "$(stat faults 500)" = 5 ] || fail "500 faults counted $(stat faults 500), expected 5"
echo "ok: --max-consecutive"

# --- 429 with and without Retry-After
start_server "${G[@]}" --rate-429 1 --retry-after 3
curl -s -D "$WORK/h" -o /dev/null "$BASE$L"
grep -qi '^Retry-After: 3' "$WORK/h" || fail "429 without Retry-After: 3"
stop_server
start_server "${G[@]}" --rate-429-bare 1
curl -s -D "$WORK/h" -o /dev/null "$BASE$L"
grep -q ' 429' "$WORK/h" || fail "no 429"
grep -qi '^Retry-After' "$WORK/h" && fail "bare 429 has Retry-After"
stop_server
[ "$(stat faults 429)" = 1 ] || fail "bare 429 not counted"
echo "ok: 429"

# --- connection closed mid-body: curl sees a short body and an error
start_server "${G[@]}" --rate-abort 1 --max-consecutive 1000
rc=0; curl -s -o "$WORK/body" "$BASE$L" || rc=$?
[ "$rc" = 18 ] || [ "$rc" = 56 ] || [ "$rc" = 52 ] || fail "abort: curl exit $rc, expected a transfer error"
jq . "$WORK/body" >/dev/null 2>&1 && fail "aborted body parses as JSON"
rc=0; curl -s -o "$WORK/body" -H 'Range: bytes=0-131' "$BASE$L/S1%2FIM-01.dcm?alt=media" || rc=$?
[ "$rc" != 0 ] || fail "aborted media download succeeded"
stop_server
[ "$(stat faults abort)" = 2 ] || fail "aborts counted $(stat faults abort)"
echo "ok: abort"

# --- short pages still carry a token, and following them lists everything
start_server "${G[@]}" --rate-short 1
n=0 pages=0 tok=""
while :; do
    curl -s "$BASE$L?maxResults=30&fields=items/name,nextPageToken${tok:+&pageToken=$tok}" >"$WORK/p"
    k=$(jq '.items | length' "$WORK/p")
    [ "$k" -lt 30 ] || fail "page of $k items is not short"
    n=$((n + k)) pages=$((pages + 1))
    tok=$(jq -r '.nextPageToken // empty | @uri' "$WORK/p")
    [ -n "$tok" ] || break
done
[ "$n" = 100 ] || fail "short pages listed $n objects, expected 100"
stop_server
[ "$(stat faults short_page)" = "$pages" ] || fail "short pages counted $(stat faults short_page)"
echo "ok: short pages ($pages pages)"

# --- slow bodies and latency take time, and still arrive whole
start_server "${G[@]}" --rate-slow 1 --slow-chunk 1000 --slow-delay-ms 20 --latency-ms 100
t=$(curl -s -o "$WORK/body" -w '%{time_total}' "$BASE$L?maxResults=20")
jq -e '.items | length == 20' "$WORK/body" >/dev/null || fail "slow body incomplete"
awk -v t="$t" 'BEGIN { exit !(t >= 0.25) }' || fail "slow body + latency took only ${t}s"
stop_server
[ "$(stat faults slow_body)" = 1 ] && [ "$(stat faults latency)" = 1 ] || fail "slow/latency not counted"
echo "ok: slow body and latency (${t}s)"

# --- /_stats reads the counters while running
start_server "${G[@]}" --rate-503 1 --max-consecutive 1
code "$BASE$L" >/dev/null
curl -s "$BASE/_stats" | jq -e '.faults["503"] == 1 and .requests.list == 1' >/dev/null ||
    fail "/_stats does not show the 503"
stop_server
echo "all fault checks passed"
