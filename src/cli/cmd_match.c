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
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define HAVE_SSE2 1
#endif

#include "cli.h"
#include "out.h"

#define IN_SIZE (1u << 20)

/* A run of literal bytes every match contains: lines without it are passed
 * over wholesale by memmem across the buffer, the way grep does, instead of
 * one matcher call per line. Which run is worth it depends on the names: a
 * run found on most lines ("studies/") only adds work, and memmem is slow
 * for a needle whose start recurs in the text ("studies/2019/..." against
 * lines that all start "studies/"). So the candidates (each literal run, and
 * its tails after each '/') are tried on the first block of input and the
 * one that scans it fastest, among those on few enough lines, is kept. */
typedef struct needle {
    const char *s;
    size_t len;
} needle;

#define NEEDLE_CANDIDATES 32
#define NEEDLE_SAMPLE (256u << 10)
#define NEEDLE_MAX_SHARE 8 /* kept only when on fewer than 1 line in 8 */
#define NEEDLE_MIN 3

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Hits of c in the sample, and how long finding them took. */
static size_t try_needle(const char *sample, size_t n, const char *c, size_t clen, double *took)
{
    size_t hits = 0;
    double t0 = seconds();
    for (const char *q = sample; (q = memmem(q, n - (size_t)(q - sample), c, clen)); q += clen)
        hits++;
    *took = seconds() - t0;
    return hits;
}

static needle choose_needle(const gcsplan_pattern *p, const char *sample, size_t n, char sep)
{
    needle best = { NULL, 0 };
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
            size_t hits = try_needle(sample, n, obj + start, k - start, &took);
            if (hits * NEEDLE_MAX_SHARE <= lines && (best.len == 0 || took < best_time)) {
                best.s = obj + start;
                best.len = k - start;
                best_time = took;
            }
        }
        i = k + 1;
    }
    return best;
}

/* A literal URI matches one name, so a matching line is the literal with a
 * separator on each side: one search through the buffer finds them all,
 * with no work per line. The search tests three bytes at every position at
 * once, 16 positions a step: a separator at the line's start and one just
 * after its end (lines of the literal's length), and the literal's byte at
 * MID, the one that fewest lines of that length in the first block share
 * (names of one length often share everything but a few digits). Only the
 * rare positions that pass all three are compared whole. */
typedef struct line_finder {
    const char *lit;
    size_t len;
    size_t mid;
    char sep;
} line_finder;

static line_finder choose_mid(const gcsplan_pattern *p, const char *sample, size_t n, char sep)
{
    line_finder f = { NULL, 0, 0, sep };
    size_t share[GCSPLAN_NAME_MAX] = { 0 };
    f.lit = gcsplan_pattern_object(p, &f.len);
    if (n > NEEDLE_SAMPLE)
        n = NEEDLE_SAMPLE;
    for (const char *q = sample, *nl; (nl = memchr(q, sep, n - (size_t)(q - sample))); q = nl + 1)
        if ((size_t)(nl - q) == f.len)
            for (size_t j = 0; j < f.len; j++)
                share[j] += q[j] == f.lit[j];
    /* Ties go to the later byte: names that share a prefix differ late. */
    for (size_t j = 1; j < f.len; j++)
        if (share[j] <= share[f.mid])
            f.mid = j;
    return f;
}

/* The first SEP LITERAL SEP in [at, end), where *at is a separator, or NULL. */
static const char *find_line(const gcsplan_pattern *p, const line_finder *f, const char *at,
                             const char *end)
{
    size_t span = f->len + 2;
    if ((size_t)(end - at) < span)
        return NULL;
    size_t starts = (size_t)(end - at) - span + 1, i = 0;
#ifdef HAVE_SSE2
    const __m128i sep = _mm_set1_epi8(f->sep), mid = _mm_set1_epi8(f->lit[f->mid]);
    for (; i + 16 <= starts; i += 16) {
        const char *q = at + i;
        __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)q), sep);
        __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + 1 + f->mid)), mid);
        __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(q + span - 1)), sep);
        for (unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(a, b), c));
             m != 0; m &= m - 1) {
            const char *s = q + __builtin_ctz(m);
            if (gcsplan_pattern_match(p, s + 1, f->len))
                return s;
        }
    }
#endif
    /* The last few starts, or all of them without SSE2: line by line. */
    for (const char *s = at + i, *last = at + starts - 1; s <= last; s++) {
        s = memchr(s, f->sep, (size_t)(last - s) + 1);
        if (s == NULL)
            break;
        if (s[span - 1] == f->sep && gcsplan_pattern_match(p, s + 1, f->len))
            return s;
    }
    return NULL;
}

/* The literal's lines among those after the separator at, up to end. */
static size_t filter_literal(const gcsplan_pattern *p, const line_finder *f, const char *at,
                             const char *end, out_writer *w)
{
    size_t matched = 0;
    while (!w->failed && (at = find_line(p, f, at, end)) != NULL) {
        out_record(w, at + 1, f->len, f->sep);
        matched++;
        at += f->len + 1;
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
            char *hit = memmem(line, (size_t)(end - line), need->s, need->len);
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
    const char *uri = NULL;
    int opts = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0)
            opts = 0;
        else if (opts && (strcmp(a, "-0") == 0 || strcmp(a, "--null") == 0))
            sep = '\0';
        else if (opts && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            cli_print_help(stdout, "match");
            return EXIT_YES;
        } else if (opts && a[0] == '-' && a[1] != '\0')
            return diag_usage("match", "unknown option '%s'", a);
        else if (uri == NULL)
            uri = a;
        else
            return diag_usage("match", "only one URI is allowed");
    }
    if (uri == NULL)
        return diag_usage("match", "a URI is required");

    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    size_t ulen = strlen(uri);
    if (gcsplan_pattern_compile(&p, uri, ulen, NULL, &err) != 0) {
        diag_uri_error(uri, ulen, &err);
        return err.code == GCSPLAN_EURI ? EXIT_USAGE : EXIT_SOURCE;
    }
    for (size_t i = 0; i < gcsplan_pattern_warning_count(p); i++)
        diag_uri_warning(uri, ulen, gcsplan_pattern_warning(p, i));

    char *buf = malloc(IN_SIZE + 1), *in = buf + 1;
    out_writer w;
    if (buf == NULL || out_open(&w, STDOUT_FILENO) != 0) {
        free(buf);
        gcsplan_pattern_free(p);
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    buf[0] = sep;
    size_t have = 0, matched = 0;
    needle need = { NULL, 0 };
    line_finder lit = { NULL, 0, 0, sep };
    size_t olen;
    const char *obj = gcsplan_pattern_object(p, &olen);
    /* A literal with the separator in it matches no line (not possible from
     * a command line: the compiler refuses LF, and argv has no NUL). */
    int literal = gcsplan_pattern_kind_of(p) == GCSPLAN_PATTERN_LITERAL &&
                  memchr(obj, sep, olen) == NULL;
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
            if (literal)
                lit = choose_mid(p, in, have, sep);
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
                matched += filter_literal(p, &lit, line - 1, last + 1, &w);
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
