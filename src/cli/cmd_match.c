/* gcsplan match: stream names from stdin through a pattern.
 *
 * Constant memory: one input and one output buffer, both allocated once.
 * A line is matched where it lies in the input buffer; only the unfinished
 * tail of a read is moved to the front. A line longer than the buffer cannot
 * be an object name (1024 bytes at most), so it is skipped without being
 * held. The byte before the buffer is always a separator, so every line in
 * it, the first one included, has a separator on both sides. */
#define _GNU_SOURCE /* memmem, memrchr */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SSE2 1
#endif

#include "cli.h"
#include "opts.h"
#include "out.h"
#include "util/clock.h"

#define IN_SIZE (1u << 20)

/* A run of literal bytes every match contains: lines without it are passed
 * over wholesale by a search across the buffer, the way grep does, instead
 * of one matcher call per line. Which run is worth it depends on the names:
 * a run found on most lines ("studies/") only adds work. So the candidates
 * (each literal run, and its tails after each '/') are tried on the first
 * block of input and the one that scans it fastest, among those on few
 * enough lines, is kept.
 *
 * The search tests three bytes of the needle at every position at once, 16
 * positions a step: its first, its last, and the one at MID, chosen on the
 * first block as the byte the fewest places with the right first and last
 * bytes share (names often share all but a few digits). Only the rare
 * positions that pass all three are compared whole. With AVX2 it is 32
 * positions a step; without SSE2 it is memmem. */
typedef struct needle {
    const char *s;
    size_t len;
    size_t mid;
    int avx2;
} needle;

#define NEEDLE_CANDIDATES 32
#define NEEDLE_SAMPLE (256u << 10)
#define NEEDLE_MAX_SHARE 8 /* kept only when on fewer than 1 line in 8 */
#define NEEDLE_MIN 3
#define MID_SAMPLES 4096   /* places looked at to choose MID */

static needle make_needle(const char *s, size_t len, const char *sample, size_t n)
{
    needle nd = { s, len, 0, 0 };
#ifdef HAVE_SSE2
    nd.avx2 = __builtin_cpu_supports("avx2");
#endif
    size_t share[GCSPLAN_NAME_MAX + 2] = { 0 }, seen = 0;
    if (n > NEEDLE_SAMPLE)
        n = NEEDLE_SAMPLE;
    if (len < 3 || len > sizeof share / sizeof share[0] || n < len)
        return nd;
    for (const char *q = sample, *stop = sample + n - len; q <= stop && seen < MID_SAMPLES; q++) {
        q = memchr(q, s[0], (size_t)(stop - q) + 1);
        if (q == NULL)
            break;
        if (q[len - 1] != s[len - 1])
            continue;
        seen++;
        for (size_t j = 1; j < len - 1; j++)
            share[j] += q[j] == s[j];
    }
    /* Ties go to the later byte: names that share a prefix differ late. */
    nd.mid = 1;
    for (size_t j = 2; j < len - 1; j++)
        if (share[j] <= share[nd.mid])
            nd.mid = j;
    return nd;
}

#ifdef HAVE_SSE2
/* The first occurrence of the needle that starts in at[*i, starts), looked
 * for 16 starts a step; or NULL, with *i the first start not looked at. */
static const char *scan_sse2(const needle *nd, const char *at, size_t starts, size_t *i)
{
    const __m128i first = _mm_set1_epi8(nd->s[0]), mid = _mm_set1_epi8(nd->s[nd->mid]),
                  last = _mm_set1_epi8(nd->s[nd->len - 1]);
    size_t k = *i;
    for (; k + 16 <= starts; k += 16) {
        const char *q = at + k;
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)q), first);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + nd->mid)), mid);
        __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + nd->len - 1)), last);
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(a, b), c));
             m != 0; m &= m - 1) {
            const char *hit = q + __builtin_ctz(m);
            if (memcmp(hit, nd->s, nd->len) == 0) {
                *i = k;
                return hit;
            }
        }
    }
    *i = k;
    return NULL;
}

