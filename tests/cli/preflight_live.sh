#!/usr/bin/env bash
# gcsplan preflight and the findings of gcsplan ls: listing fixtures built
# to provoke each finding, the test server for --probe, a bucket directory,
# exit statuses (--fail-on), JSON shape, stdout of ls kept pure.
# Usage: preflight_live.sh GCSPLAN GCS_TEST_SERVER DATA_DIR
set -u
bin=$1 server=$2 data=$3
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export NO_COLOR=1
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
pf=$data/preflight

# expect LABEL WANT_EXIT PATTERN... -- ARGS: preflight output holds every PATTERN
expect() {
  local label=$1 want=$2; shift 2
  local pats=()
  while [ "$1" != -- ]; do pats+=("$1"); shift; done
  shift
  "$bin" preflight "$@" > "$tmp/out" 2> "$tmp/err"
  local code=$? miss=
  for p in "${pats[@]}"; do grep -qF -- "$p" "$tmp/out" || miss="$miss [$p]"; done
  if [ "$code" != "$want" ] || [ -n "$miss" ]; then
    bad "$label: exit $code (want $want), missing:$miss"; cat "$tmp/out" "$tmp/err" | head -20
  else ok; fi
}

# Each finding, provoked.
expect case 1 'error[nothing-matched]' 'info[case-mismatch]: 3 objects' 'hint: gs://bkt/scans/A/*.DCM' -- \
  --listing "$pf/nearmiss.jsonl" 'gs://bkt/scans/A/*.dcm'
expect nfd 1 'info[unicode-normalization]: 2 objects' -- --listing "$pf/nearmiss.jsonl" 'gs://bkt/patients/Müller/*.dcm'
expect star 1 'info[star-crosses-slash]: 3 objects' 'hint: gs://bkt/deep/**.dcm' -- \
  --listing "$pf/nearmiss.jsonl" 'gs://bkt/deep/*/*.dcm'
expect ext 1 'info[other-extension]: 5 objects' 'kinds: .dicom 3, no extension 2' 'hint: gs://bkt/other/x/*.dicom' -- \
  --listing "$pf/nearmiss.jsonl" 'gs://bkt/other/x/*.dcm'
expect prefix 1 'info[empty-prefix]' 'hint: gs://bkt/studies/**.dcm' -- \
  --listing "$pf/nearmiss.jsonl" 'gs://bkt/studies/S9/*.dcm'
expect bucket 1 'info[empty-bucket]' -- --listing "$pf/empty.jsonl" 'gs://bkt/**'
expect suspicious 0 'warning[zero-byte]: 1' 'warning[folder-placeholder]: 2' 'warning[over-size-limit]: 1' \
  'warning[wildcard-in-name]: 1' 'warning[space-edge-name]: 3' 'warning[control-char-name]: 2' \
  'warning[non-dicom-name]: 5' "'studies/S2/bell\\x07.dcm'" -- \
  --listing "$pf/suspicious.jsonl" --max-object-size 2G 'gs://bkt/studies/**'
expect fail-on-warning 1 'warning[zero-byte]' -- --fail-on warning --listing "$pf/suspicious.jsonl" 'gs://bkt/studies/**'
expect fail-on-none 0 'error[nothing-matched]' -- --fail-on none --listing "$pf/nearmiss.jsonl" 'gs://bkt/scans/A/*.dcm'
expect probe-listing 0 'info[probe-unavailable]' -- --probe --listing "$pf/clean.jsonl" 'gs://bkt/studies/**'

