#!/usr/bin/env bash
# gcsplan against a server that means harm: every rule of the test server's
# hostile mode (docs/test-server.md) through ls, plan, preflight --probe and
# the credentials' token requests, and credential files that are too big,
# not files, or point their secrets at another host. For each case:
#  - the exit status (3: the source failed) and one line on stderr that says
#    what happened (no raw newline splits it);
#  - nothing raw in any output: no ESC, BEL, CR, DEL, NUL, other C0 or C1
#    control bytes, whatever the server put in names and messages;
#  - no secret in any output, in any encoding, and nothing at the other
#    listener (--alt-listen): no request followed a redirect, no
#    Authorization header and no secret reached it;
#  - bounded time (every run is under `timeout`; where the behaviour is a
#    time bound, its duration is asserted, generously) and bounded memory
#    (peak RSS, for the page of a million items and the gzip bombs).
# docs/security.md maps each class of the hardening issue to these cases.
# Usage: hostile.sh GCSPLAN GCS_TEST_SERVER
set -u
bin=$1 server=$2
tmp=$(mktemp -d)
pids=()
cleanup() {
  # The background runs first (their timeout passes the signal on), then the servers.
  for f in "$tmp"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2> /dev/null; done
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
export NO_COLOR=1 LC_ALL=C

# Only what this script sets: no credentials, gcloud configuration or
# metadata server of the machine running the tests. Whatever would go to
# Google (storage.googleapis.com once a token was had) goes through a proxy
# at a closed port, so nothing ever leaves this machine.
unset GOOGLE_APPLICATION_CREDENTIALS CLOUDSDK_AUTH_ACCESS_TOKEN_FILE GOOGLE_OAUTH_ACCESS_TOKEN \
      GCE_METADATA_HOST STORAGE_EMULATOR_HOST CLOUDSDK_CONFIG
export HOME=$tmp/home
mkdir -p "$HOME"
export https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

# Generous: a listing that held a page of a million items (1.28 GB of JSON)
# or inflated a 1 GiB bomb would pass it by far; ASan's shadow memory would not.
RSS_MAX_KB=300000
have_time=0
[ -x /usr/bin/time ] && have_time=1

# ---- servers ------------------------------------------------------------------------

# An address of this machine that is not loopback: a redirect or a token_uri
# to it is "another machine" to gcsplan, yet the test server can listen there
# and count what arrives. None on a machine without a network: those cases skip.
ext=$(awk '/32 host LOCAL/ { print prev } { prev = $2 }' /proc/net/fib_trie 2> /dev/null |
      grep -v '^127\.' | head -1)
if [ -n "$ext" ]; then
  # A sandbox may forbid listening there: then as if there were none.
  "$server" --max-lifetime 5 --gen-bucket bkt=1 --alt-listen "$ext:0" > "$tmp/ext.out" 2>&1 &
  p=$!
  for _ in $(seq 100); do grep -q '^ALT 1 ' "$tmp/ext.out" && break; kill -0 $p 2> /dev/null || break; sleep 0.05; done
  grep -q '^ALT 1 ' "$tmp/ext.out" || ext=
  kill $p 2> /dev/null; wait $p 2> /dev/null
fi

# start NAME ARGS...: a server; sets port_NAME, and alt1_NAME, alt2_NAME (host:port)
start() {
  local name=$1; shift
  "$server" --max-lifetime 600 "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
  pids+=($!)
  eval "pid_$name=$!"
  for _ in $(seq 200); do
    grep -q '^PORT ' "$tmp/$name.out" 2> /dev/null && break
    sleep 0.05
  done
  eval "port_$name=$(awk '/^PORT /{print $2}' "$tmp/$name.out")"
  eval "alt1_$name=$(awk '/^ALT 1 /{print $3}' "$tmp/$name.out")"
  eval "alt2_$name=$(awk '/^ALT 2 /{print $3}' "$tmp/$name.out")"
}
# stop NAME: its stats into $tmp/NAME.stats
stop() {
  local pid; eval "pid=\$pid_$1"
  kill -TERM "$pid"; wait "$pid" 2> /dev/null
  sed -n 's/^STATS //p' "$tmp/$1.out" > "$tmp/$1.stats"
}
# hstat NAME KEY: a counter of the hostile group
hstat() { jq -r ".hostile[\"$2\"]" "$tmp/$1.stats"; }
# acted NAME KIND...: each rule acted at least once (no case passes because
# the server behaved)
acted() {
  local name=$1; shift
  for k in "$@"; do
    [ "$(hstat "$name" "$k")" -gt 0 ] 2> /dev/null && ok || bad "server $name: rule $k never acted"
  done
}
# nothing_followed NAME: nothing reached the other listeners
nothing_followed() {
  local k
  for k in alt_requests alt_authorization alt_secrets; do
    [ "$(hstat "$1" $k)" = 0 ] && ok || bad "server $1: $k is $(hstat "$1" $k)"
  done
}

# ---- running and judging ------------------------------------------------------------

# run MAX_SECONDS [VAR=VALUE...] gcsplan ARGS...: stdout into $tmp/out,
# stderr into $tmp/err; sets code, secs and rss (KB, 0 without time(1)).
run() {
  local max=$1; shift
  local t0; t0=$(date +%s%N)
  if [ $have_time = 1 ]; then
    timeout -k 5 "$max" /usr/bin/time -f '%M' -o "$tmp/rss" env "$@" > "$tmp/out" 2> "$tmp/err"
    code=$?
    rss=$(tail -1 "$tmp/rss"); case $rss in *[!0-9]* | '') rss=0 ;; esac
  else
    timeout -k 5 "$max" env "$@" > "$tmp/out" 2> "$tmp/err"
    code=$?
    rss=0
  fi
  secs=$(( ($(date +%s%N) - t0) / 1000000 ))
  secs=$(printf '%d.%03d' $((secs / 1000)) $((secs % 1000)))
}

