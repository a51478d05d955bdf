/* gcsplan preflight: the findings about an import, before it runs; and the
 * pre-flight options and report that ls and plan share (preflight_args.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "preflight_args.h"
#include "source_args.h"
#include "util/num.h"

/* Upper bounds of the numeric options: beyond these a value is a typo. */
#define EXAMPLES_OPT_MAX GCSPLAN_PREFLIGHT_EXAMPLES_MAX
#define EXAMINED_OPT_MAX 100000000ul

void preflight_args_init(preflight_args *a, int fail_on_default)
{
    gcsplan_preflight_options o = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    memset(a, 0, sizeof *a);
    a->opts = o;
    a->enabled = 1;
    a->fail_on = fail_on_default;
    a->progress = -1;
}

static int count_opt(const char *sub, const char *opt, const char *v, unsigned long max,
                     unsigned long *out)
{
    uint64_t n;
    if (gcsplan__parse_u64(v, strlen(v), max, &n) != 0 || n == 0) {
        diag_usage(sub, "%s needs a number from 1 to %lu, not '%s'", opt, max, v);
        return -1;
    }
    *out = (unsigned long)n;
    return 0;
}

int preflight_args_take(preflight_args *a, const char *sub, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    static const char *const valued[] = { "--probe-parallel", "--max-object-size", "--examples",
                                          "--max-examined", "--fail-on", NULL };
    if (strcmp(arg, "--probe") == 0) {
        a->opts.probe = 1;
        return 1;
    }
    if (strcmp(arg, "--no-preflight") == 0) {
        a->enabled = 0;
        return 1;
    }
    const char *opt = NULL, *v = NULL;
    for (const char *const *p = valued; *p != NULL; p++) {
        size_t n = strlen(*p);
        if (strncmp(arg, *p, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
            opt = *p;
            if (arg[n] == '=') {
                v = arg + n + 1;
            } else if (*i + 1 < argc) {
                v = argv[++*i];
            } else {
                diag_usage(sub, "%s needs a value", opt);
                return -1;
            }
            break;
        }
    }
    if (opt == NULL)
        return 0;
    unsigned long n;
    unsigned long long size;
    if (strcmp(opt, "--probe-parallel") == 0) {
        if (count_opt(sub, opt, v, GCSPLAN_PROBE_PARALLEL_MAX, &n) != 0)
            return -1;
        a->opts.probe_parallel = (unsigned int)n;
    } else if (strcmp(opt, "--max-object-size") == 0) {
        if (cli_parse_size(v, &size) != 0 || size == 0) {
            diag_usage(sub, "--max-object-size needs a size such as 2G, not '%s'", v);
            return -1;
        }
        a->opts.max_object_size = size;
    } else if (strcmp(opt, "--examples") == 0) {
        if (count_opt(sub, opt, v, EXAMPLES_OPT_MAX, &n) != 0)
            return -1;
        a->opts.max_examples = (unsigned int)n;
    } else if (strcmp(opt, "--max-examined") == 0) {
        if (count_opt(sub, opt, v, EXAMINED_OPT_MAX, &n) != 0)
            return -1;
        a->opts.max_examined = n;
    } else {
        if (strcmp(v, "none") == 0)
            a->fail_on = FAIL_ON_NEVER;
        else if (strcmp(v, "info") == 0)
            a->fail_on = GCSPLAN_SEVERITY_INFO;
        else if (strcmp(v, "warning") == 0)
            a->fail_on = GCSPLAN_SEVERITY_WARNING;
        else if (strcmp(v, "error") == 0)
            a->fail_on = GCSPLAN_SEVERITY_ERROR;
        else {
            diag_usage(sub, "--fail-on is none, info, warning or error, not '%s'", v);
            return -1;
        }
    }
    return 1;
}

int listing_args_take(source_args *src, preflight_args *a, const char *sub, int argc, char **argv,
                      int *i)
{
    int took = source_args_take(src, sub, argc, argv, i);
    return took != 0 ? took : preflight_args_take(a, sub, argc, argv, i);
}

/* The probe's status line, rewritten in place. */
static void show_probe_progress(const gcsplan_probe_stats *st, void *ctx)
{
    static double t0;
    (void)ctx;
    double dt = cli_elapsed(&t0);
    fprintf(stderr, "\r\033[Kprobed %llu of %llu  not DICOM %llu  failed %llu  %.0f/s  retries %llu",
            (unsigned long long)st->done, (unsigned long long)st->queued,
            (unsigned long long)st->not_dicom, (unsigned long long)st->failed,
            (double)st->done / dt, (unsigned long long)st->retries);
    fflush(stderr);
}

int preflight_args_begin(preflight_args *a, const gcsplan_pattern *pattern,
                         const gcsplan_lister_options *source, int progress_default)
{
    if (!a->enabled)
        return EXIT_YES;
    a->opts.source = source;
    if (a->progress == -1)
        a->progress = progress_default;
    if (a->progress && a->opts.probe) {
        a->opts.progress = show_probe_progress;
        a->opts.progress_interval_ms = 200;
    }
    gcsplan_error err;
    if (gcsplan_preflight_new(&a->pf, pattern, &a->opts, &err) != 0) {
        diag_error("preflight: %s", err.message);
        return err.code == GCSPLAN_EINVAL ? EXIT_USAGE : EXIT_SOURCE;
    }
    return EXIT_YES;
}

static void stop(preflight_args *a, const gcsplan_error *err)
{
    if (a->progress && a->opts.probe)
        fputs("\r\033[K", stderr);
    diag_error("preflight: %s", err->message[0] ? err->message : gcsplan_strerror(err->code));
    a->failed = 1;
}

void preflight_args_add(preflight_args *a, const gcsplan_object *o)
{
    gcsplan_error err;
    if (a->pf == NULL || a->failed)
        return;
    if (gcsplan_preflight_add(a->pf, o, &err) != 0)
        stop(a, &err);
}

int preflight_args_report(preflight_args *a, FILE *f, int json, int colour)
{
    if (a->pf == NULL)
        return EXIT_YES;
    if (a->failed)
        return EXIT_SOURCE;
    gcsplan_error err;
    int rc = gcsplan_preflight_finish(a->pf, &err);
    if (a->progress && a->opts.probe)
        fputs("\r\033[K", stderr);
    if (rc != 0) {
        stop(a, &err);
        return EXIT_SOURCE;
    }
    size_t need = json ? gcsplan_preflight_render_json(a->pf, NULL, 0)
                       : gcsplan_preflight_render(a->pf, NULL, 0, colour ? GCSPLAN_RENDER_COLOR : 0);
    char *text = malloc(need + 1);
    if (text == NULL) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    if (json)
        gcsplan_preflight_render_json(a->pf, text, need + 1);
    else
        gcsplan_preflight_render(a->pf, text, need + 1, colour ? GCSPLAN_RENDER_COLOR : 0);
    fwrite(text, 1, need, f);
    if (json)
        fputc('\n', f);
    free(text);
    if (fflush(f) != 0)
        return EXIT_SOURCE;
    if (a->fail_on != FAIL_ON_NEVER && gcsplan_preflight_worst(a->pf) >= a->fail_on)
        return EXIT_NO;
    return EXIT_YES;
}

void preflight_args_free(preflight_args *a)
{
    gcsplan_preflight_free(a->pf);
    a->pf = NULL;
}

int cmd_preflight(int argc, char **argv)
{
    source_args src;
    preflight_args pfa;
    int json = 0, status = EXIT_USAGE;
    source_args_init(&src);
    preflight_args_init(&pfa, GCSPLAN_SEVERITY_ERROR);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took = listing_args_take(&src, &pfa, "preflight", argc, argv, &i);
        if (took < 0)
            goto done;
        if (took > 0)
            continue;
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else {
            int r = source_args_rest(&src, "preflight", a);
            if (r <= 0) {
                status = r == 0 ? EXIT_YES : EXIT_USAGE;
                goto done;
            }
        }
    }
    if (source_args_need_uri(&src, "preflight") != 0)
        goto done;
    if (!pfa.enabled) {
        diag_usage("preflight", "--no-preflight leaves nothing to do");
        goto done;
    }
    gcsplan_pattern *p;
    gcsplan_lister *l;
    status = source_args_open(&src, "preflight", &p, &l);
    if (status != EXIT_YES) {
        gcsplan_pattern_free(p);
        goto done;
    }
    status = preflight_args_begin(&pfa, p, &src.opts, src.progress);
    if (status == EXIT_YES) {
        const gcsplan_object *o;
        int rc;
        while ((rc = gcsplan_lister_next(&o, l)) == 0)
            preflight_args_add(&pfa, o);
        status = source_args_close(&src, l, rc);
        /* Findings about an incomplete listing would mislead: none then. */
        if (status == EXIT_YES)
            status = preflight_args_report(&pfa, stdout, json, !json && diag_color() &&
                                                                isatty(STDOUT_FILENO));
    }
    preflight_args_free(&pfa);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
done:
    source_args_free(&src);
    return status;
}
