#!/usr/bin/env bash
# gcsplan import against the Cloud Healthcare API stand-in
# (gcs-healthcare-recorder), SPEC section 5 behaviour by behaviour:
#   exit 0, 1, 2, 3 and 130; one import call per job with the plan's body
#   (DICOM and FHIR); the concurrency cap (the stand-in's max_running);
#   quota (429) delaying jobs; 503s; lost answers named in the report;
#   --retry-failed; partial jobs with their logsUrl and Cloud Logging filter;
#   a store that does not exist, credentials refused, retries exhausted, each
#   continued by the same command; Ctrl-C (SIGINT) and how to continue; the
#   journal's lock; kill -9 at several points and no second submission of a
#   job whose operation was journaled; a torn last journal line; the journal
#   flushed before and after each submission (strace, when installed); a
#   progress line on a terminal (script); hostile names; stdout's rules; and
#   `gcsplan report PLAN.json JOURNAL` of a run.
# These are the runner's tests: every run has --no-preflight (the plans are
# made from listing files, and the checks would read a bucket). The checks
# before a fresh run are import_preflight.sh's, against the test server.
# Without jq the test is skipped (77).
# Usage: import.sh GCSPLAN RECORDER DATA_DIR
set -u
bin=$1 recorder=$2 data=$3
command -v jq > /dev/null || { echo "SKIP: jq is not installed"; exit 77; }
. "$(dirname "$0")/standin.sh"
check() { # DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok; else bad "$what"; fi
}
expect() { # DESCRIPTION 'SHELL CONDITION'
    local what=$1; shift
    if eval "$1"; then ok; else bad "$what"; fi
}
export LC_ALL=C.UTF-8 NO_COLOR=1

token=import-token-$$
echo "$token" > "$tmp/token"
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$tmp/token"
unset CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE
DS=projects/test-project/locations/us-central1/datasets/ds-1
STORE=$DS/dicomStores/store-1
FHIR=$DS/fhirStores/fhir-1

# 8 studies of 3 objects: a plan of 8 jobs at --max-objects 3.
for s in 1 2 3 4 5 6 7 8; do
    for k in 1 2 3; do
        printf '{"name":"studies/s%02d/IM-%d.dcm","size":%d}\n' "$s" "$k" $((s * 100 + k))
    done
done > "$tmp/bkt.jsonl"
"$bin" plan --json --no-summary --no-preflight --listing "$tmp/bkt.jsonl" --max-objects 3 \
    --store "$STORE" 'gs://bkt/studies/**.dcm' -o "$tmp/plan.json" 2> /dev/null
[ "$(jq '.jobs | length' "$tmp/plan.json")" = 8 ] || { echo "FAIL: the plan is not 8 jobs"; exit 1; }
P=$tmp/plan.json
J=$tmp/plan.json.journal

# start NAME ARGS...: a stand-in over the plan's bucket (standin.sh).
start() {
    local name=$1; shift
    standin_start "$name" --bucket bkt="${BUCKET:-$tmp/bkt.jsonl}" "$@"
}
stop() { standin_stop; }
stat() { jq -r ".$1" "$stats"; }

# imp ARGS...: gcsplan import against the stand-in; $st the exit status,
# stdout in $tmp/out, stderr in $tmp/err.
imp() {
    "$bin" import --api-endpoint "http://127.0.0.1:$port/" --poll-interval 0 --no-progress \
        --no-preflight "$@" > "$tmp/out" 2> "$tmp/err"
    st=$?
}
fresh() { rm -f "$J"; }
# Import calls that made an operation (answered or not), per URI.
made() { jq -r 'select(.method == "POST" and (.status == 200 or .lost)) | .uri' "$rec" | sort; }
dups() { made | uniq -d; }
# The URIs of the jobs the JSON report names as having lost a submission.
lost_uris() { jq -r '.jobs[] | select(.lost_submissions > 0) | .uri' "$tmp/out" | sort; }
all_succeeded() { [ "$(jq '[.jobs[] | select(.state != "succeeded")] | length' "$tmp/out")" = 0 ]; }
subset() { [ -z "$(comm -23 <(sort "$1") <(sort "$2"))" ]; }