/* The same, 32 starts a step, on processors that have AVX2. */
__attribute__((target("avx2")))
static const char *scan_avx2(const needle *nd, const char *at, size_t starts, size_t *i)
{
    const __m256i first = _mm256_set1_epi8(nd->s[0]), mid = _mm256_set1_epi8(nd->s[nd->mid]),
                  last = _mm256_set1_epi8(nd->s[nd->len - 1]);
    size_t k = *i;
    for (; k + 32 <= starts; k += 32) {
        const char *q = at + k;
        __m256i a = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)q), first);
        __m256i b = _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(q + nd->mid)), mid);
        __m256i c =
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(q + nd->len - 1)), last);
        for (unsigned m = (unsigned)_mm256_movemask_epi8(
                 _mm256_and_si256(_mm256_and_si256(a, b), c));
             m != 0; m &= m - 1) {
            const char *hit = q + __builtin_ctz(m);
            if (memcmp(hit, nd->s, nd->len) == 0) {
                *i = k;
                return hit;
            }
        }
    }
    *i = k;
    return NULL;
}
#endif

/* The first occurrence of the needle in [at, end), or NULL. */
static const char *needle_find(const needle *nd, const char *at, const char *end)
{
    size_t n = (size_t)(end - at), i = 0;
    if (n < nd->len)
        return NULL;
#ifdef HAVE_SSE2
    const char *hit = nd->avx2 ? scan_avx2(nd, at, n - nd->len + 1, &i)
                               : scan_sse2(nd, at, n - nd->len + 1, &i);
    if (hit != NULL)
        return hit;
#endif
    return memmem(at + i, n - i, nd->s, nd->len);
}

/* Hits of the needle in the sample, and how long finding them took. */
static size_t try_needle(const needle *nd, const char *sample, size_t n, double *took)
{
    size_t hits = 0;
    double t0 = gcsplan__clock_s();
    for (const char *q = sample; (q = needle_find(nd, q, sample + n)); q += nd->len)
        hits++;
    *took = gcsplan__clock_s() - t0;
    return hits;
}

static needle choose_needle(const gcsplan_pattern *p, const char *sample, size_t n, char sep)
{
    needle best = { NULL, 0, 0, 0 };
    double best_time = 0;
    size_t olen, tried = 0, lines = 0;
    const char *obj = gcsplan_pattern_object(p, &olen);
    if (n > NEEDLE_SAMPLE)
        n = NEEDLE_SAMPLE;
    for (const char *q = sample; (q = memchr(q, sep, n - (size_t)(q - sample))) != NULL; q++)
        lines++;
    for (size_t i = 0; i < olen && tried < NEEDLE_CANDIDATES;) {
        size_t k = i;
        while (k < olen && obj[k] != '*' && obj[k] != '?')
            k++;
        /* The run obj[i, k), then its tails after each '/'. */
        for (size_t start = i; start < k && tried < NEEDLE_CANDIDATES; start++) {
            if (start > i && obj[start - 1] != '/')
                continue;
            if (k - start < NEEDLE_MIN)
                break;
            tried++;
            double took;
            needle nd = make_needle(obj + start, k - start, sample, n);
            size_t hits = try_needle(&nd, sample, n, &took);
            if (hits * NEEDLE_MAX_SHARE <= lines && (best.len == 0 || took < best_time)) {
                best = nd;
                best_time = took;
            }
        }
        i = k + 1;
    }
    return best;
}

/* A literal URI matches one name, so a matching line is the literal with a
 * separator on each side: the needle is that whole line, and one search
 * through the buffer finds every match with no work per line. The first
 * and last bytes tested are the separators, so only lines of the literal's
 * length pass them. */
static size_t filter_literal(const gcsplan_pattern *p, const needle *nd, const char *at,
                             const char *end, out_writer *w)
{
    size_t matched = 0;
    while (!w->failed && (at = needle_find(nd, at, end)) != NULL) {
        if (gcsplan_pattern_match(p, at + 1, nd->len - 2)) { /* true; the matcher decides */
            out_record(w, at + 1, nd->len - 2, at[0]);
            matched++;
        }
        at += nd->len - 1;
    }
    return matched;
}

/* Match every name in [line, end), which ends with a separator. */
static size_t filter(const gcsplan_pattern *p, char *line, char *end, char sep, const needle *need,
                     out_writer *w)
{
    size_t matched = 0;
    while (line < end && !w->failed) {
        char *from = line;
        if (need->len > 0) {
            char *hit = (char *)needle_find(need, line, end);
            if (hit == NULL)
                break;
            char *start = memrchr(line, sep, (size_t)(hit - line));
            from = start ? start + 1 : line;
        }
        char *nl = memchr(from, sep, (size_t)(end - from));
        size_t n = (size_t)(nl - from);
        if (gcsplan_pattern_match(p, from, n)) {
            out_record(w, from, n, sep);
            matched++;
        }
        line = nl + 1;
    }
    return matched;
}

