#!/usr/bin/env bash
# gcsplan verify: a plan is made, the objects change, and each kind of change
# must be reported on the right job with exit 1; nothing changed is exit 0;
# a malformed plan is exit 2; a failing source is exit 3. Sources: a bucket
# directory, a listing file and (when given) the Cloud Storage test server.
# Usage: verify.sh GCSPLAN [GCS_TEST_SERVER]
set -u
bin=$1 server=${2:-}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
export NO_COLOR=1 LC_ALL=C.UTF-8
command -v jq > /dev/null || { echo "SKIP: jq is not installed"; exit 77; }

# check LABEL WANT_EXIT [PATTERN...]: the last verify's exit status and, for
# each PATTERN, a line of its stdout matching it (grep -E); with no
# pattern, stdout must be empty.
check() {
  local label=$1 want=$2; shift 2
  local good=1
  [ "$code" = "$want" ] || good=0
  if [ $# = 0 ]; then [ -s "$tmp/out" ] && good=0; fi
  for re in "$@"; do grep -qE -- "$re" "$tmp/out" || good=0; done
  if [ $good = 1 ]; then ok; else
    bad "$label: exit $code (want $want)"; sed 's/^/  out: /' "$tmp/out" | head -8
    sed 's/^/  err: /' "$tmp/err" | head -4
  fi
}
verify() { "$bin" verify "$@" > "$tmp/out" 2> "$tmp/err"; code=$?; }
mkfile() { mkdir -p "$(dirname "$1")"; head -c "$2" /dev/zero > "$1"; }

# --- a bucket directory ----------------------------------------------------------------
d=$tmp/bkt
for s in a b c; do for i in 1 2 3; do mkfile "$d/studies/$s/$i.dcm" $((100 * i)); done; done
mkfile "$d/studies/q/keep.dcm" 7   # excluded by the second plan
mkfile "$d/other/x.dcm" 9          # outside the plan's URI
plan() { "$bin" plan --json --bucket-dir "$d" --max-objects 3 "$@" 'gs://bkt/studies/**' 2> /dev/null; }
plan > "$tmp/plan.json"
[ "$(jq -r '[.jobs[].uri] | join(" ")' "$tmp/plan.json")" = \
  "gs://bkt/studies/a** gs://bkt/studies/b** gs://bkt/studies/c** gs://bkt/studies/q**" ] && ok ||
  bad "unexpected plan: $(jq -c '[.jobs[].uri]' "$tmp/plan.json")"

verify "$tmp/plan.json" --bucket-dir "$d"
check "unchanged" 0
grep -q '^0 of 4 jobs changed$' "$tmp/err" && ok || bad "summary: $(cat "$tmp/err")"
# The plan read from stdin.
"$bin" verify - --bucket-dir "$d" < "$tmp/plan.json" > "$tmp/out" 2> "$tmp/err"; code=$?
check "plan on stdin" 0

# Added inside a job: that job, and only it.
mkfile "$d/studies/a/4.dcm" 50
verify "$tmp/plan.json" --bucket-dir "$d"
check "added" 1 '^job 1 gs://bkt/studies/a\*\*: objects 3 -> 4, bytes 600 -> 650$'
[ "$(wc -l < "$tmp/out")" = 1 ] && ok || bad "added: other jobs reported: $(cat "$tmp/out")"
rm "$d/studies/a/4.dcm"
# Removed.
rm "$d/studies/b/2.dcm"
verify "$tmp/plan.json" --bucket-dir "$d"
check "removed" 1 '^job 2 gs://bkt/studies/b\*\*: objects 3 -> 2, bytes 600 -> 400$'
mkfile "$d/studies/b/2.dcm" 200
verify "$tmp/plan.json" --bucket-dir "$d"
check "restored" 0
# Resized: same name, another size.
mkfile "$d/studies/c/3.dcm" 301
verify "$tmp/plan.json" --bucket-dir "$d"
check "resized" 1 '^job 3 gs://bkt/studies/c\*\*: bytes 600 -> 601$'
# Two resized in step: same count and bytes, only the digest tells.
mkfile "$d/studies/c/3.dcm" 300
mkfile "$d/studies/c/1.dcm" 101
mkfile "$d/studies/c/2.dcm" 199
verify "$tmp/plan.json" --bucket-dir "$d"
check "resized in step" 1 '^job 3 gs://bkt/studies/c\*\*: contents changed$'
mkfile "$d/studies/c/1.dcm" 100
mkfile "$d/studies/c/2.dcm" 200
# A new directory no job covers; objects outside the plan's URI do not count.
mkfile "$d/studies/new/1.dcm" 11
mkfile "$d/studies/new/2.dcm" 12
mkfile "$d/other/y.dcm" 9
verify "$tmp/plan.json" --bucket-dir "$d"
check "uncovered" 1 "^uncovered gs://bkt/studies/\*\*: 2 object\(s\), 23 bytes, that no job matches: 'studies/new/1.dcm', 'studies/new/2.dcm'$"
[ "$(wc -l < "$tmp/out")" = 1 ] && ok || bad "uncovered: jobs reported: $(cat "$tmp/out")"
verify --json "$tmp/plan.json" --bucket-dir "$d"
[ $code = 1 ] && [ "$(jq -c '[.kind,.uri,.objects,.bytes,.examples]' "$tmp/out")" = \
  '["uncovered","gs://bkt/studies/**",2,23,["studies/new/1.dcm","studies/new/2.dcm"]]' ] && ok ||
  bad "uncovered --json: $code $(cat "$tmp/out")"
rm -r "$d/studies/new"

# --json: one object per changed job, with both sides.
mkfile "$d/studies/a/0.dcm" 1
rm "$d/studies/b/3.dcm"
verify --json "$tmp/plan.json" --bucket-dir "$d"
[ $code = 1 ] && [ "$(jq -c '[.kind,.job,.uri,.changes,.planned.objects,.now.objects,.now.bytes]' "$tmp/out")" = \
'["job",1,"gs://bkt/studies/a**",["objects","bytes"],3,4,601]
["job",2,"gs://bkt/studies/b**",["objects","bytes"],3,2,300]' ] && ok || bad "--json: $code $(cat "$tmp/out")"
jq -e '.planned.digest | test("^[0-9a-f]{16}$")' "$tmp/out" > /dev/null && ok || bad "--json digest"
rm "$d/studies/a/0.dcm"
mkfile "$d/studies/b/3.dcm" 300

# --exclude: give the plan's exclusions, or the excluded objects are uncovered.
plan --exclude 'studies/q/.*' > "$tmp/plan-x.json"
verify "$tmp/plan-x.json" --bucket-dir "$d" --exclude 'studies/q/.*'
check "exclude, unchanged" 0
verify "$tmp/plan-x.json" --bucket-dir "$d"
check "exclude forgotten" 1 "^uncovered .*'studies/q/keep.dcm'$"
grep -q 'give it here too' "$tmp/err" && ok || bad "exclude hint: $(cat "$tmp/err")"
# An excluded name that appears inside a job: the import would take it.
plan --exclude '.*\.tmp' > "$tmp/plan-t.json"
mkfile "$d/studies/a/3.dcm.tmp" 5
verify "$tmp/plan-t.json" --bucket-dir "$d" --exclude '.*\.tmp'
check "excluded inside a job" 1 '^job 1 .*objects 3 -> 4, bytes 600 -> 605, 1 excluded object\(s\) now match it$'
rm "$d/studies/a/3.dcm.tmp"

# Hand-edited plans: a job URI outside the plan's URI shapes is listed on its
# own (same counts, so no change); two jobs matching the same objects are shared.
jq '.jobs[0].uri = "gs://bkt/studies/a/*"' "$tmp/plan.json" > "$tmp/plan-seg.json"
verify "$tmp/plan-seg.json" --bucket-dir "$d"
check "segmented job" 0
jq '.jobs += [.jobs[0]]' "$tmp/plan.json" > "$tmp/plan-dup.json"
verify "$tmp/plan-dup.json" --bucket-dir "$d"
check "shared" 1 '^job 1 gs://bkt/studies/a\*\*: 3 object\(s\) also match another job$' '^job 5 '

# Malformed plans: exit 2, a message naming what is wrong, nothing on stdout.
malformed() { # LABEL MESSAGE_RE: the file $tmp/bad.json
  verify "$tmp/bad.json" --bucket-dir "$d"
  if [ $code = 2 ] && [ ! -s "$tmp/out" ] && grep -qE -- "$2" "$tmp/err"; then ok; else
    bad "malformed $1: exit $code: $(cat "$tmp/err")"; fi
}
echo '{"uri": "gs://bkt/studies/**", "jobs": [' > "$tmp/bad.json"; malformed "truncated" 'not JSON'
echo '[]' > "$tmp/bad.json"; malformed "array" 'not a JSON object'
jq 'del(.jobs)' "$tmp/plan.json" > "$tmp/bad.json"; malformed "no jobs" '"jobs" is missing'
jq '.uri = 5' "$tmp/plan.json" > "$tmp/bad.json"; malformed "uri type" '"uri" is missing or not a string'
jq '.uri = "gs://bkt/studies/***"' "$tmp/plan.json" > "$tmp/bad.json"; malformed "plan uri" "plan's \"uri\" is not a valid"
jq '.jobs[2].uri = "gs:/bkt"' "$tmp/plan.json" > "$tmp/bad.json"; malformed "job uri" 'job 3: "uri" is not a valid'
jq '.jobs[1].objects = "3"' "$tmp/plan.json" > "$tmp/bad.json"; malformed "objects type" 'job 2: "objects"'
jq '.jobs[0].digest = "xyz"' "$tmp/plan.json" > "$tmp/bad.json"; malformed "digest" 'job 1: "digest" is not 16'
# 400,000 nested arrays (the tree reader crashed freeing them): refused at the depth bound.
{ printf '{"uri":"gs://bkt/studies/**","x":'; head -c 400000 /dev/zero | tr '\0' '['; } > "$tmp/bad.json"
malformed "deep nesting" 'not a plan|nested deeper than 32 levels'
{ printf '{"uri":"gs://bkt/studies/**","objects":1,"bytes":1,"jobs":[],"preflight":'
  head -c 400000 /dev/zero | tr '\0' '['; head -c 400000 /dev/zero | tr '\0' ']'; echo '}'; } > "$tmp/bad.json"
malformed "deep nesting under a skipped key" 'nested deeper than 32 levels'
# Past a bound, not JSON, or a key twice: named.
jq '.jobs[0].uri = ("gs://bkt/" + ("a" * 3000))' "$tmp/plan.json" > "$tmp/bad.json"
malformed "long uri" 'job 1: "uri" is longer than'
sed 's/"objects":/"objects":1,"objects":/' "$tmp/plan.json" > "$tmp/bad.json"
malformed "duplicate key" '"objects" appears twice'
jq '.jobs[1].bytes = 18446744073709551616' "$tmp/plan.json" > "$tmp/bad.json"
malformed "bytes over 2^64-1" 'job 2: "bytes" is not an integer from 0 to 2\^64-1'
rm "$tmp/bad.json"; malformed "missing file" 'No such file'
"$bin" verify > "$tmp/out" 2> "$tmp/err"; code=$?
check "no plan" 2
verify "$tmp/plan.json" "$tmp/plan.json" --bucket-dir "$d"
check "two plans" 2
# Without "digest" (SPEC section 4 does not require it) counts still count.
jq 'del(.jobs[].digest)' "$tmp/plan.json" > "$tmp/plan-nd.json"
verify "$tmp/plan-nd.json" --bucket-dir "$d"
check "no digests" 0

# A plan for a FHIR store, with its store and content structure: read as any other.
plan --store projects/p/locations/l/datasets/d/fhirStores/f --content-structure RESOURCE \
  > "$tmp/plan-fhir.json"
verify "$tmp/plan-fhir.json" --bucket-dir "$d"
check "fhir plan" 0

# A plan of a '*' URI: its jobs pin the segment, inside the plan's URI.
"$bin" plan --json --bucket-dir "$d" --max-objects 3 'gs://bkt/studies/*/*.dcm' > "$tmp/splan.json" 2> /dev/null
verify "$tmp/splan.json" --bucket-dir "$d"
check "segmented plan" 0
mkfile "$d/studies/b/9.dcm" 9
mkfile "$d/studies/zz/1.dcm" 3
verify "$tmp/splan.json" --bucket-dir "$d"
check "segmented plan changed" 1 '^job [0-9]+ gs://bkt/studies/[^ ]*: objects 3 -> 4, bytes 600 -> 609$' \
  "^uncovered gs://bkt/studies/\*/\*\.dcm: 1 object\(s\), 3 bytes, that no job matches: 'studies/zz/1.dcm'$"
rm -r "$d/studies/b/9.dcm" "$d/studies/zz"

# --- a listing file: generations ---------------------------------------------------------
l=$tmp/listing.jsonl
for s in a b; do for i in 1 2 3; do
  echo "{\"name\":\"scans/$s/$i.dcm\",\"size\":$((10 * i)),\"generation\":\"17000000000000$i\"}"
done; done > "$l"
"$bin" plan --json --listing "$l" --max-objects 3 'gs://bkt/scans/**.dcm' > "$tmp/lplan.json" 2> /dev/null
verify "$tmp/lplan.json" --listing "$l"
check "listing unchanged" 0
# A new generation of one object (rewritten with the same size).
sed 's/"scans\/b\/2.dcm","size":20,"generation":"170000000000002"/"scans\/b\/2.dcm","size":20,"generation":"170000000000009"/' \
  "$l" > "$tmp/l2.jsonl"
cmp -s "$l" "$tmp/l2.jsonl" && bad "sed did not change the generation"
verify "$tmp/lplan.json" --listing "$tmp/l2.jsonl"
check "new generation" 1 '^job 2 gs://bkt/scans/b\*\*\.dcm: contents changed$'
# The suffix: a new name that **.dcm does not match is no change.
{ cat "$l"; echo '{"name":"scans/a/4.dcm.bak","size":1}'; } > "$tmp/l3.jsonl"
verify "$tmp/lplan.json" --listing "$tmp/l3.jsonl"
check "suffix" 0
# A literal job (a name that begins another) and a prefix job beside it: each
# counts only its own objects.
printf '%s\n' '{"name":"x/a","size":1}' '{"name":"x/ab","size":2}' '{"name":"x/b","size":3}' > "$tmp/lit.jsonl"
"$bin" plan --json --listing "$tmp/lit.jsonl" --max-objects 1 'gs://bkt/x/**' > "$tmp/lit-plan.json" 2> /dev/null
[ "$(jq -c '[.jobs[].uri]' "$tmp/lit-plan.json")" = '["gs://bkt/x/a","gs://bkt/x/ab**","gs://bkt/x/b**"]' ] &&
  ok || bad "literal plan: $(jq -c '[.jobs[].uri]' "$tmp/lit-plan.json")"
printf '%s\n' '{"name":"x/a","size":5}' '{"name":"x/ab","size":2}' '{"name":"x/abc","size":2}' \
  '{"name":"x/b","size":3}' > "$tmp/lit2.jsonl"
verify "$tmp/lit-plan.json" --listing "$tmp/lit2.jsonl"
check "literal job" 1 '^job 1 gs://bkt/x/a: bytes 1 -> 5$' '^job 2 gs://bkt/x/ab\*\*: objects 1 -> 2, bytes 2 -> 4$'
[ "$(wc -l < "$tmp/out")" = 2 ] && ok || bad "literal job: $(cat "$tmp/out")"
# A malformed listing is the source failing: exit 3, nothing reported.
{ cat "$l"; echo '{"name":'; } > "$tmp/l4.jsonl"
verify "$tmp/lplan.json" --listing "$tmp/l4.jsonl"
check "malformed listing" 3
grep -q 'l4.jsonl:7:' "$tmp/err" && ok || bad "malformed listing message: $(cat "$tmp/err")"

# --- the Cloud Storage test server: two buckets one object apart ---------------------------
if [ -n "$server" ]; then
  for i in 1 2 3 4; do echo "{\"name\":\"s/$i/x.dcm\",\"size\":$i}"; done > "$tmp/b1.jsonl"
  { cat "$tmp/b1.jsonl"; echo '{"name":"s/3/y.dcm","size":5}'; } > "$tmp/b2.jsonl"
  "$server" --bucket "old=$tmp/b1.jsonl" --bucket "new=$tmp/b2.jsonl" > "$tmp/srv.out" 2> "$tmp/srv.err" &
  pids+=($!)
  port=
  for _ in $(seq 100); do
    port=$(awk '/^PORT /{print $2}' "$tmp/srv.out" 2> /dev/null); [ -n "$port" ] && break; sleep 0.05
  done
  E=http://127.0.0.1:$port
  "$bin" plan --json --endpoint "$E" --max-objects 1 'gs://old/s/**' > "$tmp/splan.json" 2> /dev/null
  verify "$tmp/splan.json" --endpoint "$E"
  check "server unchanged" 0
  # The same plan against the other bucket: its URIs, with the bucket renamed.
  sed 's#gs://old/#gs://new/#g' "$tmp/splan.json" > "$tmp/splan2.json"
  verify "$tmp/splan2.json" --endpoint "$E"
  check "server changed" 1 '^job 3 gs://new/s/3\*\*: objects 1 -> 2, bytes 3 -> 8$'
  [ "$(wc -l < "$tmp/out")" = 1 ] && ok || bad "server: other jobs: $(cat "$tmp/out")"
  verify "$tmp/splan.json" --endpoint "$E/nowhere" --retries 0
  check "server failing" 3
fi

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
