#!/usr/bin/env bash
# Client cost of gcsplan ls with no injected latency: CPU seconds per listed
# object (user + sys of the gcsplan process alone, so the server's share of
# the two cores does not count) and peak memory while streaming.
#
# Usage: bench/ls_cpu.sh GCSPLAN GCS_TEST_SERVER [OBJECTS_SPEC]
#   OBJECTS_SPEC  studies x series x instances (default 10000x10x100: 10,000,000)
set -u
bin=$1 server=$2 spec=${3:-10000x10x100}
tmp=$(mktemp -d)
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
"$server" --gen-bucket "bkt=$spec:studies/S%05d/series-%02d/IM-%05d.dcm" > "$tmp/srv.out" &
srv=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/srv.out" && break; sleep 0.05; done
E="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$tmp/srv.out")"

run() { # LABEL ARGS...
  local label=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$bin" ls --endpoint "$E" "$@" > "$tmp/out"
  local n; n=$(wc -l < "$tmp/out")
  read -r wall user sys rss < "$tmp/time"
  printf '%-28s %10d objects  %6.2f s wall  %6.2f s cpu  %8.0f objects/cpu-s  %6.1f MiB peak\n' \
    "$label" "$n" "$wall" "$(echo "$user + $sys" | bc -l)" \
    "$(echo "$n / ($user + $sys + 0.0001)" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}
echo "bucket: $spec, no latency, $(nproc) cores"
run "names" 'gs://bkt/studies/**.dcm'
run "json lines" --json 'gs://bkt/studies/**.dcm'
run "names, sequential" --parallel 1 'gs://bkt/studies/**.dcm'
