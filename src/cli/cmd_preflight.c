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

const struct option preflight_report_options[] = {
    { "no-preflight", no_argument, NULL, OPT_NO_PREFLIGHT },
    { "examples", required_argument, NULL, OPT_EXAMPLES },
    { "fail-on", required_argument, NULL, OPT_FAIL_ON },
    { NULL, 0, NULL, 0 },
};

const struct option preflight_options[] = {
    { "probe", no_argument, NULL, OPT_PROBE },
    { "probe-parallel", required_argument, NULL, OPT_PROBE_PARALLEL },
    { "max-object-size", required_argument, NULL, OPT_MAX_OBJECT_SIZE },
    { "max-examined", required_argument, NULL, OPT_MAX_EXAMINED },
    { NULL, 0, NULL, 0 },
};

static int count_opt(const char *cmd, const char *opt, const char *v, unsigned long max,
                     unsigned long *out)
{
    uint64_t n;
    if (gcsplan__parse_u64(v, strlen(v), max, &n) != 0 || n == 0) {
        diag_usage(cmd, "%s needs a number from 1 to %lu, not '%s'", opt, max, v);
        return -1;
    }
    *out = (unsigned long)n;
    return 0;
}

int preflight_args_take(void *state, int id, const char *v, const char *cmd)
{
    preflight_args *a = state;
    unsigned long n;
    unsigned long long size;
    switch (id) {
    case OPT_PROBE:
        a->opts.probe = 1;
        return 0;
    case OPT_NO_PREFLIGHT:
        a->enabled = 0;
        return 0;
    case OPT_PROBE_PARALLEL:
        if (count_opt(cmd, "--probe-parallel", v, GCSPLAN_PROBE_PARALLEL_MAX, &n) != 0)
            return -1;
        a->opts.probe_parallel = (unsigned int)n;
        return 0;
    case OPT_MAX_OBJECT_SIZE:
        if (cli_parse_size(v, &size) != 0 || size == 0)
            return diag_usage(cmd, "--max-object-size needs a size such as 2G, not '%s'", v), -1;
        a->opts.max_object_size = size;
        return 0;
    case OPT_EXAMPLES:
        if (count_opt(cmd, "--examples", v, EXAMPLES_OPT_MAX, &n) != 0)
            return -1;
        a->opts.max_examples = (unsigned int)n;
        return 0;
    case OPT_MAX_EXAMINED:
        if (count_opt(cmd, "--max-examined", v, EXAMINED_OPT_MAX, &n) != 0)
            return -1;
        a->opts.max_examined = n;
        return 0;
    case OPT_FAIL_ON:
        if (strcmp(v, "none") == 0)
            a->fail_on = FAIL_ON_NEVER;
        else if (strcmp(v, "info") == 0)
            a->fail_on = GCSPLAN_SEVERITY_INFO;
        else if (strcmp(v, "warning") == 0)
            a->fail_on = GCSPLAN_SEVERITY_WARNING;
        else if (strcmp(v, "error") == 0)
            a->fail_on = GCSPLAN_SEVERITY_ERROR;
        else
            return diag_usage(cmd, "--fail-on is none, info, warning or error, not '%s'", v), -1;
        return 0;
    default:
        return 0;
    }
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

int preflight_args_finish(preflight_args *a)
{
    if (a->pf == NULL || a->finished)
        return EXIT_YES;
    if (a->failed)
        return EXIT_SOURCE;
    if (a->status != NULL) {
        fputs(a->status, stderr);
        fflush(stderr);
    }
    gcsplan_error err;
    int rc = gcsplan_preflight_finish(a->pf, &err);
    if ((a->progress && a->opts.probe) || a->status != NULL)
        fputs("\r\033[K", stderr);
    if (rc != 0) {
        stop(a, &err);
        return EXIT_SOURCE;
    }
    a->finished = 1;
    return EXIT_YES;
}

/* Finish the pre-flight and render its findings into *text (malloc'd). */
static int render(preflight_args *a, int json, int colour, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    if (a->pf == NULL)
        return EXIT_YES;
    int status = preflight_args_finish(a);
    if (status != EXIT_YES)
        return status;
    unsigned flags = colour ? GCSPLAN_RENDER_COLOR : 0;
    size_t need = json ? gcsplan_preflight_render_json(a->pf, NULL, 0)
                       : gcsplan_preflight_render(a->pf, NULL, 0, flags);
    *text = malloc(need + 1);
    if (*text == NULL) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    if (json)
        gcsplan_preflight_render_json(a->pf, *text, need + 1);
    else
        gcsplan_preflight_render(a->pf, *text, need + 1, flags);
    *len = need;
    if (a->fail_on != FAIL_ON_NEVER && gcsplan_preflight_worst(a->pf) >= a->fail_on)
        return EXIT_NO;
    return EXIT_YES;
}

int preflight_args_report(preflight_args *a, int to_stdout, int json, int colour)
{
    char *text;
    size_t len;
    int status = render(a, json, colour, &text, &len);
    if (text == NULL)
        return status;
    if (!to_stdout) {
        fwrite(text, 1, len, stderr);
    } else if (json) {
        out_json(text, len);
        out_puts("\n");
    } else {
        out_write(out_stdout(), text, len);
    }
    free(text);
    return status;
}

int preflight_args_json(preflight_args *a, char **json, size_t *len)
{
    return render(a, 1, 0, json, len);
}

void preflight_args_free(preflight_args *a)
{
    gcsplan_preflight_free(a->pf);
    a->pf = NULL;
}

/* The store checks: --store and --content-structure are preflight's own
 * (plan and import have theirs, which say where the import goes);
 * --project-number and --sample are shared with import, which runs the
 * checks before it starts. */
static const struct option store_options[] = {
    { "store", required_argument, NULL, OPT_STORE },
    { "content-structure", required_argument, NULL, OPT_CONTENT_STRUCTURE },
    { NULL, 0, NULL, 0 },
};

const struct option preflight_store_options[] = {
    { "project-number", required_argument, NULL, OPT_PROJECT_NUMBER },
    { "sample", required_argument, NULL, OPT_SAMPLE },
    { NULL, 0, NULL, 0 },
};

int preflight_store_take(void *state, int id, const char *v, const char *cmd)
{
    preflight_args *a = state;
    gcsplan_store st;
    unsigned long n;
    uint64_t number;
    switch (id) {
    case OPT_STORE:
        if (gcsplan_store_parse(&st, v, strlen(v), NULL) != 0)
            return diag_usage(cmd, "--store is projects/P/locations/L/datasets/D/dicomStores/S "
                                   "or .../fhirStores/S, not '%s'", v), -1;
        a->opts.store = v;
        return 0;
    case OPT_CONTENT_STRUCTURE:
        if (!gcsplan_content_structure_valid(v, strlen(v)))
            return diag_usage(cmd, "--content-structure is BUNDLE, RESOURCE, BUNDLE_PRETTY or "
                                   "RESOURCE_PRETTY, not '%s'", v), -1;
        a->opts.content_structure = v;
        return 0;
    case OPT_PROJECT_NUMBER:
        if (gcsplan__parse_u64(v, strlen(v), UINT64_MAX, &number) != 0 || number == 0)
            return diag_usage(cmd, "--project-number needs a project number (digits), not "
                                   "'%s'", v), -1;
        a->opts.project_number = number;
        return 0;
    case OPT_SAMPLE:
        if (count_opt(cmd, "--sample", v, GCSPLAN_PREFLIGHT_SAMPLE_MAX, &n) != 0)
            return -1;
        a->opts.sample_max = (unsigned int)n;
        return 0;
    default:
        return 0;
    }
}

/* The rules between the store options and the others. 0, or -1 after a
 * usage error. */
static int store_rules(const preflight_args *a)
{
    const gcsplan_preflight_options *o = &a->opts;
    gcsplan_store st;
    if (o->store == NULL) {
        const char *alone = o->content_structure ? "--content-structure"
                            : o->project_number ? "--project-number"
                            : o->sample_max ? "--sample" : NULL;
        if (alone != NULL)
            return diag_usage("preflight", "%s is for the store checks: give --store", alone), -1;
        return 0;
    }
    gcsplan_store_parse(&st, o->store, strlen(o->store), NULL);
    if (st.kind == GCSPLAN_STORE_DICOM && o->content_structure != NULL)
        return diag_usage("preflight", "--content-structure is for FHIR stores; --store names a "
                                       "DICOM store"), -1;
    if (st.kind == GCSPLAN_STORE_FHIR && o->probe)
        return diag_usage("preflight", "--probe reads DICOM files; a FHIR store's objects are "
                                       "sampled (--sample)"), -1;
    return 0;
}

int cmd_preflight(int argc, char **argv)
{
    source_args src;
    preflight_args pfa;
    int json = 0, status = EXIT_USAGE;
    gcsplan_pattern *p = NULL;
    gcsplan_lister *l = NULL;
    source_args_init(&src);
    preflight_args_init(&pfa, GCSPLAN_SEVERITY_ERROR);
    cli_group groups[] = { SOURCE_GROUP(&src), PREFLIGHT_GROUP(&pfa), CLI_JSON_GROUP(&json),
                           { store_options, preflight_store_take, &pfa },
                           PREFLIGHT_STORE_GROUP(&pfa) };
    cli_operands ops = { NULL, 0 };
    int rc = cli_parse("preflight", argc, argv, groups, CLI_GROUPS(groups), &ops);
    if (rc != CLI_PARSED) {
        status = cli_parse_status(rc);
        goto done;
    }
    if (source_args_uri(&src, "preflight", &ops) != 0)
        goto done;
    if (!pfa.enabled) {
        diag_usage("preflight", "--no-preflight leaves nothing to do");
        goto done;
    }
    if (store_rules(&pfa) != 0)
        goto done;
    status = source_args_open(&src, &p, &l);
    if (status == EXIT_YES)
        status = preflight_args_begin(&pfa, p, &src.opts, src.progress);
    if (status == EXIT_YES) {
        const gcsplan_object *o;
        int lrc;
        while ((lrc = gcsplan_lister_next(&o, l)) == 0)
            preflight_args_add(&pfa, o);
        status = source_args_close(&src, l, lrc);
        /* Findings about an incomplete listing would mislead: none then. */
        if (status == EXIT_YES)
            status = preflight_args_report(&pfa, 1, json,
                                           !json && diag_color() && out_stdout()->tty);
    }
done:
    preflight_args_free(&pfa);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    cli_operands_free(&ops);
    source_args_free(&src);
    return status;
}
