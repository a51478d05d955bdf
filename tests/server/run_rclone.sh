#!/bin/bash
# rclone lists buckets through the server, with faults and short pages on;
# every recursive and per-directory listing must equal the ground truth.
. "$(dirname "$0")/lib.sh"

command -v rclone >/dev/null || skip "rclone is not installed"

# Buckets: awkward names (file), a generated study tree, and a flat listing
# file large enough to need many pages.
"$SERVER" --gen-bucket s='4x3x25,size=100-5000' --dump s >"$WORK/studies.jsonl"
"$SERVER" --gen-bucket f='5x250:part-%d/file %04d.bin' --dump f >"$WORK/flat.jsonl"
cp "$DATA/tricky.jsonl" "$WORK/tricky.jsonl"
for b in tricky studies flat; do truth "$WORK/$b.jsonl" >"$WORK/$b.truth"; done

start_server --bucket tricky="$WORK/tricky.jsonl" --gen-bucket studies='4x3x25,size=100-5000' \
    --bucket flat="$WORK/flat.jsonl" \
    --seed 42 --page-cap 200 --rate-short 0.3 --rate-429 0.03 --rate-429-bare 0.03 \
    --rate-500 0.03 --rate-503 0.03 --rate-abort 0.03 --rate-slow 0.03 \
    --slow-chunk 2048 --slow-delay-ms 1 --retry-after 1

export RCLONE_CONFIG=/dev/null
export RCLONE_CONFIG_T_TYPE="google cloud storage"
export RCLONE_CONFIG_T_ANONYMOUS=true
# rclone's GCS backend wants the JSON API root, /storage/v1/ included
export RCLONE_CONFIG_T_ENDPOINT="$BASE/storage/v1/"
RC=(rclone --low-level-retries 20 --retries 1 --contimeout 5s --timeout 20s -q)

for b in tricky studies flat; do
    # whole-bucket listing (one prefix listing without delimiter)
    "${RC[@]}" lsf -R --files-only --format sp --separator '|' "t:$b" | sort -t'|' -k2 \
        >"$WORK/$b.rec" || fail "rclone lsf -R t:$b failed"
    same "$b recursive" "$WORK/$b.truth" "$WORK/$b.rec"
    # the same tree walked directory by directory (delimiter=/ listings)
    "${RC[@]}" lsf -R --files-only --format sp --separator '|' --disable ListR "t:$b" |
        sort -t'|' -k2 >"$WORK/$b.walk" || fail "rclone directory walk of t:$b failed"
    same "$b walk" "$WORK/$b.truth" "$WORK/$b.walk"
    # each directory on its own
    while IFS= read -r d; do
        children "$WORK/$b.truth" "$d" >"$WORK/expect"
        "${RC[@]}" lsf "t:$b/${d%/}" | sort >"$WORK/got" || fail "rclone lsf t:$b/$d failed"
        same "$b directory '$d'" "$WORK/expect" "$WORK/got"
    done < <(dirs "$WORK/$b.truth")
    echo "ok: $b ($(wc -l <"$WORK/$b.truth") objects)"
done

stop_server
jq -c . "$WORK/stats.json"
for f in 429_retry_after 429 500 503 abort short_page slow_body; do
    [ "$(stat faults "$f")" -gt 0 ] || fail "no '$f' fault was injected; the test proves nothing"
done
echo "rclone agrees with the ground truth on every listing"
