#!/usr/bin/env bash
# Keeps docs/internals.md true. Needs bash, grep, awk, find and sort only.
#
# 1. The file map: the table rows of the section "## Files" (its subsections
#    included) whose first cell names files under src/ or include/ in
#    backquotes. Every .c and .h file under src/ and include/ is on exactly one
#    row; a row names one file, or a .c file and the .h of the same name
#    (`src/x.c`, `src/x.h`); every file a row names exists. No directories and
#    no globs: a glob would let a new file in unseen.
#
# 2. Who may include what: the table rows of the section "## Who may include
#    what", each
#        | `<header glob>` | `<file glob>`, `<file glob>`, ... |
#    Every #include line of every file under src/ and include/ (inside #if or
#    not) is taken as a header: one of the tree (found as the build finds it:
#    quotes look beside the including file, then in include/ and src/; angle
#    brackets in include/ and src/) by its path from the top, any other
#    (system and libraries' headers) by its name as written. For every rule
#    whose header glob matches, the including file must match one of the
#    rule's file globs. A header of the tree that no rule matches is an error:
#    each part of the tree says who may use it. A header from outside that no
#    rule matches (<string.h>) is free.
#    The table stays exact: a file glob that matches no file is an error, and
#    so is a file named plainly (no * or ?) that does not include what its rule
#    is about. The rows for the libraries in $required must be there: without
#    its row, a library's headers would be free for every file.
#
# Globs: * and ? match within one path component (not '/'), as in the shell.
# Usage: internals.sh TOP   (exit 0: the document holds; 1: each problem on stderr)
set -euo pipefail
set -f # the document's globs are patterns to match, never expanded here
top=${1:?usage: internals.sh TOP}
cd "$top"
doc=docs/internals.md
status=0
fail() { echo "internals: $*" >&2; status=1; }
# The libraries whose headers stay in the files that need them.
required=('curl/*.h' 'yajl/*.h' 'pcre2.h' 'openssl/*.h' 'utf8proc.h')

[ -f "$doc" ] || { echo "internals: $doc is missing" >&2; exit 1; }

# The table rows ("| `...") of the section "## NAME", its subsections included.
section_rows() {
    awk -v h="## $1" '$0 == h { on = 1; next } /^## / { on = 0 } on && /^\| `/' "$doc"
}

# An anchored extended regular expression for a glob, in REPLY.
glob_re() {
    local g=$1 c i
    REPLY=
    for ((i = 0; i < ${#g}; i++)); do
        c=${g:i:1}
        # shellcheck disable=SC1003 # '\' is a backslash, not an escape
        case $c in
            '*') REPLY+='[^/]*' ;;
            '?') REPLY+='[^/]' ;;
            '.' | '[' | ']' | '\' | '^' | '$' | '+' | '(' | ')' | '{' | '}' | '|') REPLY+="\\$c" ;;
            *) REPLY+=$c ;;
        esac
    done
    REPLY="^$REPLY\$"
}

# A path without "." and ".." components, in REPLY.
normalize() {
    local IFS=/ part
    local -a out=()
    for part in $1; do
        case $part in
            '' | .) ;;
            ..) [ ${#out[@]} = 0 ] || unset 'out[-1]' ;;
            *) out+=("$part") ;;
        esac
    done
    REPLY="${out[*]}"
}

# The file of the tree that `#include <DELIM>NAME` in FILE finds, in REPLY ("" if none).
resolve() { # FILE DELIM NAME
    local d
    local -a dirs=(include src)
    [ "$2" = '"' ] && dirs=("${1%/*}" include src)
    for d in "${dirs[@]}"; do
        normalize "$d/$3"
        [ -f "$REPLY" ] && return 0
    done
    REPLY=
}

mapfile -t files < <(find src include -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] || { echo "internals: no source files under src/ and include/" >&2; exit 1; }

