#!/usr/bin/env bash
# gcsplan ls against the Cloud Storage test server: every strategy, page
# sizes down to 1, odd names, faults on, each result compared with the ground
# truth (the server's own dump of the bucket, filtered by gcsplan match).
# Usage: ls_live.sh GCSPLAN GCS_TEST_SERVER DATA_DIR
set -u
bin=$1 server=$2 data=$3
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# start NAME ARGS...: starts a server, sets $port_NAME
start() {
  local name=$1; shift
  "$server" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
  pids+=($!)
  eval "pid_$name=$!"
  for _ in $(seq 100); do
    grep -q '^PORT ' "$tmp/$name.out" 2> /dev/null && break
    sleep 0.05
  done
  eval "port_$name=$(awk '/^PORT /{print $2}' "$tmp/$name.out")"
}
stop() { # NAME: stops it and leaves its stats in $tmp/NAME.stats
  local pid; eval "pid=\$pid_$1"
  kill -TERM "$pid"; wait "$pid" 2> /dev/null
  sed -n 's/^STATS //p' "$tmp/$1.out" > "$tmp/$1.stats"
}

buckets=(--gen-bucket "bkt=20x5x30" --bucket "odd=$data/buckets/odd.jsonl"
         --bucket "example=$data/example/listing.jsonl" --gen-bucket "wide=3000:d/D%05d/x.dcm"
         --gen-bucket "deep=100x10x100:studies/S%03d/series-%02d/IM-%03d.dcm")
for b in bkt odd example wide deep; do
  "$server" "${buckets[@]}" --dump $b | jq -r .name | LC_ALL=C sort > "$tmp/$b.names"
done
truth() { # BUCKET URI
  "$bin" match "$2" < "$tmp/$1.names"
}

patterns=(
  "bkt|gs://bkt/studies/**.dcm"
  "bkt|gs://bkt/studies/S0**"
  "bkt|gs://bkt/**"
  "bkt|gs://bkt/studies/*/series-?/*.dcm"
  "bkt|gs://bkt/studies/S1*/series-2/IM-0?.dcm"
  "bkt|gs://bkt/studies/S03/series-4/*"
  "bkt|gs://bkt/studies/S03/series-4/IM-07.dcm"
  "bkt|gs://bkt/studies/*/*/IM-3?.dcm"
  "odd|gs://odd/studies/**"
  "odd|gs://odd/studies/**.dcm"
  "odd|gs://odd/studies/*/*.dcm"
  "odd|gs://odd/studies/*"
  "odd|gs://odd/studies/?/?.dcm"
  "odd|gs://odd/studies/a b/c d.dcm"
  "odd|gs://odd/studies/q?mark/x.dcm"
  "odd|gs://odd/studies/star*/x.dcm"
  "odd|gs://odd/studies/percent%2F/x.dcm"
  "odd|gs://odd/studies/hash#1/*"
  "odd|gs://odd/studies/plus+sign/x.dcm"
  "odd|gs://odd/studies/日本/*.dcm"
  "odd|gs://odd/studies/x/"
  "example|gs://example/studies/**.dcm"
  "example|gs://example/studies/20??/patient-000?/series-1/*.dcm"
)

compare() { # LABEL BUCKET URI ARGS...: ls output must equal the truth
  local label=$1 b=$2 uri=$3; shift 3
  "$bin" ls "$@" "$uri" > "$tmp/got" 2> "$tmp/err"
  local code=$?
  truth "$b" "$uri" > "$tmp/want"
  local want_code=0; [ -s "$tmp/want" ] || want_code=1
  if [ $code != $want_code ] || ! cmp -s "$tmp/want" "$tmp/got"; then
    bad "$label $uri $*: exit $code (want $want_code)"; diff "$tmp/want" "$tmp/got" | head -5; head -3 "$tmp/err"
  else ok; fi
}

