# Sourced by the import tests: their scratch directory ($tmp, removed at
# exit with every process in pids), their tally (ok, bad; $pass, $failed),
# and the Cloud Healthcare API stand-in (tests/healthcare/recorder.c)
# started and stopped. Uses $recorder and $token.
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    wait 2> /dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }

# standin_start NAME ARGS...: a stand-in recording to $tmp/NAME.rec with its
# statistics in $tmp/NAME.stats, requiring $token; sets $port, $rec_pid,
# $rec and $stats.
standin_start() {
    local name=$1; shift
    "$recorder" --record "$tmp/$name.rec" --stats-file "$tmp/$name.stats" --max-lifetime 600 \
        --require-token "$token" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    rec_pid=$!
    pids+=("$rec_pid")
    port=
    for _ in $(seq 200); do
        port=$(awk '/^PORT /{print $2}' "$tmp/$name.out" 2> /dev/null)
        [ -n "$port" ] && break
        sleep 0.05
    done
    [ -n "$port" ] || { echo "FAIL the stand-in did not start: $(cat "$tmp/$name.err")"; exit 1; }
    rec=$tmp/$name.rec stats=$tmp/$name.stats
}

# standin_stop: the last one started, which writes its statistics as it ends.
standin_stop() { kill -TERM "$rec_pid"; wait "$rec_pid" 2> /dev/null; }
