#!/bin/bash
# The JSON API surface checked with curl and jq: error shapes, URL encoding of
# awkward names, paging, fields, matchGlob, media ranges, credentials, objects
# whose bytes are a file's.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || skip "curl is not installed"
command -v jq >/dev/null || skip "jq is not installed"

truth "$DATA/tricky.jsonl" >"$WORK/tricky.truth"
start_server --bucket tricky="$DATA/tricky.jsonl" --gen-bucket gen='2x3x12,size=200' \
    --gen-bucket auth='2x2' --require-token secret --log

# Storage requests carry the token the server demands; `get URL` prints the body
# and leaves the status in $WORK/status.
get() {
    curl -sS -o "$WORK/body" -w '%{http_code}' -H 'Authorization: Bearer secret' "$@" \
        >"$WORK/status" || fail "curl $* failed"
    cat "$WORK/body"
}
status() { cat "$WORK/status"; }
expect_status() { [ "$(status)" = "$1" ] || fail "$2: status $(status), expected $1"; }
expect_error() { # STATUS REASON LABEL: the real service's error document
    expect_status "$1" "$3"
    jq -e --argjson c "$1" --arg r "$2" '.error.code == $c and (.error.message | type) == "string"
        and .error.errors[0].reason == $r and .error.errors[0].domain == "global"' \
        "$WORK/body" >/dev/null || fail "$3: bad error body $(cat "$WORK/body")"
}
O="$BASE/storage/v1/b"

# --- errors
get "$O/nope/o" >/dev/null; expect_error 404 notFound "unknown bucket"
get "$O/tricky/o/nope" >/dev/null; expect_error 404 notFound "unknown object"
get "$O/tricky/o?maxResults=abc" >/dev/null; expect_error 400 invalid "bad maxResults"
get "$O/tricky/o?maxResults=0" >/dev/null; expect_error 400 invalid "zero maxResults"
get "$O/tricky/o?pageToken=%21%21" >/dev/null; expect_error 400 invalid "bad pageToken"
get "$O/tricky/o?fields=items(name" >/dev/null; expect_error 400 invalidParameter "bad fields"
get "$O/tricky/o?matchGlob=%5Babc" >/dev/null; expect_error 400 invalid "bad matchGlob"
curl -s -o "$WORK/body" -w '%{http_code}' "$O/tricky/o" >"$WORK/status"
expect_error 401 required "missing token"
echo "ok: error documents"

# --- every awkward name round-trips through percent-encoding, and a list
# with the name as prefix finds exactly it
while IFS= read -r name; do
    enc=$(jq -rn --arg s "$name" '$s | @uri')
    got=$(get "$O/tricky/o/$enc?fields=name,size" | jq -r .name)
    expect_status 200 "get '$name'"
    [ "$got" = "$name" ] || fail "get '$name' returned '$got'"
    got=$(get "$O/tricky/o?prefix=$enc&fields=items/name" | jq -r '.items[0].name')
    [ "$got" = "$name" ] || fail "list prefix '$name' returned '$got'"
done < <(names "$WORK/tricky.truth")
echo "ok: names round-trip"

# --- fields selects; nested decoys are there when not filtered out
get "$O/tricky/o?fields=items(name,size),nextPageToken" |
    jq -e '[.items[] | keys] | all(. == ["name", "size"])' >/dev/null || fail "fields=items(name,size)"
get "$O/tricky/o?maxResults=3" | jq -e '.kind == "storage#objects" and (.items | length) == 3
    and all(.items[]; .metadata.name != .name and (.size | type) == "string"
            and (.acl[0] | has("name")) and .owner.entity != null and .bucket == "tricky")' \
    >/dev/null || fail "full items lack their nested decoys"
echo "ok: fields"

# --- paging: any page size, with and without delimiter, gives the same listing
list_all() { # QUERY -> "P prefix" / "I name" lines of all pages
    local tok="" q
    while :; do
        q="$1"
        [ -n "$tok" ] && q="$q&pageToken=$tok"
        get "$O/gen/o?$q" >"$WORK/page"
        expect_status 200 "list $q"
        jq -r '((.prefixes // [])[] | "P " + .), ((.items // [])[] | "I " + .name)' "$WORK/page"
        tok=$(jq -r '.nextPageToken // empty | @uri' "$WORK/page")
        [ -n "$tok" ] || break
    done
}
for q in "prefix=studies/" "prefix=studies/S2/&delimiter=/" "delimiter=/&prefix=studies/S1/series-2/" \
    "prefix=studies/&delimiter=/series-" "startOffset=studies/S1/series-3&endOffset=studies/S2/series-2/IM-05"; do
    list_all "$q&maxResults=1000" | sort >"$WORK/one"
    for m in 1 5; do
        list_all "$q&maxResults=$m" | sort >"$WORK/many"
        same "paging '$q' by $m" "$WORK/one" "$WORK/many"
    done