# --- success: exit 0, one call per job with the plan's body, at most N at once ---------
fresh
start ok --polls-to-finish 2
imp --concurrency 3 --json "$P"
stop
check "every job succeeded: exit 0 (was $st: $(cat "$tmp/err"))" [ "$st" = 0 ]
check "the JSON report: 8 succeeded" [ "$(jq .totals.succeeded "$tmp/out")" = 8 ]
check "counters: 24 objects imported" [ "$(jq .totals.success "$tmp/out")" = 24 ]
check "every job has its operation" \
    [ "$(jq '[.jobs[] | select(.operation | test("^'"$DS"'/operations/[0-9]+$"))] | length' "$tmp/out")" = 8 ]
jq -c '.jobs[] | {uri: .request.gcsSource.uri, body: (.request | tojson)}' "$P" | sort > "$tmp/want"
jq -c 'select(.method == "POST") | {uri, body}' "$rec" | sort > "$tmp/got"
check "one import call per job, with the plan's body" cmp -s "$tmp/want" "$tmp/got"
check "into the store" [ "$(jq -r 'select(.method == "POST") | .path' "$rec" | sort -u)" = "/v1/$STORE:import" ]
expect "at most 3 operations unfinished at once (max_running $(stat max_running))" \
    '[ "$(stat max_running)" -le 3 ] && [ "$(stat max_running)" -ge 2 ]'
check "no duplicate submission" [ "$(stat duplicate_submissions)" = 0 ]
check "polled until done: 3 polls each" [ "$(stat polls)" = 24 ]
check "the journal: a header and 3 records per job" [ "$(wc -l < "$J")" = 25 ]
check "every journal line is JSON" jq -e . "$J" > /dev/null
# The same command again: everything is known, nothing is sent.
start again
imp --concurrency 3 "$P"
stop
expect "a finished run again: exit 0, no request" '[ "$st" = 0 ] && [ "$(stat requests)" = 0 ]'
check "the table names every job" [ "$(grep -c ' succeeded ' "$tmp/out")" = 8 ]
check "the totals line" grep -q '^8 jobs: 8 succeeded, 0 partial, 0 failed; objects: 24 imported, 0 failed (24 planned)$' "$tmp/out"

# --- partial and failed: exit 1; where the errors are --------------------------------
fresh
start pf --polls-to-finish 1 --fail-objects 'studies/s03/IM-1\.dcm' \
    --fail-objects 'studies/s05/.*' --failed-as-error all
imp "$P"
cp "$tmp/out" "$tmp/pf.txt"
imp --json "$P"
stop
check "partial and failed jobs: exit 1 (was $st)" [ "$st" = 1 ]
s03=$(jq -r '.jobs[] | select(.uri | test("s03")) | .state' "$tmp/out")
s05=$(jq -r '.jobs[] | select(.uri | test("s05")) | .state' "$tmp/out")
check "a job with one failed object is partial ($s03)" [ "$s03" = partial ]
check "a job whose operation ended with an error failed ($s05)" [ "$s05" = failed ]
check "its counters: 2 imported, 1 failed" \
    [ "$(jq -c '.jobs[] | select(.uri | test("s03")) | [.success, .failure]' "$tmp/out")" = '[2,1]' ]
check "the failed job's error" \
    jq -e '.jobs[] | select(.uri | test("s05")) | .error | test("importing one or more instances failed")' -- "$tmp/out" > /dev/null
op=$(jq -r '.jobs[] | select(.uri | test("s03")) | .operation' "$tmp/out")
check "the logsUrl and the filter of the partial job, in the text report" \
    grep -qF "filter: resource.type=\"healthcare_dicom_store\" AND operation.id=\"${op##*/}\"" "$tmp/pf.txt"
check "its logsUrl" grep -qF "logs:   https://console.cloud.google.com/logs/query/" "$tmp/pf.txt"
check "partial named with its failures" grep -q '^job [0-9] partial: 1 object failed$' "$tmp/pf.txt"
expect "JSON: logs_url and logging_filter per job" \
    'jq -e "[.jobs[] | select(.logs_url != null and .logging_filter != null)] | length == 8" "$tmp/out" > /dev/null'

# --- --retry-failed: only the failed job goes again ---------------------------------
start rf --polls-to-finish 1
imp --json "$P"
expect "without --retry-failed: still exit 1, nothing sent" \
    '[ "$st" = 1 ] && [ "$(curl -s "http://127.0.0.1:$port/_stats" | jq .requests)" = 0 ]'
