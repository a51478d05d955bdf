#!/bin/bash
# The Cloud Healthcare API stand-in (gcs-healthcare-recorder), each behaviour
# of docs/healthcare-stand-in.md checked with curl and jq: the old defaults,
# stores, the operation lifecycle and its JSON, counters from a listing with
# the import-URI semantics, failures, zero matches, quota, 503s, lost
# answers, latency, FHIR content structures, tokens, records and STATS; then
# `gcloud healthcare operations describe` reading operations (skipped, exit
# 77, without gcloud).
# Usage: run_standin.sh RECORDER_BINARY
set -euo pipefail
. "$(dirname "$0")/../server/lib.sh" "$1" "$(dirname "$0")"

command -v curl >/dev/null || skip "curl is not installed"
command -v jq >/dev/null || skip "jq is not installed"

DS=projects/test-project/locations/us-central1/datasets/ds-1
DICOM=$DS/dicomStores/dicom-1
FHIR=$DS/fhirStores/fhir-1

# post STORE BODY -> prints the status; body in $WORK/body, curl's exit in $WORK/rc
post() {
    local rc=0
    rm -f "$WORK/body"
    curl -s -o "$WORK/body" -w '%{http_code}' -H 'Content-Type: application/json' \
        ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "$2" "$BASE/v1/$1:import" >"$WORK/status" || rc=$?
    echo "$rc" >"$WORK/rc"
    cat "$WORK/status"
}
get() { # PATH (after /v1/) -> status; body in $WORK/body
    curl -s -o "$WORK/body" -w '%{http_code}' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} "$BASE/v1/$1"
}
import() { # STORE URI [CS] -> the operation name
    local body="{\"gcsSource\":{\"uri\":\"$2\"}}"
    [ -n "${3:-}" ] && body="{\"contentStructure\":\"$3\",\"gcsSource\":{\"uri\":\"$2\"}}"
    [ "$(post "$1" "$body")" = 200 ] || fail "import $2 into $1: $(cat "$WORK/body")"
    jq -r .name "$WORK/body"
}
finish() { # OPERATION -> polls until done; the last body in $WORK/body
    for _ in $(seq 20); do
        [ "$(get "$1")" = 200 ] || fail "poll $1: $(cat "$WORK/body")"
        jq -e '.done == true' "$WORK/body" >/dev/null && return 0
    done
    fail "$1 never finished"
}
counter() { jq -c '.metadata.counter // {}' "$WORK/body"; }

cat >"$WORK/bkt.jsonl" <<'EOF'
{"name":"studies/S1/series-1/IM-1.dcm","size":10}
{"name":"studies/S1/series-1/IM-2.dcm","size":10}
{"name":"studies/S1/series-1/bad-3.dcm","size":10}
{"name":"studies/S1/series-2/IM-1.dcm","size":10}
{"name":"studies/S2/series-1/IM-1.dcm","size":"9223372036854775808"}
{"name":"studies/S2/notes.txt","size":1}
{"name":"studies/é/IM-1.dcm","size":1}
{"name":"studies/ab/IM-1.dcm","size":1}
{"name":"studies/a/IM-1.dcm","size":1}
{"name":"lit/[x]*?.dcm","size":1}
{"name":"fhir/patients-1.ndjson","size":100}
{"name":"fhir/patients-2.ndjson","size":100}
EOF
printf 'studies/S1/series-2/IM-1.dcm\n' >"$WORK/fail.list"

# ---------------------------------------------------------------------------
# the defaults are the recorder's old behaviour: any store, done at once
start_server --record "$WORK/old.rec"
op=$(import "$DS/dicomStores/any-store" 'gs://nowhere/x/**')
[[ $op =~ ^$DS/operations/[0-9]{19}$ ]] || fail "operation name $op"
[ "$(get "$op")" = 200 ] && jq -e --arg n "$op" '.name == $n and .done == true
    and .response["@type"] == "type.googleapis.com/google.cloud.healthcare.v1.dicom.ImportDicomDataResponse"
    and (.metadata | has("counter") | not) and .metadata.endTime != null' "$WORK/body" >/dev/null ||
    fail "default operation: $(cat "$WORK/body")"
[ "$(get "$DS/fhirStores/any")" = 200 ] && jq -e '.name and .version == "R4"' "$WORK/body" >/dev/null ||
    fail "store get"
[ "$(get "$DS/operations/42")" = 404 ] &&
    jq -e '.error == {"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}' \
        "$WORK/body" >/dev/null || fail "unknown operation: $(cat "$WORK/body")"
