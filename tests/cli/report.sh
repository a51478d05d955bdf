#!/usr/bin/env bash
# gcsplan report and plan --format=html (docs/report.md, docs/cli.md): golden
# structure tests of the page, not its bytes.
#
#  - the example archive (tests/data/example) planned with --json and made a
#    page: well-formed XML; one row per job, in the plan's order, with its
#    URI; every finding with its examples, and a corrected URI where the
#    pre-flight has one; a treemap box per summary node that holds bytes
#    and a table row per node; the size classes adding up to the objects;
#    the header's figures; nothing that loads or runs from outside;
#  - plan --format=html is the page report makes of plan --json, but for the
#    Source line it alone knows;
#  - a plan without a summary: a note instead of the treemap;
#  - hostile names, title and plan path: present as text, never as markup;
#  - times: SOURCE_DATE_EPOCH, the plan file's time, the same page twice;
#  - -o: whole or not at all, the file's mode, symbolic links and devices
#    written in place, failures and their status; a terminal is refused
#    without -o; stdin as the plan.
# Usage: report.sh GCSPLAN DATA_DIR. Exit 77 (skipped) without xmllint or jq.
set -u
bin=$1 data=$2
command -v xmllint > /dev/null || { echo "xmllint is not installed (libxml2-utils): skipped"; exit 77; }
command -v jq > /dev/null || { echo "jq is not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1 LC_ALL=C.UTF-8
pass=0 failed=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
# check LABEL COMMAND...: the command succeeds.
check() { local l=$1; shift; if "$@"; then ok; else bad "$l"; fi; }
xp() { xmllint --xpath "$1" "$2" 2> /dev/null; }
# Names of HTML elements in XPath over the page's XHTML namespace.
el() { echo "*[local-name()=\"$1\"]"; }

example=$data/example/listing.jsonl
U='gs://example-archive/**'

# --- the example ----------------------------------------------------------------------
"$bin" plan --json --listing "$example" --max-objects 40 "$U" -o "$tmp/plan.json" 2> "$tmp/plan.err"
check "plan --json -o" [ $? = 0 ]
check "plan -o writes nothing to stdout" [ -s "$tmp/plan.json" ]
njobs=$(jq '.jobs | length' "$tmp/plan.json")
check "the summary is in the plan" jq -e '.summary.version == 1 and .summary.objects == .objects
  and .summary.bytes == .bytes and .summary.jobs == (.jobs | length) and .summary.max_nodes == 2000' \
  "$tmp/plan.json" > /dev/null
"$bin" report -o "$tmp/page.html" "$tmp/plan.json" 2> "$tmp/err"
check "report exit 0" [ $? = 0 ]
check "report says nothing on stderr" [ ! -s "$tmp/err" ]
p=$tmp/page.html
if ! xmllint --noout "$p" > "$tmp/xml.log" 2>&1 || [ -s "$tmp/xml.log" ]; then
  bad "the page is not well-formed XML"; head -5 "$tmp/xml.log"
else ok; fi

n=$(xp "count(//$(el tr)[starts-with(@id,'job-')])" "$p")
check "one row per job ($n, want $njobs)" [ "$n" = "$njobs" ]
for i in $(seq 1 "$njobs"); do
  want=$(jq -r ".jobs[$((i - 1))].uri" "$tmp/plan.json")
  got=$(xp "string(//$(el tr)[@id='job-$i']/$(el td)[@class='uri'])" "$p")
  [ "$got" = "$want" ] || bad "job $i's row shows '$got', the plan '$want'"
done
ok
# Findings: each code, and each example name, in the findings section.
for code in $(jq -r '.preflight.findings[].code' "$tmp/plan.json"); do
  n=$(xp "count(//$(el section)[@id='findings']//$(el code)[.='$code'])" "$p")
  check "finding $code shown" [ "$n" -ge 1 ]
done
jq -r '.preflight.findings[].examples[].name' "$tmp/plan.json" > "$tmp/examples"
while IFS= read -r name; do
  grep -qF -- "$(printf '%s' "$name" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g')" "$p" ||
    bad "example $name not shown"
done < "$tmp/examples"
ok
# The treemap: a box per node that holds bytes, a table row per node.
nodes=$(jq '.summary.nodes | length' "$tmp/plan.json")
full=$(jq '[.summary.nodes[] | select(.bytes > 0)] | length' "$tmp/plan.json")
n=$(xp "count(//*[@class='node'])" "$p")
check "treemap boxes ($n, want $full)" [ "$n" = "$full" ]
n=$(xp "count(//$(el section)[@id='map']//$(el tbody)/$(el tr))" "$p")
check "treemap table rows ($n, want $nodes)" [ "$n" = "$nodes" ]
n=$(xp "count(//*[@class='node'][not(@href) and not(@tabindex)])" "$p")
check "every box takes focus" [ "$n" = 0 ]
n=$(xp "sum(//$(el section)[@id='sizes']//$(el tbody)/$(el tr)/$(el td)[2])" "$p")
check "the size classes hold every object ($n)" [ "$n" = "$(jq .objects "$tmp/plan.json")" ]
# The header.
facts=$(xp "string(//$(el dl)[@class='facts'])" "$p")
for want in "URI$U" "132 objects, 76.8 MiB (80,579,068 bytes)" "Limits per job40 objects" \
            "Jobs13; lower bound 4; the prefix-cut plan needs 13"; do
  case $facts in *"$want"*) ok ;; *) bad "the header lacks '$want': $facts" ;; esac
