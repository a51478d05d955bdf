#!/usr/bin/env bash
# gcsplan ls beside `gcloud storage ls`, the tool users reach for today, both
# against the test server: the expansions must agree wherever the two tools'
# wildcard semantics agree ('*' within a segment, '?' one character, '**'
# recursive, no character classes in the names used here).
# Usage: ls_gcloud.sh GCSPLAN GCS_TEST_SERVER DATA_DIR
set -u
bin=$1 server=$2 data=$3
command -v gcloud > /dev/null || { echo "SKIP: gcloud (Google Cloud CLI) is not installed"; exit 77; }
tmp=$(mktemp -d)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$server" --gen-bucket "bkt=6x4x12" --bucket "example=$data/example/listing.jsonl" \
  --seed 3 --rate-short 0.2 > "$tmp/srv.out" &
srv=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/srv.out" && break; sleep 0.05; done
E="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$tmp/srv.out")"

echo test-token > "$tmp/token"
export CLOUDSDK_CONFIG="$tmp/gcloud" CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_CORE_PROJECT=p
export CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE="$E/" CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$tmp/token"
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1
export CLOUDSDK_STORAGE_BASE_RETRY_DELAY=0.1 CLOUDSDK_STORAGE_MAX_RETRY_DELAY=0.5

uris=(
  'gs://bkt/studies/**'
  'gs://bkt/studies/S2/**'
  'gs://bkt/studies/*/series-2/*'
  'gs://bkt/studies/S?/series-?/IM-0?.dcm'
  'gs://bkt/studies/S3/series-4/IM-1*'
  'gs://example/studies/2020/*/series-2/*.dcm'
  'gs://example/studies/**.dcm'
)
# gcloud takes seconds to start: one invocation for every URI; it prints
# full gs:// URLs, grouped by URI in the order given.
timeout 120 gcloud storage ls "${uris[@]}" > "$tmp/gcloud.out" 2> "$tmp/gcloud.err" || {
  echo "FAIL gcloud storage ls: $(tail -3 "$tmp/gcloud.err")"; exit 1; }
pass=0 failed=0
for uri in "${uris[@]}"; do
  bucket=${uri#gs://}; bucket=${bucket%%/*}
  "$bin" ls --no-preflight --endpoint "$E" "$uri" | sed "s#^#gs://$bucket/#" > "$tmp/ours"
  # gcloud's lines for this URI: the URLs in this bucket that our matcher
  # accepts; every one of ours must be among gcloud's and the other way round.
  sed -n "s#^\(gs://$bucket/.*\)#\1#p" "$tmp/gcloud.out" | sed "s#^gs://$bucket/##" |
    "$bin" match "$uri" | sed "s#^#gs://$bucket/#" | LC_ALL=C sort -u > "$tmp/theirs"
  if cmp -s "$tmp/ours" "$tmp/theirs" && [ -s "$tmp/ours" ]; then
    pass=$((pass + 1))
  else
    echo "FAIL $uri"; diff "$tmp/theirs" "$tmp/ours" | head -5; failed=$((failed + 1))
  fi
done
# Every line gcloud printed is an object one of the URIs matches.
grep '^gs://' "$tmp/gcloud.out" | LC_ALL=C sort -u > "$tmp/all"
: > "$tmp/explained"
for uri in "${uris[@]}"; do
  bucket=${uri#gs://}; bucket=${bucket%%/*}
  sed -n "s#^gs://$bucket/##p" "$tmp/all" | "$bin" match "$uri" | sed "s#^#gs://$bucket/#" >> "$tmp/explained"
done
LC_ALL=C sort -u -o "$tmp/explained" "$tmp/explained"
if cmp -s "$tmp/all" "$tmp/explained"; then pass=$((pass + 1)); else
  echo "FAIL gcloud listed objects no URI matches:"; comm -23 "$tmp/all" "$tmp/explained" | head -3
  failed=$((failed + 1)); fi
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
