/* The matcher. Linear in the name for any pattern: the name is cut at '/'
 * (only "**" may cross it, and "**" admits no other wildcard), and within a
 * segment each piece between two '*' is placed at its leftmost occurrence.
 * Leftmost is always safe: a piece matches a fixed number of characters, so
 * an earlier start never ends later, and the '*' that follows absorbs the
 * gap. No piece is ever retried, so there is no backtracking. */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "internal.h"
#include "pattern_impl.h"
#include "util/utf8.h"

/* Match tokens [t, t_end) exactly at text[pos]; return the end, or -1. */
static long piece_at(const gcsplan_pattern *p, const gp_tok *t, const gp_tok *t_end,
                     const unsigned char *text, size_t len, size_t pos)
{
    for (; t < t_end; t++) {
        if (t->kind == GP_TOK_LIT) {
            if (len - pos < t->len || memcmp(text + pos, p->object + t->off, t->len) != 0)
                return -1;
            pos += t->len;
        } else {
            for (uint32_t k = 0; k < t->len; k++) {
                if (pos == len)
                    return -1;
                pos += gcsplan__utf8_char(text + pos, len - pos);
            }
        }
    }
    return (long)pos;
}

/* Leftmost occurrence of a piece at or after pos; the end of it, or -1. */
static long piece_find(const gcsplan_pattern *p, const gp_tok *t, const gp_tok *t_end,
                       const unsigned char *text, size_t len, size_t pos)
{
    if (t->kind == GP_TOK_LIT) {
        /* A literal run is valid UTF-8, so it starts on a character boundary
         * wherever it occurs: memmem (two-way, linear) finds candidates. */
        const char *lit = p->object + t->off;
        while (pos + t->len <= len) {
            const unsigned char *hit = memmem(text + pos, len - pos, lit, t->len);
            if (hit == NULL)
                return -1;
            size_t at = (size_t)(hit - text);
            long end = piece_at(p, t + 1, t_end, text, len, at + t->len);
            if (end >= 0)
                return end;
            pos = at + 1;
        }
        return -1;
    }
    while (pos < len) {
        long end = piece_at(p, t, t_end, text, len, pos);
        if (end >= 0)
            return end;
        pos += gcsplan__utf8_char(text + pos, len - pos);
    }
    return -1;
}

/* Does the piece [t, t_end) match exactly text[q, len) for some boundary q >= pos? */
static int piece_at_end(const gcsplan_pattern *p, const gp_tok *t, const gp_tok *t_end,
                        const unsigned char *text, size_t len, size_t pos)
{
    size_t lit = 0, ones = 0;
    for (const gp_tok *u = t; u < t_end; u++) {
        if (u->kind == GP_TOK_LIT)
            lit += u->len;
        else
            ones += u->len;
    }
    if (len - pos < lit + ones)
        return 0;
    if (ones == 0) /* the common "*.dcm": compare the end */
        return t == t_end || piece_at(p, t, t_end, text, len, len - lit) == (long)len;
    /* A piece with '?' spans lit + ones .. lit + 4 * ones bytes: only
     * boundaries in that window can start it. */
    size_t lo = len - pos > lit + 4 * ones ? len - lit - 4 * ones : pos;
    size_t q = pos;
    while (q < lo)
        q += gcsplan__utf8_char(text + q, len - q);
    for (; q + lit + ones <= len; q += gcsplan__utf8_char(text + q, len - q))
        if (piece_at(p, t, t_end, text, len, q) == (long)len)
            return 1;
    return 0;
}

int gcsplan__glob_segment_match(const gcsplan_pattern *p, const gp_seg *s,
                                const unsigned char *text, size_t len)
{
    const gp_tok *t = p->toks + s->tok;
    if (len < s->min_bytes)
        return 0;
    if (s->head == s->ntok) /* no '*': the whole segment is one piece */
        return piece_at(p, t, t + s->ntok, text, len, 0) == (long)len;
    long pos = piece_at(p, t, t + s->head, text, len, 0);
    if (pos < 0)
        return 0;
    /* Middle pieces, each between two '*'. */
    uint32_t k = s->head + 1;
    while (k < s->tail) {
        uint32_t e = k;
        while (p->toks[s->tok + e].kind != GP_TOK_STAR)
            e++;
        if (e > k) {
            pos = piece_find(p, t + k, t + e, text, len, (size_t)pos);
            if (pos < 0)
                return 0;
        }
        k = e + 1;
    }
    return piece_at_end(p, t + s->tail, t + s->ntok, text, len, (size_t)pos);
}