int cmd_match(int argc, char **argv)
{
    char sep = '\n';
    cli_group groups[] = { CLI_NULL_GROUP(&sep) };
    cli_operands ops;
    int prc = cli_parse("match", argc, argv, groups, CLI_GROUPS(groups), &ops);
    if (prc != CLI_PARSED)
        return cli_parse_status(prc);
    const char *uri = ops.n == 1 ? ops.v[0] : NULL;
    size_t nops = ops.n;
    cli_operands_free(&ops);
    if (nops == 0)
        return diag_usage("match", "a URI is required");
    if (nops > 1)
        return diag_usage("match", "only one URI is allowed");

    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    size_t ulen = strlen(uri);
    if (gcsplan_pattern_compile(&p, uri, ulen, NULL, &err) != 0) {
        diag_uri_error(uri, ulen, &err);
        return err.code == GCSPLAN_EURI ? EXIT_USAGE : EXIT_SOURCE;
    }
    for (size_t i = 0; i < gcsplan_pattern_warning_count(p); i++)
        diag_uri_warning(uri, ulen, gcsplan_pattern_warning(p, i));

    char *buf = malloc(IN_SIZE + 1);
    out_writer w;
    if (buf == NULL || out_open(&w, STDOUT_FILENO) != 0) {
        free(buf);
        gcsplan_pattern_free(p);
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    char *in = buf + 1;
    buf[0] = sep;
    size_t have = 0, matched = 0;
    needle need = { NULL, 0, 0, 0 };
    /* A literal with the separator in it matches no line (not possible from
     * a command line: the compiler refuses LF, and argv has no NUL). */
    char line_of[GCSPLAN_NAME_MAX + 2];
    size_t olen;
    const char *obj = gcsplan_pattern_object(p, &olen);
    int literal = gcsplan_pattern_kind_of(p) == GCSPLAN_PATTERN_LITERAL &&
                  olen <= GCSPLAN_NAME_MAX && memchr(obj, sep, olen) == NULL;
    if (literal) {
        line_of[0] = line_of[olen + 1] = sep;
        memcpy(line_of + 1, obj, olen);
    }
    int chosen = 0;
    int skipping = 0, read_err = 0, eof = 0;
    while (!eof && !w.failed) {
        ssize_t k = read(STDIN_FILENO, in + have, IN_SIZE - have);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            read_err = errno;
            break;
        }
        if (k == 0) {
            eof = 1;
            /* A last name without a separator still counts. */
            if (have > 0 && !skipping)
                in[have++] = sep;
            if (have == 0)
                break;
        } else {
            have += (size_t)k;
        }
        char *line = in, *end = in + have;
        if (!chosen) {
            if (literal) /* from the separator before the first line */
                need = make_needle(line_of, olen + 2, in - 1, have + 1);
            else
                need = choose_needle(p, in, have, sep);
            chosen = 1;
        }
        char *last = memrchr(in, sep, have); /* the complete names end here */
        if (last != NULL) {
            if (skipping) { /* the rest of an overlong line */
                line = memchr(in, sep, have) + 1;
                skipping = 0;
            }
            if (literal) /* line - 1 is a separator, in the buffer or before it */
                matched += filter_literal(p, &need, line - 1, last + 1, &w);
            else
                matched += filter(p, line, last + 1, sep, &need, &w);
            line = last + 1;
        }
        have = (size_t)(end - line);
        if (have == IN_SIZE) { /* no separator in a full buffer */
            skipping = 1;
            have = 0;
        } else if (have > 0 && line != in) {
            memmove(in, line, have);
        }
        if (eof)
            break;
    }
    out_flush(&w);
    out_close(&w);
    free(buf);
    gcsplan_pattern_free(p);
    if (read_err) {
        diag_error("reading stdin: %s", strerror(read_err));
        return EXIT_SOURCE;
    }
    /* A reader that went away (| head) is not an error: it had what it wanted. */
    if (w.failed && w.failed != EPIPE) {
        diag_error("writing stdout: %s", strerror(w.failed));
        return EXIT_SOURCE;
    }
    return matched > 0 ? EXIT_YES : EXIT_NO;
}