done
[ "$(list_all "prefix=studies/&delimiter=/" | wc -l)" = 2 ] || fail "delimiter collapse"
[ "$(list_all "matchGlob=**/IM-0%7B1,2%7D.dcm" | wc -l)" = 12 ] || fail "matchGlob with braces"
[ "$(list_all "matchGlob=studies/S1/*/IM-1?.dcm" | wc -l)" = 9 ] || fail "matchGlob with ?"
echo "ok: paging, delimiter, offsets, matchGlob"

# --- media: the first bytes of a DICOM object, and a text object
for path in "$O/tricky/o/dir%2Fsub%20dir%2Fwith%20space.dcm?alt=media" \
    "$BASE/download/storage/v1/b/tricky/o/dir%2Fsub%20dir%2Fwith%20space.dcm?alt=media"; do
    get -H 'Range: bytes=0-131' "$path" >/dev/null
    expect_status 206 "range request"
    [ "$(wc -c <"$WORK/body")" = 132 ] || fail "range 0-131 returned $(wc -c <"$WORK/body") bytes"
    [ "$(head -c 128 "$WORK/body" | tr -d '\0' | wc -c)" = 0 ] || fail "preamble is not zero"
    [ "$(tail -c 4 "$WORK/body")" = DICM ] || fail "no DICM magic"
done
get -H 'Range: bytes=0-131' "$O/tricky/o/dir%2Fnotdicom.dcm?alt=media" >/dev/null
[ "$(tail -c +129 "$WORK/body" | head -c 4)" != DICM ] || fail "dicom:false object has DICM"
get "$O/gen/o/studies%2FS1%2Fseries-1%2FIM-01.dcm?alt=media" >/dev/null
expect_status 200 "full download"
[ "$(wc -c <"$WORK/body")" = 200 ] || fail "full download size"
get -H 'Range: bytes=500-' "$O/gen/o/studies%2FS1%2Fseries-1%2FIM-01.dcm?alt=media" >/dev/null
expect_status 416 "range past the end"
echo "ok: media"

# --- credentials endpoints
tok=$(curl -s -d 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=a.b.c' \
    "$BASE/token" | jq -r .access_token)
[ "$tok" = secret ] || fail "jwt-bearer grant returned '$tok'"
curl -s -d 'grant_type=refresh_token&refresh_token=r&client_id=c' "$BASE/token" |
    jq -e '.token_type == "Bearer" and .expires_in == 3600' >/dev/null || fail "refresh_token grant"
[ "$(curl -s -o /dev/null -w '%{http_code}' -d 'grant_type=password' "$BASE/token")" = 400 ] ||
    fail "unsupported grant accepted"
md="$BASE/computeMetadata/v1/instance/service-accounts/default/token"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$md")" = 403 ] || fail "metadata without Metadata-Flavor"
curl -s -H 'Metadata-Flavor: Google' "$md" | jq -e '.access_token == "secret"' >/dev/null ||
    fail "metadata token"
echo "ok: credentials endpoints"

stop_server
[ "$(stat requests token)" = 3 ] || fail "token requests were not counted"
[ "$(stat requests metadata)" = 2 ] || fail "metadata requests were not counted"
# --- objects whose bytes are a file's ("file" in a listing, relative to it)
mkdir -p "$WORK/files/sub"
printf '{"resourceType":"Patient","id":"p1"}\r\n\0\377 binary tail' >"$WORK/files/sub/p.ndjson"
n=$(wc -c <"$WORK/files/sub/p.ndjson")
printf '%s\n' '{"name":"fhir/p.ndjson","file":"sub/p.ndjson"}' \
    "{\"name\":\"abs.bin\",\"file\":\"$WORK/files/sub/p.ndjson\",\"size\":$n}" >"$WORK/files/l.jsonl"
start_server --bucket f="$WORK/files/l.jsonl"
curl -s "$BASE/storage/v1/b/f/o" | jq -e --arg n "$n" '[.items[] | {name, size}] ==
    [{"name": "abs.bin", "size": $n}, {"name": "fhir/p.ndjson", "size": $n}]' >/dev/null ||
    fail "a file's size is not the object's"
curl -s -o "$WORK/body" "$BASE/storage/v1/b/f/o/fhir%2Fp.ndjson?alt=media"
cmp -s "$WORK/body" "$WORK/files/sub/p.ndjson" || fail "a file's bytes are not the object's"
[ "$(curl -s -o "$WORK/body" -w '%{http_code}' -H 'Range: bytes=38-' \
    "$BASE/storage/v1/b/f/o/abs.bin?alt=media")" = 206 ] &&
    cmp -s "$WORK/body" <(tail -c +39 "$WORK/files/sub/p.ndjson") || fail "a range of a file"
stop_server
printf '%s\n' '{"name":"x","file":"sub/p.ndjson","size":7}' >"$WORK/files/bad.jsonl"
"$SERVER" --bucket f="$WORK/files/bad.jsonl" --max-lifetime 1 >/dev/null 2>"$WORK/err" &&
    fail "a size other than the file's was accepted"
grep -q "the file holds $n bytes" "$WORK/err" || fail "size mismatch: $(cat "$WORK/err")"
printf '%s\n' '{"name":"x","file":"missing"}' >"$WORK/files/bad.jsonl"
"$SERVER" --bucket f="$WORK/files/bad.jsonl" --max-lifetime 1 >/dev/null 2>"$WORK/err" &&
    fail "a missing file was accepted"
grep -q 'bad.jsonl:1: "file": missing' "$WORK/err" || fail "missing file: $(cat "$WORK/err")"
echo "ok: objects with a file's bytes"
echo "all HTTP checks passed"
