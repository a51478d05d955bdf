/* Is every name one import URI matches matched by another? Proved from the
 * compiled shapes alone, for the shapes the planner makes (plandoc.h lists
 * them); any other pair is answered "not proved" (0).
 *
 * The arguments rest on one fact: a glob without "**" matches names that
 * start with its literal head (the bytes before its first wildcard), end
 * with its literal tail (the bytes after its last wildcard), and are at
 * least |head| + |tail| bytes long, since the wildcards between them match
 * zero or more characters and the head and tail never overlap. */
#include <string.h>

#include "gcsplan/plandoc.h"
#include "util/name.h"

/* The literal head and tail of a glob text (no "**"), and whether it has a
 * wildcard at all. */
static int glob_ends(const char *s, size_t n, size_t *head, size_t *tail)
{
    size_t first = n, last = n;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '*' || s[i] == '?') {
            if (first == n)
                first = i;
            last = i;
        }
    if (first == n)
        return 0;
    *head = first;
    *tail = n - last - 1;
    return 1;
}

/* One segment of a '*'/'?' URI inside the same segment of another. */
static int segment_inside(const gcsplan_pattern *outer, size_t i, const gcsplan_segment *o,
                          const gcsplan_segment *in)
{
    if (o->len == in->len && memcmp(o->text, in->text, o->len) == 0)
        return 1;
    size_t ih, it;
    if (!glob_ends(in->text, in->len, &ih, &it))
        return gcsplan_pattern_match_segment(outer, i, in->text, in->len);
    /* An outer '*' matches every text without '/', and a segment is one. */
    if (o->len == 1 && o->text[0] == '*')
        return 1;
    size_t stars = 0, ones = 0, at = 0;
    for (size_t k = 0; k < o->len; k++) {
        stars += o->text[k] == '*';
        ones += o->text[k] == '?';
        if (o->text[k] == '*')
            at = k;
    }
    if (stars != 1 || ones != 0)
        return 0;
    /* Outer H*R: the inner's matches start with its head, which starts with
     * H, and end with its tail, which ends with R, and are long enough. */
    return gcsplan__name_starts(in->text, ih, o->text, at) &&
           gcsplan__name_ends(in->text + in->len - it, it, o->text + at + 1, o->len - at - 1);
}

static int segments_inside(const gcsplan_pattern *outer, const gcsplan_pattern *inner)
{
    size_t n = gcsplan_pattern_segment_count(outer);
    if (gcsplan_pattern_segment_count(inner) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        gcsplan_segment o, in;
        gcsplan_pattern_segment(outer, i, &o);
        gcsplan_pattern_segment(inner, i, &in);
        if (!segment_inside(outer, i, &o, &in))
            return 0;
    }
    return 1;
}

int gcsplan_pattern_contains(const gcsplan_pattern *outer, const gcsplan_pattern *inner)
{
    if (outer == NULL || inner == NULL ||
        strcmp(gcsplan_pattern_bucket(outer), gcsplan_pattern_bucket(inner)) != 0)
        return 0;
    gcsplan_pattern_kind ok = gcsplan_pattern_kind_of(outer);
    gcsplan_pattern_kind ik = gcsplan_pattern_kind_of(inner);
    size_t il;
    const char *iobj = gcsplan_pattern_object(inner, &il);
    if (ik == GCSPLAN_PATTERN_LITERAL)
        return gcsplan_pattern_match(outer, iobj, il);
    if (ok == GCSPLAN_PATTERN_RECURSIVE) {
        size_t ps, pp;
        const char *psuf = gcsplan_pattern_suffix(outer, &ps);
        const char *ppre = gcsplan_pattern_prefix(outer, &pp);
        size_t head, tail;
        if (ik == GCSPLAN_PATTERN_RECURSIVE) {
            size_t jp, js;
            const char *jpre = gcsplan_pattern_prefix(inner, &jp);
            const char *jsuf = gcsplan_pattern_suffix(inner, &js);
            /* Names start with jpre and end with jsuf, at least jp + js long. */
            return gcsplan__name_starts(jpre, jp, ppre, pp) &&
                   gcsplan__name_ends(jsuf, js, psuf, ps);
        }
        if (!glob_ends(iobj, il, &head, &tail))
            return 0;
        return gcsplan__name_starts(iobj, head, ppre, pp) &&
               gcsplan__name_ends(iobj + il - tail, tail, psuf, ps);
    }
    if (ok == GCSPLAN_PATTERN_SEGMENTED && ik == GCSPLAN_PATTERN_SEGMENTED)
        return segments_inside(outer, inner);
    return 0;
}
