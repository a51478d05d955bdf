/* Source, listing and filter options of the listing commands, and the
 * progress line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "util/num.h"
#include "source_args.h"

const struct option storage_options[] = {
    { "endpoint", required_argument, NULL, OPT_ENDPOINT },
    { NULL, 0, NULL, 0 },
};

const struct option source_options[] = {
    { "listing", required_argument, NULL, OPT_LISTING },
    { "bucket-dir", required_argument, NULL, OPT_BUCKET_DIR },
    { "exclude", required_argument, NULL, OPT_EXCLUDE },
    { "parallel", required_argument, NULL, OPT_PARALLEL },
    { "page-size", required_argument, NULL, OPT_PAGE_SIZE },
    { "retries", required_argument, NULL, OPT_RETRIES },
    { "retry-base-ms", required_argument, NULL, OPT_RETRY_BASE_MS },
    { "retry-max-ms", required_argument, NULL, OPT_RETRY_MAX_MS },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "strategy", required_argument, NULL, OPT_STRATEGY },
    { "explain", no_argument, NULL, OPT_EXPLAIN },
    { "progress", no_argument, NULL, OPT_PROGRESS },
    { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
    { "stall-timeout", required_argument, NULL, OPT_STALL_TIMEOUT },
    { "stall-bytes", required_argument, NULL, OPT_STALL_BYTES },
    { NULL, 0, NULL, 0 },
};

void source_args_init(source_args *s)
{
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    memset(s, 0, sizeof *s);
    s->opts = o;
    s->progress = -1;
}

/* The numeric options: a number from lo to max, or a usage error. */
static int number(const char *cmd, const char *opt, const char *v, unsigned long lo,
                  unsigned long max, const char *range, unsigned long *out)
{
    uint64_t n;
    if (gcsplan__parse_u64(v, strlen(v), max, &n) != 0)
        return diag_usage(cmd, "%s needs a number up to %lu, not '%s'", opt, max, v), -1;
    if (n < lo)
        return diag_usage(cmd, "%s %s", opt, range), -1;
    *out = (unsigned long)n;
    return 0;
}

static int one_source(const source_args *s, const char *cmd, int id)
{
    /* --endpoint names where the live source is, so it excludes the others;
     * either of --listing and --bucket-dir excludes everything else. */
    int clash = id == OPT_ENDPOINT ? s->opts.source != GCSPLAN_SOURCE_LIVE
                                   : s->opts.source != GCSPLAN_SOURCE_LIVE || s->opts.endpoint;
    if (clash)
        return diag_usage(cmd, "give one source: --listing, --bucket-dir or --endpoint"), -1;
    return 0;
}

int source_args_take(void *state, int id, const char *v, const char *cmd)
{
    source_args *s = state;
    unsigned long n = 0;
    gcsplan_error err;
    switch (id) {
    case OPT_EXPLAIN: s->explain = 1; return 0;
    case OPT_PROGRESS: s->progress = 1; return 0;
    case OPT_NO_PROGRESS: s->progress = 0; return 0;
    case OPT_LISTING:
    case OPT_BUCKET_DIR:
        if (one_source(s, cmd, id) != 0)
            return -1;
        s->opts.source = id == OPT_LISTING ? GCSPLAN_SOURCE_LISTING : GCSPLAN_SOURCE_DIR;
        s->opts.path = v;
        return 0;
    case OPT_ENDPOINT:
        if (one_source(s, cmd, id) != 0)
            return -1;
        s->opts.endpoint = v;
        return 0;
    case OPT_EXCLUDE:
        if (s->exclude == NULL && gcsplan_filter_new(&s->exclude, NULL, &err) != 0) {
            diag_error("%s", err.message);
            return -1;
        }
        if (gcsplan_filter_add(s->exclude, v, strlen(v), &err) != 0) {
            diag_note("gcsplan %s: --exclude '%s': %s at byte %zu", cmd, v, err.message,
                      err.offset);
            return diag_usage(cmd, "invalid --exclude expression"), -1;
        }
        s->opts.exclude = s->exclude;
        return 0;
    case OPT_PARALLEL:
        if (number(cmd, "--parallel", v, 1, 256, "is at least 1", &n) != 0)
            return -1;
        s->opts.parallel = (unsigned)n;
        return 0;
    case OPT_PAGE_SIZE:
        if (number(cmd, "--page-size", v, 1, 1000, "is 1 to 1000", &n) != 0)
            return -1;
        s->opts.page_size = (unsigned)n;
        return 0;
    case OPT_RETRIES:
        if (number(cmd, "--retries", v, 0, 100, "", &n) != 0)
            return -1;
        s->opts.retries = (int)n;
        return 0;
    case OPT_RETRY_BASE_MS:
        if (number(cmd, "--retry-base-ms", v, 0, 600000, "", &n) != 0)
            return -1;
        s->opts.retry_base_ms = n ? (unsigned)n : 1;
        return 0;
    case OPT_RETRY_MAX_MS:
        if (number(cmd, "--retry-max-ms", v, 0, 3600000, "", &n) != 0)
            return -1;
        s->opts.retry_max_ms = n ? (unsigned)n : 1;
        return 0;
    case OPT_TIMEOUT:
        if (number(cmd, "--timeout", v, 1, 86400, "is at least 1 second", &n) != 0)
            return -1;
        s->opts.timeout_ms = (unsigned)n * 1000;
        return 0;
    case OPT_STALL_TIMEOUT:
        /* The progress budget (docs/lister.md): how long a listing or a probe
         * may wait without a new object, directory or probe result. */
        if (number(cmd, "--stall-timeout", v, 1, 86400, "is at least 1 second", &n) != 0)
            return -1;
        s->opts.no_progress_ms = (unsigned)n * 1000;
        return 0;
    case OPT_STALL_BYTES: {
        /* Bytes of pages in a row that bring no new object or directory
         * (docs/lister.md), K, M, G or T as for --max-bytes. */
        unsigned long long size;
        if (cli_parse_size(v, &size) != 0 || size == 0)
            return diag_usage(cmd, "--stall-bytes needs a size such as 64M, not '%s'", v), -1;
        s->opts.no_progress_bytes = size;
        return 0;
    }
    case OPT_STRATEGY:
        if (strcmp(v, "auto") == 0)
            s->opts.strategy = GCSPLAN_STRATEGY_AUTO;
        else if (strcmp(v, "flat") == 0)
            s->opts.strategy = GCSPLAN_STRATEGY_FLAT;
        else if (strcmp(v, "walk") == 0)
            s->opts.strategy = GCSPLAN_STRATEGY_WALK;
        else
            return diag_usage(cmd, "--strategy is auto, flat or walk, not '%s'", v), -1;
        return 0;
    default:
        return 0;
    }
}

int source_args_uri(source_args *s, const char *cmd, const cli_operands *ops)
{
    if (ops->n == 0)
        return diag_usage(cmd, "a URI is required"), -1;
    if (ops->n > 1)
        return diag_usage(cmd, "only one URI is allowed"), -1;
    s->uri = ops->v[0];
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

int source_args_open(source_args *s, gcsplan_pattern **pattern, gcsplan_lister **lister)
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
        return err.code == GCSPLAN_EINVAL ? EXIT_USAGE : EXIT_SOURCE;
    }
    if (s->explain) {
        char buf[8192];
        gcsplan_lister_explain(*lister, buf, sizeof buf);
        diag_text(buf);
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
