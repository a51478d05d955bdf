# Shared by the server's shell tests (sourced, not run). Usage of a test:
#   run_X.sh SERVER_BINARY DATA_DIR
# Starts the server on a free port, tears it down on any exit, and computes
# the ground truth of a listing with jq and awk only (no python on CI).
set -euo pipefail
export LC_ALL=C

SERVER=$1
DATA=$2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gcs-test-server.XXXXXX")
SRV_PID=

cleanup() {
    if [ -n "$SRV_PID" ]; then
        kill -TERM "$SRV_PID" 2>/dev/null || true
        wait "$SRV_PID" 2>/dev/null || true
    fi
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
    echo "FAIL: $*" >&2
    if [ -s "$WORK/server.err" ]; then
        echo "--- server stderr (last lines):" >&2
        tail -n 20 "$WORK/server.err" >&2
    fi
    exit 1
}

skip() {
    echo "SKIP: $*"
    exit 77
}

# start_server OPTIONS... -> sets PORT and BASE. --max-lifetime makes sure a
# server orphaned by a killed test run still goes away by itself.
start_server() {
    : >"$WORK/server.out"
    "$SERVER" --max-lifetime 600 "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
    SRV_PID=$!
    PORT=
    for _ in $(seq 200); do
        PORT=$(awk '$1 == "PORT" { print $2; exit }' "$WORK/server.out")
        [ -n "$PORT" ] && break
        kill -0 "$SRV_PID" 2>/dev/null || fail "server did not start"
        sleep 0.05
    done
    [ -n "$PORT" ] || fail "server did not report its port"
    BASE="http://127.0.0.1:$PORT"
}

# stop_server -> $WORK/stats.json holds the final counters.
stop_server() {
    kill -TERM "$SRV_PID"
    local rc=0
    wait "$SRV_PID" || rc=$?
    SRV_PID=
    [ "$rc" -eq 0 ] || fail "server exited with status $rc"
    sed -n 's/^STATS //p' "$WORK/server.out" >"$WORK/stats.json"
    [ -s "$WORK/stats.json" ] || fail "server printed no STATS line"
}

# stat GROUP KEY -> a counter from $WORK/stats.json
stat() { jq -r --arg g "$1" --arg k "$2" '.[$g][$k]' "$WORK/stats.json"; }

# truth JSONL -> "size|name" per object, byte order; a later duplicate wins.
truth() {
    jq -r -n 'reduce inputs as $o ({}; .[$o.name] = ($o.size | tostring))
              | to_entries[] | "\(.value)|\(.key)"' "$1" | sort -t'|' -k2
}

# names TRUTH -> object names, byte order
names() { cut -d'|' -f2- "$1" | sort; }

# dirs TRUTH -> every directory ("" for the root, else ending in "/")
dirs() {
    echo ""
    names "$1" | awk '{ n = split($0, p, "/"); d = ""
                        for (i = 1; i < n; i++) { d = d p[i] "/"; print d } }' | sort -u
}

# children TRUTH DIR -> what a delimiter listing of DIR shows: object names
# and "sub/" directories, relative to DIR, byte order
children() {
    names "$1" | D="$2" awk '{ d = ENVIRON["D"]
        if (substr($0, 1, length(d)) != d) next
        rest = substr($0, length(d) + 1); j = index(rest, "/")
        print (j ? substr(rest, 1, j) : rest) }' | sort -u
}

# same LABEL EXPECTED_FILE ACTUAL_FILE
same() {
    if ! cmp -s "$2" "$3"; then
        echo "--- $1: expected vs actual" >&2
        diff "$2" "$3" | head -n 20 >&2 || true
        fail "$1 differs from the ground truth"
    fi
}
