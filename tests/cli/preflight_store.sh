#!/usr/bin/env bash
# gcsplan preflight --store against the test server: the FHIR sample read
# with ranged GETs (the fixtures of tests/data/preflight/fhir, served as
# "file" objects), and the Cloud Healthcare Service Agent's access from the
# bucket's policy (--iam: each kind of binding, a condition, custom roles, a
# policy the caller may not read), the project's (--project-iam), Resource
# Manager (an unknown project, --project-number) and IAM (--role).
# Usage: preflight_store.sh GCSPLAN GCS_TEST_SERVER DATA_DIR
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
command -v jq > /dev/null || { echo "SKIP: jq is not installed"; exit 77; }

agent=serviceAccount:service-123456789012@gcp-sa-healthcare.iam.gserviceaccount.com
policy() { # NAME ROLE MEMBER [CONDITION-TITLE]
  local cond=
  [ -n "${4:-}" ] && cond=",\"condition\":{\"title\":\"$4\",\"expression\":\"request.time < timestamp('2030-01-01T00:00:00Z')\"}"
  printf '{"bindings":[{"role":"%s","members":["%s"]%s}]}\n' "$2" "$3" "$cond" > "$tmp/$1.json"
}
policy direct roles/storage.objectViewer "$agent"
printf '{"bindings":[{"role":"roles/storage.legacyObjectReader","members":["allUsers"]},%s\n' \
  '{"role":"roles/storage.legacyBucketReader","members":["allAuthenticatedUsers"]}]}' > "$tmp/public.json"
policy group roles/storage.objectViewer group:importers@example.com
policy domain roles/storage.objectViewer domain:example.com
policy cond roles/storage.objectViewer "$agent" "until 2030"
policy custom projects/test-project/roles/importer "$agent"
policy listonly projects/test-project/roles/lister "$agent"
policy secret roles/storage.secretRole "$agent"
policy projectgrant roles/storage.objectViewer "$agent"

# Every bucket holds the same FHIR fixtures; its name says its policy.
buckets=() iam=()
for b in direct public group domain cond custom listonly secret plain locked; do
  buckets+=(--bucket "$b=$data/preflight/fhir.jsonl")
done
for b in direct public group domain cond custom listonly secret; do iam+=(--iam "$b=$tmp/$b.json"); done
iam+=(--iam locked=deny)
"$server" "${buckets[@]}" "${iam[@]}" --max-lifetime 300 \
  --role projects/test-project/roles/importer=storage.objects.get,storage.objects.list \
  --role projects/test-project/roles/lister=storage.objects.list \
  --role roles/storage.secretRole=deny > "$tmp/port" 2> "$tmp/server.err" &
pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/port" && break; sleep 0.05; done
port=$(awk '/^PORT/ { print $2; exit }' "$tmp/port")
[ -n "$port" ] || { echo "FAIL: the test server did not start: $(cat "$tmp/server.err")"; exit 1; }
ep=http://127.0.0.1:$port
echo tok > "$tmp/token"
export CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=$ep/
export CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM=$ep/
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$tmp/token
store=projects/test-project/locations/us/datasets/d/fhirStores/s

# expect LABEL WANT_EXIT PATTERN... -- ARGS: preflight's stdout holds every PATTERN
expect() {
  local label=$1 want=$2; shift 2
  local pats=()
  while [ "$1" != -- ]; do pats+=("$1"); shift; done
  shift
  "$bin" preflight --endpoint "$ep" "$@" > "$tmp/out" 2> "$tmp/err"
  local code=$? miss=
  for p in "${pats[@]}"; do grep -qF -- "$p" "$tmp/out" || miss="$miss [$p]"; done
  if [ "$code" != "$want" ] || [ -n "$miss" ]; then
    bad "$label: exit $code (want $want), missing:$miss"; cat "$tmp/out" "$tmp/err" | head -20
  else ok; fi
}
# verdict BUCKET WANT [ARGS]: the JSON document's access verdict
verdict() {
  local b=$1 want=$2; shift 2
  "$bin" preflight --json --fail-on none --endpoint "$ep" --store "$store" --content-structure RESOURCE \
    "$@" "gs://$b/resources/**" > "$tmp/json" 2> "$tmp/err"
  local got
  got=$(jq -r '.store.access.verdict' "$tmp/json" 2> /dev/null)
  [ "$got" = "$want" ] && ok || bad "verdict $b: $got (want $want): $(cat "$tmp/json" "$tmp/err" | head -5)"
}

# --- access: each kind of binding
verdict direct granted
verdict public granted
verdict custom granted
verdict group undecided
verdict secret undecided
verdict cond conditional
verdict domain none
verdict listonly none
verdict plain none     # the default policy's projectViewer: values; the agent is no viewer
verdict locked unknown # the bucket's policy denied, the project's grants nothing
[ "$(jq -r '.store.access.granted_by' "$tmp/json")" = null ] && ok || bad "granted_by of an unknown verdict"
"$bin" preflight --json --fail-on none --endpoint "$ep" --store "$store" --content-structure RESOURCE \
  'gs://direct/resources/**' > "$tmp/json"
[ "$(jq -c '.store.access | [.member, .project_number, .granted_by]' "$tmp/json")" = \
  "[\"$agent\",123456789012,\"roles/storage.objectViewer on the bucket to $agent\"]" ] && ok ||
  bad "granted access in JSON: $(cat "$tmp/json")"