# A clean archive: no output at all, exit 0, with any pattern and --fail-on info.
for uri in 'gs://bkt/studies/**' 'gs://bkt/studies/**.dcm' 'gs://bkt/studies/*/series-1/*.dcm'; do
  "$bin" preflight --fail-on info --listing "$pf/clean.jsonl" "$uri" > "$tmp/out" 2> "$tmp/err"
  [ $? = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "clean $uri: $(cat "$tmp/out" "$tmp/err")"
done

# --json: one document, every finding with its fields.
"$bin" preflight --json --listing "$pf/suspicious.jsonl" 'gs://bkt/studies/**' > "$tmp/json"
[ "$(jq -c '[.objects, .summary.warning, [.findings[].code]]' "$tmp/json")" = \
  '[21,6,["zero-byte","folder-placeholder","wildcard-in-name","space-edge-name","control-char-name","non-dicom-name"]]' ] &&
  ok || bad "json: $(cat "$tmp/json")"
[ "$(jq -c '.findings[0] | [.severity, .count, .bytes, .hint, .examples[0].name]' "$tmp/json")" = \
  '["warning",1,0,null,"studies/S1/empty.dcm"]' ] && ok || bad "json finding: $(jq -c '.findings[0]' "$tmp/json")"

# Usage errors.
"$bin" preflight --fail-on sometimes 'gs://bkt/**' > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q 'fail-on is none' "$tmp/err" && ok || bad "bad --fail-on: $(cat "$tmp/err")"
"$bin" preflight --listing "$pf/clean.jsonl" > /dev/null 2> "$tmp/err"
[ $? = 2 ] && ok || bad "no URI: $(cat "$tmp/err")"

# ls: stdout is exactly the listing, findings after it on stderr.
"$bin" ls --listing "$pf/suspicious.jsonl" 'gs://bkt/studies/**' > "$tmp/out" 2> "$tmp/err"
[ $? = 0 ] && [ "$(wc -l < "$tmp/out")" = 21 ] && grep -q 'warning\[zero-byte\]' "$tmp/err" &&
  ! grep -q 'warning' "$tmp/out" && ok || bad "ls findings: $(head -3 "$tmp/err")"
"$bin" ls --no-preflight --listing "$pf/suspicious.jsonl" 'gs://bkt/studies/**' > /dev/null 2> "$tmp/err"
[ $? = 0 ] && [ ! -s "$tmp/err" ] && ok || bad "ls --no-preflight: $(cat "$tmp/err")"
"$bin" ls --fail-on warning --listing "$pf/suspicious.jsonl" 'gs://bkt/studies/**' > /dev/null 2>&1
[ $? = 1 ] && ok || bad "ls --fail-on warning"
"$bin" ls --listing "$pf/nearmiss.jsonl" 'gs://bkt/scans/A/*.dcm' > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && [ ! -s "$tmp/out" ] && grep -q 'hint: gs://bkt/scans/A/\*.DCM' "$tmp/err" && ok ||
  bad "ls nothing matched: $(cat "$tmp/err")"

# --probe against the test server.
"$server" --bucket "probe=$pf/probe.jsonl" --gen-bucket "clean=10x10" > "$tmp/server.out" 2> /dev/null &
pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/server.out" 2> /dev/null && break; sleep 0.05; done
E="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$tmp/server.out")"
expect probe 1 'error[not-dicom]: 5 objects' 'kinds: text 2, all zeros 1, empty 1, shorter than 132 bytes 1' \
  "'archive/S1/IM-0003.dcm'  text: 132 bytes read, starting \"gcs-test-server \"..., bytes 128-131: 73 79 6e 74" \
  'preflight: 1 error, 1 warning, 0 info; 9 objects matched, 9 probed' -- \
  --probe --endpoint "$E" 'gs://probe/archive/**'
"$bin" preflight --probe --probe-parallel 7 --fail-on info --endpoint "$E" 'gs://clean/**' > "$tmp/out" 2>&1
[ $? = 0 ] && [ ! -s "$tmp/out" ] && ok || bad "probe clean: $(cat "$tmp/out")"
"$bin" preflight --probe --progress --endpoint "$E" 'gs://clean/**' > /dev/null 2> "$tmp/err"
grep -q 'probed 100 of 100' "$tmp/err" && ok || bad "probe progress: $(cat -v "$tmp/err" | tail -c 200)"
"$bin" preflight --json --probe --endpoint "$E" 'gs://probe/archive/**' > "$tmp/json"
[ "$(jq -r '.findings[0].examples[0].head_hex[256:264]' "$tmp/json")" = 73796e74 ] && ok ||
  bad "probe json: $(jq -c '.findings[0].examples[0]' "$tmp/json")"
"$bin" ls --probe --endpoint "$E" 'gs://probe/archive/**' > "$tmp/out" 2> "$tmp/err"
[ $? = 0 ] && [ "$(wc -l < "$tmp/out")" = 9 ] && grep -q 'error\[not-dicom\]' "$tmp/err" && ok ||
  bad "ls --probe: $(cat "$tmp/err")"

# --probe over a bucket directory reads the files.
mkdir -p "$tmp/dir/a"
printf 'not dicom\n' > "$tmp/dir/a/x.dcm"
{ head -c 128 /dev/zero; printf 'DICM'; head -c 20 /dev/zero; } > "$tmp/dir/a/y.dcm"
expect dir 1 'error[not-dicom]: 1 object' "'a/x.dcm'  shorter than 132 bytes: 10 bytes read" -- \
  --probe --bucket-dir "$tmp/dir" 'gs://bkt/a/*.dcm'

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
