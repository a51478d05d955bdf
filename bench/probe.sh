#!/usr/bin/env bash
# gcsplan preflight --probe against the test server with a network-like
# latency: the first 132 bytes of every object, by ranged GETs, concurrently.
# The bar: 100,000 objects at 20 ms per request in under 30 seconds.
#
# Usage: bench/probe.sh GCSPLAN GCS_TEST_SERVER [OBJECTS_SPEC] [LATENCY_MS] [PARALLEL]
#   OBJECTS_SPEC  generated bucket, studies x series x instances (default 100x10x100)
#   LATENCY_MS    injected per request (default 20)
#   PARALLEL      --probe-parallel (default: gcsplan's, 128)
set -u
bin=$1 server=$2 spec=${3:-100x10x100} latency=${4:-20} parallel=${5:-}
limit_s=30
tmp=$(mktemp -d)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$server" --gen-bucket "bkt=$spec:studies/S%05d/series-%02d/IM-%05d.dcm" --latency-ms "$latency" \
  > "$tmp/srv.out" 2> "$tmp/srv.err" &
srv=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/srv.out" && break; sleep 0.05; done
E="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$tmp/srv.out")"
extra=()
[ -n "$parallel" ] && extra=(--probe-parallel "$parallel")
echo "bucket: $spec objects, $latency ms per request, $(nproc) cores, probe parallel ${parallel:-default}"

t0=$(date +%s.%N)
/usr/bin/time -f '%U %S %M' -o "$tmp/time" "$bin" preflight --probe --no-progress --json \
  "${extra[@]}" --endpoint "$E" 'gs://bkt/**' > "$tmp/out" 2> "$tmp/err"
code=$?
t1=$(date +%s.%N)
wall=$(echo "$t1 - $t0" | bc)
read -r user sys rss < "$tmp/time"
probed=$(jq .probed "$tmp/out" 2> /dev/null)
kill -TERM "$srv"; wait "$srv" 2> /dev/null; srv=
media=$(sed -n 's/^STATS //p' "$tmp/srv.out" | jq '.requests.media // empty')
printf 'probed %s objects (%s ranged GETs) in %.2f s: %.0f objects/s; client CPU %.1f s user %.1f s sys; peak RSS %d KiB; exit %d\n' \
  "${probed:-?}" "${media:-?}" "$wall" "$(echo "${probed:-0} / $wall" | bc -l)" "$user" "$sys" "$rss" "$code"
[ "$code" = 0 ] || { cat "$tmp/err"; exit 1; }
if [ "$(echo "$wall < $limit_s" | bc)" = 1 ]; then
  echo "PASS: under $limit_s s"
else
  echo "FAIL: $limit_s s or more"
  exit 1
fi