imp --json --retry-failed "$P"
stop
check "--retry-failed: exit 1 (the partial job stays partial) (was $st)" [ "$st" = 1 ]
check "--retry-failed sent the failed job alone" \
    [ "$(jq -r 'select(.method == "POST") | .uri' "$rec")" = "$(jq -r '.jobs[] | select(.uri | test("s05")) | .uri' "$P")" ]
check "and it succeeded" [ "$(jq -r '.jobs[] | select(.uri | test("s05")) | .state' "$tmp/out")" = succeeded ]
check "its submissions: 2" [ "$(jq -r '.jobs[] | select(.uri | test("s05")) | .submissions' "$tmp/out")" = 2 ]

# --- a URI that matches nothing: the call is refused, the job failed -----------------
fresh
grep -v 's04' "$tmp/bkt.jsonl" > "$tmp/bkt-no-s04.jsonl"
BUCKET=$tmp/bkt-no-s04.jsonl start zero --polls-to-finish 0
imp --json "$P"
stop
check "a job refused at submission: exit 1 (was $st)" [ "$st" = 1 ]
check "it failed with HTTP 400 and the service's words" \
    jq -e '.jobs[] | select(.uri | test("s04")) | .state == "failed" and .http_status == 400 and (.error | test("resolves to zero GCS objects")) and .operation == null' -- "$tmp/out" > /dev/null
check "the others succeeded" [ "$(jq .totals.succeeded "$tmp/out")" = 7 ]

# --- quota: 429 delays, never fails ------------------------------------------------
fresh
start quota --max-running 2 --polls-to-finish 1
imp --concurrency 5 --json "$P"
stop
expect "quota: exit 0 (was $st: $(cat "$tmp/err"))" '[ "$st" = 0 ] && all_succeeded'
check "quota: the stand-in said 429 ($(stat quota_429) times)" [ "$(stat quota_429)" -gt 0 ]
check "quota: never more than 2 running" [ "$(stat max_running)" -le 2 ]
check "quota: journaled as deferred" [ "$(grep -c '"event":"deferred","http_status":429' "$J")" = "$(stat quota_429)" ]
check "quota: no duplicate" [ "$(stat duplicate_submissions)" = 0 ]

# --- 503s: repeated, nothing made twice ------------------------------------------------
fresh
start faults --rate-503 0.4 --seed 5 --polls-to-finish 1
imp --json "$P"
stop
expect "503s: exit 0 (was $st: $(cat "$tmp/err"))" '[ "$st" = 0 ] && all_succeeded'
check "503s: some were met ($(stat faults_503))" [ "$(stat faults_503)" -gt 0 ]
check "503s: no duplicate" [ "$(stat duplicate_submissions)" = 0 ]

# --- lost answers: submitted again, and named -------------------------------------------
fresh
start lost --lose-answers 2,5 --polls-to-finish 1
imp --json "$P"
cp "$tmp/out" "$tmp/lost.json"
stop
expect "lost answers: exit 0 (was $st)" '[ "$st" = 0 ] && all_succeeded'
check "lost answers: the stand-in lost 2" [ "$(stat lost_answers)" = 2 ]
dups > "$tmp/d"
lost_uris > "$tmp/l"
expect "lost answers: 2 duplicates, exactly the jobs the report names" \
    '[ "$(wc -l < "$tmp/d")" = 2 ] && cmp -s "$tmp/d" "$tmp/l"'
check "lost answers: totals.lost_jobs" [ "$(jq .totals.lost_jobs "$tmp/lost.json")" = 2 ]
check "lost answers: journaled" [ "$(grep -c '"event":"lost"' "$J")" = 2 ]
"$bin" import --api-endpoint http://127.0.0.1:9/ --no-progress "$P" > "$tmp/out" 2> /dev/null
check "lost answers: the text report says so" \
    [ "$(grep -c 'whose answer never arrived: the store may have run this import twice' "$tmp/out")" = 2 ]
# The report of this run, with its journal.
"$bin" report -o "$tmp/page.html" "$P" "$J" 2> "$tmp/err"
check "report PLAN JOURNAL: a page (exit $?)" [ -s "$tmp/page.html" ]
check "report: the run's section" grep -q 'class="badge succeeded">8 succeeded' "$tmp/page.html"
check "report: lost submissions on the page" grep -qi 'lost' "$tmp/page.html"
if command -v xmllint > /dev/null; then
    check "report: well-formed" xmllint --noout "$tmp/page.html"