# Clean: nothing printed, exit 0. Findings and exit statuses, with --fail-on.
"$bin" preflight --endpoint "$ep" --store "$store" --content-structure RESOURCE 'gs://direct/resources/**' \
  > "$tmp/out" 2> "$tmp/err"
[ $? = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "clean: $(cat "$tmp/out" "$tmp/err")"
expect no-access 1 "error[agent-no-access]: the Cloud Healthcare Service Agent service-123456789012@gcp-sa-healthcare.iam.gserviceaccount.com cannot read gs://domain: neither the bucket's IAM policy nor that of its project 123456789012 grants it" \
  "hint: gcloud storage buckets add-iam-policy-binding gs://domain --member=$agent --role=roles/storage.objectViewer" -- \
  --store "$store" --content-structure RESOURCE 'gs://domain/resources/**'
expect undecided 0 'warning[agent-access-undecided]' 'group:importers@example.com: group membership is not read' -- \
  --store "$store" --content-structure RESOURCE 'gs://group/resources/**'
expect undecided-fail-on 1 'warning[agent-access-undecided]' -- \
  --fail-on warning --store "$store" --content-structure RESOURCE 'gs://group/resources/**'
expect custom-denied 0 "roles/storage.secretRole on the bucket to $agent: the role's permissions could not be read (HTTP 403 from roles.get" -- \
  --store "$store" --content-structure RESOURCE 'gs://secret/resources/**'
expect conditional 0 "warning[agent-access-conditional]" "roles/storage.objectViewer on the bucket to $agent if 'until 2030'" -- \
  --store "$store" --content-structure RESOURCE 'gs://cond/resources/**'
expect locked 0 "info[access-unchecked]" "the bucket's IAM policy could not be read (HTTP 403 from buckets.getIamPolicy: default@test-project.iam.gserviceaccount.com does not have storage.buckets.getIamPolicy access" -- \
  --store "$store" --content-structure RESOURCE 'gs://locked/resources/**'
expect locked-fail-on-info 1 "info[access-unchecked]" -- \
  --fail-on info --store "$store" --content-structure RESOURCE 'gs://locked/resources/**'
expect unknown-project 0 "info[access-unchecked]" "the number of project elsewhere could not be learnt (HTTP 403 from projects.get: The caller does not have permission), so the agent is not known: give it with --project-number" -- \
  --store projects/elsewhere/locations/us/datasets/d/fhirStores/s --content-structure RESOURCE 'gs://direct/resources/**'
# --project-number: no Resource Manager question; the agent is another one
expect project-number 1 "error[agent-no-access]: the Cloud Healthcare Service Agent service-555@gcp-sa-healthcare.iam.gserviceaccount.com cannot read gs://direct" -- \
  --project-number 555 --store projects/elsewhere/locations/us/datasets/d/fhirStores/s \
  --content-structure RESOURCE 'gs://direct/resources/**'

# --- the FHIR sample, read with ranged GETs: as from the directory
for uri in 'gs://direct/resources/**' 'gs://direct/pretty/**' 'gs://direct/bad/**' 'gs://direct/big/**'; do
  "$bin" preflight --endpoint "$ep" --store "$store" "$uri" 2>&1 | grep -v '^preflight:' > "$tmp/live"
  "$bin" preflight --bucket-dir "$data/preflight/fhir" --store "$store" "gs://direct/${uri#gs://direct/}" 2>&1 |
    grep -v '^info\[access-unchecked\]\|^preflight:' > "$tmp/local"
  [ -s "$tmp/live" ] && diff -u "$tmp/local" "$tmp/live" > "$tmp/diff" && ok ||
    { bad "live and local differ for $uri"; cat "$tmp/diff"; }
done
expect fhir-live 1 'error[fhir-content-structure]: 2 of 2 sampled objects do not fit --content-structure BUNDLE' \
  'hint: --content-structure RESOURCE' -- --store "$store" 'gs://direct/resources/**'
# STORAGE_EMULATOR_HOST instead of --endpoint
STORAGE_EMULATOR_HOST=127.0.0.1:$port "$bin" preflight --json --store "$store" --content-structure RESOURCE \
  'gs://direct/resources/**' > "$tmp/json" 2> "$tmp/err"
[ "$(jq -r '.store.access.verdict' "$tmp/json")" = granted ] && ok || bad "STORAGE_EMULATOR_HOST: $(cat "$tmp/json" "$tmp/err")"
# a sample of 1 among the 14 objects of the bucket
"$bin" preflight --json --fail-on none --endpoint "$ep" --store "$store" --sample 1 'gs://direct/**' > "$tmp/json"
[ "$(jq -c '[.objects, .probed, .store.sampled]' "$tmp/json")" = '[14,1,1]' ] && ok || bad "--sample 1: $(cat "$tmp/json")"

kill "$pid"; wait "$pid" 2> /dev/null; pid=
# --- a grant on the project, where Google's instructions put it
"$server" --bucket "plain=$data/preflight/fhir.jsonl" --project-iam "test-project=$tmp/projectgrant.json" \
  --max-lifetime 300 > "$tmp/port" 2> "$tmp/server.err" &
pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/port" && break; sleep 0.05; done
port=$(awk '/^PORT/ { print $2; exit }' "$tmp/port")
ep=http://127.0.0.1:$port
export CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=$ep/ CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM=$ep/
verdict plain granted
[ "$(jq -r '.store.access.granted_by' "$tmp/json")" = "roles/storage.objectViewer on project 123456789012 to $agent" ] &&
  ok || bad "granted on the project: $(cat "$tmp/json")"
kill "$pid"; wait "$pid" 2> /dev/null; pid=

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
