#!/usr/bin/env bash
# Standard output's one rule, and terminal escaping, for every command
# (docs/cli.md, src/cli/out.h):
#  1. into /dev/full: exit 3 and exactly one "gcsplan: error: writing stdout:
#     No space left on device" on stderr;
#  2. into a pipe its reader closes (| head -1) after many lines: the status
#     the command has into /dev/null, and no error message;
#  3. on a terminal (util-linux's script gives the command one), names, URIs,
#     file paths, regexes and a server's message from outside reach it
#     escaped: no raw ESC, BEL, C1 CSI (U+009B) or right-to-left override
#     (U+202E), and a newline inside a name shows as \x0A; JSON stays JSON,
#     with those characters as \u escapes; a pipe gets the raw bytes.
#     The server's message comes from the Cloud Storage test server's
#     evil-error rule (docs/test-server.md), so that it always runs.
# Usage: output.sh GCSPLAN DATA_DIR GCS_TEST_SERVER
set -u
bin=$1 data=$2 server=${3:-}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
export NO_COLOR=1 LC_ALL=C.UTF-8

hostile=$data/cli/hostile.jsonl
example=$data/example/listing.jsonl
store=projects/p/locations/l/datasets/d/fhirStores/f

# Many objects, for outputs that outlast a pipe's and the writer's buffers.
for i in $(seq 1 30000); do echo "{\"name\":\"s/$i\",\"size\":1}"; done > "$tmp/many.jsonl"
for i in $(seq 1 30000); do echo "{\"name\":\"s/$i\",\"size\":2}"; done > "$tmp/many2.jsonl"
seq 1 300000 | sed 's/^/n/' > "$tmp/names.txt"
"$bin" plan --json --no-preflight --max-objects 1 --listing "$tmp/many.jsonl" 'gs://bkt/s/**' \
  > "$tmp/many-plan.json" 2> /dev/null || bad "plan of many objects"
"$bin" plan --json --no-preflight --max-objects 1 --listing "$hostile" 'gs://bkt/h/**' \
  > "$tmp/hostile-plan.json" 2> /dev/null || bad "plan of hostile names"
# The same names, other sizes: verify then reports every job.
sed 's/"size":\([0-9]\)}/"size":1\1}/' "$hostile" > "$tmp/hostile2.jsonl"
uris=()
for i in $(seq 1 20000); do uris+=("gs://bkt/a$i"); done

# Each command line, as an array literal for eval; reads stdin from names.txt.
commands=(
  "--version"
  "--help"
  "--man"
  "check --help"
  "check gs://bkt/a gs://bkt/b/**"
  "check --json gs://bkt/a"
  "match 'gs://bkt/n1*'"
  "ls --listing '$example' 'gs://example-archive/**'"
  "ls --json --listing '$example' 'gs://example-archive/**'"
  "ls -0 --listing '$example' 'gs://example-archive/**'"
  "preflight --listing '$example' 'gs://example-archive/**'"
  "preflight --json --listing '$example' 'gs://example-archive/**'"
  "plan --listing '$example' 'gs://example-archive/**'"
  "plan --json --listing '$example' 'gs://example-archive/**'"
  "plan --format=curl --store $store --listing '$example' 'gs://example-archive/**'"
  "plan --format=gcloud --store $store --listing '$example' 'gs://example-archive/**'"
  "verify '$tmp/hostile-plan.json' --listing '$tmp/hostile2.jsonl'"
  "verify --json '$tmp/hostile-plan.json' --listing '$tmp/hostile2.jsonl'"
  "plan --format=html --listing '$example' 'gs://example-archive/**'"
  "report '$tmp/hostile-plan.json'"
)

# --- 1. /dev/full -------------------------------------------------------------------
for c in "${commands[@]}"; do
  eval "\"\$bin\" $c" < "$tmp/names.txt" > /dev/full 2> "$tmp/err"; code=$?
  n=$(grep -c 'writing stdout' "$tmp/err")
  if [ $code = 3 ] && [ "$n" = 1 ] &&
     grep -qx 'gcsplan: error: writing stdout: No space left on device' "$tmp/err"; then ok; else
    bad "/dev/full: gcsplan $c: exit $code, $n messages: $(grep -v '^ ' "$tmp/err" | tail -2)"
  fi
done