# raw LABEL FILE...: no byte that acts on a terminal in any file: C0 but
# newline, DEL, C1 (as UTF-8; a lone byte is not UTF-8, which fails too), NUL.
raw() {
  local label=$1 f what; shift
  for f in "$@"; do
    what=
    LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$f" && what="$what C0/DEL"
    LC_ALL=C grep -q $'\xc2[\x80-\x9f]' "$f" && what="$what C1"
    [ "$(tr -d '\000' < "$f" | wc -c)" = "$(wc -c < "$f")" ] || what="$what NUL"
    iconv -f UTF-8 -t UTF-8 "$f" > /dev/null 2>&1 || what="$what not-UTF-8"
    [ -z "$what" ] && ok || { bad "$label: raw$what in $(basename "$f")"; od -c "$f" | head -4; }
  done
}

# expect LABEL WANT_EXIT REGEX: the last run exited WANT_EXIT with exactly one
# line on stderr, "gcsplan: error: " and REGEX (grep -E), and nothing raw. With
# no_partial=1 (plan: a plan of a listing that failed is no plan), nothing
# on stdout either.
no_partial=0
expect() {
  local label=$1 want=$2 re=$3
  local lines; lines=$(wc -l < "$tmp/err")
  if [ "$code" = "$want" ] && [ "$lines" = 1 ] && grep -q '^gcsplan: error: ' "$tmp/err" &&
     grep -qE -- "$re" "$tmp/err"; then ok; else
    bad "$label: exit $code (want $want), $lines lines: $(head -c 600 "$tmp/err")"
  fi
  [ "$no_partial" = 1 ] && [ -s "$tmp/out" ] && bad "$label: printed $(head -c 200 "$tmp/out")"
  raw "$label" "$tmp/out" "$tmp/err"
}
# within LABEL LO HI: the last run took LO to HI seconds
within() {
  if awk -v s="$secs" -v lo="$2" -v hi="$3" 'BEGIN { exit !(s >= lo && s <= hi) }'; then ok; else
    bad "$1: took $secs s, not $2 to $3 s"
  fi
}
# small LABEL: the last run's peak RSS is under RSS_MAX_KB
small() {
  [ $have_time = 1 ] || return 0
  [ "$rss" -gt 0 ] && [ "$rss" -lt $RSS_MAX_KB ] && ok || bad "$1: peak RSS $rss KB"
}
# no_stdout LABEL: nothing was presented as a result
no_stdout() { [ ! -s "$tmp/out" ] && ok || bad "$1: stdout holds $(head -c 200 "$tmp/out")"; }

# ---- cases that wait, beside everything else ----------------------------------------

# later NAME LO HI REGEX [VAR=VALUE...] gcsplan ARGS...: a case whose point is
# a time bound runs in the background (waiting costs no CPU) while the rest
# goes on; judge_later then wants exit 3 after LO to HI seconds, one line on
# stderr matching REGEX, nothing raw and nothing on stdout.
later_names=() later_pids=()
later() {
  local name=$1 lo=$2 hi=$3 re=$4; shift 4
  printf '%s\n%s\n%s\n' "$lo" "$hi" "$re" > "$tmp/bg-$name.want"
  ( t0=$(date +%s%N)
    timeout -k 5 150 env "$@" > "$tmp/bg-$name.out" 2> "$tmp/bg-$name.err" &
    echo $! > "$tmp/bg-$name.pid"
    wait $!
    echo $? > "$tmp/bg-$name.code"
    echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$tmp/bg-$name.ms" ) &
  pids+=($!)
  later_names+=("$name")
  later_pids+=($!)
}
judge_later() {
  local i name lo hi re c ms
  for i in "${!later_names[@]}"; do
    name=${later_names[$i]}
    wait "${later_pids[$i]}"
    { read -r lo; read -r hi; read -r re; } < "$tmp/bg-$name.want"
    c=$(cat "$tmp/bg-$name.code" 2> /dev/null) ms=$(cat "$tmp/bg-$name.ms" 2> /dev/null)
    if [ "$c" = 3 ] && [ "$(wc -l < "$tmp/bg-$name.err")" = 1 ] &&
       grep -q '^gcsplan: error: ' "$tmp/bg-$name.err" && grep -qE -- "$re" "$tmp/bg-$name.err" &&
       [ ! -s "$tmp/bg-$name.out" ] &&
       awk -v s="$ms" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(s >= lo * 1000 && s <= hi * 1000) }'; then
      ok
    else
      bad "$name: exit $c after $ms ms (want 3 in $lo..$hi s): $(head -c 500 "$tmp/bg-$name.err")"
    fi
    raw "$name" "$tmp/bg-$name.out" "$tmp/bg-$name.err"
  done
}

# A server that accepts connections and never answers: the default run ends
# after about a minute (the progress budget), with a message that says so.
start dsilent --gen-bucket bkt=2x3 --hostile 'silent'
later default-silent 55 100 \
  "no new object or directory from the server at http://127\.0\.0\.1:[0-9]+ for 60\.0 s \(1 request unanswered(; last failure: [^)]*)?\): giving up" \
  "$bin" ls --endpoint "http://127.0.0.1:$port_dsilent" 'gs://bkt/**'
# A token endpoint that never answers: 4 attempts of 10 s each.
start dtoken --gen-bucket bkt=2x3 --hostile 'silent,on=token'
jq -n --arg t "http://127.0.0.1:$port_dtoken/token" '{type: "authorized_user", client_id: "c",
  client_secret: "s3cr3t-Zq7+Xv9", refresh_token: "rt-4f9Kx2Lq8", token_uri: $t}' > "$tmp/dtoken.json"
later default-silent-token 30 75 \
  "token request to http://127\.0\.0\.1:[0-9]+/token failed: no complete answer within 10 s" \
  GOOGLE_APPLICATION_CREDENTIALS="$tmp/dtoken.json" "$bin" ls 'gs://bkt/**'