done
# Nothing from outside: one script, no src, no event handler, links only to itself.
check "one script" [ "$(xp "count(//$(el script))" "$p")" = 1 ]
check "no src" [ "$(xp 'count(//@*[local-name()="src"])' "$p")" = 0 ]
check "no event handler" [ "$(xp 'count(//@*[starts-with(local-name(),"on")])' "$p")" = 0 ]
n=$(xp 'count(//@*[local-name()="href"][not(starts-with(.,"#")) and . != "data:,"])' "$p")
check "no outside link ($n)" [ "$n" = 0 ]

# Nothing matched: the plan is empty (exit 1), its page shows the finding
# and the corrected URI.
D='gs://example-archive/studies/2020/*/series-1/*.DCM'
"$bin" plan --json --listing "$example" "$D" > "$tmp/none.json" 2> /dev/null
check "plan of nothing: exit 1" [ $? = 1 ]
"$bin" report "$tmp/none.json" > "$tmp/none.html"
check "report of nothing: exit 0" [ $? = 0 ]
hint=$(jq -r '[.preflight.findings[].hint | select(. != null)][0]' "$tmp/none.json")
check "a corrected URI in the pre-flight" [ "$hint" = 'gs://example-archive/studies/2020/*/series-1/*.dcm' ]
check "the corrected URI on the page" grep -qF -- "$hint" "$tmp/none.html"
check "nothing-matched on the page" [ "$(xp "count(//$(el code)[.='nothing-matched'])" "$tmp/none.html")" -ge 1 ]
check "no job rows" [ "$(xp "count(//$(el tr)[starts-with(@id,'job-')])" "$tmp/none.html")" = 0 ]

# --- plan --format=html is the same page ------------------------------------------------
SOURCE_DATE_EPOCH=0 "$bin" plan --format=html --listing "$example" --max-objects 40 "$U" \
  > "$tmp/live.html" 2> /dev/null
check "plan --format=html exit 0" [ $? = 0 ]
SOURCE_DATE_EPOCH=0 "$bin" report "$tmp/plan.json" > "$tmp/doc.html"
check "the live page names its source" grep -qF "<dt>Source</dt><dd>listing $example</dd>" "$tmp/live.html"
sed "s#<dt>Source</dt><dd>listing [^<]*</dd>##" "$tmp/live.html" > "$tmp/live-nosource.html"
check "plan --format=html is report's page but for its source" cmp -s "$tmp/live-nosource.html" "$tmp/doc.html"
SOURCE_DATE_EPOCH=0 "$bin" plan --format=html --listing "$example" --max-objects 40 "$U" \
  -o "$tmp/live-o.html" 2> /dev/null
check "plan --format=html -o" cmp -s "$tmp/live-o.html" "$tmp/live.html"

# --- without a summary ------------------------------------------------------------------
"$bin" plan --json --no-summary --listing "$example" --max-objects 40 "$U" > "$tmp/nosum.json" 2> /dev/null
check "--no-summary: no summary" jq -e 'has("summary") | not' "$tmp/nosum.json" > /dev/null
"$bin" report -o "$tmp/nosum.html" "$tmp/nosum.json"
check "report without a summary: exit 0" [ $? = 0 ]
check "a note instead of the treemap" grep -q 'This plan document has no prefix summary' "$tmp/nosum.html"
check "no treemap" [ "$(xp "count(//*[@id='treemap'])" "$tmp/nosum.html")" = 0 ]
SOURCE_DATE_EPOCH=0 "$bin" plan --format=html --no-summary --listing "$example" --max-objects 40 "$U" \
  > "$tmp/nosum-live.html" 2> /dev/null
check "plan --format=html --no-summary: the note" grep -q 'This plan document has no prefix summary' "$tmp/nosum-live.html"
check "still one row per job" [ "$(xp "count(//$(el tr)[starts-with(@id,'job-')])" "$tmp/nosum.html")" = "$njobs" ]
"$bin" plan --json --summary-nodes 16 --listing "$example" --max-objects 40 "$U" > "$tmp/s16.json" 2> /dev/null
check "--summary-nodes 16" jq -e '.summary.max_nodes == 16 and (.summary.nodes | length) <= 16' "$tmp/s16.json" > /dev/null
"$bin" plan --listing "$example" --max-objects 40 "$U" --summary-nodes 16 > /dev/null 2>&1
check "--summary-nodes with the table: accepted, no summary made" [ $? = 0 ]

# --- hostile strings --------------------------------------------------------------------
"$bin" plan --json --max-objects 1 --listing "$data/cli/hostile.jsonl" 'gs://bkt/h/**' > "$tmp/h.json" 2> /dev/null
hp="$tmp/it's <b>a plan\" & .json"
cp "$tmp/h.json" "$hp"
"$bin" report --title $'</title><script>alert(1)</script>\x1b[2J\xe2\x80\xae' \
  -o "$tmp/h.html" "$hp"
check "report of hostile names: exit 0" [ $? = 0 ]
if ! xmllint --noout "$tmp/h.html" > "$tmp/xml.log" 2>&1 || [ -s "$tmp/xml.log" ]; then
  bad "the hostile page is not well-formed XML"; head -5 "$tmp/xml.log"
else ok; fi
check "hostile: one script" [ "$(xp "count(//$(el script))" "$tmp/h.html")" = 1 ]
check "hostile: no b element" [ "$(xp "count(//$(el b))" "$tmp/h.html")" = 0 ]
check "hostile: no raw ESC" bash -c "! LC_ALL=C grep -q $'\x1b' '$tmp/h.html'"
check "hostile: no raw U+202E" bash -c "! LC_ALL=C grep -qF $'\xe2\x80\xae' '$tmp/h.html'"
for s in '&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;\x1B[2J\u{202E}' 'h/\x1B]0;pwned\x07.dcm' \
         'h/\u{202E}evil.dcm' 'h/\xC2\x9B2J.dcm' 'h/a\x0Ab.dcm'; do
  check "hostile text $s" grep -qF -- "$s" "$tmp/h.html"
done
check "hostile: one row per job" [ "$(xp "count(//$(el tr)[starts-with(@id,'job-')])" "$tmp/h.html")" = \
  "$(jq '.jobs | length' "$tmp/h.json")" ]

# --- times ------------------------------------------------------------------------------
touch -d '2020-01-02 03:04:05 UTC' "$tmp/plan.json"
SOURCE_DATE_EPOCH=1714546800 "$bin" report "$tmp/plan.json" > "$tmp/t1.html"
check "SOURCE_DATE_EPOCH: the page's time" grep -q 'Made by gcsplan [^ ]* on 2024-05-01 07:00:00 UTC' "$tmp/t1.html"
check "the plan file's time" grep -q '<dt>Planned</dt><dd>2020-01-02 03:04:05 UTC</dd>' "$tmp/t1.html"
SOURCE_DATE_EPOCH=1714546800 "$bin" report "$tmp/plan.json" > "$tmp/t2.html"
check "the same page twice" cmp -s "$tmp/t1.html" "$tmp/t2.html"
SOURCE_DATE_EPOCH=1577836800 "$bin" report "$tmp/plan.json" > "$tmp/t3.html"
check "a file time after SOURCE_DATE_EPOCH is clamped" \
  grep -q '<dt>Planned</dt><dd>2020-01-01 00:00:00 UTC</dd>' "$tmp/t3.html"
"$bin" report "$tmp/plan.json" > "$tmp/t4.html"
check "without SOURCE_DATE_EPOCH: the clock" grep -q "on $(date -u +%Y-%m-%d)" "$tmp/t4.html"
SOURCE_DATE_EPOCH=yesterday "$bin" report "$tmp/plan.json" > /dev/null 2> "$tmp/err"
check "a bad SOURCE_DATE_EPOCH: exit 2" [ $? = 2 ]
check "a bad SOURCE_DATE_EPOCH: said" grep -q "SOURCE_DATE_EPOCH is seconds since 1970 (at most 253402300799), not 'yesterday'" "$tmp/err"
SOURCE_DATE_EPOCH=0 "$bin" report - < "$tmp/plan.json" > "$tmp/stdin.html"
check "plan from stdin" [ $? = 0 ]
check "plan from stdin: no plan time" bash -c "! grep -q '<dt>Planned</dt>' '$tmp/stdin.html'"
check "plan from stdin: the page is the file's" cmp -s "$tmp/stdin.html" "$tmp/doc.html"
SOURCE_DATE_EPOCH=0 "$bin" report --title 'Load of 2024' "$tmp/plan.json" > "$tmp/title.html"
check "--title" grep -q '<h1>Load of 2024</h1>' "$tmp/title.html"

# --- -o ---------------------------------------------------------------------------------
echo "old page" > "$tmp/keep.html"
echo '{"uri": 5}' > "$tmp/broken.json"
"$bin" report -o "$tmp/keep.html" "$tmp/broken.json" 2> "$tmp/err"
check "a broken plan: exit 2" [ $? = 2 ]
check "a broken plan: the file is untouched" grep -qx 'old page' "$tmp/keep.html"
"$bin" report -o "$tmp/new.html" "$tmp/broken.json" 2> /dev/null
check "a broken plan: no file" [ ! -e "$tmp/new.html" ]
"$bin" report -o "$tmp/no-such-dir/x.html" "$tmp/plan.json" 2> "$tmp/err"
check "an unwritable -o: exit 3" [ $? = 3 ]
check "an unwritable -o: said" grep -q "gcsplan: error: cannot write $tmp/no-such-dir/x.html: No such file or directory" "$tmp/err"
"$bin" report -o /dev/full "$tmp/plan.json" 2> "$tmp/err"
check "-o /dev/full: exit 3" [ $? = 3 ]
check "-o /dev/full: said once" [ "$(grep -c 'gcsplan: error: writing /dev/full: No space left on device' "$tmp/err")" = 1 ]
"$bin" plan --json --listing "$example" "$U" -o /dev/full 2> "$tmp/err"
check "plan -o /dev/full: exit 3" [ $? = 3 ]
check "plan -o /dev/full: said" grep -q 'gcsplan: error: writing /dev/full: No space left on device' "$tmp/err"
# A write that fails part way (the file size limit, its signal ignored so
# that write() reports EFBIG): the old file stays, no temporary file is left.
(trap '' XFSZ; ulimit -f 8; exec "$bin" report -o "$tmp/keep.html" "$tmp/plan.json") 2> "$tmp/err"
check "a failed write: exit 3" [ $? = 3 ]
check "a failed write: said" grep -q "gcsplan: error: writing $tmp/keep.html: File too large" "$tmp/err"
check "a failed write: the old file stays" grep -qx 'old page' "$tmp/keep.html"
(trap '' XFSZ; ulimit -f 8; exec "$bin" plan --json --listing "$example" "$U" -o "$tmp/keep.html") 2> "$tmp/err"
check "plan: a failed write: exit 3" [ $? = 3 ]
check "plan: a failed write: the old file stays" grep -qx 'old page' "$tmp/keep.html"
check "no temporary file left" [ -z "$(ls -a "$tmp" | grep -E '\.[A-Za-z0-9]{6}$')" ]
(umask 027; "$bin" report -o "$tmp/mode.html" "$tmp/plan.json")
check "-o: the mode a new file gets" [ "$(stat -c %a "$tmp/mode.html")" = 640 ]
(umask 022; "$bin" report -o "$tmp/mode.html" "$tmp/plan.json")
check "-o: replaced, with the mode a new file gets" [ "$(stat -c %a "$tmp/mode.html")" = 644 ]
echo x > "$tmp/target.html"
ln -s "$tmp/target.html" "$tmp/link.html"
"$bin" report -o "$tmp/link.html" "$tmp/plan.json"
check "-o through a symbolic link: still a link" [ -L "$tmp/link.html" ]
check "-o through a symbolic link: the target written" grep -q '<!DOCTYPE html>' "$tmp/target.html"
"$bin" report -o - "$tmp/plan.json" > "$tmp/dash.html"
check "-o - is stdout" grep -q '<!DOCTYPE html>' "$tmp/dash.html"
"$bin" plan --json --listing "$example" --max-objects 40 "$U" > "$tmp/plan-stdout.json" 2> /dev/null
check "plan -o FILE holds what stdout gets" cmp -s "$tmp/plan-stdout.json" "$tmp/plan.json"
"$bin" plan --listing "$example" --max-objects 40 "$U" -o "$tmp/table.txt" 2> "$tmp/err"
check "plan (table) -o" grep -q '^   job    objects' "$tmp/table.txt"
check "plan -o: the summary still on stderr" grep -q '^13 jobs for 132 objects' "$tmp/err"
"$bin" plan --json --listing "$example" 'gs://example-archive/nothing/**' -o "$tmp/empty-plan.json" 2> /dev/null
check "plan of nothing -o: exit 1" [ $? = 1 ]
check "plan of nothing -o: the file written" [ -s "$tmp/empty-plan.json" ]

# A terminal is refused without -o (script(1) gives the command one).
if command -v script > /dev/null; then
  script -qec "'$bin' report '$tmp/plan.json'" /dev/null > "$tmp/tty" 2>&1
  check "report onto a terminal: exit 2" [ $? = 2 ]
  check "report onto a terminal: said" grep -q 'the report is an HTML page, not text for a terminal' "$tmp/tty"
  script -qec "'$bin' plan --format=html --listing '$example' '$U'" /dev/null > "$tmp/tty" 2>&1
  check "plan --format=html onto a terminal: exit 2" [ $? = 2 ]
  script -qec "'$bin' report -o - '$tmp/plan.json'" /dev/null > "$tmp/tty" 2>&1
  check "report -o - onto a terminal: written" grep -q '<!DOCTYPE html>' "$tmp/tty"
  script -qec "'$bin' report -o '$tmp/tty.html' '$tmp/plan.json'" /dev/null > "$tmp/tty" 2>&1
  check "report -o FILE from a terminal" grep -q '<!DOCTYPE html>' "$tmp/tty.html"
fi

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