/* A literal is a valid object name itself, so equal bytes are the whole test.
 * The length and the last 8 bytes (where names that share a long prefix
 * differ) are compared together, without a branch between them: on names of
 * mixed lengths "len == object_len" alone is a coin toss for the branch
 * predictor, while both together are almost always false. */
static int literal_match(const gcsplan_pattern *p, const char *name, size_t len)
{
    size_t n = p->object_len;
    uint64_t tail;
    if (n < sizeof tail || len < sizeof tail)
        return len == n && memcmp(name, p->object, n) == 0;
    memcpy(&tail, name + len - sizeof tail, sizeof tail);
    if (((uint64_t)(len ^ n) | (tail ^ p->lit_tail)) != 0)
        return 0;
    return memcmp(name, p->object, n - sizeof tail) == 0;
}

int gcsplan_pattern_match(const gcsplan_pattern *p, const char *name, size_t len)
{
    if (p->kind == GCSPLAN_PATTERN_LITERAL)
        return literal_match(p, name, len);
    /* Object names are 1..1024 bytes (one unsigned compare for both ends)
     * and never "." or "..". Only patterns that can match 1 or 2 bytes need
     * the dot check. */
    if (len - 1 >= GCSPLAN_NAME_MAX || len < p->min_len)
        return 0;
    if (GCSPLAN_UNLIKELY(len <= 2) && name[0] == '.' && (len == 1 || name[1] == '.'))
        return 0;
    if (p->kind == GCSPLAN_PATTERN_RECURSIVE)
        /* min_len already ensures prefix and suffix do not overlap. */
        return memcmp(name, p->object, p->prefix_len) == 0 &&
               memcmp(name + len - p->suffix_len, p->object + p->object_len - p->suffix_len,
                      p->suffix_len) == 0;
    /* Segmented: the literal ends first, cheap rejections of most names. */
    if (memcmp(name + len - p->tail_len, p->object + p->object_len - p->tail_len,
               p->tail_len) != 0 ||
        memcmp(name, p->object, p->lit_end) != 0)
        return 0;
    const unsigned char *text = (const unsigned char *)name;
    size_t pos = p->lit_end;
    for (size_t i = p->first_glob; i < p->nsegs; i++) {
        const gp_seg *s = &p->segs[i];
        const unsigned char *slash = memchr(text + pos, '/', len - pos);
        size_t end = slash ? (size_t)(slash - text) : len;
        if ((i + 1 < p->nsegs) != (slash != NULL))
            return 0;
        if (s->wildcard == 0) {
            if (end - pos != s->len || memcmp(text + pos, p->object + s->off, s->len) != 0)
                return 0;
        } else if (!gcsplan__glob_segment_match(p, s, text + pos, end - pos)) {
            return 0;
        }
        pos = end + 1;
    }
    return 1;
}

int gcsplan_pattern_match_segment(const gcsplan_pattern *p, size_t i, const char *text, size_t len)
{
    if (i >= p->nsegs || memchr(text, '/', len) != NULL)
        return 0;
    const gp_seg *s = &p->segs[i];
    switch (s->wildcard) {
    case 0:
        return len == s->len && memcmp(text, p->object + s->off, len) == 0;
    case 1:
        return gcsplan__glob_segment_match(p, s, (const unsigned char *)text, len);
    default: {
        /* The "**" segment: a directory can hold matches when its name starts
         * with the literal bytes before "**". */
        size_t lit = p->prefix_len - s->off;
        return len >= lit && memcmp(text, p->object + s->off, lit) == 0;
    }
    }
}
