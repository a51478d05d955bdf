#!/usr/bin/env bash
# The commands `gcsplan plan --format=curl|gcloud` prints, run as printed by
# bash with the real curl and the real Google Cloud CLI against a local
# Cloud Healthcare API endpoint that records every request
# (gcs-healthcare-recorder). What reached the endpoint must be exactly the
# plan: one import per job, to the --store given, with the job's URI and the
# job's request body, for object names full of shell and JSON metacharacters
# (tests/data/plan/odd*.jsonl).
#
# The curl commands hold $(gcloud auth print-access-token). The first curl
# command runs with the real gcloud (when installed), which prints the token
# of CLOUDSDK_AUTH_ACCESS_TOKEN_FILE; the others run with a two-line `gcloud`
# shim first on PATH that prints the same file, because each real gcloud
# start costs seconds. The recorder demands that token, so a command whose
# substitution went wrong is refused (401) and fails the comparison.
#
# Without gcloud the curl half still runs and the test exits 77 (skipped).
# Usage: plan_commands.sh GCSPLAN RECORDER DATA_DIR
set -u
bin=$1 recorder=$2 data=$3/plan
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
export LC_ALL=C.UTF-8

command -v jq > /dev/null || { echo "SKIP: jq is not installed"; exit 77; }
command -v curl > /dev/null || { echo "SKIP: curl is not installed"; exit 77; }

token=test-token-$$
echo "$token" > "$tmp/token"
# The same settings for the real gcloud whichever half runs it.
export CLOUDSDK_CONFIG="$tmp/gcloud-config"
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$tmp/token"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=1
export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1
mkdir -p "$tmp/shim"
printf '#!/bin/sh\n[ "$1 $2" = "auth print-access-token" ] && exec cat "$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"\nexit 2\n' \
  > "$tmp/shim/gcloud"
chmod +x "$tmp/shim/gcloud"

store=projects/test-project/locations/us-central1/datasets/ds-1/dicomStores/store_1.a

# start NAME: a recorder writing NAME.rec at exit; sets $port
start() {
  "$recorder" --record "$tmp/$1.rec" --require-token "$token" --max-lifetime 600 \
    > "$tmp/$1.out" 2> "$tmp/$1.err" &
  rec_pid=$!
  pids+=($rec_pid)
  port=
  for _ in $(seq 100); do
    port=$(awk '/^PORT /{print $2}' "$tmp/$1.out" 2> /dev/null)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "FAIL the recorder did not start: $(cat "$tmp/$1.err")"; exit 1; }
}
stop() { kill -TERM "$rec_pid"; wait "$rec_pid" 2> /dev/null; }

# expect NAME PLAN_JSON ORDERED [STORE]: the recorded imports of NAME against
# the plan, into STORE (default $store). Each is compared as JSON text
# (jq -c), so tabs and control characters count.
expect() {
  local name=$1 plan=$2 ordered=$3 into=${4:-$store} sort=cat
  [ "$ordered" = 1 ] || sort="sort"
  jq -c 'select(.method == "POST")' "$tmp/$name.rec" > "$tmp/$name.posts"
  jq -c '.jobs[].uri' "$plan" | $sort > "$tmp/want.uri"
  jq -c '.uri' "$tmp/$name.posts" | $sort > "$tmp/got.uri"
  if cmp -s "$tmp/want.uri" "$tmp/got.uri"; then ok; else
    bad "$name: the imported URIs are not the plan's"; diff "$tmp/want.uri" "$tmp/got.uri" | head -10
  fi
  local n; n=$(jq '.jobs | length' "$plan")
  [ "$(jq -c 'select(.store == "'"$into"'" and .status == 200)' "$tmp/$name.posts" | wc -l)" = "$n" ] &&
    ok || bad "$name: not $n accepted imports into $into: $(jq -c '[.store,.status]' "$tmp/$name.posts" | sort | uniq -c)"
  # The body: curl sends the plan's request byte for byte, gcloud its own
  # serialisation of the same object (its own key order too: keys sorted).
  jq -cS '.jobs[].request' "$plan" | $sort > "$tmp/want.body"
  jq -r '.body' "$tmp/$name.posts" | jq -cS . | $sort > "$tmp/got.body"
  cmp -s "$tmp/want.body" "$tmp/got.body" && ok || {
    bad "$name: the request bodies are not the plan's"; diff "$tmp/want.body" "$tmp/got.body" | head -6; }
}

