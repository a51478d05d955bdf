/* bench_match: names per second for gcsplan, glibc fnmatch and PCRE2 JIT on
 * the pattern classes of cases.h, over one generated corpus, in one run.
 *
 *   bench_match [--names N] [--seed S] [--reps R] [--only CLASS] [--cases]
 *
 * Every engine makes the same full pass over the same names; the best of R
 * passes counts, so a noisy machine costs less. The match counts of all
 * engines must agree, or the benchmark is measuring different questions and
 * exits 1. --only runs one class (for a profiler); --cases prints the classes
 * (label, URI, regex) for cli_match.sh. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gcsplan/gcsplan.h"
#include "cases.h"
#include "names.h"

enum { E_GCSPLAN, E_FNMATCH, E_PCRE2, E_MEMCMP, E_COUNT };
static const char *const engine_names[E_COUNT] = { "gcsplan", "fnmatch", "PCRE2-JIT", "memcmp" };

typedef struct engines {
    const bench_case *c;
    gcsplan_pattern *pattern;
    pcre2_code *re;
    pcre2_match_data *md;
} engines;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One pass of one engine over every name; returns the number of matches. */
static size_t pass(const engines *e, int engine, const bench_names *n)
{
    size_t hits = 0;
    switch (engine) {
    case E_GCSPLAN:
        for (size_t i = 0; i < n->count; i++)
            hits += gcsplan_pattern_match(e->pattern, n->text + n->off[i], n->len[i]) != 0;
        break;
    case E_FNMATCH:
        for (size_t i = 0; i < n->count; i++)
            hits += fnmatch(e->c->fnmatch, n->text + n->off[i], e->c->fnmatch_flags) == 0;
        break;
    case E_PCRE2:
        for (size_t i = 0; i < n->count; i++)
            hits += pcre2_jit_match(e->re, (PCRE2_SPTR)(n->text + n->off[i]), n->len[i], 0, 0,
                                    e->md, NULL) >= 0;
        break;
    default: { /* what PREFIX**SUFFIX needs at the least: two memcmp and a length test */
        size_t pl = strlen(e->c->prefix), sl = strlen(e->c->suffix);
        for (size_t i = 0; i < n->count; i++) {
            const char *s = n->text + n->off[i];
            size_t len = n->len[i];
            hits += len >= pl + sl && memcmp(s, e->c->prefix, pl) == 0 &&
                    memcmp(s + len - sl, e->c->suffix, sl) == 0;
        }
        break;
    }
    }
    return hits;
}

static int setup(engines *e, const bench_case *c)
{
    memset(e, 0, sizeof *e);
    e->c = c;
    gcsplan_error err;
    if (gcsplan_pattern_compile(&e->pattern, c->uri, strlen(c->uri), NULL, &err) != 0) {
        fprintf(stderr, "bench_match: %s: %s\n", c->uri, err.message);
        return -1;
    }
    int code;
    PCRE2_SIZE at;
    e->re = pcre2_compile((PCRE2_SPTR)c->regex, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_DOTALL | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &code,
                          &at, NULL);
    if (e->re == NULL || pcre2_jit_compile(e->re, PCRE2_JIT_COMPLETE) != 0) {
        fprintf(stderr, "bench_match: cannot JIT-compile %s\n", c->regex);
        return -1;
    }
    e->md = pcre2_match_data_create_from_pattern(e->re, NULL);
    return e->md ? 0 : -1;
}

static void teardown(engines *e)
{
    gcsplan_pattern_free(e->pattern);
    pcre2_match_data_free(e->md);
    pcre2_code_free(e->re);
}

static void usage(void)
{
    fputs("usage: bench_match [--names N] [--seed S] [--reps R] [--only CLASS] [--cases]\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    size_t count = 1000000;
    unsigned long long seed = 42;
    int reps = 5;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cases") == 0) {
            for (size_t k = 0; k < BENCH_NCASES; k++)
                printf("%s\t%s\t%s\n", bench_cases[k].name, bench_cases[k].uri,
                       bench_cases[k].regex);
            return 0;
        }
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--names") == 0)
            count = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0)
            only = argv[++i];
        else
            usage();
    }
    if (count == 0 || reps < 1)
        usage();

    bench_names n;
    if (bench_names_generate(&n, count, seed) != 0) {
        fputs("bench_match: out of memory\n", stderr);
        return 1;
    }
    printf("%zu names (%.1f bytes on average), seed %llu, best of %d passes; rates in "
           "millions of names per second\n\n",
           n.count, (double)n.bytes / (double)n.count, seed, reps);
    printf("%-10s %8s %9s %9s %9s %9s   %11s %11s %11s\n", "class", "matches", "gcsplan",
           "fnmatch", "PCRE2-JIT", "memcmp", "vs fnmatch", "vs PCRE2", "vs memcmp");

    int status = 0;
    for (size_t k = 0; k < BENCH_NCASES; k++) {
        if (only != NULL && strcmp(only, bench_cases[k].name) != 0)
            continue;
        engines e;
        if (setup(&e, &bench_cases[k]) != 0) {
            teardown(&e);
            status = 1;
            continue;
        }
        double rate[E_COUNT] = { 0 };
        size_t hits[E_COUNT] = { 0 };
        int engines_used = bench_cases[k].prefix ? E_COUNT : E_MEMCMP;
        /* Interleave the engines within each repetition, so that a burst of
         * load from elsewhere does not fall on one engine only. */
        for (int r = 0; r < reps; r++)
            for (int g = 0; g < engines_used; g++) {
                double t0 = now();
                hits[g] = pass(&e, g, &n);
                double dt = now() - t0;
                double v = (double)n.count / dt / 1e6;
                if (v > rate[g])
                    rate[g] = v;
            }
        for (int g = 1; g < engines_used; g++)
            if (hits[g] != hits[E_GCSPLAN]) {
                fprintf(stderr, "bench_match: %s: %s counts %zu matches, gcsplan %zu\n",
                        bench_cases[k].name, engine_names[g], hits[g], hits[E_GCSPLAN]);
                status = 1;
            }
        char memcmp_rate[16] = "-", memcmp_ratio[16] = "-";
        if (engines_used == E_COUNT) {
            snprintf(memcmp_rate, sizeof memcmp_rate, "%.1f", rate[E_MEMCMP]);
            snprintf(memcmp_ratio, sizeof memcmp_ratio, "%.2fx", rate[E_GCSPLAN] / rate[E_MEMCMP]);
        }
        printf("%-10s %8zu %9.1f %9.1f %9.1f %9s   %10.1fx %10.1fx %11s\n", bench_cases[k].name,
               hits[E_GCSPLAN], rate[E_GCSPLAN], rate[E_FNMATCH], rate[E_PCRE2], memcmp_rate,
               rate[E_GCSPLAN] / rate[E_FNMATCH], rate[E_GCSPLAN] / rate[E_PCRE2], memcmp_ratio);
        teardown(&e);
    }
    printf("\nvs X = gcsplan's rate / X's rate. Targets: >= 10x fnmatch, >= 3x PCRE2-JIT, "
           ">= 0.50x memcmp.\n");
    bench_names_free(&n);
    return status;
}