# --- 1. the file map ------------------------------------------------------------------
declare -A mapped=()
# shellcheck disable=SC2016 # backquotes, not command substitutions
re_one='^`([^`]+)`$'
# shellcheck disable=SC2016
re_pair='^`([^`]+)\.c`, `([^`]+)\.h`$'
rows=0
while IFS= read -r row; do
    cell=${row#| }
    cell=${cell%% |*}
    [[ $cell == '`src/'* || $cell == '`include/'* ]] || continue
    rows=$((rows + 1))
    if [[ $cell =~ $re_one ]]; then
        paths=("${BASH_REMATCH[1]}")
    elif [[ $cell =~ $re_pair ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]; then
        paths=("${BASH_REMATCH[1]}.c" "${BASH_REMATCH[1]}.h")
    else
        fail "$doc: a row of the file map names one file, or a .c and the .h of the same name, not $cell"
        continue
    fi
    for p in "${paths[@]}"; do
        [ -f "$p" ] || fail "$doc maps $p, which is not a file"
        [ -z "${mapped[$p]:-}" ] || fail "$doc maps $p twice"
        mapped[$p]=1
    done
done < <(section_rows Files)
[ $rows -gt 0 ] || fail "$doc has no file map under '## Files'"
for f in "${files[@]}"; do
    [ -n "${mapped[$f]:-}" ] || fail "$f is not in the file map of $doc ('## Files')"
done

# --- 2. who may include what ----------------------------------------------------------
# shellcheck disable=SC2016
re_rule='^\| `([^`]+)` \| (`[^`]+`(, `[^`]+`)*) \|[[:space:]]*$'
rule_hdr=() rule_hdr_re=() rule_globs=() rule_res=()
while IFS= read -r row; do
    if ! [[ $row =~ $re_rule ]]; then
        fail "$doc: a rule is | \`header glob\` | \`file glob\`, ... |, not: $row"
        continue
    fi
    glob_re "${BASH_REMATCH[1]}"
    rule_hdr+=("${BASH_REMATCH[1]}")
    rule_hdr_re+=("$REPLY")
    list=${BASH_REMATCH[2]//\`/}
    list=${list//,/}
    res=
    for g in $list; do
        glob_re "$g"
        res+="$REPLY "
        hit=0
        for f in "${files[@]}"; do
            [[ $f =~ $REPLY ]] && { hit=1; break; }
        done
        [ $hit = 1 ] || fail "$doc: the rule for \`${rule_hdr[-1]}\` names \`$g\`, which matches no file"
    done
    rule_globs+=("$list")
    rule_res+=("$res")
done < <(section_rows 'Who may include what')
[ ${#rule_hdr[@]} -gt 0 ] || fail "$doc has no rules under '## Who may include what'"
for r in "${required[@]}"; do
    found=0
    for h in "${rule_hdr[@]}"; do
        [ "$h" = "$r" ] && { found=1; break; }
    done
    [ $found = 1 ] || fail "$doc has no rule for \`$r\` under '## Who may include what'"
done

declare -A used=() # "rule index<TAB>file" for each file that includes what the rule is about
re_inc='#[[:space:]]*include[[:space:]]*([<"])([^>"]+)[>"]'
includes=0
while IFS= read -r line; do
    file=${line%%:*}
    [[ ${line#*:} =~ $re_inc ]] || continue
    includes=$((includes + 1))
    name=${BASH_REMATCH[2]}
    resolve "$file" "${BASH_REMATCH[1]}" "$name"
    hdr=${REPLY:-$name}
    shown=$name
    [ -z "$REPLY" ] || [ "$REPLY" = "$name" ] || shown="$name ($REPLY)"
    ruled=0
    for i in "${!rule_hdr[@]}"; do
        [[ $hdr =~ ${rule_hdr_re[i]} ]] || continue
        ruled=1
        used["$i"$'\t'"$file"]=1
        ok=0
        for re in ${rule_res[i]}; do
            [[ $file =~ $re ]] && { ok=1; break; }
        done
        [ $ok = 1 ] || fail "$file includes $shown, which only ${rule_globs[i]// /, } may include ($doc)"
    done
    if [ $ruled = 0 ] && [ -n "$REPLY" ]; then
        fail "$file includes $shown, and no rule of '## Who may include what' in $doc says who may"
    fi
done < <(grep -HE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^>"]+[>"]' "${files[@]}")

for i in "${!rule_hdr[@]}"; do
    for g in ${rule_globs[i]}; do
        [[ $g == *[*?]* ]] && continue
        [ -n "${used["$i"$'\t'"$g"]:-}" ] ||
            fail "$doc: the rule for \`${rule_hdr[i]}\` names $g, which includes no such header"
    done
done

[ $status = 0 ] && echo "internals: ${#files[@]} files mapped; $includes includes keep ${#rule_hdr[@]} rules"
exit $status
