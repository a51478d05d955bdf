#!/usr/bin/env bash
# The report pages are well-formed and nothing from outside became markup.
#
#   xmllint.sh REPORT_DRIVER TESTS_REPORT_DIR TEST_DATA_DIR OUT_DIR
#
# Each page (pages.sh) is read by xmllint three ways: as XML, which must
# hold without a single complaint (the page is XHTML-compatible); as HTML,
# where libxml2's HTML 4 parser may only complain about the HTML5 and SVG
# elements it does not know; and with XPath over the XML, which counts what
# a hostile string would have added: scripts, event handler attributes,
# src attributes, links other than the page's own anchors and the journal's
# http(s) log links. Exit 77 (skipped) when xmllint is missing.
set -euo pipefail
driver=$1 here=$2 data=$3 out=$4
command -v xmllint > /dev/null || { echo "xmllint is not installed (libxml2-utils): skipped"; exit 77; }
mkdir -p "$out"
. "$here/pages.sh"

fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }
xp() { xmllint --xpath "$1" "$2" 2> /dev/null; }

# Elements of HTML5 and SVG that libxml2's HTML parser does not know.
known='header|nav|main|section|footer|details|summary|svg|g|a|rect|text|line|title|defs|pattern'
for i in "${!pages[@]}"; do
    f="$out/${pages[$i]}"
    if ! xmllint --noout "$f" > "$f.xml.log" 2>&1 || [ -s "$f.xml.log" ]; then
        bad "${pages[$i]} is not well-formed XML:"; head -20 "$f.xml.log" >&2
    fi
    xmllint --html --noout "$f" > "$f.html.log" 2>&1 || bad "${pages[$i]}: xmllint --html failed"
    others=$(grep 'parser error' "$f.html.log" | grep -Ev "Tag ($known) invalid" || true)
    [ -z "$others" ] || { bad "${pages[$i]}: HTML parser errors:"; echo "$others" | head >&2; }

    n=$(xp 'count(//*[local-name()="script"])' "$f")
    [ "$n" = "${page_script[$i]}" ] || bad "${pages[$i]}: $n script elements, want ${page_script[$i]}"
    n=$(xp 'count(//*[local-name()="img" or local-name()="iframe" or local-name()="object" or local-name()="embed" or local-name()="b" or local-name()="base" or local-name()="form"])' "$f")
    [ "$n" = 0 ] || bad "${pages[$i]}: $n elements that the page never writes"
    n=$(xp 'count(//@*[starts-with(local-name(),"on")])' "$f")
    [ "$n" = 0 ] || bad "${pages[$i]}: $n event handler attributes"
    n=$(xp 'count(//@*[local-name()="src"])' "$f")
    [ "$n" = 0 ] || bad "${pages[$i]}: $n src attributes"
    # Links: the page's own anchors, the empty favicon, and log links.
    n=$(xp 'count(//@*[local-name()="href"][not(starts-with(.,"#")) and . != "data:,"])' "$f")
    logs=$(xp 'count(//*[local-name()="a"][.="logs"][starts-with(@href,"https://") or starts-with(@href,"http://")])' "$f")
    [ "$n" = "$logs" ] || bad "${pages[$i]}: $n outside links, of which $logs are log links"
    n=$(xp 'count(//*[local-name()="tr"][starts-with(@id,"job-")])' "$f")
    [ "$n" = "${page_jobs[$i]}" ] || bad "${pages[$i]}: $n job rows, want ${page_jobs[$i]}"
    n=$(xp 'count(//*[local-name()="section"][@id="findings"])' "$f")
    [ "$n" = 1 ] || bad "${pages[$i]}: no findings section"
    # Every box of the treemap is focusable: a link or tabindex.
    n=$(xp 'count(//*[@class="node"][not(@href) and not(@tabindex)])' "$f")
    [ "$n" = 0 ] || bad "${pages[$i]}: $n treemap boxes cannot take focus"
done

# The hostile strings are there, as text.
h="$out/hostile.html"
for s in '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;' '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' \
         'alert(11)&lt;/script&gt;\xFF\u{202E}' '\x1B[31mred\x1B[0m' '\u{202E}gnp' '\u{FFFE}-nonchar' \
         'zz/\xFF\xFE-not-utf8\x1B.dcm' 'javascript:alert(9)' '&lt;svg onload=alert(7)&gt;' \
         'a\x00b\x7F\xC2\x85\u{2028}c' '&lt;/div&gt;&lt;script&gt;alert(4)&lt;/script&gt;\x1B[2J' \
         'logs: javascript:alert(3)' 'it&#39;\&#39;&#39;s a plan.json' '&lt;b&gt;bold&lt;/b&gt;' \
         '&lt;i&gt;x&lt;/i&gt;' '\x1B]0;title\x07 &amp; &lt;i&gt;'; do
    grep -qF -- "$s" "$h" || bad "hostile.html lacks the text $s"
done
# javascript: and data: URLs are shown, never linked; a log URL with quotes is not linked.
n=$(xp 'count(//@*[local-name()="href"][contains(.,"javascript") or contains(.,"script") or starts-with(.,"data:text")])' "$h")
[ "$n" = 0 ] || bad "hostile.html: $n links to scripts"

[ "$fail" = 0 ] && echo "report pages: ${#pages[@]} pages well-formed, no markup from outside"
exit "$fail"
