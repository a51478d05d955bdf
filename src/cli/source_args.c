/* Source, listing and filter options of ls and plan, and the progress line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "util/num.h"
#include "source_args.h"

void source_args_init(source_args *s)
{
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    memset(s, 0, sizeof *s);
    s->opts = o;
    s->progress = -1;
}

static int number(const char *sub, const char *opt, const char *v, unsigned long max,
                  unsigned long *out)
{
    uint64_t n;
    if (gcsplan__parse_u64(v, strlen(v), max, &n) != 0) {
        diag_usage(sub, "%s needs a number up to %lu, not '%s'", opt, max, v);
        return -1;
    }
    *out = (unsigned long)n;
    return 0;
}

int source_args_take(source_args *s, const char *sub, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    static const char *const valued[] = { "--listing", "--bucket-dir", "--endpoint", "--exclude",
                                          "--parallel", "--page-size", "--retries",
                                          "--retry-base-ms", "--retry-max-ms", "--timeout",
                                          "--strategy", NULL };
    const char *v = NULL;
    for (const char *const *p = valued; *p != NULL; p++) {
        size_t n = strlen(*p);
        if (strncmp(a, *p, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
            if (a[n] == '=') {
                v = a + n + 1;
            } else if (*i + 1 < argc) {
                v = argv[++*i];
            } else {
                diag_usage(sub, "%s needs a value", *p);
                return -1;
            }
            break;
        }
    }
    unsigned long n = 0;
    if (strcmp(a, "--explain") == 0) {
        s->explain = 1;
    } else if (strcmp(a, "--progress") == 0) {
        s->progress = 1;
    } else if (strcmp(a, "--no-progress") == 0) {
        s->progress = 0;
    } else if (v == NULL) {
        return 0;
    } else if (strncmp(a, "--listing", 9) == 0) {
        if (s->opts.source != GCSPLAN_SOURCE_LIVE || s->opts.endpoint)
            return diag_usage(sub, "give one source: --listing, --bucket-dir or --endpoint"), -1;
        s->opts.source = GCSPLAN_SOURCE_LISTING;
        s->opts.path = v;
    } else if (strncmp(a, "--bucket-dir", 12) == 0) {
        if (s->opts.source != GCSPLAN_SOURCE_LIVE || s->opts.endpoint)
            return diag_usage(sub, "give one source: --listing, --bucket-dir or --endpoint"), -1;
        s->opts.source = GCSPLAN_SOURCE_DIR;
        s->opts.path = v;
    } else if (strncmp(a, "--endpoint", 10) == 0) {
        if (s->opts.source != GCSPLAN_SOURCE_LIVE)
            return diag_usage(sub, "give one source: --listing, --bucket-dir or --endpoint"), -1;
        s->opts.endpoint = v;
    } else if (strncmp(a, "--exclude", 9) == 0) {
        gcsplan_error err;
        if (s->exclude == NULL && gcsplan_filter_new(&s->exclude, NULL, &err) != 0) {
            diag_error("%s", err.message);
            return -1;
        }
        if (gcsplan_filter_add(s->exclude, v, strlen(v), &err) != 0) {
            fprintf(stderr, "gcsplan %s: --exclude '%s': %s at byte %zu\n", sub, v, err.message,
                    err.offset);
            return diag_usage(sub, "invalid --exclude expression"), -1;
        }
        s->opts.exclude = s->exclude;
    } else if (strncmp(a, "--parallel", 10) == 0) {
        if (number(sub, "--parallel", v, 256, &n) != 0)
            return -1;
        if (n == 0)
            return diag_usage(sub, "--parallel is at least 1"), -1;
        s->opts.parallel = (unsigned)n;
    } else if (strncmp(a, "--page-size", 11) == 0) {
        if (number(sub, "--page-size", v, 1000, &n) != 0)
            return -1;
        if (n == 0)
            return diag_usage(sub, "--page-size is 1 to 1000"), -1;
        s->opts.page_size = (unsigned)n;
    } else if (strncmp(a, "--retries", 9) == 0) {
        if (number(sub, "--retries", v, 100, &n) != 0)
            return -1;
        s->opts.retries = (int)n;
    } else if (strncmp(a, "--retry-base-ms", 15) == 0) {
        if (number(sub, "--retry-base-ms", v, 600000, &n) != 0)
            return -1;
        s->opts.retry_base_ms = n ? (unsigned)n : 1;
    } else if (strncmp(a, "--retry-max-ms", 14) == 0) {
        if (number(sub, "--retry-max-ms", v, 3600000, &n) != 0)
            return -1;
        s->opts.retry_max_ms = n ? (unsigned)n : 1;
    } else if (strncmp(a, "--timeout", 9) == 0) {
        if (number(sub, "--timeout", v, 86400, &n) != 0)
            return -1;
        if (n == 0)
            return diag_usage(sub, "--timeout is at least 1 second"), -1;
        s->opts.timeout_ms = (unsigned)n * 1000;
    } else if (strncmp(a, "--strategy", 10) == 0) {
        if (strcmp(v, "auto") == 0)
            s->opts.strategy = GCSPLAN_STRATEGY_AUTO;
        else if (strcmp(v, "flat") == 0)
            s->opts.strategy = GCSPLAN_STRATEGY_FLAT;
        else if (strcmp(v, "walk") == 0)
            s->opts.strategy = GCSPLAN_STRATEGY_WALK;
        else
            return diag_usage(sub, "--strategy is auto, flat or walk, not '%s'", v), -1;
    }
    return 1;
}

int source_args_rest(source_args *s, const char *sub, const char *a)
{
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        cli_print_help(stdout, sub);
        return 0;
    }
    if (a[0] == '-' && a[1] != '\0')
        return diag_usage(sub, "unknown option '%s'", a), -1;
    if (s->uri != NULL)
        return diag_usage(sub, "only one URI is allowed"), -1;
    s->uri = a;
    return 1;
}

int source_args_need_uri(const source_args *s, const char *sub)
{
    if (s->uri == NULL)
        return diag_usage(sub, "a URI is required"), -1;
    return 0;
}

/* The live status line: rewritten in place on the terminal. */
static void show_progress(const gcsplan_list_stats *st, void *ctx)
{
    static double t0;
    (void)ctx;
    double dt = cli_elapsed(&t0);
    char bytes[32];
    gcsplan__human_bytes(bytes, sizeof bytes, st->bytes);
    fprintf(stderr,
            "\r\033[Klisted %llu  matched %llu  %s  pages %llu  %.0f req/s  retries %llu",
            (unsigned long long)st->listed, (unsigned long long)st->matched, bytes,
            (unsigned long long)st->pages, (double)st->requests / dt,
            (unsigned long long)st->retries);
    fflush(stderr);
}