start clean "${buckets[@]}"
E="http://127.0.0.1:$port_clean"
for entry in "${patterns[@]}"; do
  b=${entry%%|*} uri=${entry#*|}
  for strategy in auto flat walk; do
    compare "clean/$strategy" "$b" "$uri" --endpoint "$E" --strategy $strategy
  done
  compare "pages-of-7" "$b" "$uri" --endpoint "$E" --page-size 7 --parallel 3
  compare "sequential" "$b" "$uri" --endpoint "$E" --parallel 1 --page-size 13
done
# Page size 1: every page boundary, including between delimiter prefixes.
compare "pages-of-1" odd "gs://odd/studies/*/*.dcm" --endpoint "$E" --page-size 1
compare "pages-of-1" odd "gs://odd/studies/**" --endpoint "$E" --page-size 1
# STORAGE_EMULATOR_HOST as host:port
STORAGE_EMULATOR_HOST="127.0.0.1:$port_clean" compare "emulator-host" bkt "gs://bkt/studies/S02/**"
# JSON output: name and size from the top level, not from nested metadata.
"$bin" ls --json --endpoint "$E" 'gs://odd/studies/a/b.dcm' > "$tmp/json"
[ "$(jq -c '[.name,.size]' "$tmp/json")" = '["studies/a/b.dcm",2]' ] && ok || bad "json: $(cat "$tmp/json")"
# A closed pipe ends the listing quietly and successfully.
( set -o pipefail; "$bin" ls --endpoint "$E" 'gs://bkt/**' 2> "$tmp/head.err" | head -1 > /dev/null )
[ $? = 0 ] && [ ! -s "$tmp/head.err" ] && ok || bad "head -1: $(cat "$tmp/head.err")"
# Errors: a missing bucket is exit 3 with the server's message.
"$bin" ls --endpoint "$E" 'gs://nosuchbucket/**' > "$tmp/out" 2> "$tmp/err"
[ $? = 3 ] && grep -q 'HTTP 404' "$tmp/err" && [ ! -s "$tmp/out" ] && ok || bad "missing bucket: $(cat "$tmp/err")"
# A literal URI that names nothing is exit 1 (one objects.get, a 404).
"$bin" ls --explain --endpoint "$E" 'gs://bkt/studies/none.dcm' > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && grep -q 'strategy: get' "$tmp/err" && grep -q 'done: 1 requests' "$tmp/err" && ok ||
  bad "literal miss: $(cat "$tmp/err")"
# The walk never lists a directory that does not match.
"$bin" ls --explain --strategy walk --endpoint "$E" 'gs://bkt/studies/S1?/series-3/*.dcm' \
  > /dev/null 2> "$tmp/err"
grep -q 'done: 11 requests' "$tmp/err" && ok || bad "walk requests: $(tail -1 "$tmp/err")"
# auto chooses by cost, from two sample requests: the walk where few
# directories match, a flat listing where thousands of tiny ones do.
compare "auto-walk" deep 'gs://deep/studies/S0?0/*/*.dcm' --explain --endpoint "$E"
grep -q 'strategy: walk (chosen by cost' "$tmp/err" && grep -q 'done: 102 requests' "$tmp/err" && ok ||
  bad "auto walk: $(grep -E 'strategy|done' "$tmp/err")"
compare "auto-flat" wide 'gs://wide/d/*/x.dcm' --explain --endpoint "$E"
grep -q 'strategy: flat (chosen by cost' "$tmp/err" && grep -qE 'done: [0-9] requests' "$tmp/err" && ok ||
  bad "auto flat: $(grep -E 'strategy|done' "$tmp/err")"
# A flat listing of thousands of one-object directories is cut into ranges
# of at least a page each, not one request per handful of objects.
compare "flat-tiny-dirs" wide 'gs://wide/d/**' --explain --endpoint "$E"
grep -qE 'done: [0-9] requests' "$tmp/err" && ok || bad "tiny dirs: $(grep done "$tmp/err")"
# --exclude drops whole-name matches of each expression.
"$bin" ls --endpoint "$E" --exclude 'studies/S0[1-3]/.*' --exclude '.*IM-1.\.dcm' \
  'gs://bkt/studies/**.dcm' > "$tmp/got"
truth bkt 'gs://bkt/studies/**.dcm' | grep -Ev '^studies/S0[1-3]/|IM-1.\.dcm$' > "$tmp/want"
cmp -s "$tmp/want" "$tmp/got" && ok || bad "exclude: $(diff "$tmp/want" "$tmp/got" | head -3)"
"$bin" ls --endpoint "$E" --exclude '(' 'gs://bkt/**' > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q 'invalid --exclude' "$tmp/err" && ok || bad "bad exclude: $(cat "$tmp/err")"
# --progress writes a status line to stderr even on a pipe; without it, nothing.
"$bin" ls --progress --endpoint "$E" 'gs://bkt/**' 2> "$tmp/err" > /dev/null
grep -q 'listed 3000  matched 3000' "$tmp/err" && ok || bad "progress: $(cat -v "$tmp/err" | tail -c 300)"
"$bin" ls --endpoint "$E" 'gs://bkt/**' 2> "$tmp/err" > /dev/null
[ ! -s "$tmp/err" ] && ok || bad "quiet on a pipe: $(cat -v "$tmp/err")"
stop clean

# Faults: errors, cut connections and short pages on; results stay exact.
start faults "${buckets[@]}" --seed 7 --rate-500 0.15 --rate-503 0.1 --rate-429 0.1 \
  --rate-429-bare 0.05 --retry-after 0 --rate-abort 0.1 --rate-short 0.3 --rate-slow 0.05 \
  --slow-delay-ms 1
E="http://127.0.0.1:$port_faults"
for entry in "${patterns[@]}"; do
  b=${entry%%|*} uri=${entry#*|}
  compare "faults" "$b" "$uri" --endpoint "$E" --retry-base-ms 1 --retry-max-ms 4 --retries 20 --page-size 11
done
stop faults
for f in 500 503 429_retry_after abort short_page; do
  n=$(jq ".faults[\"$f\"]" "$tmp/faults.stats")
  [ "${n:-0}" -gt 0 ] && ok || bad "no $f fault was injected"
done

# After the retry budget: exit 3 with the status and the server's message.
start down --gen-bucket "bkt=3x3x3" --rate-503 1 --max-consecutive 1000
"$bin" ls --endpoint "http://127.0.0.1:$port_down" --retries 2 --retry-base-ms 1 'gs://bkt/**' \
  > "$tmp/out" 2> "$tmp/err"
[ $? = 3 ] && grep -q 'giving up after 3 attempts: HTTP 503' "$tmp/err" && [ ! -s "$tmp/out" ] && ok ||
  bad "retry budget: $(cat "$tmp/err")"
stop down
[ "$(jq .requests.list "$tmp/down.stats")" = 3 ] && ok || bad "retry budget requests: $(cat "$tmp/down.stats")"

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