# Token endpoints that send the headers, or half the body, and stop; a
# metadata server that never answers: the same bound.
start dtstallh --gen-bucket bkt=2x3 --hostile 'stall-headers,on=token' --hostile 'silent,on=metadata'
start dtstallb --gen-bucket bkt=2x3 --hostile 'stall-body,on=token'
for r in h b; do
  eval "p=\$port_dtstall$r"
  jq -n --arg t "http://127.0.0.1:$p/token" '{type: "authorized_user", client_id: "c",
    client_secret: "s3cr3t-Zq7+Xv9", refresh_token: "rt-4f9Kx2Lq8", token_uri: $t}' \
    > "$tmp/dtstall$r.json"
  later default-stall-token-$r 30 75 "token request to .* failed: no complete answer within 10 s" \
    GOOGLE_APPLICATION_CREDENTIALS="$tmp/dtstall$r.json" "$bin" ls 'gs://bkt/**'
done
later default-silent-metadata 30 75 "metadata server token request failed: no complete answer within 10 s" \
  GCE_METADATA_HOST="127.0.0.1:$port_dtstallh" "$bin" ls 'gs://bkt/**'

# ---- 1. listings: ls and plan through every rule of the list endpoint ---------------

# Directories named to act on a terminal: a repeated token makes the server
# list them again, and the error quotes two of them.
{ for n in $'\e[2J/a.dcm' $'\e]0;pwned\a/b.dcm' $'a\nb/c.dcm' $'\xc2\x9b2J/d.dcm' z/e.dcm; do
    jq -cn --arg n "$n" '{name: $n, size: 1}'
  done; } > "$tmp/evil-dirs.jsonl"
# A name on which an exclusion cannot decide (PCRE2's match limit).
{ printf '{"name":"x/%s","size":1}\n' "$(head -c 1000 /dev/zero | tr '\0' a)"
  printf '{"name":"x/keep.dcm","size":2}\n'; } > "$tmp/undecided.jsonl"
buckets=(
  --gen-bucket trep=10x100 --hostile 'token-repeat@trep'
  --bucket "evildirs=$tmp/evil-dirs.jsonl" --hostile 'token-repeat@evildirs'
  --bucket "undecided=$tmp/undecided.jsonl"
  --gen-bucket tcyc=10x100 --hostile 'token-cycle@tcyc'
  --gen-bucket empty=10x100 --hostile 'empty-pages@empty'
  --gen-bucket few=10x100 --hostile 'empty-pages,times=3@few'
  --gen-bucket big=1000x1000 --hostile 'oversize-items=1000000@big'
  --gen-bucket pad=10x100 --hostile 'padding=60K@pad'
  --gen-bucket padstr=2x3 --hostile 'padding=1M@padstr'
  --gen-bucket evil=2x3 --hostile 'evil-names@evil'
  --gen-bucket huge=2x3 --hostile 'size=99999999999999999999,on=list+get@huge'
  --gen-bucket neg=2x3 --hostile 'size=-1,on=list+get@neg'
  --gen-bucket u63=2x3 --hostile 'size=9223372036854775808,on=list+get@u63'
  --gen-bucket u64=2x3 --hostile 'size=18446744073709551615,on=list+get@u64'
  --gen-bucket bomb=2x3 --hostile 'gzip-bomb=1G,on=list+get@bomb'
  --gen-bucket stallh=2x3 --hostile 'stall-headers,on=list+get@stallh'
  --gen-bucket stallb=2x3 --hostile 'stall-body,on=list+get@stallb'
  --gen-bucket quiet=2x3 --hostile 'silent,on=list+get@quiet'
  --gen-bucket err=2x3 --hostile 'evil-error=403,on=list+get@err'
  --gen-bucket err5=2x3 --hostile 'evil-error=503,on=list+get@err5'
  --gen-bucket rafar=2x3 --hostile 'retry-after=99999999999999999999,on=list+get@rafar'
  --gen-bucket radate=2x3 --hostile 'retry-after=date-max,status=503,on=list+get@radate'
  --gen-bucket raodd=2x3 --hostile 'retry-after=-1,times=2@raodd'
  --hostile 'retry-after=1.5,after=2,times=2@raodd'
  --gen-bucket red=2x3 --hostile 'redirect=302,to=alt1,on=list+get@red'
  --gen-bucket red7=2x3 --hostile 'redirect=307,to=alt1,on=list+get@red7'
  --gen-bucket redurl=2x3 --hostile 'redirect=308,to=https://evil.example/x,on=list+get@redurl'
)
# The content probe's reads (alt=media) alone: these listings are clean.
pbuckets=(
  --gen-bucket pbomb=2x3 --hostile 'gzip-bomb=1G,on=media,force=1@pbomb'
  --gen-bucket pstallh=2x3 --hostile 'stall-headers,on=media@pstallh'
  --gen-bucket pstallb=2x3 --hostile 'stall-body,on=media@pstallb'
  --gen-bucket pquiet=2x3 --hostile 'silent,on=media@pquiet'
  --gen-bucket perr=2x3 --hostile 'evil-error=403,on=media@perr'
  --gen-bucket pred=2x3 --hostile 'redirect=302,to=alt1,on=media@pred'
  --gen-bucket predurl=2x3 --hostile 'redirect=308,to=https://evil.example/x,on=media@predurl'
  --gen-bucket pfar=2x3 --hostile 'retry-after=99999999999999999999,on=media@pfar'
)
alts=(--alt-listen 127.0.0.2:0)
[ -n "$ext" ] && alts=(--alt-listen "$ext:0" --alt-listen 127.0.0.2:0)
start main "${buckets[@]}" "${alts[@]}"
E="http://127.0.0.1:$port_main"
[ -n "$port_main" ] || { echo "FAIL the test server did not start"; cat "$tmp/main.err"; exit 1; }
# Quick retries: the cases are about what ends a listing, not about waiting.
L=(--endpoint "$E" --retries 2 --retry-base-ms 1 --retry-max-ms 10 --no-progress --no-preflight)