# --- 2. a reader that leaves --------------------------------------------------------
# Each with more output than the pipe and the writer's buffer hold.
long=(
  "check ${uris[*]}"
  "check --json ${uris[*]}"
  "match 'gs://bkt/n*'"
  "ls --no-preflight --listing '$tmp/many.jsonl' 'gs://bkt/s/**'"
  "ls --json --no-preflight --listing '$tmp/many.jsonl' 'gs://bkt/s/**'"
  "plan --no-preflight --max-objects 1 --listing '$tmp/many.jsonl' 'gs://bkt/s/**'"
  "plan --json --no-preflight --max-objects 1 --listing '$tmp/many.jsonl' 'gs://bkt/s/**'"
  "plan --format=curl --store $store --no-preflight --max-objects 1 --listing '$tmp/many.jsonl' 'gs://bkt/s/**'"
  "verify '$tmp/many-plan.json' --listing '$tmp/many2.jsonl'"
  "verify --json '$tmp/many-plan.json' --listing '$tmp/many2.jsonl'"
  "plan --format=html --no-preflight --max-objects 1 --listing '$tmp/many.jsonl' 'gs://bkt/s/**'"
  "report '$tmp/many-plan.json'"
  "--man"
)
for c in "${long[@]}"; do
  eval "\"\$bin\" $c" < "$tmp/names.txt" > /dev/null 2> /dev/null; want=$?
  eval "\"\$bin\" $c" < "$tmp/names.txt" 2> "$tmp/err" | head -1 > /dev/null
  code=${PIPESTATUS[0]}
  if [ "$code" = "$want" ] && ! grep -q 'error' "$tmp/err"; then ok; else
    bad "closed pipe: gcsplan ${c:0:60}...: exit $code (want $want): $(grep error "$tmp/err" | head -2)"
  fi
done

# --- 3. a terminal ------------------------------------------------------------------
if ! command -v script > /dev/null; then
  echo "$pass passed, $failed failed; SKIP the terminal half: no script(1) (util-linux)"
  [ "$failed" = 0 ] || exit 1
  exit 77
fi

# term LABEL CMD...: run on a terminal (stdout and stderr both), output in $tmp/tty.
term() {
  local label=$1; shift
  printf '%q ' "$@" > "$tmp/cmd.sh"
  echo '< /dev/null' >> "$tmp/cmd.sh"
  script -qec "bash $tmp/cmd.sh" /dev/null > "$tmp/tty" 2>&1
  code=$?
  # Nothing from outside may reach the terminal raw.
  local raw=""
  LC_ALL=C grep -q $'\x1b' "$tmp/tty" && raw="$raw ESC"
  LC_ALL=C grep -q $'\x07' "$tmp/tty" && raw="$raw BEL"
  LC_ALL=C grep -qF $'\xc2\x9b' "$tmp/tty" && raw="$raw C1-CSI"
  LC_ALL=C grep -qF $'\xe2\x80\xae' "$tmp/tty" && raw="$raw RLO"
  if [ -z "$raw" ]; then ok; else bad "terminal: $label: raw$raw reached it"; od -c "$tmp/tty" | head -5; fi
}
# want LABEL STRING: the last terminal output holds STRING.
want() { grep -qF -- "$2" "$tmp/tty" && ok || { bad "terminal: $1: no '$2' in: $(head -c 400 "$tmp/tty")"; }; }

H="--listing $hostile"
term "ls" "$bin" ls --no-progress $H 'gs://bkt/h/**'
want "ls" 'h/\x1B]0;pwned\x07.dcm'
want "ls" 'h/\x1B[2J.dcm'
want "ls" 'h/a\x0Ab.dcm'
want "ls" 'h/\xC2\x9B2J.dcm'
want "ls" 'h/\u{202E}evil.dcm'
want "ls" 'h/ok.dcm'
term "ls --json" "$bin" ls --json --no-progress --no-preflight $H 'gs://bkt/h/**'
want "ls --json" '{"name":"h/\u001B]0;pwned\u0007.dcm","size":1}'
want "ls --json" '{"name":"h/\u009b2J.dcm","size":4}'
want "ls --json" '{"name":"h/\u202eevil.dcm","size":5}'
want "ls --json" '{"name":"h/a\nb.dcm","size":3}'
"$bin" ls --json --no-preflight $H 'gs://bkt/h/**' > "$tmp/pipe.json"
[ "$(jq -r .name "$tmp/pipe.json" | grep -c $'\u202e')" = 1 ] && ok || bad "ls --json into a pipe: not the same JSON"
# A pipe gets the names' own bytes.
"$bin" ls --no-preflight $H 'gs://bkt/h/**' > "$tmp/pipe"
LC_ALL=C grep -q $'\x1b]0;pwned\x07' "$tmp/pipe" && ok || bad "ls into a pipe: the raw name is not there"
printf 'h/\033[2J.dcm\nh/ok.dcm\n' > "$tmp/hostile-names"
printf 'bash -c %q\n' "$bin match 'gs://bkt/h/*' < $tmp/hostile-names" > "$tmp/cmd.sh"
script -qec "bash $tmp/cmd.sh" /dev/null > "$tmp/tty" 2>&1
LC_ALL=C grep -q $'\x1b' "$tmp/tty" && bad "terminal: match: raw ESC" || ok
want "match" 'h/\x1B[2J.dcm'
term "check" "$bin" check $'gs://bkt/a\e]0;pwned\a/b' $'gs://bkt/\e[2J/**/x' $'gs://bkt/x\u202e**'
want "check" 'gs://bkt/a\x1B]0;pwned\x07/b: valid: names one object'
want "check" 'error[recursive-not-last]'
term "check --json" "$bin" check --json $'gs://bkt/a\u009b/b'
want "check --json" '"uri":"gs://bkt/a\u009b/b"'
term "preflight" "$bin" preflight --no-progress $H 'gs://bkt/h/**'
term "plan table" "$bin" plan --no-progress --max-objects 1 $H 'gs://bkt/h/**'
want "plan table" 'gs://bkt/h/\x1B]**'
term "plan --json" "$bin" plan --json --no-progress --max-objects 1 $H 'gs://bkt/h/**'
want "plan --json" '"uri":"gs://bkt/h/\u202e**"'
term "plan curl" "$bin" plan --format=curl --store "$store" --no-progress --max-objects 1 $H 'gs://bkt/h/**'
want "plan curl" 'gs://bkt/h/\u{202E}**'
term "plan gcloud" "$bin" plan --format=gcloud --store "$store" --no-progress --max-objects 1 $H 'gs://bkt/h/**'
term "verify" "$bin" verify --no-progress "$tmp/hostile-plan.json" --listing "$tmp/hostile2.jsonl"
want "verify" 'job 1 gs://bkt/h/\x1B['
want "verify" 'bytes 6 -> 16'
term "verify --json" "$bin" verify --json --no-progress "$tmp/hostile-plan.json" --listing "$tmp/hostile2.jsonl"
want "verify --json" '"uri":"gs://bkt/h/\u202e**"'
# An uncovered name, as an example in verify's report.
jq '.jobs |= map(select(.uri | startswith("gs://bkt/h/\u001b]") | not))' "$tmp/hostile-plan.json" \
  > "$tmp/hole.json"
