#!/bin/bash
# Hostile mode (--hostile): every behaviour is served as docs/test-server.md
# says, checked with curl and jq: looping page tokens, endless empty pages,
# oversize and padded pages streamed in bounded memory, evil names and error
# messages, sizes beyond 2^63, gzip bombs, stalls, huge Retry-After, token
# endpoints echoing secrets, redirects to other listeners; scopes, after=
# and times=.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || skip "curl is not installed"
command -v jq >/dev/null || skip "jq is not installed"
command -v gzip >/dev/null || skip "gzip is not installed"

# code ARGS... -> the HTTP status (000 when none); body in $WORK/body,
# headers in $WORK/head, curl's exit status in $WORK/rc
code() {
    local rc=0
    rm -f "$WORK/body" "$WORK/head" # curl writes no file when no byte comes
    curl -s -o "$WORK/body" -D "$WORK/head" -w '%{http_code}' "$@" >"$WORK/status" 2>/dev/null || rc=$?
    echo "$rc" >"$WORK/rc"
    cat "$WORK/status"
}
header() { touch "$WORK/head"; tr -d '\r' <"$WORK/head" | awk -v h="$1" 'tolower($0) ~ "^" tolower(h) ":" { sub(/^[^:]*: */, ""); print }'; }
alt() { awk -v n="$1" '$1 == "ALT" && $2 == n { print $3 }' "$WORK/server.out"; }
enc() { jq -rn --arg s "$1" '$s | @uri'; }
L="/storage/v1/b"

# ---------------------------------------------------------------------------
# page tokens: repeat, cycle, endless empty pages; scope and times=
start_server --gen-bucket g='3x5' --gen-bucket h='3x5' \
    --hostile 'token-repeat@g/S1/' --hostile 'token-cycle@g/S2/' --hostile 'empty-pages@g/S3/' \
    --hostile 'empty-pages,times=3@h/S1/'

page() { # BUCKET PREFIX TOKEN -> body in $WORK/body; prints "names|token"
    code "$BASE$L/$1/o?prefix=$2&maxResults=2${3:+&pageToken=$(enc "$3")}" >/dev/null
    jq -r '[(.items // [])[].name] | join(",")' "$WORK/body" | tr '\n' '|'
    jq -r '.nextPageToken // ""' "$WORK/body"
}
t1=$(page g S1/ "" | cut -d'|' -f2)
p2=$(page g S1/ "$t1")
p3=$(page g S1/ "${p2#*|}")
[ -n "$t1" ] && [ "${p2#*|}" = "$t1" ] && [ "${p3#*|}" = "$t1" ] || fail "token-repeat: $t1 / $p2 / $p3"
[ "${p2%%|*}" = "S1/IM-3.dcm,S1/IM-4.dcm" ] || fail "token-repeat: the page at the token is wrong: $p2"
echo "ok: token-repeat gives the same token forever"

