#!/usr/bin/env bash
# gcsplan match as a stream: NUL separators, a closed pipe, a line longer
# than any buffer, and memory that does not grow with the input.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
check() { # NAME CONDITION...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

# -0: names with newlines in them pass through whole.
printf 'a/x.dcm\0a/line\nbreak.dcm\0b/y.dcm\0' > "$tmp/nul.in"
"$bin" match -0 'gs://my-bucket/a/*.dcm' < "$tmp/nul.in" > "$tmp/nul.out"
check nul-status test $? = 0
printf 'a/x.dcm\0a/line\nbreak.dcm\0' > "$tmp/nul.want"
check nul-output cmp -s "$tmp/nul.want" "$tmp/nul.out"

# A 3 MiB line is skipped without being held; the names around it still match.
{ echo a/first.dcm; head -c 3145728 /dev/zero | tr '\0' 'x'; echo; echo a/last.dcm; } > "$tmp/long.in"
"$bin" match 'gs://my-bucket/a/*.dcm' < "$tmp/long.in" > "$tmp/long.out"
check long-line-status test $? = 0
check long-line-output test "$(cat "$tmp/long.out")" = "$(printf 'a/first.dcm\na/last.dcm')"

# Many names: output equals a reference filter, and | head exits cleanly.
awk 'BEGIN { for (i = 0; i < 400000; i++) printf "studies/%06d/series-%d/IM-%04d.dcm%s\n", i % 5000, i % 7, i, (i % 3 ? "" : ".bak") }' > "$tmp/big.in"
"$bin" match 'gs://my-bucket/studies/**.dcm' < "$tmp/big.in" > "$tmp/big.out"
grep -E '^studies/.*\.dcm$' "$tmp/big.in" > "$tmp/big.want"
check big-output cmp -s "$tmp/big.want" "$tmp/big.out"
# A rare literal: lines are passed over by memmem, with the same result.
"$bin" match 'gs://my-bucket/studies/0001?3/*/IM-*.dcm' < "$tmp/big.in" > "$tmp/rare.out"
grep -E '^studies/0001.3/[^/]*/IM-[^/]*\.dcm$' "$tmp/big.in" > "$tmp/rare.want"
check rare-literal cmp -s "$tmp/rare.want" "$tmp/rare.out"
check rare-literal-nonempty test -s "$tmp/rare.out"
# The same through a pipe, reads of any size, with a needle in every fifth name.
cat "$tmp/big.in" | "$bin" match 'gs://my-bucket/studies/*/series-3/IM-*1.dcm' > "$tmp/pipe.out"
grep -E '^studies/[^/]*/series-3/IM-[^/]*1\.dcm$' "$tmp/big.in" > "$tmp/pipe.want"
check needle-pipe cmp -s "$tmp/pipe.want" "$tmp/pipe.out"
check needle-pipe-nonempty test -s "$tmp/pipe.out"
# A literal URI: one search for the whole line through the buffer. Its
# line first, last, without a final separator, inside longer lines, after a
# CR, repeated, and across the reads of a large input.
lit=studies/000123/series-4/IM-0042.dcm
{ echo "$lit"; cat "$tmp/big.in"; echo "x$lit"; echo "${lit}x"; printf '%s\r\n' "$lit"
  echo "$lit"; echo "$lit"; echo "s$lit"; cat "$tmp/big.in"; echo "$lit"; printf '%s' "$lit"; } > "$tmp/lit.in"
"$bin" match "gs://my-bucket/$lit" < "$tmp/lit.in" > "$tmp/lit.out"
check literal-status test $? = 0
grep -Fx "$lit" "$tmp/lit.in" > "$tmp/lit.want"
check literal-output cmp -s "$tmp/lit.want" "$tmp/lit.out"
check literal-count test "$(wc -l < "$tmp/lit.out")" = 5
# The same through a pipe, in reads of any size, and with -0.
awk '{ print; if (NR % 997 == 0) print "studies/000123/series-4/IM-0042.dcm" }' "$tmp/big.in" > "$tmp/lit2.in"
cat "$tmp/lit2.in" | "$bin" match "gs://my-bucket/$lit" > "$tmp/lit2.out"
grep -Fx "$lit" "$tmp/lit2.in" > "$tmp/lit2.want"
check literal-pipe cmp -s "$tmp/lit2.want" "$tmp/lit2.out"
tr '\n' '\0' < "$tmp/lit2.in" | "$bin" match -0 "gs://my-bucket/$lit" | tr '\0' '\n' > "$tmp/lit0.out"
check literal-nul cmp -s "$tmp/lit2.want" "$tmp/lit0.out"
"$bin" match "gs://my-bucket/$lit" < "$tmp/long.in" > /dev/null
check literal-none-status test $? = 1
{ head -c 3145728 /dev/zero | tr '\0' 'x'; echo; echo "$lit"; echo; echo "$lit"; } > "$tmp/lit3.in"
"$bin" match "gs://my-bucket/$lit" < "$tmp/lit3.in" > "$tmp/lit3.out"
check literal-after-long-line test "$(cat "$tmp/lit3.out")" = "$(printf '%s\n%s' "$lit" "$lit")"
printf 'a\nb\n\na\n' | "$bin" match gs://my-bucket/a > "$tmp/one.out"
check literal-one-byte test "$(cat "$tmp/one.out")" = "$(printf 'a\na')"
long=$(head -c 1024 /dev/zero | tr '\0' 'x')
{ echo "${long}x"; echo "$long"; echo "${long%x}"; echo "y${long%x}"; echo "${long%x}y"; } |
  "$bin" match "gs://my-bucket/$long" > "$tmp/1024.out"
check literal-1024 test "$(cat "$tmp/1024.out")" = "$long"
u8=$(printf 'uploads/M\303\274ller/\346\227\245\346\234\254.dcm')
{ echo "$u8"; printf 'uploads/Muller/\346\227\245\346\234\254.dcm\n'; echo "$u8"; } |
  "$bin" match "gs://my-bucket/$u8" > "$tmp/u8.out"
check literal-utf8 test "$(cat "$tmp/u8.out")" = "$(printf '%s\n%s' "$u8" "$u8")"
( set -o pipefail; "$bin" match 'gs://my-bucket/studies/**.dcm' < "$tmp/big.in" 2> "$tmp/head.err" | head -1 > /dev/null )
check head-status test $? = 0
check head-quiet test ! -s "$tmp/head.err"

# Constant memory: peak RSS for 10x the input stays within 1 MiB.
rss() { # peak RSS in KiB of gcsplan match over file $1 (GNU time's %M)
  /usr/bin/time -f %M -o "$tmp/rss" "$bin" match 'gs://my-bucket/studies/**.dcm' < "$1" > /dev/null
  cat "$tmp/rss"
}
head -40000 "$tmp/big.in" > "$tmp/small.in"
for i in 1 2 3 4 5; do cat "$tmp/big.in"; done > "$tmp/huge.in"
small=$(rss "$tmp/small.in") huge=$(rss "$tmp/huge.in")
echo "peak RSS: $small KiB for 40k names, $huge KiB for 2M names"
check constant-memory test $((huge - small)) -lt 1024

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