term "verify uncovered" "$bin" verify --no-progress "$tmp/hole.json" $H
want "verify uncovered" "that no job matches: 'h/\x1B]0;pwned\x07.dcm'"
# Diagnostics: a file path, a regex, a plan's URI, a server's message.
term "path" "$bin" ls --no-progress --listing $'/nonexistent/\e]0;pwned\a' 'gs://bkt/h/**'
want "path" '/nonexistent/\x1B]0;pwned\x07: cannot open'
term "regex" "$bin" ls --no-progress --exclude $'(\e[2J' $H 'gs://bkt/h/**'
want "regex" "--exclude '(\\x1B[2J'"
jq '.uri = "gs://bkt/h/\u001b]0;pwned\u0007/**" | .jobs[0].uri = "gs://bkt/\u001b[2J/**/x"' \
  "$tmp/hostile-plan.json" > "$tmp/bad-plan.json"
term "plan file" "$bin" verify --no-progress "$tmp/bad-plan.json" $H
want "plan file" 'job 1: "uri" is not a valid import URI'
term "plan file name" "$bin" verify $'/nonexistent/\e[2J.json' $H
want "plan file name" '/nonexistent/\x1B[2J.json: cannot open'
# The page is not for a terminal; asked for anyway, its names are escaped there too.
term "report" "$bin" report "$tmp/hostile-plan.json"
want "report" 'the report is an HTML page, not text for a terminal'
term "report -o -" "$bin" report -o - "$tmp/hostile-plan.json"
want "report -o -" 'h/\x1B]0;pwned\x07.dcm'
term "report file name" "$bin" report -o - $'/nonexistent/\e[2J.json'
want "report file name" '/nonexistent/\x1B[2J.json: cannot open'
# A server's error message built to act on a terminal (the test server's
# evil-error rule: ESC sequences, an OSC title and hyperlink, CR, LF, a fake
# log line, C1 CSI, DEL, NUL), and a live listing of names that would.
if [ -z "$server" ] || [ ! -x "$server" ]; then
  bad "no test server given: the server cases cannot run"
else
  "$server" --max-lifetime 300 --bucket "hostile=$hostile" --gen-bucket "bkt=2x3" \
    --hostile 'evil-error=403@bkt' > "$tmp/server.out" 2> /dev/null &
  pids+=($!)
  port=
  for _ in $(seq 100); do port=$(awk '/^PORT /{print $2}' "$tmp/server.out"); [ -n "$port" ] && break; sleep 0.05; done
  term "server message" "$bin" ls --no-progress --retries 0 --endpoint "http://127.0.0.1:$port" 'gs://bkt/**'
  [ "$code" = 3 ] && ok || bad "server message: exit $code"
  # Server text is made one line, its control characters spaces, and what is
  # left escaped (src/redact.c): nothing of it acts on the terminal.
  want "server message" 'HTTP 403 from objects.list: Access denied. [2J [H [1;31mCRITICAL: bucket deleted [0m gcsplan: all objects imported ]0;owned ]8;;http://evil.example/ here ]8;; \xC2\x9B31m after-nul: end'
  [ "$(grep -c 'gcsplan' "$tmp/tty")" = 1 ] && ok || bad "server message: not one line: $(cat -v "$tmp/tty")"
  term "live names" "$bin" ls --no-progress --no-preflight --endpoint "http://127.0.0.1:$port" 'gs://hostile/h/**'
  want "live names" 'h/\x1B]0;pwned\x07.dcm'
  want "live names" 'h/a\x0Ab.dcm'
  want "live names" 'h/\xC2\x9B2J.dcm'
  want "live names" 'h/\u{202E}evil.dcm'
fi

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
