#!/usr/bin/env bash
# gcsplan import's pre-flight checks (docs/import.md, "Before the first
# submission"), against the Cloud Storage test server (the objects, the
# bucket's and the project's IAM policies, Resource Manager, IAM) and the
# Cloud Healthcare API stand-in:
#   checks that pass: the run goes on, nothing printed, "preflight" in --json;
#   the service agent without access: exit 3, no import call, no journal,
#   the message and the hint; NDJSON of resources under the default BUNDLE:
#   exit 3 with the command line that takes --content-structure RESOURCE,
#   which then runs; a warning prints and the run goes on, --fail-on warning
#   stops it; a policy the caller may not read: a finding, the run goes on;
#   --no-preflight: no request to the storage side; --project-number; a DICOM
#   store's sample; STORAGE_EMULATOR_HOST; checks that cannot run; resume: a
#   journal with records goes on without the checks, one with its header
#   alone gets them, and is left as it was.
# Without jq the test is skipped (77).
# Usage: import_preflight.sh GCSPLAN RECORDER GCS_TEST_SERVER DATA_DIR
set -u
bin=$1 recorder=$2 server=$3 data=$4
command -v jq > /dev/null || { echo "SKIP: jq is not installed"; exit 77; }
. "$(dirname "$0")/standin.sh"
check() { # DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok; else bad "$what"; head -c 3000 "$tmp/err"; fi
}
export LC_ALL=C.UTF-8 NO_COLOR=1
unset STORAGE_EMULATOR_HOST CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE

token=import-token-$$
echo "$token" > "$tmp/token"
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$tmp/token"
DS=projects/test-project/locations/us/datasets/d
FHIR=$DS/fhirStores/s
DICOM=$DS/dicomStores/s
agent=serviceAccount:service-123456789012@gcp-sa-healthcare.iam.gserviceaccount.com
fixtures=$data/preflight/fhir.jsonl

# Policies: the agent may read "direct" and "scans"; "group" grants a group
# (undecided); "domain" a domain (no access); the caller may not read
# "locked"'s.
policy() { # NAME MEMBER
    printf '{"bindings":[{"role":"roles/storage.objectViewer","members":["%s"]}]}\n' "$2" \
        > "$tmp/$1.json"
}
policy direct "$agent"
policy scans "$agent"
policy group group:importers@example.com
policy domain domain:example.com
# A DICOM bucket: three studies and a text file among them.
for s in 1 2 3; do
    for k in 1 2; do printf '{"name":"studies/s%d/IM-%d.dcm","size":1000}\n' "$s" "$k"; done
done > "$tmp/scans.jsonl"
printf '{"name":"studies/s2/notes.txt","size":300}\n' >> "$tmp/scans.jsonl"
# and a name that would retitle a terminal, shown escaped
printf '{"name":"studies/s3/\\u001b]0;owned\\u0007.txt","size":300}\n' >> "$tmp/scans.jsonl"
sort -o "$tmp/scans.jsonl" "$tmp/scans.jsonl"

"$server" --bucket "direct=$fixtures" --bucket "group=$fixtures" --bucket "domain=$fixtures" \
    --bucket "locked=$fixtures" --bucket "scans=$tmp/scans.jsonl" \
    --iam "direct=$tmp/direct.json" --iam "group=$tmp/group.json" \
    --iam "domain=$tmp/domain.json" --iam locked=deny --iam "scans=$tmp/scans.json" \
    --max-lifetime 600 > "$tmp/gcs.out" 2> "$tmp/gcs.err" &
pids+=("$!")
for _ in $(seq 200); do grep -q '^PORT ' "$tmp/gcs.out" 2> /dev/null && break; sleep 0.05; done
gcs_port=$(awk '/^PORT/ { print $2; exit }' "$tmp/gcs.out")
[ -n "$gcs_port" ] || { echo "FAIL: the test server did not start: $(cat "$tmp/gcs.err")"; exit 1; }
gcs=http://127.0.0.1:$gcs_port
export CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=$gcs/ CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM=$gcs/
# Requests the test server has answered, its own stats aside.
gcs_requests() { curl -s "$gcs/_stats" | jq '.requests.total - .requests.stats'; }