# --- curl: every job of two plans over 64 odd names, one job per name ----------------
start curl
nplan=0
for uri in 'gs://bkt/odd/**' 'gs://bkt/odd/**.dcm'; do
  "$bin" plan --json --listing "$data/odd.jsonl" --max-objects 1 "$uri" > "$tmp/plan.json" 2> /dev/null
  # Both spellings of the endpoint: with and without the final '/'.
  endpoint="http://127.0.0.1:$port"; [ "$uri" = 'gs://bkt/odd/**' ] && endpoint="$endpoint/"
  "$bin" plan --format=curl --store "$store" --api-endpoint "$endpoint" --listing "$data/odd.jsonl" \
    --max-objects 1 "$uri" > "$tmp/curl.sh" 2> "$tmp/plan.err"
  [ "$(wc -l < "$tmp/curl.sh")" = "$(jq '.jobs | length' "$tmp/plan.json")" ] && ok ||
    bad "curl $uri: one command per job: $(wc -l < "$tmp/curl.sh") lines"
  first=1 fails=0
  while IFS= read -r line; do
    if [ $first = 1 ] && command -v gcloud > /dev/null; then
      out=$(timeout 120 bash -c "$line" 2> "$tmp/cmd.err")
    else
      out=$(PATH="$tmp/shim:$PATH" bash -c "$line" 2> "$tmp/cmd.err")
    fi
    code=$? first=0
    case $out in *'"name":"projects/test-project/locations/us-central1/datasets/ds-1/operations/'*) ;;
      *) code=1 ;; esac
    if [ $code != 0 ]; then
      fails=$((fails + 1)); [ $fails -le 3 ] && echo "  $line -> $code $out $(cat "$tmp/cmd.err")"
    fi
  done < "$tmp/curl.sh"
  [ $fails = 0 ] && ok || bad "curl $uri: $fails commands failed"
  nplan=$((nplan + 1)); cp "$tmp/plan.json" "$tmp/curl-plan-$nplan.json"
done
stop
# Commands ran in plan order, so the records follow the plans' job order.
jq -c . "$tmp/curl-plan-1.json" "$tmp/curl-plan-2.json" | jq -cs '{jobs: (.[0].jobs + .[1].jobs)}' \
  > "$tmp/curl-plans.json"
expect curl "$tmp/curl-plans.json" 1
# The odd names did reach the endpoint: a few of them, spelled out.
for frag in "it's \$x/img.dcm\"" 'say \"hi\"/1**' '$(id)/2**' '`id`/1**' 'back\\slash/' 'tab\there/' \
            'ctrl\u0001/' '日本/1**' '😀/2**' '%2F/1**' 'q**' 'star**'; do
  grep -qF -- "$frag" "$tmp/got.uri" && ok || bad "curl: no recorded URI holds $frag"
done
# The literal job (a name that is a prefix of another) went out without wildcard.
grep -qxF '"gs://bkt/odd/it'"'"'s $x/img.dcm"' "$tmp/got.uri" && ok || bad "curl: literal job missing"

# --- curl into a FHIR store, with a content structure ---------------------------------
fhir=projects/test-project/locations/us-central1/datasets/ds-1/fhirStores/fhir_1.b
start fhir-curl
"$bin" plan --json --store "$fhir" --content-structure RESOURCE_PRETTY --listing "$data/odd.jsonl" \
  --max-objects 8 'gs://bkt/odd/**' > "$tmp/fplan.json" 2> /dev/null
[ "$(jq -r '[.store, .content_structure] | join(" ")' "$tmp/fplan.json")" = "$fhir RESOURCE_PRETTY" ] &&
  ok || bad "fhir: the plan does not hold its store: $(jq -c '[.store, .content_structure]' "$tmp/fplan.json")"
"$bin" plan --format=curl --store "$fhir" --content-structure RESOURCE_PRETTY \
  --api-endpoint "http://127.0.0.1:$port" --listing "$data/odd.jsonl" --max-objects 8 'gs://bkt/odd/**' \
  > "$tmp/fcurl.sh" 2> /dev/null
fails=0
while IFS= read -r line; do
  out=$(PATH="$tmp/shim:$PATH" bash -c "$line" 2> "$tmp/cmd.err") || fails=$((fails + 1))
  case $out in *'"name":"projects/test-project/locations/us-central1/datasets/ds-1/operations/'*) ;;
    *) fails=$((fails + 1)) ;; esac