for cmd in ls plan; do
  no_partial=0; [ $cmd = plan ] && no_partial=1
  run 60 "$bin" $cmd "${L[@]}" 'gs://trep/S01/**'
  expect "$cmd token-repeat" 3 "(sent a page token again for prefix 'S01/' .*: the listing would never end|listed 'S01/IM-001.dcm' after 'S01/IM-100.dcm' under prefix 'S01/': out of order)"
  run 60 "$bin" $cmd "${L[@]}" 'gs://trep/**'
  expect "$cmd token-repeat, split" 3 "(page token again|out of order)"
  run 60 "$bin" $cmd "${L[@]}" 'gs://evildirs/**'
  expect "$cmd token-repeat, names that act on a terminal" 3 \
    "listed '\\\\x1B\\[2J/' after '\\\\xC2\\\\x9B2J/' under prefix '': out of order"
  run 60 "$bin" $cmd "${L[@]}" --page-size 10 'gs://tcyc/S02/*.dcm'
  expect "$cmd token-cycle" 3 "(sent a page token again|listed '.*' after '.*' under prefix 'S02/': out of order)"
  run 60 "$bin" $cmd "${L[@]}" 'gs://tcyc/**'
  expect "$cmd token-cycle, split" 3 "(page token again|out of order)"

  # Empty pages with fresh tokens: the byte budget ends them.
  run 60 "$bin" $cmd "${L[@]}" --stall-bytes 64K 'gs://empty/S01/**'
  expect "$cmd empty-pages" 3 "sent [0-9]+ pages \([0-9]+ bytes\) in a row for prefix 'S01/' without a new object or directory, and still a next page: giving up"
  no_stdout "$cmd empty-pages"
  within "$cmd empty-pages" 0 20

  # A page of a million items is refused at the 1001st, in little memory.
  run 120 "$bin" $cmd "${L[@]}" 'gs://big/**'
  expect "$cmd oversize-items" 3 "sent more than the 1000 entries asked for in one page"
  small "$cmd oversize-items"
  within "$cmd oversize-items" 0 60
  run 60 "$bin" $cmd "${L[@]}" --page-size 10 --strategy walk 'gs://big/S0001/*'
  expect "$cmd oversize-items, pages of 10" 3 "sent more than the 10 entries asked for in one page"

  # Padding: a page over 32 MiB; a string over 64 KiB.
  run 60 "$bin" $cmd "${L[@]}" 'gs://pad/**'
  expect "$cmd padding 60K" 3 "objects.list: the answer is over 33554432 bytes"
  small "$cmd padding 60K"
  run 60 "$bin" $cmd "${L[@]}" 'gs://padstr/**'
  expect "$cmd padding 1M" 3 "giving up after 3 attempts: .*a JSON string or number is longer than 65536 bytes"

  # Names holding NUL, ESC, BEL, CR, LF and C1: never listed, never raw.
  run 60 "$bin" $cmd "${L[@]}" 'gs://evil/**'
  expect "$cmd evil-names" 3 "an item name contains a NUL character"
  no_stdout "$cmd evil-names"

  # Sizes: past 2^64-1, negative: malformed; 2^63 and 2^64-1 exact.
  run 60 "$bin" $cmd "${L[@]}" 'gs://huge/**'
  expect "$cmd size 10^20" 3 "an item size is not an integer from 0 to 2\^64-1"
  run 60 "$bin" $cmd "${L[@]}" 'gs://huge/S1/IM-1.dcm'
  expect "$cmd size 10^20, objects.get" 3 "an item size is not an integer from 0 to 2\^64-1"
  run 60 "$bin" $cmd "${L[@]}" 'gs://neg/**'
  expect "$cmd size -1" 3 "an item size is not an integer from 0 to 2\^64-1"

  run 120 "$bin" $cmd "${L[@]}" 'gs://bomb/**'
  expect "$cmd gzip-bomb" 3 "a JSON string or number is longer than 65536 bytes"
  small "$cmd gzip-bomb"
  within "$cmd gzip-bomb" 0 60
  run 120 "$bin" $cmd "${L[@]}" 'gs://bomb/S1/IM-1.dcm'
  expect "$cmd gzip-bomb, objects.get" 3 "a JSON string or number is longer than 65536 bytes"
  small "$cmd gzip-bomb, objects.get"

  # Stalls: each attempt ends at --timeout; the listing after the retries.
  later $cmd-stall-headers 3 30 "giving up after 2 attempts: no complete answer within 2 s" \
    "$bin" $cmd "${L[@]}" --retries 1 --timeout 2 'gs://stallh/**'
  later $cmd-stall-body-get 3 30 "giving up after 2 attempts: no complete answer within 2 s" \
    "$bin" $cmd "${L[@]}" --retries 1 --timeout 2 'gs://stallb/S1/IM-1.dcm'
  # Silence: the progress budget, whatever the attempt's own timeout.
  later $cmd-silent 2.5 20 \
    "no new object or directory from the server at http://127\.0\.0\.1:[0-9]+ for 3\.0 s \(1 request unanswered\): giving up" \
    "$bin" $cmd "${L[@]}" --stall-timeout 3 'gs://quiet/**'

  # An error message built to act on a terminal: one line, escaped.
  run 60 "$bin" $cmd "${L[@]}" 'gs://err/**'
  expect "$cmd evil-error 403" 3 "HTTP 403 from objects.list: Access denied\. \[2J \[H \[1;31mCRITICAL: bucket deleted \[0m gcsplan: all objects imported \]0;owned .*\\\\xC2\\\\x9B31m after-nul: end"
  run 60 "$bin" $cmd "${L[@]}" 'gs://err/S1/IM-1.dcm'
  expect "$cmd evil-error 403, objects.get" 3 "HTTP 403 from objects.get: Access denied\. "
  run 60 "$bin" $cmd "${L[@]}" 'gs://err5/**'
  expect "$cmd evil-error 503" 3 "giving up after 3 attempts: HTTP 503: Access denied\. .*after-nul: end"

  # Retry-After past any clock: capped, and then the progress budget.
  later $cmd-retry-after-huge 2.5 20 "for 3\.0 s \(1 request unanswered; last failure: HTTP 429" \
    "$bin" $cmd "${L[@]}" --stall-timeout 3 'gs://rafar/**'
  later $cmd-retry-after-date-max 2.5 20 "for 3\.0 s \(1 request unanswered; last failure: HTTP 503" \
    "$bin" $cmd "${L[@]}" --stall-timeout 3 'gs://radate/S1/IM-1.dcm'

  # Redirects are errors naming the Location, never followed.
  run 60 "$bin" $cmd "${L[@]}" 'gs://red/**'
  expect "$cmd redirect 302" 3 "HTTP 302 from objects.list: a redirect to 'http://[0-9.]+:[0-9]+/storage/v1/b/red/o\?.*', not followed"
  run 60 "$bin" $cmd "${L[@]}" 'gs://red7/S1/IM-1.dcm'
  expect "$cmd redirect 307, objects.get" 3 "HTTP 307 from objects.get: a redirect to 'http://[0-9.]+:[0-9]+/storage/v1/b/red7/o/S1%2FIM-1\.dcm.*', not followed"
  run 60 "$bin" $cmd "${L[@]}" 'gs://redurl/**'
  expect "$cmd redirect 308 to https" 3 "HTTP 308 from objects.list: a redirect to 'https://evil\.example/x/storage/v1/b/redurl/o\?.*', not followed"
