/* gcsplan match: stream names from stdin through a pattern.
 *
 * Constant memory: one input and one output buffer, both allocated once.
 * A line is matched where it lies in the input buffer; only the unfinished
 * tail of a read is moved to the front. A line longer than the buffer cannot
 * be an object name (1024 bytes at most), so it is skipped without being
 * held. */
#define _GNU_SOURCE /* memmem, memrchr */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"
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
    cli_group groups[] = { CLI_NULL_GROUP(&sep) };
    cli_operands ops;
    int prc = cli_parse("match", argc, argv, groups, 1, &ops);
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

    char *in = malloc(IN_SIZE);
    out_writer w;
    if (in == NULL || out_open(&w, STDOUT_FILENO) != 0) {
        free(in);
        gcsplan_pattern_free(p);
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    size_t have = 0, matched = 0;
    needle need = { NULL, 0 };
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
            need = choose_needle(p, in, have, sep);
            chosen = 1;
        }
        char *last = memrchr(in, sep, have); /* the complete names end here */
        if (last != NULL) {
            if (skipping) { /* the rest of an overlong line */
                line = memchr(in, sep, have) + 1;
                skipping = 0;
            }
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
    free(in);
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