stop_server
jq -e -s --arg n "$op" '.[0] | .method == "POST" and .store == "'"$DS"'/dicomStores/any-store"
    and .uri == "gs://nowhere/x/**" and .status == 200 and .operation == $n and .lost == false
    and .seq == 1 and (.time | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{6}Z$"))
    and (.body | fromjson | .gcsSource.uri) == "gs://nowhere/x/**"' "$WORK/old.rec" >/dev/null ||
    fail "record: $(head -1 "$WORK/old.rec")"
[ "$(jq -c '[.requests, .submissions, .operations, .done, .succeeded]' "$WORK/stats.json")" = '[4,1,1,1,1]' ] ||
    fail "STATS: $(cat "$WORK/stats.json")"
echo "ok: defaults (any store, done at the first poll), records and STATS"

# ---------------------------------------------------------------------------
# stores, the lifecycle, counters with the import-URI semantics
start_server --store "$DICOM" --store "$FHIR" --bucket bkt="$WORK/bkt.jsonl" --polls-to-finish 3 \
    --fail-objects '.*/bad-[0-9]+\.dcm' --fail-list "$WORK/fail.list" --record "$WORK/life.rec"
[ "$(post "$DS/dicomStores/other" '{"gcsSource":{"uri":"gs://bkt/studies/**"}}')" = 404 ] &&
    jq -e '.error.status == "NOT_FOUND" and .error.code == 404' "$WORK/body" >/dev/null ||
    fail "import into an unknown store: $(cat "$WORK/body")"
[ "$(get "$DS/dicomStores/other")" = 404 ] && [ "$(get "$DICOM")" = 200 ] || fail "store get"
op=$(import "$DICOM" 'gs://bkt/studies/**.dcm')
for i in 1 2 3; do
    [ "$(get "$op")" = 200 ] || fail "poll $i"
    jq -e 'has("done") | not' "$WORK/body" >/dev/null || fail "poll $i is done: $(cat "$WORK/body")"
    jq -e '(.metadata | has("endTime") | not) and .metadata.createTime != null and (has("response") | not)' \
        "$WORK/body" >/dev/null || fail "running operation: $(cat "$WORK/body")"
done
[ "$(get "$op")" = 200 ] || fail "poll 4"
jq -e --arg n "$op" '.name == $n and .done == true
    and .metadata["@type"] == "type.googleapis.com/google.cloud.healthcare.v1.OperationMetadata"
    and .metadata.apiMethodName == "google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData"
    and (.metadata.createTime | test("Z$")) and (.metadata.endTime | test("Z$"))
    and (.metadata.logsUrl | startswith("https://console.cloud.google.com/logs/query/"))
    and .metadata.counter == {"success": "6", "failure": "2"}
    and .response["@type"] == "type.googleapis.com/google.cloud.healthcare.v1.dicom.ImportDicomDataResponse"' \
    "$WORK/body" >/dev/null || fail "done operation: $(cat "$WORK/body")"
echo "ok: stores; not done for 3 polls, then done with counters as strings"

# one expectation per URI: "success failure" (failure absent when 0)
while read -r uri want; do
    o=$(import "$DICOM" "$uri")
    finish "$o"
    got=$(jq -r '[.metadata.counter.success // "0", .metadata.counter.failure // "0"] | join("/")' "$WORK/body")
    [ "$got" = "$want" ] || fail "$uri counted $got, expected $want"
    jq -e '.metadata.counter | (.success != "0") and (.failure != "0")' "$WORK/body" >/dev/null ||
        fail "a zero counter key is present: $(counter)"
done <<'EOF'
gs://bkt/studies/*/series-1/*.dcm 3/1
gs://bkt/studies/S1/*/IM-?.dcm 2/1
gs://bkt/studies/?/IM-1.dcm 2/0
gs://bkt/studies/??/IM-1.dcm 1/0
gs://bkt/studies/S2/** 2/0
gs://bkt/studies/S2** 2/0
gs://bkt/studies/**.txt 1/0
gs://bkt/studies/S1/series-1/bad-3.dcm 0/1
gs://bkt/lit/[x]*?.dcm 1/0
gs://bkt/fhir/*.ndjson 2/0
gs://bkt/studies/S1/series-2/IM-1.dcm 0/1
EOF
echo "ok: counters from the listing ('*', '?' per code point, '**' with suffix, literals, fails)"

[ "$(post "$DICOM" '{"gcsSource":{"uri":"gs://bkt/none/*.dcm"}}')" = 400 ] &&
    jq -e '.error == {"code":400,"status":"FAILED_PRECONDITION",
        "message":"the import pattern '"'"'gs://bkt/none/*.dcm'"'"' resolves to zero GCS objects"}' \
        "$WORK/body" >/dev/null || fail "zero match: $(cat "$WORK/body")"
for bad in 'gs://bkt/a/**/b' 'gs://bkt/***' 'gs://bkt/a/**x*' 'gs://Bkt/x' 'gs://bkt/' 's3://bkt/x'; do
    [ "$(post "$DICOM" "{\"gcsSource\":{\"uri\":\"$bad\"}}")" = 400 ] &&
        jq -e '.error.status == "INVALID_ARGUMENT"' "$WORK/body" >/dev/null || fail "invalid URI $bad accepted"
done
# the same job again: counted as a duplicate submission
import "$DICOM" 'gs://bkt/studies/**.dcm' >/dev/null
stop_server
[ "$(jq .duplicate_submissions "$WORK/stats.json")" = 1 ] || fail "duplicates: $(cat "$WORK/stats.json")"
[ "$(jq '.partial' "$WORK/stats.json")" = 5 ] || fail "partial: $(cat "$WORK/stats.json")"
echo "ok: zero matches (the service's message), invalid URIs, duplicate submissions"

# ---------------------------------------------------------------------------
# failures as errors; zero match in the operation
start_server --bucket bkt="$WORK/bkt.jsonl" --fail-objects 'studies/S1/.*' --failed-as-error all \
    --zero-match operation:INVALID_ARGUMENT
o=$(import "$DICOM" 'gs://bkt/studies/S1/**'); finish "$o"
jq -e '.error.code == 3 and (.error.message | startswith("invalid_argument: importing one or more"))
    and .metadata.counter == {"failure": "4"} and (has("response") | not)' "$WORK/body" >/dev/null ||
    fail "all failed as error: $(cat "$WORK/body")"
o=$(import "$DICOM" 'gs://bkt/studies/**.dcm'); finish "$o"
jq -e '.response and .metadata.counter == {"success": "4", "failure": "4"}' "$WORK/body" >/dev/null ||
    fail "partial with --failed-as-error all: $(cat "$WORK/body")"
o=$(import "$DICOM" 'gs://bkt/none/**'); finish "$o"
jq -e '.error == {"code": 3, "message": "the import pattern '"'"'gs://bkt/none/**'"'"' resolves to zero GCS objects"}' \
    "$WORK/body" >/dev/null || fail "zero match in the operation: $(cat "$WORK/body")"
stop_server
start_server --bucket bkt="$WORK/bkt.jsonl" --fail-objects '.*IM-2.*' --failed-as-error any
o=$(import "$DICOM" 'gs://bkt/studies/**.dcm'); finish "$o"
jq -e '.error.code == 3 and .metadata.counter == {"success": "7", "failure": "1"}' "$WORK/body" >/dev/null ||
    fail "--failed-as-error any: $(cat "$WORK/body")"
stop_server
echo "ok: --failed-as-error all|any, --zero-match operation"

# ---------------------------------------------------------------------------
# FHIR: content structures, the request's fields, NDJSON of resources
start_server --store "$FHIR" --store "$DICOM" --bucket bkt="$WORK/bkt.jsonl" \
    --fhir-content bkt=ndjson-resources
for cs in RESOURCE RESOURCE_PRETTY 2; do
    body="{\"contentStructure\":$( [ "$cs" = 2 ] && echo 2 || echo "\"$cs\""),\"gcsSource\":{\"uri\":\"gs://bkt/fhir/*\"}}"
    [ "$(post "$FHIR" "$body")" = 200 ] || fail "contentStructure $cs: $(cat "$WORK/body")"
    finish "$(jq -r .name "$WORK/body")"
    jq -e '.metadata.apiMethodName == "google.cloud.healthcare.v1.fhir.FhirStoreService.ImportResources"
        and .response["@type"] == "type.googleapis.com/google.cloud.healthcare.v1.fhir.rest.ImportResourcesResponse"
        and .metadata.counter == {"success": "2"}' "$WORK/body" >/dev/null || fail "FHIR $cs: $(cat "$WORK/body")"
done
for cs in BUNDLE BUNDLE_PRETTY CONTENT_STRUCTURE_UNSPECIFIED ""; do
    o=$(import "$FHIR" 'gs://bkt/fhir/*' "$cs"); finish "$o"
    jq -e '.metadata.counter == {"failure": "2"}' "$WORK/body" >/dev/null || fail "BUNDLE '$cs' on NDJSON: $(counter)"
done
curl -s "$BASE/_logs/${o##*/}" >"$WORK/logs"
[ "$(wc -l <"$WORK/logs")" = 2 ] && jq -e -s 'map(select(.object == "gs://bkt/fhir/patients-1.ndjson"))
    | length == 1 and (.[0].message | contains("no bundle is found; if you intend to import individual resources, make sure you specify the appropriate ContentStructure in the request"))' \
    "$WORK/logs" >/dev/null || fail "the no-bundle log: $(cat "$WORK/logs")"
cs_type='type.googleapis.com/google.cloud.healthcare.v1.fhir.ImportResourcesRequest.ContentStructure'
[ "$(post "$FHIR" '{"contentStructure":"NDJSON","gcsSource":{"uri":"gs://bkt/fhir/*"}}')" = 400 ] &&
    jq -e --arg t "$cs_type" '.error == {"code": 400, "status": "INVALID_ARGUMENT",
        "message": ("Invalid value at '"'"'content_structure'"'"' (" + $t + "), \"NDJSON\"")}' "$WORK/body" >/dev/null ||
    fail "bad contentStructure: $(cat "$WORK/body")"
[ "$(post "$FHIR" '{"contentStructure":7,"gcsSource":{"uri":"gs://bkt/fhir/*"}}')" = 400 ] || fail "contentStructure 7"
[ "$(post "$DICOM" '{"contentStructure":"BUNDLE","gcsSource":{"uri":"gs://bkt/studies/**"}}')" = 400 ] &&
    jq -e '.error.message == "Invalid JSON payload received. Unknown name \"contentStructure\": Cannot find field."' \
        "$WORK/body" >/dev/null || fail "DICOM with contentStructure: $(cat "$WORK/body")"
[ "$(post "$DICOM" '{"gcsSource":{"uri":"gs://bkt/studies/**","x":1}}')" = 400 ] &&
    jq -e '.error.message == "Invalid JSON payload received. Unknown name \"x\" at '"'"'gcs_source'"'"': Cannot find field."' \
        "$WORK/body" >/dev/null || fail "unknown nested field: $(cat "$WORK/body")"
[ "$(post "$DICOM" '{"gcsSource":')" = 400 ] && [ "$(post "$DICOM" '{}')" = 400 ] &&
    [ "$(post "$DICOM" '{"gcsSource":{"uri":5}}')" = 400 ] || fail "malformed bodies accepted"
stop_server
echo "ok: FHIR content structures (names and numbers), 400s in the API's words, NDJSON of resources"

# ---------------------------------------------------------------------------
# quota of running operations
start_server --bucket bkt="$WORK/bkt.jsonl" --max-running 2 --polls-to-finish 1
a=$(import "$DICOM" 'gs://bkt/studies/S1/**'); b=$(import "$DICOM" 'gs://bkt/studies/S2/**')
[ "$(post "$DICOM" '{"gcsSource":{"uri":"gs://bkt/fhir/*"}}')" = 429 ] &&
    jq -e '.error.code == 429 and .error.status == "RESOURCE_EXHAUSTED"
        and (.error.message | startswith("Quota exceeded"))' "$WORK/body" >/dev/null ||
    fail "a third running operation: $(cat "$WORK/body")"
finish "$a"
import "$DICOM" 'gs://bkt/fhir/*' >/dev/null
stop_server
[ "$(jq -c '[.max_running, .quota_429, .running]' "$WORK/stats.json")" = '[2,1,2]' ] ||
    fail "quota stats: $(cat "$WORK/stats.json")"
echo "ok: --max-running (429 RESOURCE_EXHAUSTED; max_running in STATS)"

# ---------------------------------------------------------------------------
# 503s, deterministic under --seed and capped; lost answers; latency; token
seq503() {
    start_server --rate-503 0.5 --seed "$1"
    for i in $(seq 12); do post "$DICOM" "{\"gcsSource\":{\"uri\":\"gs://b0b/x$((i % 4))/**\"}}"; echo; done >"$WORK/seq.$1.$2"
    for i in $(seq 6); do get "$DS/operations/1"; echo; done >>"$WORK/seq.$1.$2"
    stop_server
}
seq503 1 a; seq503 1 b; seq503 2 a
same "503s under --seed 1" "$WORK/seq.1.a" "$WORK/seq.1.b"
cmp -s "$WORK/seq.1.a" "$WORK/seq.2.a" && fail "seeds 1 and 2 gave the same 503s"
grep -q 503 "$WORK/seq.1.a" && grep -q 200 "$WORK/seq.1.a" || fail "no mix of 503 and 200: $(tr '\n' ' ' <"$WORK/seq.1.a")"
start_server --rate-503 1 --max-consecutive 2 --record "$WORK/f.rec"
for i in 1 2 3; do post "$DICOM" '{"gcsSource":{"uri":"gs://b0b/**"}}'; echo; done | tr '\n' ' ' >"$WORK/cap"
[ "$(cat "$WORK/cap")" = "503 503 200 " ] || fail "503 cap: $(cat "$WORK/cap")"
op=$(jq -r .name "$WORK/body")
for i in 1 2 3; do get "$op"; echo; done | tr '\n' ' ' >"$WORK/cap"
[ "$(cat "$WORK/cap")" = "503 503 200 " ] || fail "503 cap on polls: $(cat "$WORK/cap")"
stop_server
jq -e -s '[.[] | select(.status == 503) | .fault] == ["503","503","503","503"]' "$WORK/f.rec" >/dev/null ||
    fail "503s not recorded as faults"
[ "$(jq .faults_503 "$WORK/stats.json")" = 4 ] || fail "faults_503 $(jq .faults_503 "$WORK/stats.json")"

start_server --lose-answers 2,3 --record "$WORK/lost.rec"
import "$DICOM" 'gs://b0b/1/**' >/dev/null
[ "$(post "$DICOM" '{"gcsSource":{"uri":"gs://b0b/2/**"}}')" = 000 ] && [ "$(cat "$WORK/rc")" = 52 ] ||
    fail "lost answer: status $(cat "$WORK/status"), curl $(cat "$WORK/rc")"
post "$DICOM" '{"gcsSource":{"uri":"gs://b0b/3/**"}}' >/dev/null
import "$DICOM" 'gs://b0b/4/**' >/dev/null
# the operations exist and run, although their creators never heard of them
curl -s "$BASE/_operations" >"$WORK/ops"
[ "$(jq -c -s '[.[] | .answer_lost]' "$WORK/ops")" = '[false,true,true,false]' ] ||
    fail "_operations: $(cat "$WORK/ops")"
lostop=$(jq -r -s '.[1].name' "$WORK/ops")
[ "$(get "$lostop")" = 200 ] && jq -e '.done == true and .response' "$WORK/body" >/dev/null ||
    fail "the lost operation cannot be polled"
stop_server
[ "$(jq -c -s '[.[] | select(.method == "POST") | [.lost, .status, (.operation != null)]]' "$WORK/lost.rec")" = \
    '[[false,200,true],[true,0,true],[true,0,true],[false,200,true]]' ] ||
    fail "lost records: $(jq -c -s '[.[] | [.lost, .status]]' "$WORK/lost.rec")"
[ "$(jq -c '[.operations, .lost_answers, .running]' "$WORK/stats.json")" = '[4,2,3]' ] ||
    fail "lost stats: $(cat "$WORK/stats.json")"
# the lost operation exists: a client that lists or guesses could find it
start_server --lose-answer-rate 1 --record "$WORK/lost2.rec"
post "$DICOM" '{"gcsSource":{"uri":"gs://b0b/**"}}' >/dev/null
stop_server
op=$(jq -r .operation "$WORK/lost2.rec")
[[ $op =~ /operations/[0-9]{19}$ ]] || fail "a lost answer's operation is not recorded"
echo "ok: 503 (deterministic, capped, recorded), lost answers (listed and by rate)"

TOKEN=
start_server --latency-ms 300 --require-token sekrit
t=$(curl -s -o /dev/null -w '%{time_total}' -H 'Authorization: Bearer sekrit' "$BASE/v1/$DICOM")
awk -v t="$t" 'BEGIN { exit !(t >= 0.3) }' || fail "--latency-ms 300 took ${t}s"
[ "$(post "$DICOM" '{"gcsSource":{"uri":"gs://b0b/**"}}')" = 401 ] &&
    jq -e '.error.status == "UNAUTHENTICATED"' "$WORK/body" >/dev/null || fail "no token accepted"
TOKEN=sekrit
[ "$(post "$DICOM" '{"gcsSource":{"uri":"gs://b0b/**"}}')" = 200 ] || fail "the token was refused"
stop_server
TOKEN=
[ "$(jq .unauthorized_401 "$WORK/stats.json")" = 1 ] || fail "401 not counted"
echo "ok: --latency-ms, --require-token"

# --import-latency-ms: imports are slow, everything else is not; a client
# that gives up waiting still leaves the operation made.
start_server --import-latency-ms 600
t=$(curl -s -o /dev/null -w '%{time_total}' "$BASE/v1/$DICOM")
awk -v t="$t" 'BEGIN { exit !(t < 0.5) }' || fail "a store read waited ${t}s"
t=$(curl -s -o "$WORK/body" -w '%{time_total}' -d '{"gcsSource":{"uri":"gs://b0b/a"}}' \
    "$BASE/v1/$DICOM:import")
awk -v t="$t" 'BEGIN { exit !(t >= 0.6) }' || fail "--import-latency-ms 600 took ${t}s"
curl -s -m 0.2 -o /dev/null -d '{"gcsSource":{"uri":"gs://b0b/b"}}' "$BASE/v1/$DICOM:import" || true
sleep 0.8
[ "$(curl -s "$BASE/_operations" | wc -l)" = 2 ] || fail "an import the client gave up on was not made"
stop_server
echo "ok: --import-latency-ms"

# exits by itself after --max-lifetime, with STATS
"$SERVER" --max-lifetime 1 >"$WORK/life.out" 2>/dev/null || fail "--max-lifetime exit status"
grep -q '^STATS {' "$WORK/life.out" || fail "no STATS after --max-lifetime"
for bad in '--store x/y' '--bucket b' '--fail-objects (' '--failed-as-error some' '--zero-match later' \
    '--lose-answers 0' '--rate-503 2' '--fhir-content nob=bundles'; do
    # shellcheck disable=SC2086
    "$SERVER" $bad --max-lifetime 1 >/dev/null 2>&1 && fail "'$bad' was accepted"
done
echo "ok: --max-lifetime; bad options refused"

# ---------------------------------------------------------------------------
GCLOUD=${GCLOUD:-gcloud}
command -v "$GCLOUD" >/dev/null || skip "the gcloud half: gcloud (Google Cloud CLI) is not installed"
start_server --store "$DICOM" --store "$FHIR" --bucket bkt="$WORK/bkt.jsonl" --polls-to-finish 1 \
    --fail-objects '.*bad.*' --failed-as-error all --require-token gtok
echo gtok >"$WORK/token"
export CLOUDSDK_CONFIG="$WORK/gcloud-config" CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$WORK/token"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE="$BASE/"
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1
TOKEN=gtok
ok_op=$(import "$DICOM" 'gs://bkt/studies/**.dcm')
bad_op=$(import "$DICOM" 'gs://bkt/studies/S1/series-1/bad-3.dcm')
describe() {
    timeout 90 "$GCLOUD" healthcare operations describe "${1##*/}" --dataset=ds-1 --location=us-central1 \
        --project=test-project --format=json 2>>"$WORK/gcloud.err"
}
describe "$ok_op" >"$WORK/g1.json" || fail "gcloud describe: $(tail -3 "$WORK/gcloud.err")"
jq -e --arg n "$ok_op" '.name == $n and (has("done") | not)' "$WORK/g1.json" >/dev/null ||
    fail "gcloud, running: $(cat "$WORK/g1.json")"
describe "$ok_op" >"$WORK/g2.json" || fail "gcloud describe (done): $(tail -3 "$WORK/gcloud.err")"
jq -e '.done == true and .metadata.counter == {"success": "7", "failure": "1"}
    and .metadata.apiMethodName == "google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData"
    and .response["@type"] != null' "$WORK/g2.json" >/dev/null || fail "gcloud, done: $(cat "$WORK/g2.json")"
describe "$bad_op" >/dev/null
describe "$bad_op" >"$WORK/g3.json" || fail "gcloud describe (failed): $(tail -3 "$WORK/gcloud.err")"
jq -e '.done == true and .error.code == 3' "$WORK/g3.json" >/dev/null || fail "gcloud, failed: $(cat "$WORK/g3.json")"
describe "$DS/operations/123" >/dev/null && fail "gcloud described an unknown operation"
grep -q NOT_FOUND "$WORK/gcloud.err" || fail "gcloud's 404: $(tail -2 "$WORK/gcloud.err")"
stop_server
echo "ok: gcloud healthcare operations describe reads running, done and failed operations"
echo "all stand-in checks passed"