fi

# --- a store that does not exist: exit 3, then the same command continues -----------
fresh
start nostore --store "$DS/dicomStores/other" --polls-to-finish 0
imp "$P"
stop
check "no such store: exit 3 (was $st)" [ "$st" = 3 ]
check "no such store: the message" grep -q 'HTTP 404 from dicomStores.import' "$tmp/err"
check "no such store: how to continue" grep -q "the same command continues" "$tmp/err"
expect "no such store: journaled, nothing lost" \
    '[ "$(grep -c "\"http_status\":404" "$J")" -ge 1 ] && ! grep -q "\"event\":\"lost\"" "$J"'
start store --store "$STORE" --polls-to-finish 0
imp --json "$P"
stop
expect "the same command, the store there: exit 0 (was $st)" '[ "$st" = 0 ] && all_succeeded'
check "nothing lost" [ "$(jq .totals.lost_jobs "$tmp/out")" = 0 ]

# --- credentials refused, retries exhausted: exit 3 ----------------------------------
fresh
start auth --polls-to-finish 0
echo wrong-token > "$tmp/token2"
CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$tmp/token2 imp "$P"
stop
expect "credentials refused: exit 3 (was $st)" '[ "$st" = 3 ] && grep -q "HTTP 401" "$tmp/err"'
check "credentials refused: no operation made" [ "$(stat operations)" = 0 ]
fresh
start retries --rate-503 1 --max-consecutive 1000 --polls-to-finish 0
imp --retries 1 --concurrency 1 "$P"
stop
check "retries exhausted: exit 3 (was $st)" [ "$st" = 3 ]
check "retries exhausted: the message" grep -q 'giving up after 2 submissions: HTTP 503' "$tmp/err"

# --- FHIR: the content structure in every body ----------------------------------------
fresh
"$bin" plan --json --no-summary --no-preflight --listing "$tmp/bkt.jsonl" --max-objects 3 \
    --store "$FHIR" --content-structure RESOURCE 'gs://bkt/studies/**.dcm' -o "$tmp/fhir.json" 2> /dev/null
start fhir --store "$FHIR" --polls-to-finish 0 --fhir-content bkt=ndjson-resources
imp --json --journal "$tmp/fhir.journal" "$tmp/fhir.json"
stop
expect "FHIR, RESOURCE on NDJSON: exit 0 (was $st)" '[ "$st" = 0 ] && all_succeeded'
check "FHIR: every body is the plan's, contentStructure first" \
    [ "$(jq -c 'select(.method == "POST") | .body | fromjson' "$rec" | sort)" = \
      "$(jq -c '.jobs[].request' "$tmp/fhir.json" | sort)" ]
check "FHIR: the body names RESOURCE" \
    [ "$(jq -r 'select(.method == "POST") | .body' "$rec" | grep -c '^{"contentStructure":"RESOURCE","gcsSource":{"uri":')" = "$(jq '.jobs | length' "$tmp/fhir.json")" ]
# BUNDLE over NDJSON of resources: every file fails, and the job says so.
start fhir2 --store "$FHIR" --polls-to-finish 0 --fhir-content bkt=ndjson-resources
imp --json --journal "$tmp/fhir2.journal" --content-structure BUNDLE "$tmp/fhir.json"
stop
expect "FHIR, BUNDLE on NDJSON: exit 1, every object failed (was $st)" \
    '[ "$st" = 1 ] && [ "$(jq .totals.failure "$tmp/out")" = 24 ] && [ "$(jq .totals.success "$tmp/out")" = 0 ]'
check "FHIR: the logging filter's resource type" \
    jq -e '.jobs[0].logging_filter | startswith("resource.type=\"healthcare_fhir_store\"")' -- "$tmp/out" > /dev/null

# --- Ctrl-C: stop submitting, say how to continue; the lock meanwhile --------------------
fresh
start sigint --import-latency-ms 1500 --polls-to-finish 1
"$bin" import --api-endpoint "http://127.0.0.1:$port/" --poll-interval 0 --no-progress \
    --no-preflight --concurrency 2 "$P" > "$tmp/int.out" 2> "$tmp/int.err" &