done < "$tmp/fcurl.sh"
[ $fails = 0 ] && ok || bad "fhir curl: $fails commands failed"
stop
expect fhir-curl "$tmp/fplan.json" 1 "$fhir"
[ "$(jq -r '.body' "$tmp/fhir-curl.posts" | jq -r .contentStructure | sort -u)" = RESOURCE_PRETTY ] &&
  ok || bad "fhir curl: the bodies do not all say RESOURCE_PRETTY"

if ! command -v gcloud > /dev/null; then
  echo "$pass passed, $failed failed (curl)"
  [ "$failed" = 0 ] || exit 1
  echo "SKIP the gcloud half: gcloud (Google Cloud CLI) is not installed"
  exit 77
fi

# --- gcloud: seven jobs over the worst names, run concurrently ----------------------------
# gcloud takes seconds to start; the commands are independent imports, so
# they run side by side and the records are compared as sets.
start gcloud
export CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE="http://127.0.0.1:$port/"
"$bin" plan --json --listing "$data/odd-gcloud.jsonl" --max-objects 1 'gs://bkt/odd/**' \
  > "$tmp/gplan.json" 2> /dev/null
"$bin" plan --format=gcloud --store "$store" --listing "$data/odd-gcloud.jsonl" --max-objects 1 \
  'gs://bkt/odd/**' > "$tmp/gcloud.sh" 2> /dev/null
[ "$(wc -l < "$tmp/gcloud.sh")" = 7 ] && ok || bad "gcloud: 7 commands expected: $(cat "$tmp/gcloud.sh")"
i=0 gpids=()
while IFS= read -r line; do
  i=$((i + 1))
  timeout 120 bash -c "$line" > "$tmp/g$i.out" 2> "$tmp/g$i.err" &
  gpids+=($!)
done < "$tmp/gcloud.sh"
i=0
for p in "${gpids[@]}"; do
  i=$((i + 1))
  wait "$p"; code=$?
  if [ $code = 0 ] && grep -q 'operations/' "$tmp/g$i.out"; then ok; else
    bad "gcloud command $i: exit $code: $(sed -n "${i}p" "$tmp/gcloud.sh")"; cat "$tmp/g$i.err"
  fi
done
stop
expect gcloud "$tmp/gplan.json" 0
grep -qF 'it'"'"'s \"quoted\" $HOME `id` \\ $(id) !/1**' "$tmp/got.uri" && ok ||
  bad "gcloud: the quoted name did not arrive whole"

# --- gcloud into a FHIR store: fhir-stores import gcs, --content-structure ------------------
start gcloud-fhir
export CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE="http://127.0.0.1:$port/"
"$bin" plan --json --store "$fhir" --content-structure BUNDLE_PRETTY --listing "$data/odd-gcloud.jsonl" \
  --max-objects 4 'gs://bkt/odd/**' > "$tmp/gfplan.json" 2> /dev/null
"$bin" plan --format=gcloud --store "$fhir" --content-structure BUNDLE_PRETTY \
  --listing "$data/odd-gcloud.jsonl" --max-objects 4 'gs://bkt/odd/**' > "$tmp/gfhir.sh" 2> /dev/null
grep -q '^gcloud healthcare fhir-stores import gcs fhir_1.b .* --content-structure=bundle-pretty --async$' \
  "$tmp/gfhir.sh" && ok || bad "gcloud fhir: $(head -1 "$tmp/gfhir.sh")"
i=0 gpids=()
while IFS= read -r line; do
  i=$((i + 1))
  timeout 120 bash -c "$line" > "$tmp/gf$i.out" 2> "$tmp/gf$i.err" &
  gpids+=($!)
done < "$tmp/gfhir.sh"
i=0
for p in "${gpids[@]}"; do
  i=$((i + 1))
  wait "$p"; code=$?
  if [ $code = 0 ] && grep -q 'operations/' "$tmp/gf$i.out"; then ok; else
    bad "gcloud fhir command $i: exit $code: $(sed -n "${i}p" "$tmp/gfhir.sh")"; cat "$tmp/gf$i.err"
  fi
done
stop
expect gcloud-fhir "$tmp/gfplan.json" 0 "$fhir"

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