# Plans of two jobs, one per NDJSON file of resources, without a content
# structure (the API's default, BUNDLE) unless one is given.
plan() { # BUCKET OUT [PLAN OPTIONS...]
    local b=$1 out=$2; shift 2
    "$bin" plan --json --no-summary --no-preflight --listing "$fixtures" --max-objects 1 \
        --store "$FHIR" "$@" "gs://$b/resources/**" -o "$out" 2> /dev/null
}
for b in direct group domain locked; do plan "$b" "$tmp/$b.json"; done
plan direct "$tmp/direct-rs.json" --content-structure RESOURCE
"$bin" plan --json --no-summary --no-preflight --listing "$tmp/scans.jsonl" --max-objects 2 \
    --store "$DICOM" 'gs://scans/studies/**' -o "$tmp/scans-plan.json" 2> /dev/null
[ "$(jq '.jobs | length' "$tmp/direct.json")" = 2 ] || { echo "FAIL: the plan is not 2 jobs"; exit 1; }

# The stand-in: every bucket's objects; the FHIR files are resources per line.
start() { # NAME ARGS...
    local name=$1; shift
    standin_start "$name" --polls-to-finish 0 \
        --bucket "direct=$fixtures" --bucket "group=$fixtures" --bucket "domain=$fixtures" \
        --bucket "locked=$fixtures" --bucket "scans=$tmp/scans.jsonl" \
        --fhir-content direct=ndjson-resources --fhir-content group=ndjson-resources \
        --fhir-content domain=ndjson-resources --fhir-content locked=ndjson-resources "$@"
}
stop() { standin_stop; }
posts() { jq -s '[.[] | select(.method == "POST")] | length' "$rec"; }