ipid=$!
pids+=("$ipid")
for _ in $(seq 200); do grep -q '"event":"submitting"' "$J" 2> /dev/null && break; sleep 0.05; done
# One run per journal: a second one is refused while this one holds it.
imp "$P"
expect "the journal is locked: exit 3 (was $st)" \
    '[ "$st" = 3 ] && grep -q "another gcsplan import is running" "$tmp/err"'
kill -INT "$ipid"
wait "$ipid"
ist=$?
check "Ctrl-C: exit 130 (was $ist)" [ "$ist" = 130 ]
check "Ctrl-C: says operations keep running" grep -q 'keep running on the server' "$tmp/int.err"
check "Ctrl-C: says how to continue" grep -qF \
    "gcsplan import --api-endpoint http://127.0.0.1:$port/ --poll-interval 0 --no-progress --no-preflight --concurrency 2 $P" "$tmp/int.err"
check "Ctrl-C: the answers in flight were awaited and journaled" \
    [ "$(grep -c '"event":"submitting"' "$J")" = "$(grep -c '"event":"submitted"' "$J")" ]
check "Ctrl-C: no submission after it (2 at most)" [ "$(grep -c '"event":"submitting"' "$J")" -le 2 ]
check "Ctrl-C: the report lists the waiting jobs" grep -q ' waiting ' "$tmp/int.out"
imp --json "$P"
stop
expect "after Ctrl-C the same command finishes: exit 0 (was $st)" '[ "$st" = 0 ] && all_succeeded'
check "after Ctrl-C: no duplicate" [ "$(stat duplicate_submissions)" = 0 ]

# --- kill -9 at several points: only a lost submission may be sent twice -------------
kill9() { # LABEL CONDITION(jq-less grep count on the journal)
    local label=$1 event=$2 count=$3
    fresh
    start "k-$label" --import-latency-ms 1200 --polls-to-finish 2
    "$bin" import --api-endpoint "http://127.0.0.1:$port/" --poll-interval 0 --no-progress \
        --no-preflight --concurrency 3 "$P" > /dev/null 2>&1 &
    local kpid=$!
    pids+=("$kpid")
    local n
    for _ in $(seq 600); do
        n=$(grep -c "$event" "$J" 2> /dev/null)
        [ "${n:-0}" -ge "$count" ] && break
        sleep 0.02
    done
    kill -9 "$kpid"
    wait "$kpid" 2> /dev/null
    # The jobs whose operation was journaled before the kill.
    jq -r 'select(.event == "submitted") | .job' "$J" | sort -u > "$tmp/journaled"
    imp --json "$P"
    stop
    expect "kill -9 $label: the same command finishes (exit $st)" '[ "$st" = 0 ] && all_succeeded'
    dups > "$tmp/d"
    lost_uris > "$tmp/l"
    check "kill -9 $label: every duplicate is a job the report names ($(wc -l < "$tmp/d") dups)" \
        subset "$tmp/d" "$tmp/l"
    jq -r '.jobs[] | "\(.job) \(.uri)"' "$tmp/out" | while read -r n u; do
        grep -qx "$n" "$tmp/journaled" && echo "$u"
    done | sort > "$tmp/ju"
    check "kill -9 $label: no job with a journaled operation was submitted again" \
        [ -z "$(comm -12 "$tmp/ju" "$tmp/d")" ]
    check "kill -9 $label: every job's operation made" [ "$(made | sort -u | wc -l)" = 8 ]
    case $label in
    before-answer) # the open submission was found lost, and is named
        check "kill -9 $label: a lost submission named" [ -s "$tmp/l" ] ;;
    after-answers) # the journaled operations were polled, not sent again
        check "kill -9 $label: 3 or more operations journaled before the kill" \
            [ "$(wc -l < "$tmp/ju")" -ge 3 ] ;;
    esac
}
kill9 before-answer '"event":"submitting"' 1
kill9 after-answers '"event":"submitted"' 3
kill9 while-polling '"event":"done"' 2

# --- a torn last line: ignored, said, cut off -----------------------------------------
start torn --polls-to-finish 0
printf '{"time":"2026-01-01T00:0' >> "$J"
imp --json "$P"
stop
check "torn last line: exit 0 (was $st)" [ "$st" = 0 ]
check "torn last line: said" grep -q 'cut short' "$tmp/err"
expect "torn last line: cut off, the journal whole again" \
    'jq -e . "$J" > /dev/null && [ "$(tail -c 1 "$J" | od -An -tx1 | tr -d " ")" = 0a ]'
