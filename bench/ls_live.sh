#!/usr/bin/env bash
# gcsplan ls against the test server with a network-like latency, beside the
# tools users reach for today: rclone (its fastest recursive mode) and
# `gcloud storage ls`. One run, ratios against the baselines measured in it.
#
# Usage: bench/ls_live.sh GCSPLAN GCS_TEST_SERVER [OBJECTS_SPEC] [LATENCY_MS]
#   OBJECTS_SPEC  generated bucket, studies x series x instances (default 1000x10x100)
#   LATENCY_MS    injected per request (default 20)
# Set SKIP_GCLOUD=1 to leave gcloud out (it takes minutes on a million objects).
set -u
bin=$1 server=$2 spec=${3:-1000x10x100} latency=${4:-20}
tmp=$(mktemp -d)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$server" --gen-bucket "bkt=$spec:studies/S%05d/series-%02d/IM-%05d.dcm" --latency-ms "$latency" \
  > "$tmp/srv.out" 2> "$tmp/srv.err" &
srv=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/srv.out" && break; sleep 0.05; done
port=$(awk '/^PORT /{print $2}' "$tmp/srv.out")
E="http://127.0.0.1:$port"
echo "bucket: $spec objects (studies x series x instances), $latency ms per request, $(nproc) cores"

# time_cmd NAME COMMAND...: wall seconds, and the line count of stdout
time_cmd() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
  local rc=$?
  t1=$(date +%s.%N)
  local secs; secs=$(echo "$t1 - $t0" | bc -l)
  printf '%-34s %8.2f s  %9d lines  exit %d\n' "$name" "$secs" "$(wc -l < "$tmp/$name.out")" "$rc"
  eval "t_$name=$secs"
}

time_cmd gcsplan_recursive "$bin" ls --endpoint "$E" 'gs://bkt/studies/**.dcm'
time_cmd gcsplan_flat_sequential "$bin" ls --endpoint "$E" --parallel 1 'gs://bkt/studies/**.dcm'
# 1% of the tree: the studies S00?00 (9 of 1000), every series. The walk lists only
# those; a flat listing of the same prefix (studies/S00) enumerates the whole bucket.
time_cmd gcsplan_walk_1pct "$bin" ls --endpoint "$E" 'gs://bkt/studies/S00?00/*/*.dcm'
time_cmd gcsplan_flat_1pct "$bin" ls --endpoint "$E" --strategy flat 'gs://bkt/studies/S00?00/*/*.dcm'
time_cmd gcsplan_flat_1pct_seq "$bin" ls --endpoint "$E" --strategy flat --parallel 1 \
  'gs://bkt/studies/S00?00/*/*.dcm'

if command -v rclone > /dev/null; then
  export RCLONE_CONFIG=/dev/null RCLONE_CONFIG_T_TYPE="google cloud storage"
  export RCLONE_CONFIG_T_ANONYMOUS=true RCLONE_CONFIG_T_ENDPOINT="$E/storage/v1/"
  time_cmd rclone_fast_list rclone lsf -R --fast-list --files-only --include 'studies/**.dcm' t:bkt
fi
if [ -z "${SKIP_GCLOUD:-}" ] && command -v gcloud > /dev/null; then
  mkdir -p "$tmp/gc"
  echo dummy-token > "$tmp/token"
  CLOUDSDK_CONFIG="$tmp/gc" CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_CORE_PROJECT=p \
    CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE="$E/" CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$tmp/token" \
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1 \
    time_cmd gcloud_storage_ls gcloud storage ls 'gs://bkt/studies/**.dcm'
fi

echo
ratio() { printf '%-58s %8.1fx\n' "$1" "$(echo "$2 / $3" | bc -l)"; }
ratio "gcsplan ** vs itself listing sequentially" "$t_gcsplan_flat_sequential" "$t_gcsplan_recursive"
[ -n "${t_rclone_fast_list:-}" ] &&
  ratio "gcsplan ** vs rclone lsf -R --fast-list (target >= 5x)" "$t_rclone_fast_list" "$t_gcsplan_recursive"
[ -n "${t_gcloud_storage_ls:-}" ] &&
  ratio "gcsplan ** vs gcloud storage ls (target >= 20x)" "$t_gcloud_storage_ls" "$t_gcsplan_recursive"
ratio "walk 1% vs a flat listing, same parallelism" "$t_gcsplan_flat_1pct" "$t_gcsplan_walk_1pct"
ratio "walk 1% vs a sequential flat listing (target >= 20x)" "$t_gcsplan_flat_1pct_seq" "$t_gcsplan_walk_1pct"
