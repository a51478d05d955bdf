#!/usr/bin/env bash
# Golden tests of the command line. Each cases/NAME.t holds sections:
#   === args     one argument per line
#   === stdin    fed to the command (empty when absent)
#   === stdout   expected stdout, exactly (not compared when absent)
#   === stderr   expected stderr, exactly (not compared when absent)
#   === exit     expected exit status
# In args and in expected output, @DATA@ stands for $GCSPLAN_TEST_DATA (tests/data).
# Usage: run_golden.sh GCSPLAN CASES_DIR [NAME...]
set -u
bin=$1 dir=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 LC_ALL=C
pass=0 failed=0
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=("$dir"/*.t)
for t in "${cases[@]}"; do
  [ -f "$t" ] || t="$dir/$t.t"
  name=$(basename "$t" .t)
  rm -f "$tmp"/sec.*
  awk -v out="$tmp/sec." '
    /^=== [a-z]+$/ { f = out $2; printf "" > f; next }
    f != "" { print > f }' "$t"
  mapfile -t args < "$tmp/sec.args"
  # @DATA@ in an argument stands for the test data directory.
  for k in "${!args[@]}"; do args[$k]=${args[$k]//@DATA@/${GCSPLAN_TEST_DATA:-}}; done
  [ -f "$tmp/sec.stdin" ] || : > "$tmp/sec.stdin"
  "$bin" "${args[@]}" < "$tmp/sec.stdin" > "$tmp/out" 2> "$tmp/err"
  code=$?
  # Paths under the test data directory are written @DATA@ in the expected output.
  if [ -n "${GCSPLAN_TEST_DATA:-}" ]; then
    for f in "$tmp/out" "$tmp/err"; do
      DATA=$GCSPLAN_TEST_DATA awk '{ while ((i = index($0, ENVIRON["DATA"])) > 0)
        $0 = substr($0, 1, i - 1) "@DATA@" substr($0, i + length(ENVIRON["DATA"])); print }' \
        "$f" > "$f.subst" && mv "$f.subst" "$f"
    done
  fi
  ok=1
  if [ "$code" != "$(cat "$tmp/sec.exit")" ]; then
    echo "FAIL $name: exit $code, expected $(cat "$tmp/sec.exit")"; ok=0
  fi
  for s in stdout stderr; do
    f=$tmp/out; [ $s = stderr ] && f=$tmp/err
    if [ -f "$tmp/sec.$s" ] && ! diff -u "$tmp/sec.$s" "$f" > "$tmp/diff"; then
      echo "FAIL $name: $s differs"; cat "$tmp/diff"; ok=0
    fi
  done
  if [ $ok = 1 ]; then pass=$((pass + 1)); else failed=$((failed + 1)); fi
done
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
