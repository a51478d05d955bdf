# Sourced by the Chromium tests (chromium.sh, cli_chromium.sh) and the
# report benchmark: one way of running headless Chromium and of reading its
# net log. Needs $profile (an empty directory for the browser's profile).
#   chrome LOG ARGS...     one headless run; stderr (console included) to LOG
#   page_requests NETLOG   the URLs of the requests a page started
#   now                    seconds, for wall times
#   count REGEX FILE       matches of REGEX in FILE (0 is an answer)
browser=$(command -v chromium || command -v chromium-browser || true)

chrome() {
    local log=$1
    shift
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --disable-extensions --user-data-dir="$profile" \
        --enable-logging=stderr --v=0 "$@" 2> "$log"
}

# The browser's own background requests are marked initiator "not an origin".
page_requests() {
    jq -r '(.constants.logEventTypes.URL_REQUEST_START_JOB) as $t | .events[]
           | select(.type == $t and .params.url != null)
           | select((.params.initiator // "") != "not an origin")
           | .params.url' "$1"
}

now() { date +%s.%N; }
count() { { grep -Eo -- "$1" "$2" || true; } | wc -l; }
