#!/bin/bash
# `gcloud storage ls` lists buckets through the server, with faults and short
# pages on; recursive and per-directory listings must equal the ground truth.
. "$(dirname "$0")/lib.sh"

GCLOUD=${GCLOUD:-gcloud}
command -v "$GCLOUD" >/dev/null || skip "gcloud (Google Cloud CLI) is not installed"
command -v jq >/dev/null || skip "jq is not installed"

"$SERVER" --gen-bucket s='3x4x20,size=1-100000' --dump s >"$WORK/studies.jsonl"
"$SERVER" --gen-bucket f='3x300:flat-%d/obj %04d.dcm' --dump f >"$WORK/flat.jsonl"
cp "$DATA/tricky.jsonl" "$WORK/tricky.jsonl"
for b in tricky studies flat; do truth "$WORK/$b.jsonl" >"$WORK/$b.truth"; done

# No 429 here: gcloud does not retry 429 on the listing it uses to probe
# whether a URL names a directory, and fails the command (500, 503 and broken
# connections it retries everywhere). rclone covers 429 with and without
# Retry-After.
start_server --bucket tricky="$WORK/tricky.jsonl" --gen-bucket studies='3x4x20,size=1-100000' \
    --bucket flat="$WORK/flat.jsonl" --require-token test-token \
    --seed 7 --page-cap 150 --rate-short 0.3 \
    --rate-500 0.015 --rate-503 0.015 --rate-abort 0.015 --rate-slow 0.03 \
    --slow-chunk 2048 --slow-delay-ms 1

echo test-token >"$WORK/token"
export CLOUDSDK_CONFIG="$WORK/gcloud-config"
export CLOUDSDK_CORE_DISABLE_PROMPTS=1
export CLOUDSDK_CORE_PROJECT=test-project
export CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE="$BASE/"
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$WORK/token"
export CLOUDSDK_STORAGE_BASE_RETRY_DELAY=0.1
export CLOUDSDK_STORAGE_MAX_RETRY_DELAY=0.5
export CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=1
export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1

gls() { timeout 90 "$GCLOUD" storage ls "$@" 2>>"$WORK/gcloud.err"; }

# gcloud takes seconds to start, so each kind of listing is one invocation
# over all buckets. Ground truth as gcloud prints it: full gs:// URLs.
buckets=(tricky studies flat)
rec_urls=() dir_urls=()
: >"$WORK/truth.rec"
: >"$WORK/truth.dirs"
for b in "${buckets[@]}"; do
    rec_urls+=("gs://$b/**")
    sed "s#|#|gs://$b/#" "$WORK/$b.truth" >>"$WORK/truth.rec"
    # each directory: its objects first, then its sub-directories
    while IFS= read -r d; do
        dir_urls+=("gs://$b/$d")
        children "$WORK/$b.truth" "$d" >"$WORK/kids"
        { grep -v '/$' "$WORK/kids" || true; grep '/$' "$WORK/kids" || true; } |
            sed "s#^#gs://$b/$d#" >>"$WORK/truth.dirs"
    done < <(dirs "$WORK/$b.truth")
done
sort -t'|' -k2 -o "$WORK/truth.rec" "$WORK/truth.rec"
cut -d'|' -f2- "$WORK/truth.rec" | sort >"$WORK/truth.walk"

# every object, one listing per bucket without delimiter (full items with
# their nested name/size decoys)
gls -l "${rec_urls[@]}" | grep -v '^TOTAL:' | sed -E 's#^ *([0-9]+) +[^ ]+ +gs://#\1|gs://#' |
    sort -t'|' -k2 >"$WORK/got.rec" ||
    fail "gcloud storage ls -l failed: $(tail -n 3 "$WORK/gcloud.err")"
same "recursive listing" "$WORK/truth.rec" "$WORK/got.rec"
echo "ok: recursive listing of ${buckets[*]} ($(wc -l <"$WORK/truth.rec") objects)"

# the trees walked directory by directory (delimiter=/ listings)
gls -r "${buckets[@]/#/gs://}" | grep '^gs://' | grep -v ':$' | sort >"$WORK/got.walk" ||
    fail "gcloud storage ls -r failed: $(tail -n 3 "$WORK/gcloud.err")"
same "directory walk" "$WORK/truth.walk" "$WORK/got.walk"
echo "ok: directory walk"

# every directory on its own, in order
gls "${dir_urls[@]}" >"$WORK/got.dirs" ||
    fail "gcloud storage ls of each directory failed: $(tail -n 3 "$WORK/gcloud.err")"
same "per-directory listings" "$WORK/truth.dirs" "$WORK/got.dirs"
echo "ok: ${#dir_urls[@]} directories one by one"

stop_server
jq -c . "$WORK/stats.json"
[ "$(stat responses 401)" -eq 0 ] || fail "gcloud did not send the bearer token"
for f in 500 503 abort short_page slow_body; do
    [ "$(stat faults "$f")" -gt 0 ] || fail "no '$f' fault was injected; the test proves nothing"
done
echo "gcloud agrees with the ground truth on every listing"