done
no_partial=0

# An exclusion that cannot decide for a name stops the listing: keeping the
# name would be a wrong answer. The name sorts first, so nothing is listed.
for cmd in ls plan; do
  run 60 "$bin" $cmd "${L[@]}" --exclude 'x/(a|aa)+b|.*' 'gs://undecided/x/*'
  expect "$cmd --exclude undecided" 3 "the exclusion 'x/\(a\|aa\)\+b\|\.\*' could not decide \(match limit exceeded\) for 'x/aaaa"
  no_stdout "$cmd --exclude undecided"
done

# Sizes at and past 2^63 are exact, and a plan whose total would pass 2^64-1
# is refused rather than wrapped.
run 60 "$bin" ls --json "${L[@]}" 'gs://u64/**'
[ "$code" = 0 ] && [ "$(grep -c '"size":18446744073709551615,' "$tmp/out")" = 6 ] && ok ||
  bad "ls --json size 2^64-1: exit $code: $(head -c 300 "$tmp/out") $(cat "$tmp/err")"
run 60 "$bin" ls --json "${L[@]}" 'gs://u63/S1/IM-1.dcm'
[ "$code" = 0 ] && grep -q '"size":9223372036854775808,' "$tmp/out" && ok ||
  bad "ls --json size 2^63, objects.get: exit $code: $(cat "$tmp/out" "$tmp/err")"
run 60 "$bin" plan "${L[@]}" 'gs://u63/**'
expect "plan size 2^63 x 6" 3 "the matched objects total more than 2\^64-1 bytes"
no_stdout "plan size 2^63 x 6"
run 60 "$bin" plan --json "${L[@]}" 'gs://u64/S2/IM-3.dcm'
[ "$code" = 0 ] && grep -q '"bytes":18446744073709551615,' "$tmp/out" && ok ||
  bad "plan --json of one object of 2^64-1 bytes: exit $code: $(cat "$tmp/err")"

# A few empty pages, then the real listing: short pages are allowed.
run 60 "$bin" ls "${L[@]}" 'gs://few/**'
[ "$code" = 0 ] && [ "$(wc -l < "$tmp/out")" = 1000 ] && ok ||
  bad "empty-pages,times=3: exit $code, $(wc -l < "$tmp/out") names: $(cat "$tmp/err")"
# Retry-After values that are no delay (-1, 1.5) are not honoured, and do no harm.
run 60 "$bin" ls "${L[@]}" --retries 4 'gs://raodd/**'
[ "$code" = 0 ] && [ "$(wc -l < "$tmp/out")" = 6 ] && ok ||
  bad "retry-after -1 and 1.5: exit $code: $(cat "$tmp/err")"
within "retry-after -1 and 1.5" 0 10

# Evil names on a terminal: the error names none of them raw. (Names that do
# reach stdout are escaped there: tests/cli/output.sh.)
if command -v script > /dev/null; then
  printf '%q ' "$bin" ls "${L[@]}" 'gs://evil/**' > "$tmp/cmd.sh"
  script -qec "bash $tmp/cmd.sh" /dev/null > "$tmp/tty" 2>&1
  sed 's/\r$//' "$tmp/tty" > "$tmp/tty.lf" # the terminal's own CR before LF
  raw "evil-names on a terminal" "$tmp/tty.lf"
  grep -q 'an item name contains a NUL character' "$tmp/tty" && ok || bad "evil-names on a terminal: $(cat -v "$tmp/tty")"
fi


# ---- 2. the content probe: preflight --probe through the media rules ----------------

start probe "${pbuckets[@]}" "${alts[@]}"
P=(--endpoint "http://127.0.0.1:$port_probe" --retries 0 --retry-base-ms 1 --no-progress)
# A forced gzip bomb: 132 bytes are read, the rest never inflated.
run 120 "$bin" preflight --probe "${P[@]}" 'gs://pbomb/**'
[ "$code" = 1 ] && grep -q 'error\[not-dicom\]: 6 objects' "$tmp/out" && grep -q '132 bytes read' "$tmp/out" &&
  [ ! -s "$tmp/err" ] && ok || bad "probe gzip-bomb: exit $code: $(cat "$tmp/out" "$tmp/err")"
raw "probe gzip-bomb" "$tmp/out" "$tmp/err"
small "probe gzip-bomb"
within "probe gzip-bomb" 0 60
# probe_failed LABEL BUCKET REGEX ARGS...: every object a probe-failed finding
probe_failed() {
  local label=$1 b=$2 re=$3; shift 3
  run 60 "$bin" preflight --probe "${P[@]}" "$@" "gs://$b/**"
  if [ "$code" = 0 ] && grep -q 'warning\[probe-failed\]: 6 objects could not be read' "$tmp/out" &&
     grep -qE -- "$re" "$tmp/out" && [ ! -s "$tmp/err" ]; then ok; else
    bad "$label: exit $code: $(head -c 600 "$tmp/out") $(cat "$tmp/err")"
  fi
  raw "$label" "$tmp/out" "$tmp/err"
}
probe_failed "probe stall-headers" pstallh "no complete answer within 1 s|Timeout was reached" --timeout 1
within "probe stall-headers" 0.9 30
probe_failed "probe stall-body" pstallb "no complete answer within 1 s|Timeout was reached" --timeout 1
within "probe stall-body" 0.9 30
probe_failed "probe evil-error 403" perr "HTTP 403"
probe_failed "probe redirect 302" pred "HTTP 302"
probe_failed "probe redirect 308 to https" predurl "HTTP 308"
# Silence and a Retry-After of 10^20 s: the progress budget ends the run.
later probe-silent 2.5 20 "the probe got no answer for 3\.0 s \([0-9]+ requests? unanswered\): giving up" \
  "$bin" preflight --probe "${P[@]}" --stall-timeout 3 'gs://pquiet/**'