check "torn last line: nothing sent" [ "$(stat requests)" = 0 ]

# --- the journal flushed before and after each submission (strace) ----------------------
if command -v strace > /dev/null && strace -f -o /dev/null true 2> /dev/null; then
    fresh
    start trace --polls-to-finish 0
    strace -f -qq -s 120 -e trace=write,fdatasync,sendto,sendmsg,writev -o "$tmp/trace" \
        "$bin" import --api-endpoint "http://127.0.0.1:$port/" --poll-interval 0 --no-progress \
        --no-preflight --concurrency 1 "$P" > /dev/null 2>&1
    stop
    # The syscalls in order, one word each: J_SUBMITTING, J_SUBMITTED, SYNC, POST.
    sed -E 's/^[0-9]+ +//' "$tmp/trace" | awk '
        /^(write|sendto|sendmsg|writev)\(/ && /POST \/v1\// { print "POST"; next }
        /^write\(/ && /\\"event\\":\\"submitting\\"/ { print "J_SUBMITTING"; next }
        /^write\(/ && /\\"event\\":\\"submitted\\"/ { print "J_SUBMITTED"; next }
        /^fdatasync\(/ { print "SYNC"; next }
        ' > "$tmp/seq"
    # Each POST comes after a submitting line and its flush, and its answer
    # is journaled and flushed before the next POST.
    check "strace: submitting, flush, POST, submitted, flush, for each job" \
        [ "$(tr '\n' ' ' < "$tmp/seq" | grep -o 'J_SUBMITTING SYNC POST J_SUBMITTED SYNC' | wc -l)" = 8 ]
else
    echo "note: strace is not usable here: the flush order is not checked"
fi

# --- a progress line with an ETA on a terminal ------------------------------------------
fresh
start tty --polls-to-finish 0
script -qec "$bin import --api-endpoint http://127.0.0.1:$port/ --poll-interval 0 --no-preflight $P" /dev/null \
    > "$tmp/tty" 2>&1
stop
check "terminal: the progress line" grep -q 'jobs 8/8 done, 0 running, 0 waiting  objects 24 ok, 0 failed  ETA' "$tmp/tty"

# --- hostile names: escaped on a terminal and in the report ------------------------------
fresh
"$bin" plan --json --no-summary --no-preflight --listing "$data/cli/hostile.jsonl" --max-objects 1 \
    --store "$STORE" 'gs://bkt/**' -o "$tmp/hostile.json" 2> /dev/null
hostile_bucket=$(jq -r '.uri | sub("^gs://"; "") | sub("/.*"; "")' "$tmp/hostile.json")
start hostile --bucket "$hostile_bucket=$data/cli/hostile.jsonl" --polls-to-finish 0
imp --journal "$tmp/hostile.journal" "$tmp/hostile.json"
cp "$tmp/out" "$tmp/hostile.txt"
imp --json --journal "$tmp/hostile.journal" "$tmp/hostile.json"
stop
expect "hostile names: the run ends (exit $st)" '[ "$st" = 0 ] || [ "$st" = 1 ]'
check "hostile names: no ESC, no C1 control in the text report" \
    [ "$(LC_ALL=C grep -c $'\x1b\|\xc2\x9b' "$tmp/hostile.txt")" = 0 ]
check "hostile names: the JSON report is JSON" jq -e .jobs "$tmp/out" > /dev/null

# --- stdout's rules ---------------------------------------------------------------------
start out --polls-to-finish 0
fresh
"$bin" import --api-endpoint "http://127.0.0.1:$port/" --poll-interval 0 --no-progress --no-preflight \
    --json "$P" > /dev/full 2> "$tmp/err"
fst=$?
expect "stdout into /dev/full: exit 3 (was $fst)" '[ "$fst" = 3 ] && grep -q "writing stdout" "$tmp/err"'
"$bin" import --api-endpoint "http://127.0.0.1:$port/" --poll-interval 0 --no-progress --no-preflight \
    "$P" 2> "$tmp/err" | head -1 > /dev/null
check "stdout into | head -1: the run's own status (${PIPESTATUS[0]})" [ "${PIPESTATUS[0]}" = 0 ]
stop

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