int source_args_open(source_args *s, const char *sub, gcsplan_pattern **pattern,
                     gcsplan_lister **lister)
{
    gcsplan_error err;
    size_t len = strlen(s->uri);
    *pattern = NULL;
    *lister = NULL;
    if (gcsplan_pattern_compile(pattern, s->uri, len, NULL, &err) != 0) {
        diag_uri_error(s->uri, len, &err);
        return err.code == GCSPLAN_EURI ? EXIT_USAGE : EXIT_SOURCE;
    }
    for (size_t i = 0; i < gcsplan_pattern_warning_count(*pattern); i++)
        diag_uri_warning(s->uri, len, gcsplan_pattern_warning(*pattern, i));
    if (s->progress == -1)
        s->progress = isatty(STDERR_FILENO);
    if (s->progress) {
        s->opts.progress = show_progress;
        s->opts.progress_interval_ms = 200;
    }
    if (gcsplan_lister_new(lister, *pattern, &s->opts, &err) != 0) {
        diag_error("%s", err.message);
        (void)sub;
        return err.code == GCSPLAN_EINVAL ? EXIT_USAGE : EXIT_SOURCE;
    }
    if (s->explain) {
        char buf[8192];
        gcsplan_lister_explain(*lister, buf, sizeof buf);
        fputs(buf, stderr);
    }
    return EXIT_YES;
}

int source_args_close(source_args *s, gcsplan_lister *l, int rc)
{
    if (s->progress)
        fputs("\r\033[K", stderr);
    gcsplan_list_stats st;
    gcsplan_lister_stats(l, &st);
    if (s->explain)
        fprintf(stderr,
                "done: %llu requests (%llu retries), %llu pages, %llu objects listed, "
                "%llu prefixes, %llu matched, %llu excluded\n",
                (unsigned long long)st.requests, (unsigned long long)st.retries,
                (unsigned long long)st.pages, (unsigned long long)st.listed,
                (unsigned long long)st.prefixes, (unsigned long long)st.matched,
                (unsigned long long)st.excluded);
    if (rc == 0 || rc == GCSPLAN_ITEROVER)
        return EXIT_YES;
    const gcsplan_error *e = gcsplan_lister_error(l);
    diag_error("%s (the listing is incomplete)", e->message[0] ? e->message : gcsplan_strerror(rc));
    return EXIT_SOURCE;
}

void source_args_free(source_args *s)
{
    gcsplan_filter_free(s->exclude);
    s->exclude = NULL;
}