later probe-retry-after-huge 2.5 20 "the probe got no answer for 3\.0 s" \
  "$bin" preflight --probe "${P[@]}" --retries 3 --stall-timeout 3 'gs://pfar/**'


# ---- 3. credentials: token endpoints, the metadata server, credential files ---------

# Our own secrets, not shaped like credentials (so only knowing them masks
# them), with characters that percent-encoding and base64 change.
cs='Zq7+cs/Xv9=pLm2Ww4Tt-K8'
rt='rT_4f9Kx2Lq8Vb0Nm7Hs3Jd6'
# Every form the server echoes them in (raw, percent-encoded, JSON \u00XX,
# the first half, base64, base64url), as 8-byte windows: none may show.
forms() {
  local s=$1 n=${#1}
  printf '%s\n' "$s"
  jq -rn --arg s "$s" '$s | @uri'
  for ((i = 0; i < n; i++)); do printf '\\u%04x' "'${s:i:1}"; done; echo
  for ((i = 0; i < n; i++)); do printf '\\u%04X' "'${s:i:1}"; done; echo
  printf '%s' "$s" | base64 -w0; echo
  printf '%s' "$s" | base64 -w0 | tr '+/' '-_' | tr -d '='; echo
}
{ forms "$cs"; forms "$rt"; } | awk '{ for (i = 1; i + 7 <= length($0); i++) print substr($0, i, 8) }' |
  sort -u > "$tmp/windows"
# A signed assertion is a JWT: its header starts eyJ, in base64 ZXlK, in
# JSON escapes \u0065\u0079\u004a; a private key is PEM.
printf '%s\n' eyJ ZXlK '\u0065\u0079' 'PRIVATE KEY' MII >> "$tmp/windows"
# secret_free LABEL: no window of a secret in the last run's output
secret_free() {
  if LC_ALL=C grep -qF -f "$tmp/windows" "$tmp/out" "$tmp/err"; then
    bad "$1: a secret shows: $(LC_ALL=C grep -oF -f "$tmp/windows" "$tmp/out" "$tmp/err" | head -3)"
  else ok; fi
}

# cred_files TOKEN_URI: an authorized user's and a service account's file
cred_files() {
  jq -n --arg cs "$cs" --arg rt "$rt" --arg t "$1" \
    '{type: "authorized_user", client_id: "cid-1.apps.example", client_secret: $cs,
      refresh_token: $rt, token_uri: $t}' > "$tmp/au.json"
  if [ -s "$tmp/key.pem" ]; then
    jq -n --rawfile k "$tmp/key.pem" --arg t "$1" \
      '{type: "service_account", project_id: "p", private_key_id: "kid-1", private_key: $k,
        client_email: "loader@p.iam.gserviceaccount.com", client_id: "1", token_uri: $t}' \
      > "$tmp/sa.json"
  fi
}
command -v openssl > /dev/null &&
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/key.pem" 2> /dev/null
[ -s "$tmp/key.pem" ] || echo "note: no openssl: the service account cases are skipped"
kinds=(au)
[ -s "$tmp/key.pem" ] && kinds=(au sa)

# No --endpoint: credentials are needed, fetched before the first request.
C=(ls --retries 0 --no-progress --no-preflight 'gs://bkt/**')

# Echoed secrets: each encoding alone (a message is cut at 200 bytes, so all
# at once would hide the later ones), in each place. Rule k acts on token
# request k only, and each run makes one request (a 400 is not retried).
echo_rules=() echo_cases=()
k=0
for where in desc field text; do
  for enc in raw pct json prefix base64 base64url; do
    echo_rules+=(--hostile "echo-secrets=$enc,in=$where,after=$k,times=1")
    echo_cases+=("$enc in $where")
    k=$((k + 1))
  done
done
start tok --gen-bucket bkt=2x3 "${echo_rules[@]}" --hostile 'echo-secrets=all,in=desc+field+text,status=500'
T="http://127.0.0.1:$port_tok/token"
cred_files "$T"
n=0
for c in "${echo_cases[@]}"; do
  run 60 GOOGLE_APPLICATION_CREDENTIALS="$tmp/au.json" "$bin" "${C[@]}"
  expect "echo-secrets $c" 3 "token request to http://127\.0\.0\.1:[0-9]+/token failed: HTTP 400"
  secret_free "echo-secrets $c"
  n=$((n + 1))
done
for kind in "${kinds[@]}"; do
  # Every encoding in every place, 500: retried, then the last answer.
  run 60 GOOGLE_APPLICATION_CREDENTIALS="$tmp/$kind.json" "$bin" "${C[@]}"
  expect "echo-secrets all, 500, $kind" 3 "token request to http://127\.0\.0\.1:[0-9]+/token failed: HTTP 500"
  secret_free "echo-secrets all, 500, $kind"
  within "echo-secrets all, 500, $kind" 0 30
