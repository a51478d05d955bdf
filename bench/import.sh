#!/usr/bin/env bash
# gcsplan import against the Cloud Healthcare API stand-in with a network-like
# latency: JOBS jobs (one object each), operations done at their POLLS-th
# poll, CONCURRENCY at once. Reports the runner's own cost (CPU seconds, peak
# RSS) and its wall time beside the ideal: JOBS/CONCURRENCY waves, each the
# polls' waits (with the floor of a second), in two readings:
#   naive      JOBS/CONCURRENCY x POLLS x max(1 s, interval)
#   schedule   JOBS/CONCURRENCY x (the sum of the runner's own waits, which
#              grow by half each poll, + the requests' latency)
# and, with BENCH_JOURNAL (bench_journal, -DGCSPLAN_BUILD_BENCH=ON), the
# journal's cost per job with fdatasync, in the directory the run used.
# The run has --no-preflight: the runner is measured, not the checks.
# Not a test: the figures depend on the machine (docs/benchmarks.md).
#
# Usage: bench/import.sh GCSPLAN RECORDER [JOBS] [POLLS] [CONCURRENCY] [LATENCY_MS] [INTERVAL_S]
#        (defaults 1000 3 50 20 1)
set -u
bin=$1 recorder=$2 jobs=${3:-1000} polls=${4:-3} conc=${5:-50} latency=${6:-20} interval=${7:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gcsplan-bench-import.XXXXXX")
rec=
cleanup() { [ -n "$rec" ] && kill "$rec" 2> /dev/null; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
command -v jq > /dev/null || { echo "jq is needed"; exit 2; }
command -v bc > /dev/null || { echo "bc is needed"; exit 2; }

for i in $(seq -f '%05g' 1 "$jobs"); do
    printf '{"name":"studies/S%s/IM-1.dcm","size":1000}\n' "$i"
done > "$tmp/bkt.jsonl"
store=projects/bench/locations/us/datasets/d/dicomStores/s
"$bin" plan --json --no-summary --no-preflight --listing "$tmp/bkt.jsonl" --max-objects 1 \
    --store "$store" 'gs://bkt/studies/**.dcm' -o "$tmp/plan.json" 2> /dev/null
[ "$(jq '.jobs | length' "$tmp/plan.json")" = "$jobs" ] || { echo "the plan is not $jobs jobs"; exit 1; }

echo "token" > "$tmp/token"
"$recorder" --bucket bkt="$tmp/bkt.jsonl" --polls-to-finish $((polls - 1)) --latency-ms "$latency" \
    --max-lifetime 3600 > "$tmp/rec.out" 2> "$tmp/rec.err" &
rec=$!
for _ in $(seq 100); do grep -q '^PORT ' "$tmp/rec.out" && break; sleep 0.05; done
port=$(awk '/^PORT /{print $2}' "$tmp/rec.out")
echo "$jobs jobs, done at poll $polls, concurrency $conc, $latency ms a request," \
     "poll interval $interval s, $(nproc) cores"

t0=$(date +%s.%N)
CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$tmp/token /usr/bin/time -f '%U %S %M' -o "$tmp/time" \
    "$bin" import --api-endpoint "http://127.0.0.1:$port/" --concurrency "$conc" \
    --poll-interval "$interval" --no-progress --no-preflight --json "$tmp/plan.json" \
    > "$tmp/out" 2> "$tmp/err"
code=$?
t1=$(date +%s.%N)
kill -TERM "$rec"; wait "$rec" 2> /dev/null; rec=
read -r user sys rss < "$tmp/time"
wall=$(echo "$t1 - $t0" | bc -l)
stats=$(sed -n 's/^STATS //p' "$tmp/rec.out")
waves=$(( (jobs + conc - 1) / conc ))
floor=$(echo "if ($interval < 1) 1 else $interval" | bc -l)
naive=$(echo "$waves * $polls * $floor" | bc -l)
# The runner's waits before poll k (k from 0): interval x 1.5^k, capped at a
# minute, at least a second; one submission and POLLS polls of latency each.
sched=$(echo "w = $interval; s = 0; for (k = 0; k < $polls; k++) { x = w; if (x < 1) x = 1;
        if (x > 60) x = 60; s = s + x; w = w * 1.5 }; $waves * (s + ($polls + 1) * $latency / 1000)" | bc -l)
printf 'exit %d; %s succeeded; wall %.1f s; ideal %.1f s naive, %.1f s by the schedule (%.0f%% / %.0f%% over)\n' \
    "$code" "$(jq .totals.succeeded "$tmp/out" 2> /dev/null)" "$wall" "$naive" "$sched" \
    "$(echo "100 * ($wall - $naive) / $naive" | bc -l)" "$(echo "100 * ($wall - $sched) / $sched" | bc -l)"
printf 'runner CPU %.2f s user, %.2f s sys (%.2f ms a job); peak RSS %d KiB\n' "$user" "$sys" \
    "$(echo "1000 * ($user + $sys) / $jobs" | bc -l)" "$rss"
echo "stand-in: $(jq -c '{requests, submissions, polls, max_running, duplicate_submissions}' <<< "$stats")"
echo "journal: $(wc -l < "$tmp/plan.json.journal") lines, $(wc -c < "$tmp/plan.json.journal") bytes"
if [ -n "${BENCH_JOURNAL:-}" ]; then
    "$BENCH_JOURNAL" "$jobs" "$tmp"
fi
[ "$code" = 0 ] || { tail -5 "$tmp/err"; exit 1; }
