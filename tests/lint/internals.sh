#!/usr/bin/env bash
# Keeps docs/internals.md true:
#   1. every source file under src/ and include/ has its line in the file map
#      (a table row whose first cell is the path in backquotes), and every
#      path the map names exists;
#   2. includes follow the rules of the section "Who may include what": each
#      rule is a table row  | `<header pattern>` | `file pattern`, ... |
#      saying which files may include headers matching the pattern (shell
#      globs, paths relative to the top).
# Usage: internals.sh TOP
set -euo pipefail
top=${1:?usage: internals.sh TOP}
cd "$top"
doc=docs/internals.md
status=0
fail() { echo "internals: $*" >&2; status=1; }

[ -f "$doc" ] || { echo "internals: $doc is missing" >&2; exit 1; }

# --- 1. the file map ------------------------------------------------------------------
mapped=$(grep -oE '^\| `(src|include)/[^`]+`' "$doc" | sed -E 's/^\| `([^`]+)`/\1/' | sort -u)
actual=$(find src include -type f \( -name '*.c' -o -name '*.h' \) | sort -u)
while read -r f; do
    [ -n "$f" ] || continue
    grep -qxF "$f" <<<"$mapped" || fail "$f is not in the file map of $doc"
done <<<"$actual"
while read -r f; do
    [ -n "$f" ] || continue
    [ -e "$f" ] || fail "$doc maps $f, which does not exist"
done <<<"$mapped"

# --- 2. who may include what ----------------------------------------------------------
# Rules: lines of the table after the heading "## Who may include what".
rules=$(awk '/^## Who may include what/ { on = 1; next } /^## / { on = 0 } on && /^\| `/' "$doc")
[ -n "$rules" ] || fail "$doc has no rules under '## Who may include what'"

# Each include line of each file, as "file<TAB>header".
includes=$(grep -HoE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^>"]+[>"]' \
    $(find src include -type f \( -name '*.c' -o -name '*.h' \)) |
    sed -E 's/^([^:]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"]/\1\t\2/')

while IFS= read -r rule; do
    hdr=$(sed -E 's/^\| `([^`]+)`.*/\1/' <<<"$rule")
    allowed=$(sed -E 's/^\| `[^`]+` \| (.*) \|[^|]*$/\1/' <<<"$rule" | grep -oE '`[^`]+`' | tr -d '`')
    while IFS=$'\t' read -r file h; do
        [ -n "$file" ] || continue
        # shellcheck disable=SC2053
        [[ $h == $hdr ]] || continue
        ok=0
        for a in $allowed; do
            # shellcheck disable=SC2053
            [[ $file == $a ]] && { ok=1; break; }
        done
        [ $ok = 1 ] || fail "$file includes $h, which only $(tr '\n' ' ' <<<"$allowed")may include"
    done <<<"$includes"
done <<<"$rules"

[ $status = 0 ] && echo "internals: $(wc -l <<<"$actual") files mapped, $(wc -l <<<"$rules") include rules hold"
exit $status