done
stop tok
[ "$(jq .requests.token "$tmp/tok.stats")" = $((n + 4 * ${#kinds[@]})) ] && ok ||
  bad "echo-secrets: $(jq .requests.token "$tmp/tok.stats") token requests, want $((n + 4 * ${#kinds[@]}))"
acted tok echo_secrets

# The service account's assertion, echoed in every form.
if [ -s "$tmp/key.pem" ]; then
  for where in desc field text; do
    start tsa --gen-bucket bkt=2x3 --hostile "echo-secrets=all,in=$where"
    cred_files "http://127.0.0.1:$port_tsa/token"
    run 60 GOOGLE_APPLICATION_CREDENTIALS="$tmp/sa.json" "$bin" "${C[@]}"
    expect "echo-secrets assertion in $where" 3 "token request to .* failed: HTTP 400"
    secret_free "echo-secrets assertion in $where"
    stop tsa
    acted tsa echo_secrets
  done
fi

# token_case LABEL RULE WANT_REGEX MAX_SECONDS: a token endpoint with RULE,
# both kinds of credentials; nothing may reach the other listeners.
token_case() {
  local label=$1 rule=$2 re=$3 max=$4 kind
  for kind in "${kinds[@]}"; do
    start tk --gen-bucket bkt=2x3 "${alts[@]}" --hostile "$rule"
    local a; a=$alt1_tk
    cred_files "http://127.0.0.1:$port_tk/token"
    run $((max + 30)) GOOGLE_APPLICATION_CREDENTIALS="$tmp/$kind.json" "$bin" "${C[@]}"
    expect "$label, $kind" 3 "$re"
    secret_free "$label, $kind"
    within "$label, $kind" 0 "$max"
    stop tk
    nothing_followed tk
    [ "$(hstat tk "${rule%%[=,]*}" | tr - _)" != 0 ] && ok || bad "$label, $kind: the rule never acted"
  done
}
token_case "token evil-error" 'evil-error=401,on=token' \
  "failed: HTTP 401: invalid_grant: Access denied\. \[2J .*after-nul: end" 20
token_case "token gzip-bomb" 'gzip-bomb=1G,on=token' "failed: the answer is over 65536 bytes" 20
for st in 302 307 308; do
  token_case "token redirect $st" "redirect=$st,to=alt1,on=token" \
    "failed: HTTP $st: a redirect to 'http://[0-9.]+:[0-9]+/token', not followed" 20
done
# Retry-After on a token request is capped at 4 s: 4 attempts, 3 waits.
start tra --gen-bucket bkt=2x3 --hostile 'retry-after=date-max,status=503,on=token'
cred_files "http://127.0.0.1:$port_tra/token"
cp "$tmp/au.json" "$tmp/tra.json"
later token-retry-after-date-max 8 30 "token request to .* failed: HTTP 503: temporarily_unavailable" \
  GOOGLE_APPLICATION_CREDENTIALS="$tmp/tra.json" "$bin" "${C[@]}"

# The metadata server (GCE_METADATA_HOST: a test server), as hostile.
meta_case() {
  local label=$1 rule=$2 re=$3
  start md --gen-bucket bkt=2x3 "${alts[@]}" --hostile "$rule"
  run 60 GCE_METADATA_HOST="127.0.0.1:$port_md" "$bin" "${C[@]}"
  expect "$label" 3 "$re"
  stop md
  nothing_followed md
}
meta_case "metadata evil-error" 'evil-error=500,on=metadata' "metadata server token request failed: HTTP 500"
meta_case "metadata gzip-bomb" 'gzip-bomb=1G,on=metadata' "metadata server token request failed: the answer is over 65536 bytes"
small "metadata gzip-bomb"
meta_case "metadata redirect" 'redirect=307,to=alt1,on=metadata' \
  "metadata server token request failed: HTTP 307: a redirect to 'http://[0-9.]+:[0-9]+/computeMetadata/.*', not followed"

# Credential files: too big, not regular files. Each refused at once.
head -c 70000 /dev/zero | tr '\0' a > "$tmp/big.token"
{ printf '{"type":"authorized_user","client_id":"c","client_secret":"%s","refresh_token":"%s","pad":"' "$cs" "$rt"
  head -c 70000 /dev/zero | tr '\0' a; printf '"}\n'; } > "$tmp/big.json"
mkfifo "$tmp/fifo"
mkdir -p "$tmp/gcloud"
cp "$tmp/big.json" "$tmp/gcloud/application_default_credentials.json"
file_case() { # LABEL REGEX VAR=VALUE...
  local label=$1 re=$2; shift 2
  run 20 "$@" "$bin" "${C[@]}"
  expect "$label" 3 "$re"
  within "$label" 0 5
  secret_free "$label"
}
file_case "token file over 64 KiB" "big\.token \(\\\$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\) is over 65536 bytes" \
  CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$tmp/big.token"
file_case "ADC file over 64 KiB" "big\.json \(\\\$GOOGLE_APPLICATION_CREDENTIALS\) is over 65536 bytes" \
  GOOGLE_APPLICATION_CREDENTIALS="$tmp/big.json"
file_case "gcloud ADC file over 64 KiB" "application_default_credentials\.json \(gcloud application default credentials\) is over 65536 bytes" \
  CLOUDSDK_CONFIG="$tmp/gcloud"
file_case "FIFO as token file" "fifo \(\\\$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\) is not a regular file" \
  CLOUDSDK_AUTH_ACCESS_TOKEN_FILE="$tmp/fifo"
file_case "FIFO as ADC file" "fifo \(\\\$GOOGLE_APPLICATION_CREDENTIALS\) is not a regular file" \
  GOOGLE_APPLICATION_CREDENTIALS="$tmp/fifo"
file_case "device as token file" "/dev/zero \(\\\$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE\) is not a regular file" \
  CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=/dev/zero
file_case "directory as ADC file" "is not a regular file" GOOGLE_APPLICATION_CREDENTIALS="$tmp"
# At the bound exactly, a file is read whole: 65536 bytes of white space and
# a valid authorized user reach the token endpoint.
start edge --gen-bucket bkt=2x3
jq -c -n --arg cs "$cs" --arg rt "$rt" --arg t "http://127.0.0.1:$port_edge/token" \
  '{type: "authorized_user", client_id: "c", client_secret: $cs, refresh_token: $rt, token_uri: $t}' \
  > "$tmp/edge.json"
pad=$((65536 - $(wc -c < "$tmp/edge.json")))
head -c $pad /dev/zero | tr '\0' ' ' >> "$tmp/edge.json"
[ "$(wc -c < "$tmp/edge.json")" = 65536 ] || bad "edge.json is not 65536 bytes"
run 30 GOOGLE_APPLICATION_CREDENTIALS="$tmp/edge.json" "$bin" "${C[@]}"
# The token came; storage.googleapis.com then meets the closed proxy port.
expect "ADC file of exactly 64 KiB" 3 "giving up after 1 attempt"
stop edge
[ "$(jq .requests.token "$tmp/edge.stats")" = 1 ] && ok || bad "ADC file of 64 KiB: no token request"

# token_uri tricks: a userinfo that looks like the host, a host hidden
# behind a backslash, a query or a fragment, another machine in clear text,
# other schemes. Each is refused before any request (the file is judged as
# libcurl parses URLs); nothing reaches the other listener. The type of the
# file does not matter (one check), so the service account gets a few.
# trick_case URI: refused, for the kinds given after it
trick_case() {
  local t=$1 kind; shift
  cred_files "$t"
  for kind in "$@"; do
    run 20 GOOGLE_APPLICATION_CREDENTIALS="$tmp/$kind.json" "$bin" "${C[@]}"
    expect "token_uri '$t', $kind" 3 "token_uri must be an https URL \(plain http only to 127\.0\.0\.1, ::1 or localhost; no user name in it\)"
    secret_free "token_uri '$t', $kind"
  done
}
trick_case "http://127.0.0.1:1@other-host/token" "${kinds[@]}"
for t in "http://user:pw@127.0.0.1:1/token" "http://other-host/token" "ftp://127.0.0.1:1/token" \
         "file:///etc/passwd" " http://127.0.0.1:1/token" "http://127.0.0.1:1/token x"; do
  trick_case "$t" au
done
if [ -n "$ext" ]; then
  start uri --gen-bucket bkt=2x3 --alt-listen "$ext:0"
  M=127.0.0.1:$port_uri A=$alt1_uri
  trick_case "http://127.0.0.1:1@$A/token" "${kinds[@]}"
  trick_case "http://$A/token" "${kinds[@]}"
  for t in "http://$M@$A/token" "http://$M:x@$A/token" "http://$M\\@$A/token" "http://$A?@$M/token" \
           "http://$A#@$M/token" "http://localhost.$A/token" "HTTP://$A/token" "http://$M%2F@$A/token" \
           "http:/\\$A/token" "http:$A/token" "//$A/token"; do
    trick_case "$t" au
  done
  stop uri
  [ "$(jq .requests.total "$tmp/uri.stats")" = 0 ] && ok || bad "token_uri tricks: requests reached the server"
  nothing_followed uri
else
  echo "note: no address but loopback: the token_uri cases with another machine are skipped"
fi

# ---- 4. output errors with a live source --------------------------------------------
start out --gen-bucket many=30x1000
run 60 "$bin" ls --endpoint "http://127.0.0.1:$port_out" --no-progress 'gs://many/**'
[ "$code" = 0 ] && [ "$(wc -l < "$tmp/out")" = 30000 ] && ok || bad "ls many: exit $code"
timeout 60 "$bin" ls --endpoint "http://127.0.0.1:$port_out" --no-progress 'gs://many/**' \
  > /dev/full 2> "$tmp/err"
code=$?
[ $code = 3 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
  grep -qx 'gcsplan: error: writing stdout: No space left on device' "$tmp/err" && ok ||
  bad "ls into /dev/full: exit $code: $(cat "$tmp/err")"
timeout 60 "$bin" ls --endpoint "http://127.0.0.1:$port_out" --no-progress 'gs://many/**' \
  2> "$tmp/err" | head -1 > /dev/null
code=${PIPESTATUS[0]}
[ "$code" = 0 ] && [ ! -s "$tmp/err" ] && ok || bad "ls | head -1: exit $code: $(cat "$tmp/err")"
stop out

# ---- 5. files as hostile as the servers ---------------------------------------------
# A plan and a listing holding one string of 100 MB: refused at their
# bounds after reading little of it, in little memory.
{ printf '{"uri":"gs://bkt/**","objects":1,"bytes":1,"jobs":[{"uri":"'
  head -c 100000000 /dev/zero | tr '\0' a; printf '"}]}\n'; } > "$tmp/big-plan.json"
{ printf '{"name":"'; head -c 100000000 /dev/zero | tr '\0' a; printf '","size":1}\n'; } \
  > "$tmp/big-line.jsonl"
printf '{"name":"a","size":1}\n' > "$tmp/one.jsonl"
run 60 "$bin" verify "$tmp/big-plan.json" --listing "$tmp/one.jsonl"
expect "verify, a plan string of 100 MB" 2 "big-plan\.json: a string or number longer than 65536 bytes: not a plan"
small "verify, a plan string of 100 MB"
run 60 "$bin" report -o "$tmp/page.html" "$tmp/big-plan.json"
expect "report, a plan string of 100 MB" 2 "big-plan\.json: a string or number longer than 65536 bytes: not a plan"
small "report, a plan string of 100 MB"
[ ! -e "$tmp/page.html" ] && ok || bad "report of a plan it refused left a page"
run 60 "$bin" ls --listing "$tmp/big-line.jsonl" 'gs://bkt/**'
expect "ls, a listing line of 100 MB" 3 "big-line\.jsonl:1: line longer than 1048576 bytes"
small "ls, a listing line of 100 MB"
rm -f "$tmp/big-plan.json" "$tmp/big-line.jsonl"

# ---- the cases that waited ----------------------------------------------------------
judge_later
stop main
acted main token_repeat token_cycle empty_pages oversize_items padding evil_names size gzip_bomb \
  stall_headers stall_body silent evil_error retry_after redirect
nothing_followed main
stop probe
acted probe gzip_bomb stall_headers stall_body silent evil_error retry_after redirect
nothing_followed probe
stop dsilent
acted dsilent silent
stop dtoken
[ "$(jq .requests.token "$tmp/dtoken.stats")" = 4 ] && ok ||
  bad "silent token endpoint: $(jq .requests.token "$tmp/dtoken.stats") requests, want 4"
stop tra
[ "$(jq .requests.token "$tmp/tra.stats")" = 4 ] && ok ||
  bad "token Retry-After: $(jq .requests.token "$tmp/tra.stats") requests, want 4"
stop dtstallh
acted dtstallh stall_headers silent
stop dtstallb
acted dtstallb stall_body

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