seq_tokens=() tok=""
for i in 1 2 3 4 5 6; do
    r=$(page g S2/ "$tok")
    tok=${r#*|}
    seq_tokens+=("$tok")
done
A=${seq_tokens[0]} B=${seq_tokens[1]}
[ "$A" != "$B" ] || fail "token-cycle: A equals B"
[ "${seq_tokens[*]}" = "$A $B $A $B $A $B" ] || fail "token-cycle: ${seq_tokens[*]}"
echo "ok: token-cycle goes A -> B -> A"

tok="" : >"$WORK/tokens"
for i in $(seq 40); do
    r=$(page g S3/ "$tok")
    [ "${r%%|*}" = "" ] || fail "empty-pages: page $i has items: $r"
    tok=${r#*|}
    [ -n "$tok" ] || fail "empty-pages: page $i has no token"
    echo "$tok" >>"$WORK/tokens"
done
[ "$(sort -u "$WORK/tokens" | wc -l)" = 40 ] || fail "empty-pages: a token came back twice"
echo "ok: empty-pages, 40 pages each with a fresh token"

# times=3: three empty pages, then the listing from its start
tok="" seen=""
for i in 1 2 3 4 5 6; do
    r=$(page h S1/ "$tok")
    seen="$seen${r%%|*};"
    tok=${r#*|}
    [ -n "$tok" ] || break
done
[ "$seen" = ";;;S1/IM-1.dcm,S1/IM-2.dcm;S1/IM-3.dcm,S1/IM-4.dcm;S1/IM-5.dcm;" ] ||
    fail "empty-pages times=3 then the real listing: $seen"
# out of scope: other prefixes and buckets list normally
[ "$(page g S4/ "")" = "|" ] && [ "$(page h S2/ "" | cut -d'|' -f1)" = "S2/IM-1.dcm,S2/IM-2.dcm" ] ||
    fail "a rule leaked out of its scope"
[ "$(page g "" "" | cut -d'|' -f1)" = "S1/IM-1.dcm,S1/IM-2.dcm" ] || fail "prefix '' is not in scope g/S1/"
echo "ok: times= and scopes"
stop_server
[ "$(stat hostile empty_pages)" = 43 ] || fail "empty_pages counted $(stat hostile empty_pages)"

# ---------------------------------------------------------------------------
# oversize pages, padding, evil names, sizes: streamed, bounded memory
cat >"$WORK/big.jsonl" <<'EOF'
{"name":"sizes/max","size":18446744073709551615}
{"name":"sizes/two63","size":"9223372036854775808"}
{"name":"sizes/two63-1","size":9223372036854775807}
EOF
# Under AddressSanitizer freed memory waits in a 256 MiB quarantine, which
# would hide whether the page is streamed: keep it small for this server.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16:thread_local_quarantine_size_kb=256"
start_server --gen-bucket big='12x500x1000,size=7' --bucket s="$WORK/big.jsonl" --gen-bucket e='1x3' \
    --hostile 'oversize-items=400000@big/studies/S02/' --hostile 'oversize-items=150@big/studies/S03/' \
    --hostile 'padding=8M,times=1@big/studies/S04/' --hostile 'evil-names@e' \
    --hostile 'size=99999999999999999999,on=list+get@s/over'

curl -s "$BASE$L/big/o?prefix=studies/S02/&maxResults=3&fields=items(name,size),nextPageToken" >"$WORK/p"
n=$(jq '.items | length' "$WORK/p")
[ "$n" = 400000 ] || fail "oversize-items: $n items"
jq -e '.nextPageToken | type == "string"' "$WORK/p" >/dev/null || fail "oversize page lost its token"
next=$(jq -r '.nextPageToken | @uri' "$WORK/p")
first=$(curl -s "$BASE$L/big/o?prefix=studies/S02/&maxResults=1&pageToken=$next&fields=items/name" | jq -r '.items[0].name')
[ "$first" = "studies/S02/series-401/IM-0001.dcm" ] || fail "the page after an oversize page starts at $first"
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$SRV_PID/status")
[ "$hwm" -lt 100000 ] || fail "server peak RSS ${hwm} kB after a 400,000-item page: not streamed?"
# with a delimiter the entries are prefixes: 150 collapsed series per page
curl -s "$BASE$L/big/o?prefix=studies/S03/&delimiter=/&maxResults=1" >"$WORK/p"
[ "$(jq '.prefixes | length' "$WORK/p")" = 150 ] && [ "$(jq '.items | length' "$WORK/p")" = 0 ] ||
    fail "oversize over a delimiter listing: $(head -c 300 "$WORK/p")"
echo "ok: oversize-items (400,000 items for maxResults=3, server peak ${hwm} kB)"

curl -s "$BASE$L/big/o?prefix=studies/S04/&maxResults=2" >"$WORK/p"
jq -e '[.items[] | .padding | length] == [8388608, 8388608] and .items[1].name == "studies/S04/series-001/IM-0002.dcm"' \
    "$WORK/p" >/dev/null || fail "padding: $(head -c 200 "$WORK/p")"
[ "$(curl -s "$BASE$L/big/o?prefix=studies/S04/&maxResults=2" | wc -c)" -lt 4000 ] || fail "padding times=1 went on"
echo "ok: padding (8 MiB strings in items, once)"

curl -s "$BASE$L/e/o?fields=items(name,size)" >"$WORK/p"
jq -e '[.items[].name] | length == 11 and (. == sort)
       and any(test("\u0000")) and any(test("\n")) and any(test("\u001b\\[31m")) and any(test("\r"))
       and any(test("\u001b\\]0;")) and any(test("\u009b"))' "$WORK/p" >/dev/null ||
    fail "evil-names: $(jq -c '[.items[].name]' "$WORK/p")"
curl -s "$BASE$L/e/o?prefix=S1/&fields=items/name" |
    jq -e '.items | length == 11 and all(.name | startswith("S1/"))' >/dev/null ||
    fail "evil names are not put after the request's prefix"
tok=$(curl -s "$BASE$L/e/o?maxResults=1" | jq -r '.nextPageToken | @uri')
curl -s "$BASE$L/e/o?maxResults=1&pageToken=$tok" | jq -e '.items | length == 1' >/dev/null ||
    fail "evil names on a page that is not the first"
echo "ok: evil-names (NUL, LF, CR, ESC sequences, C1 CSI, in byte order, first page only)"

curl -s "$BASE$L/s/o?fields=items(name,size)" | jq -c '[.items[] | [.name, .size]]' >"$WORK/p"
[ "$(cat "$WORK/p")" = '[["sizes/max","18446744073709551615"],["sizes/two63","9223372036854775808"],["sizes/two63-1","9223372036854775807"]]' ] ||
    fail "sizes from the listing file: $(cat "$WORK/p")"
curl -s "$BASE$L/s/o?prefix=over" | jq -e '.items == null' >/dev/null || fail "prefix over matched"
stop_server
start_server --bucket s="$WORK/big.jsonl" --hostile 'size=99999999999999999999,on=list+get@s/sizes/two'
# a list is in scope when its prefix parameter starts with the scope's prefix
curl -s "$BASE$L/s/o?prefix=sizes/two&fields=items(name,size)" | jq -r '[.items[].size] | join(" ")' >"$WORK/p"
[ "$(cat "$WORK/p")" = "99999999999999999999 99999999999999999999" ] || fail "size=: $(cat "$WORK/p")"
curl -s "$BASE$L/s/o?prefix=sizes/&fields=items(name,size)" | jq -r '[.items[].size] | join(" ")' >"$WORK/p"
[ "$(cat "$WORK/p")" = "18446744073709551615 9223372036854775808 9223372036854775807" ] ||
    fail "size= out of scope: $(cat "$WORK/p")"
curl -s "$BASE$L/s/o/sizes%2Ftwo63?fields=size" | jq -e '.size == "99999999999999999999"' >/dev/null ||
    fail "size= on objects.get"
echo "ok: sizes at and above 2^63 pass through; size= overrides"
stop_server

# ---------------------------------------------------------------------------
# gzip bombs
start_server --gen-bucket g='2x5' --hostile 'gzip-bomb=256M@g/S1/' \
    --hostile 'gzip-bomb=64M,on=media+token,force=1@g/S2/'
[ "$(code -H 'Accept-Encoding: gzip' "$BASE$L/g/o?prefix=S1/")" = 200 ] || fail "gzip-bomb status"
[ "$(header Content-Encoding)" = gzip ] || fail "gzip-bomb without Content-Encoding: gzip"
csize=$(wc -c <"$WORK/body")
[ "$csize" -lt 400000 ] || fail "a 256 MiB bomb took $csize bytes"
gzip -t <"$WORK/body" 2>/dev/null || fail "the bomb is not valid gzip"
isize=$(gzip -dc <"$WORK/body" | wc -c)
# (head closes the pipe early: the SIGPIPE of gzip is expected)
head=$(gzip -dc <"$WORK/body" | head -c 80 || true)
tail=$(gzip -dc <"$WORK/body" | tail -c 40)
[ "$head" = '{"kind":"storage#objects","items":[{"kind":"storage#object","name":"aaaaaaaaaaaa' ] &&
    [ "$tail" = 'aaaaaaaaaaa","bucket":"g","size":"1"}]}' ] || fail "bomb text: $head ... $tail"
[ "$isize" -gt 268435456 ] && [ "$isize" -lt 268435600 ] || fail "bomb inflates to $isize bytes"
[ "$(code "$BASE$L/g/o?prefix=S1/&fields=items/name")" = 200 ] && [ -z "$(header Content-Encoding)" ] &&
    jq -e '.items | length == 5' "$WORK/body" >/dev/null || fail "no bomb when gzip is not offered"
# force=1: media and token, gzip not offered
code "$BASE$L/g/o/S2%2FIM-1.dcm?alt=media" >/dev/null
[ "$(header Content-Encoding)" = gzip ] && [ "$(gzip -dc <"$WORK/body" | wc -c)" = 67108864 ] ||
    fail "forced media bomb"
code -d 'grant_type=refresh_token&refresh_token=r' "$BASE/token" >/dev/null
{ gzip -dc <"$WORK/body" || true; } | head -c 20 | grep -q '^{"access_token":"aaa' || fail "token bomb"
echo "ok: gzip-bomb (256 MiB inflated from $csize bytes; media and token with force=1)"
stop_server

# ---------------------------------------------------------------------------
# stalls: headers then nothing, part of the body then nothing, nothing at all
start_server --gen-bucket g='3x5' --hostile 'stall-headers@g/S1/' --hostile 'stall-body=100@g/S2/' \
    --hostile 'silent@g/S3/' --hostile 'stall-body,on=media@g' --hostile 'stall-headers,on=token,times=1'
t0=$(date +%s%N)
[ "$(code -m 1 "$BASE$L/g/o?prefix=S1/")" = 200 ] && [ "$(cat "$WORK/rc")" = 28 ] &&
    [ ! -s "$WORK/body" ] && [ -n "$(header Content-Length)" ] || fail "stall-headers: $(cat "$WORK/rc")"
[ "$(code -m 1 "$BASE$L/g/o?prefix=S2/")" = 200 ] && [ "$(cat "$WORK/rc")" = 28 ] &&
    [ "$(wc -c <"$WORK/body")" = 100 ] || fail "stall-body=100: $(wc -c <"$WORK/body") bytes"
[ "$(code -m 1 "$BASE$L/g/o?prefix=S3/")" = 000 ] && [ "$(cat "$WORK/rc")" = 28 ] &&
    [ ! -s "$WORK/head" ] || fail "silent answered something"
code -m 1 -H 'Range: bytes=0-131' "$BASE$L/g/o/S1%2FIM-1.dcm?alt=media" >/dev/null
[ "$(wc -c <"$WORK/body")" = 66 ] && [ "$(cat "$WORK/rc")" = 28 ] || fail "stall-body on media"
[ "$(code -m 1 -d 'grant_type=refresh_token&refresh_token=r' "$BASE/token")" = 200 ] &&
    [ "$(cat "$WORK/rc")" = 28 ] || fail "stall-headers on the token endpoint"
[ "$(code -m 5 -d 'grant_type=refresh_token&refresh_token=r' "$BASE/token")" = 200 ] &&
    [ "$(cat "$WORK/rc")" = 0 ] || fail "times=1 did not end the token stall"
[ "$(code -m 5 "$BASE$L/g/o?prefix=S4/")" = 200 ] || fail "a request out of scope stalled"
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
sleep 0.3
curl -s "$BASE/_stats" | jq -e '.hostile.stall_client_gone >= 5' >/dev/null ||
    fail "stalls did not end when the clients left: $(curl -s "$BASE/_stats" | jq -c .hostile)"
echo "ok: stall-headers, stall-body, silent (each until the client gives up; ${elapsed} ms)"
stop_server

# ---------------------------------------------------------------------------
# evil error messages, huge Retry-After
start_server --gen-bucket g='2x5' --hostile 'evil-error=404,on=list+get@g/S1' \
    --hostile 'evil-error=400,on=token' --hostile 'retry-after=99999999999999999999@g/S2/' \
    --hostile 'retry-after=date-max,status=503,times=1,on=media@g'
[ "$(code "$BASE$L/g/o?prefix=S1/")" = 404 ] || fail "evil-error status"
jq -e '.error.code == 404 and .error.errors[0].reason == "notFound"
       and (.error.message | test("\u001b\\[2J") and test("\n") and test("\r") and test("\u0000")
            and test("\u001b\\]8;;") and test("\u009b"))' "$WORK/body" >/dev/null ||
    fail "evil-error message: $(cat "$WORK/body")"
[ "$(code "$BASE$L/g/o/S1%2FIM-1.dcm")" = 404 ] || fail "evil-error on objects.get"
[ "$(code -d 'grant_type=refresh_token&refresh_token=r' "$BASE/token")" = 400 ] &&
    jq -e '.error == "invalid_grant" and (.error_description | test("\u001b"))' "$WORK/body" >/dev/null ||
    fail "evil-error on the token endpoint: $(cat "$WORK/body")"
[ "$(code "$BASE$L/g/o?prefix=S2/")" = 429 ] && [ "$(header Retry-After)" = 99999999999999999999 ] &&
    jq -e '.error.errors[0].reason == "rateLimitExceeded"' "$WORK/body" >/dev/null ||
    fail "retry-after: $(header Retry-After)"
[ "$(code "$BASE$L/g/o/S1%2FIM-1.dcm?alt=media")" = 503 ] &&
    [ "$(header Retry-After)" = "Fri, 31 Dec 9999 23:59:59 GMT" ] || fail "retry-after=date-max"
[ "$(code "$BASE$L/g/o/S1%2FIM-1.dcm?alt=media")" = 200 ] || fail "retry-after times=1"
echo "ok: evil-error (ESC, CSI, OSC, CR, LF, NUL, C1), retry-after 99999999999999999999 and an HTTP-date"
stop_server

# ---------------------------------------------------------------------------
# token endpoints that echo the secrets they were sent
start_server --gen-bucket g='1x1' --hostile 'echo-secrets,times=1' \
    --hostile 'echo-secrets=base64url+prefix,in=field,status=401,times=1' \
    --hostile 'echo-secrets=pct+json,in=text,times=1' --hostile 'echo-secrets=raw,status=500'
secret='s3cr+t/"\é' refresh='1//0refresh-Token_value' assertion='eyJhbGciOi.eyJpc3Mi.c2ln'
form="grant_type=refresh_token&client_id=cid&client_secret=$(enc "$secret")&refresh_token=$(enc "$refresh")"
b64() { printf '%s' "$1" | base64 -w0; }
[ "$(code -d "$form" "$BASE/token")" = 400 ] || fail "echo-secrets status"
d=$(jq -r .error_description "$WORK/body")
for want in "client_secret (raw): $secret" "refresh_token (raw): $refresh" \
    "client_secret (pct): $(printf '%s' "$secret" | jq -sRr @uri | sed 's/%2B/%2B/')" \
    "refresh_token (base64): $(b64 "$refresh")" "refresh_token (prefix): ${refresh:0:11}" \
    "refresh_token (base64url): $(b64 "$refresh" | tr '+/' '-_' | tr -d '=')" "refresh_token (json): $refresh"; do
    case $d in *"$want"*) ;; *) fail "echo-secrets: '$want' not in: $d" ;; esac
done
grep -qF '\u0031\u002f\u002f\u0030' "$WORK/body" || fail "echo-secrets json: not \\u-escaped on the wire"
[ "$(code -d "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=$assertion" "$BASE/token")" = 401 ] &&
    jq -e --arg a "${assertion:0:12}" --arg b "$(b64 "$assertion" | tr '+/' '-_' | tr -d '=')" \
        '.echo_assertion_prefix == $a and .echo_assertion_base64url == $b
         and .details.request.assertion == $a' "$WORK/body" >/dev/null ||
    fail "echo-secrets in=field: $(cat "$WORK/body")"
[ "$(code -d "$form" "$BASE/token")" = 400 ] && [ "$(header Content-Type)" = "text/plain; charset=UTF-8" ] &&
    grep -qF "refresh_token (pct): 1%2F%2F0refresh-Token_value" "$WORK/body" ||
    fail "echo-secrets in=text: $(cat "$WORK/body")"
[ "$(code -d "$form" "$BASE/token")" = 500 ] &&
    jq -e --arg s "$secret" '.error_description | contains($s)' "$WORK/body" >/dev/null || fail "echo-secrets status=500"
echo "ok: echo-secrets (raw, pct, json, prefix, base64, base64url; description, fields, text)"
stop_server

# ---------------------------------------------------------------------------
# redirects to other listeners, with what followed them counted there
start_server --gen-bucket g='2x5' --alt-listen 127.0.0.2:0 --alt-listen 127.0.0.1:0 \
    --hostile 'redirect=301@g/S1/' --hostile 'redirect=307,to=alt2,on=media@g' \
    --hostile 'redirect=302,on=token,times=1' --hostile 'redirect=307,to=alt2,on=token'
A1=$(alt 1) A2=$(alt 2)
[ -n "$A1" ] && [ -n "$A2" ] && [ "${A1%:*}" = 127.0.0.2 ] || fail "ALT lines: $(cat "$WORK/server.out")"
[ "$(code "$BASE$L/g/o?prefix=S1/&maxResults=2")" = 301 ] &&
    [ "$(header Location)" = "http://$A1$L/g/o?prefix=S1%2F&maxResults=2" ] ||
    fail "redirect list: $(header Location)"
[ "$(code "$BASE/download$L/g/o/S1%2FIM-1.dcm?alt=media")" = 307 ] &&
    [ "$(header Location)" = "http://$A2/download$L/g/o/S1%2FIM-1.dcm?alt=media" ] ||
    fail "redirect media: $(header Location)"
[ "$(code -d 'grant_type=refresh_token&refresh_token=r' "$BASE/token")" = 302 ] &&
    [ "$(header Location)" = "http://$A1/token" ] || fail "redirect token 302: $(header Location)"
# a client that follows with its credentials is seen on the other side
[ "$(code -L -H 'Authorization: Bearer leaked' --location-trusted "$BASE$L/g/o?prefix=S1/")" = 200 ] &&
    jq -e '.items | length == 5' "$WORK/body" >/dev/null || fail "the redirect target does not serve"
[ "$(code -L -d 'grant_type=refresh_token&refresh_token=leaked' "$BASE/token")" = 200 ] ||
    fail "the 307 token redirect was not followed with the body"
stop_server
[ "$(stat hostile alt_requests)" = 2 ] && [ "$(stat hostile alt_authorization)" = 1 ] &&
    [ "$(stat hostile alt_secrets)" = 1 ] && [ "$(stat responses 301)" = 2 ] &&
    [ "$(stat responses 307)" = 2 ] && [ "$(stat responses 302)" = 1 ] ||
    fail "redirect counters: $(jq -c '[.hostile, .responses]' "$WORK/stats.json")"
echo "ok: redirect 301/302/307 to 127.0.0.2 and to another port; what followed is counted"

# ---------------------------------------------------------------------------
# bad rules are refused at start
for bad in 'nope' 'oversize-items' 'oversize-items=0' 'padding=1X' 'echo-secrets,on=list' \
    'redirect=200' 'redirect,to=ftp://x' 'token-repeat,on=media' 'size=1"2' 'silent@BAD' \
    'retry-after=1,status=500' 'evil-error=600'; do
    if "$SERVER" --gen-bucket g=1 --hostile "$bad" --dump g >/dev/null 2>"$WORK/err"; then
        fail "--hostile '$bad' was accepted"
    fi
    grep -q -- '--hostile' "$WORK/err" || fail "--hostile '$bad': $(cat "$WORK/err")"
done
"$SERVER" --gen-bucket g=1 --hostile 'redirect,to=alt2' --alt-listen 127.0.0.2:0 --max-lifetime 1 \
    >/dev/null 2>"$WORK/err" && fail "to=alt2 with one --alt-listen was accepted"
echo "ok: malformed rules are refused"
echo "all hostile checks passed"