# imp PLAN ARGS...: gcsplan import against both; $st the exit status, stdout
# in $tmp/out, stderr in $tmp/err; the journal is PLAN.journal.
imp() {
    local p=$1; shift
    "$bin" import --api-endpoint "http://127.0.0.1:$port/" --endpoint "$gcs" --poll-interval 0 \
        --no-progress "$@" "$p" > "$tmp/out" 2> "$tmp/err"
    st=$?
}
has() { grep -qF -- "$1" "$tmp/err"; }
fresh() { rm -f "$tmp"/*.journal; }
no_findings() { ! grep -q '^\(error\|warning\|info\)\[' "$tmp/err"; }

# --- the checks pass: the run goes on, nothing printed ---------------------------------
fresh
start pass
imp "$tmp/direct-rs.json" --json
stop
check "checks pass: exit 0 (was $st)" [ "$st" = 0 ]
check "checks pass: no finding printed" no_findings
check "checks pass: both jobs submitted" [ "$(posts)" = 2 ]
check "checks pass: --json has the checks' document" \
    jq -e '.preflight.store.access.verdict == "granted" and .preflight.findings == [] and
           .preflight.store.sampled == 2 and .preflight.store.content_structure == "RESOURCE"' \
    "$tmp/out" > /dev/null
check "checks pass: and the report" jq -e '.complete and .totals.succeeded == 2' "$tmp/out" > /dev/null

# --- the service agent may not read the bucket: exit 3, nothing submitted --------------
fresh
start noaccess
imp "$tmp/domain.json" --content-structure RESOURCE
cp "$tmp/err" "$tmp/noaccess.err"
stop
check "no access: exit 3 (was $st)" [ "$st" = 3 ]
check "no access: the finding" has "error[agent-no-access]: the Cloud Healthcare Service Agent service-123456789012@gcp-sa-healthcare.iam.gserviceaccount.com cannot read gs://domain"
check "no access: the grant as hint" has "hint: gcloud storage buckets add-iam-policy-binding gs://domain --member=$agent --role=roles/storage.objectViewer"
check "no access: the message" has "gcsplan: error: the pre-flight checks found 1 error: the import did not start (nothing was submitted, and the journal was not touched)"
check "no access: how to go on" has "once the finding is dealt with (its hint says how), the same command checks again and starts:"
check "no access: the same command" \
    has "  gcsplan import --api-endpoint http://127.0.0.1:$port/ --endpoint $gcs --poll-interval 0 --no-progress --content-structure RESOURCE $tmp/domain.json"
check "no access: and the ways past" has "--fail-on none (they are still printed) or --no-preflight (no checks)"
check "no access: the stand-in saw no request" [ "$(jq .requests "$stats")" = 0 ]
check "no access: no journal" [ ! -e "$tmp/domain.json.journal" ]
check "no access: stdout empty" [ ! -s "$tmp/out" ]
# --json: the document, every job waiting, the findings in it
fresh
start noaccess-json
imp "$tmp/domain.json" --content-structure RESOURCE --json
stop
check "no access, --json: exit 3 (was $st)" [ "$st" = 3 ]
check "no access, --json: the document" \
    jq -e '(.complete | not) and .preflight.findings[0].code == "agent-no-access" and
           .preflight.store.access.verdict == "none" and .content_structure == "RESOURCE" and
           ([.jobs[] | select(.state == "waiting" and .submissions == 0)] | length) == 2 and
           .totals.waiting == 2 and .totals.objects == 2' "$tmp/out" > /dev/null
check "no access, --json: no import call" [ "$(jq .requests "$stats")" = 0 ]
# --no-preflight: the storage side is not asked; the run goes on
fresh
start skip
before=$(gcs_requests)
imp "$tmp/domain.json" --content-structure RESOURCE --no-preflight
stop
check "--no-preflight: exit 0 (was $st)" [ "$st" = 0 ]
check "--no-preflight: no request to the storage side" [ "$(gcs_requests)" = "$before" ]
check "--no-preflight: nothing printed about it" no_findings
check "--no-preflight: both jobs submitted" [ "$(posts)" = 2 ]
rm -f "$tmp/domain.json.journal"

# --- NDJSON of resources under the default BUNDLE: the hint's command line runs ----------
fresh
start bundle
imp "$tmp/direct.json"
stop
check "BUNDLE on resources: exit 3 (was $st)" [ "$st" = 3 ]
check "BUNDLE on resources: the finding" has "error[fhir-content-structure]: 2 of 2 sampled objects do not fit --content-structure BUNDLE (one Bundle per line)"
check "BUNDLE on resources: the hint" has "hint: --content-structure RESOURCE"
check "BUNDLE on resources: how to go on" has "gcsplan import: with the content structure of the hint, the command checks again and starts:"
check "BUNDLE on resources: nothing submitted" [ "$(jq .requests "$stats")" = 0 ]
check "BUNDLE on resources: no journal" [ ! -e "$tmp/direct.json.journal" ]
again=$(sed -n 's/^  gcsplan import /import /p' "$tmp/err")
check "BUNDLE on resources: the command line takes RESOURCE" \
    [ "$again" = "import --content-structure RESOURCE --api-endpoint http://127.0.0.1:$port/ --endpoint $gcs --poll-interval 0 --no-progress $tmp/direct.json" ]
# The command it gives, against a stand-in on another port: it runs.
fresh
start bundle-again
read -r -a words <<< "${again/127.0.0.1:*\/ --endpoint/127.0.0.1:$port/ --endpoint}"
"$bin" "${words[@]}" > "$tmp/out" 2> "$tmp/err"
st=$?
stop
check "the hint's command: exit 0 (was $st)" [ "$st" = 0 ]
check "the hint's command: the bodies name RESOURCE" \
    [ "$(jq -r 'select(.method == "POST") | .body | fromjson | .contentStructure' "$rec" | sort -u)" = RESOURCE ]
check "the hint's command: its journal" [ -s "$tmp/direct.json.journal" ]
rm -f "$tmp/direct.json.journal"
# A content structure given on the command line is replaced, not repeated.
fresh
start bundle-given
imp "$tmp/direct.json" --content-structure=BUNDLE
stop
check "--content-structure=BUNDLE: exit 3 (was $st)" [ "$st" = 3 ]
check "--content-structure=BUNDLE: replaced in the command line" \
    [ "$(sed -n 's/^  gcsplan import /import /p' "$tmp/err")" = "import --content-structure RESOURCE --api-endpoint http://127.0.0.1:$port/ --endpoint $gcs --poll-interval 0 --no-progress $tmp/direct.json" ]

# --- a warning prints and the run goes on; --fail-on warning stops it --------------------
fresh
start warn
imp "$tmp/group.json" --content-structure RESOURCE
stop
check "undecided access: exit 0 (was $st)" [ "$st" = 0 ]
check "undecided access: the warning" has "warning[agent-access-undecided]"
check "undecided access: both jobs submitted" [ "$(posts)" = 2 ]
rm -f "$tmp/group.json.journal"
fresh
start warn-stop
imp "$tmp/group.json" --content-structure RESOURCE --fail-on warning
stop
check "--fail-on warning: exit 3 (was $st)" [ "$st" = 3 ]
check "--fail-on warning: the message" has "the pre-flight checks found 1 warning: the import did not start"
check "--fail-on warning: nothing submitted" [ "$(jq .requests "$stats")" = 0 ]

# --- a policy the caller may not read: a finding, not a failure ------------------------------
fresh
start locked
imp "$tmp/locked.json" --content-structure RESOURCE
stop
check "policy unreadable: exit 0 (was $st)" [ "$st" = 0 ]
check "policy unreadable: the finding" has "info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://locked was not checked"
check "policy unreadable: why" has "HTTP 403 from buckets.getIamPolicy"
check "policy unreadable: both jobs submitted" [ "$(posts)" = 2 ]
rm -f "$tmp/locked.json.journal"
# --fail-on info stops on it
fresh
start locked-info
imp "$tmp/locked.json" --content-structure RESOURCE --fail-on info
stop
check "--fail-on info: exit 3 (was $st)" [ "$st" = 3 ]
check "--fail-on info: nothing submitted" [ "$(jq .requests "$stats")" = 0 ]

# --- --project-number is the checks': another agent, which may not read -------------------
fresh
start number
imp "$tmp/direct-rs.json" --project-number 555
stop
check "--project-number: exit 3 (was $st)" [ "$st" = 3 ]
check "--project-number: that project's agent" has "error[agent-no-access]: the Cloud Healthcare Service Agent service-555@gcp-sa-healthcare.iam.gserviceaccount.com cannot read gs://direct"
check "--project-number: nothing submitted" [ "$(jq .requests "$stats")" = 0 ]

# --- STORAGE_EMULATOR_HOST instead of --endpoint ----------------------------------------------
fresh
start emulator
STORAGE_EMULATOR_HOST=127.0.0.1:$gcs_port "$bin" import --api-endpoint "http://127.0.0.1:$port/" \
    --poll-interval 0 --no-progress --json "$tmp/direct-rs.json" > "$tmp/out" 2> "$tmp/err"
st=$?
stop
check "STORAGE_EMULATOR_HOST: exit 0 (was $st)" [ "$st" = 0 ]
check "STORAGE_EMULATOR_HOST: the agent's access read there" \
    jq -e '.preflight.store.access.verdict == "granted"' "$tmp/out" > /dev/null

# --- resume: a journal with records goes on without the checks -----------------------------
# The first run meets a store that does not exist (404, journaled as deferred).
fresh
start nostore --store "$DS/fhirStores/other"
imp "$tmp/domain.json" --content-structure RESOURCE --no-preflight
stop
check "resume: the first run stopped (exit $st)" [ "$st" = 3 ]
check "resume: its journal holds records" [ "$(wc -l < "$tmp/domain.json.journal")" -gt 1 ]
start resumed
before=$(gcs_requests)
imp "$tmp/domain.json" --content-structure RESOURCE
stop
check "resume: exit 0, though the agent may not read (was $st)" [ "$st" = 0 ]
check "resume: said" has "gcsplan import: the journal holds this run: the pre-flight checks, which come before a run's first submission, are not run again"
check "resume: no finding" no_findings
check "resume: no request to the storage side" [ "$(gcs_requests)" = "$before" ]
start resumed-json
imp "$tmp/domain.json" --content-structure RESOURCE --json
stop
check "resume, --json: \"preflight\" is null (exit $st)" \
    jq -e '.preflight == null and .complete' "$tmp/out" > /dev/null
# A journal with its header alone: nothing was submitted, the checks run,
# and the journal is left as it was.
head -1 "$tmp/domain.json.journal" > "$tmp/header.journal"
cp "$tmp/header.journal" "$tmp/header.copy"
start header
imp "$tmp/domain.json" --content-structure RESOURCE --journal "$tmp/header.journal"
stop
check "header alone: the checks ran and stopped the run (exit $st)" [ "$st" = 3 ]
check "header alone: the finding" has "error[agent-no-access]"
check "header alone: the journal as it was" cmp -s "$tmp/header.journal" "$tmp/header.copy"
check "header alone: nothing submitted" [ "$(jq .requests "$stats")" = 0 ]
# An empty journal file likewise (the run would write the header).
: > "$tmp/empty.journal"
start empty
imp "$tmp/domain.json" --content-structure RESOURCE --journal "$tmp/empty.journal"
stop
check "empty journal: the checks ran and stopped the run (exit $st)" [ "$st" = 3 ]
check "empty journal: still empty" [ ! -s "$tmp/empty.journal" ]

# --- a DICOM store: the sample's DICM check ----------------------------------------------
fresh
start dicom
imp "$tmp/scans-plan.json"
stop
check "DICOM: a text file among the sample: exit 3 (was $st)" [ "$st" = 3 ]
check "DICOM: the finding" has "2 of 8 sampled objects are not DICOM Part 10"
check "DICOM: the file" has "'studies/s2/notes.txt'  text:"
check "DICOM: a name escaped" has "'studies/s3/\\x1B]0;owned\\x07.txt'"
check "DICOM: no control character on stderr" [ "$(LC_ALL=C grep -c $'\x1b\\|\x07' "$tmp/err")" = 0 ]
check "DICOM: how to go on, without a hint" has "gcsplan import: once the finding is dealt with, the same command checks again and starts:"
check "DICOM: nothing submitted" [ "$(jq .requests "$stats")" = 0 ]
fresh
start dicom-anyway
imp "$tmp/scans-plan.json" --fail-on none
stop
check "DICOM, --fail-on none: exit 0 (was $st)" [ "$st" = 0 ]
check "DICOM, --fail-on none: the finding printed" has "error[not-dicom]"
check "DICOM, --fail-on none: every job submitted" \
    [ "$(posts)" = "$(jq '.jobs | length' "$tmp/scans-plan.json")" ]
rm -f "$tmp/scans-plan.json.journal"

# --- checks that cannot run: exit 3, said, nothing submitted -------------------------------
fresh
start cannot
CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=http://192.0.2.1/ imp "$tmp/direct-rs.json"
stop
check "cannot run: exit 3 (was $st)" [ "$st" = 3 ]
check "cannot run: why" has "would carry credentials in clear text"
check "cannot run: said" has "gcsplan import: the pre-flight checks could not run: nothing was submitted"
check "cannot run: nothing submitted" [ "$(jq .requests "$stats")" = 0 ]
check "cannot run: no journal" [ ! -e "$tmp/direct-rs.json.journal" ]

# --- on a terminal: a status line while the checks read, gone before the findings ------------
if command -v script > /dev/null; then
    fresh
    start tty
    script -qec "$bin import --api-endpoint http://127.0.0.1:$port/ --endpoint $gcs --poll-interval 0 \
        --content-structure RESOURCE $tmp/domain.json" /dev/null > "$tmp/tty" 2>&1
    stop
    check "terminal: the status line" grep -q "pre-flight: reading a sample of the plan's objects" "$tmp/tty"
    check "terminal: cleared before the findings" grep -q $'\r\x1b\[Kerror\[agent-no-access\]' "$tmp/tty"
fi

# --- usage: the checks' options are checked ---------------------------------------------
"$bin" import --fail-on sometimes "$tmp/direct.json" > /dev/null 2> "$tmp/err"
st=$?
check "--fail-on sometimes: exit 2 (was $st)" [ "$st" = 2 ]
check "--fail-on sometimes: said" has "--fail-on is none, info, warning or error, not 'sometimes'"
"$bin" import --sample 0 "$tmp/direct.json" > /dev/null 2> "$tmp/err"
st=$?
check "--sample 0: exit 2 (was $st)" [ "$st" = 2 ]

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
