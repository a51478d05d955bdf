#!/usr/bin/env bash
# gcsplan plan end to end on a listing file of 10,000,000 objects: parse,
# snapshot, plan, prove, print. Reports wall and CPU seconds, objects per
# CPU second and peak memory (target: under 128 MiB).
# Usage: bench/plan_cli.sh GCSPLAN [STUDIES]   (STUDIES x 10 series x 100 instances)
set -eu
bin=$1 studies=${2:-10000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v n="$studies" 'BEGIN { for (s = 1; s <= n; s++) for (r = 1; r <= 10; r++) for (i = 1; i <= 100; i++)
  printf "{\"name\":\"studies/S%05d/series-%02d/IM-%05d.dcm\",\"size\":%d}\n", s, r, i,
         100000 + (s * 7919 + r * 104729 + i * 1299709) % 900000 }' > "$tmp/listing.jsonl"
objects=$(wc -l < "$tmp/listing.jsonl")
/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$bin" plan --listing "$tmp/listing.jsonl" \
  --max-objects 10000 --max-bytes 5G 'gs://bkt/studies/**.dcm' > "$tmp/plan" 2> "$tmp/err"
read -r wall user sys rss < "$tmp/time"
tail -1 "$tmp/err"
printf '%d objects: %.2f s wall, %.2f s cpu, %.0f objects per cpu second, %.1f MiB peak\n' \
  "$objects" "$wall" "$(echo "$user + $sys" | bc -l)" "$(echo "$objects / ($user + $sys)" | bc -l)" \
  "$(echo "$rss / 1024" | bc -l)"
