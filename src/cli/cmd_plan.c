/* gcsplan plan: split the objects a URI matches into import jobs, prove the
 * plan against the listing, and print it.
 *
 * Phases: parse the options; open the source; list it once into a snapshot
 * on disk while the planner reads it; refine (--max-jobs re-plans the
 * snapshot); prove the plan against the snapshot with the independent
 * checker, which tells each object's job, so that the prefix summary of
 * the report is made on the same pass (for --json and --format=html); print
 * (to -o FILE when given). Nothing is printed unless the proof holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "out.h"
#include "out_file.h"
#include "page.h"
#include "plan_out.h"
#include "preflight_args.h"
#include "source_args.h"
#include "spool.h"

typedef struct plan_args {
    source_args src;
    preflight_args pfa;
    int json;
    plan_format fmt;
    uint64_t max_jobs;
    gcsplan_plan_options po;
    int no_summary;          /* --no-summary */
    size_t summary_nodes;    /* --summary-nodes, 0: the default */
    const char *output;      /* -o FILE, or NULL */
    int64_t now_ms;          /* when the plan is made, for the page */
} plan_args;

/* What a run holds, freed in one place. */
typedef struct plan_run {
    gcsplan_pattern *pattern;
    gcsplan_lister *lister;
    spool sp;
    gcsplan_planner *planner;
    gcsplan_plan_check *check;
    gcsplan_summary *summary; /* --json, --format=html: made while proving */
    out_file out;
} plan_run;

/* --- parse --------------------------------------------------------------------------- */

static const struct option plan_options[] = {
    { "max-objects", required_argument, NULL, OPT_MAX_OBJECTS },
    { "max-bytes", required_argument, NULL, OPT_MAX_BYTES },
    { "max-jobs", required_argument, NULL, OPT_MAX_JOBS },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "store", required_argument, NULL, OPT_STORE },
    { "content-structure", required_argument, NULL, OPT_CONTENT_STRUCTURE },
    { "api-endpoint", required_argument, NULL, OPT_API_ENDPOINT },
    { "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
    { "summary-nodes", required_argument, NULL, OPT_SUMMARY_NODES },
    { NULL, 0, NULL, 0 },
};

static int plan_take(void *state, int id, const char *v, const char *cmd)
{
    plan_args *a = state;
    unsigned long long n;
    switch (id) {
    case OPT_MAX_OBJECTS:
        if (cli_parse_count(v, &n) != 0)
            return diag_usage(cmd, "--max-objects needs a positive number, not '%s'", v), -1;
        a->po.max_objects = n;
        return 0;
    case OPT_MAX_BYTES:
        if (cli_parse_size(v, &n) != 0 || n == 0)
            return diag_usage(cmd, "--max-bytes needs a size such as 500G, not '%s'", v), -1;
        a->po.max_bytes = n;
        return 0;
    case OPT_MAX_JOBS:
        if (cli_parse_count(v, &n) != 0)
            return diag_usage(cmd, "--max-jobs needs a positive number, not '%s'", v), -1;
        a->max_jobs = n;
        return 0;
    case OPT_FORMAT: {
        static const char *const names[] = { "table", "json", "gcloud", "curl", "html" };
        for (int k = 0; k < 5; k++)
            if (strcmp(v, names[k]) == 0) {
                a->fmt.kind = (plan_kind)k;
                return 0;
            }
        return diag_usage(cmd, "--format is table, json, gcloud, curl or html, not '%s'", v), -1;
    }
    case OPT_NO_SUMMARY:
        a->no_summary = 1;
        return 0;
    case OPT_SUMMARY_NODES:
        if (cli_parse_count(v, &n) != 0 || n < GCSPLAN_SUMMARY_NODES_MIN ||
            n > GCSPLAN_SUMMARY_NODES_MAX)
            return diag_usage(cmd, "--summary-nodes needs a number from %d to %d, not '%s'",
                              GCSPLAN_SUMMARY_NODES_MIN, GCSPLAN_SUMMARY_NODES_MAX, v), -1;
        a->summary_nodes = (size_t)n;
        return 0;
    case OPT_STORE:
        if (gcsplan_store_parse(&a->fmt.parts, v, strlen(v), NULL) != 0)
            return diag_usage(cmd, "--store is projects/P/locations/L/datasets/D/dicomStores/S "
                                   "or .../fhirStores/S, not '%s'", v), -1;
        a->fmt.store = v;
        return 0;
    case OPT_CONTENT_STRUCTURE:
        if (!gcsplan_content_structure_valid(v, strlen(v)))
            return diag_usage(cmd, "--content-structure is BUNDLE, RESOURCE, BUNDLE_PRETTY or "
                                   "RESOURCE_PRETTY, not '%s'", v), -1;
        a->fmt.content_structure = v;
        return 0;
    case OPT_API_ENDPOINT:
        a->fmt.api_endpoint = v;
        return 0;
    default:
        return 0;
    }
}

/* The options, and the rules between them. CLI_PARSED, CLI_HELPED or CLI_BAD. */
static int parse(plan_args *a, int argc, char **argv)
{
    cli_group groups[] = { SOURCE_GROUP(&a->src), PREFLIGHT_GROUP(&a->pfa),
                           CLI_JSON_GROUP(&a->json), OUT_FILE_GROUP(&a->output),
                           { plan_options, plan_take, a } };
    cli_operands ops;
    int rc = cli_parse("plan", argc, argv, groups, CLI_GROUPS(groups), &ops);
    if (rc != CLI_PARSED)
        return rc;
    rc = source_args_uri(&a->src, "plan", &ops) == 0 ? CLI_PARSED : CLI_BAD;
    cli_operands_free(&ops);
    if (rc != CLI_PARSED)
        return rc;
    if (a->json)
        a->fmt.kind = PLAN_JSON;
    if ((a->fmt.kind == PLAN_GCLOUD || a->fmt.kind == PLAN_CURL) && a->fmt.store == NULL)
        return diag_usage("plan", "--format=%s needs --store",
                          a->fmt.kind == PLAN_GCLOUD ? "gcloud" : "curl"), CLI_BAD;
    if (a->fmt.content_structure != NULL && a->fmt.store == NULL)
        return diag_usage("plan", "--content-structure needs a FHIR store: --store "
                                  "projects/P/locations/L/datasets/D/fhirStores/S"), CLI_BAD;
    if (a->fmt.content_structure != NULL && a->fmt.parts.kind != GCSPLAN_STORE_FHIR)
        return diag_usage("plan", "--content-structure is for FHIR stores; --store names a "
                                  "DICOM store"), CLI_BAD;
    if (a->no_summary && a->summary_nodes)
        return diag_usage("plan", "--summary-nodes sizes the summary that --no-summary leaves "
                                  "out"), CLI_BAD;
    if (a->fmt.kind == PLAN_HTML && page_check_target("plan", a->output) != EXIT_YES)
        return CLI_BAD;
    int fixed;
    if (a->fmt.kind == PLAN_HTML && page_clock("plan", &a->now_ms, &fixed) != EXIT_YES)
        return CLI_BAD;
    return CLI_PARSED;
}

/* --- plan ---------------------------------------------------------------------------- */

/* The snapshot could not be read back: err says so. */
static int snapshot_error(gcsplan_error *err)
{
    gcsplan_error_clear(err);
    err->code = GCSPLAN_ESOURCE;
    snprintf(err->message, sizeof err->message, "reading the listing snapshot: %s",
             strerror(errno));
    return GCSPLAN_ESOURCE;
}

/* Plan the spooled listing under the given limits. */
static int plan_pass(spool *sp, const gcsplan_pattern *p, const gcsplan_plan_options *o,
                     gcsplan_planner **out, gcsplan_error *err)
{
    gcsplan_planner *pl;
    int rc = gcsplan_planner_new(&pl, p, o, err);
    if (rc != 0)
        return rc;
    if (spool_rewind(sp) != 0)
        rc = snapshot_error(err);
    int k = 0;
    while (rc == 0 && (k = spool_next(sp)) == 1)
        rc = gcsplan_planner_add(pl, sp->name, sp->len, sp->size, sp->excluded, err);
    if (rc == 0 && k < 0)
        rc = snapshot_error(err);
    if (rc == 0)
        rc = gcsplan_planner_finish(pl, err);
    if (rc != 0) {
        gcsplan_planner_free(pl);
        return rc;
    }
    *out = pl;
    return 0;
}

/* --max-jobs: the smallest byte limit whose plan has at most max_jobs jobs.
 * The best prefix-cut plan never needs more jobs under a larger limit, so a
 * binary search finds it. */
static int fit_jobs(spool *sp, const gcsplan_pattern *p, gcsplan_plan_options *o,
                    uint64_t max_jobs, uint64_t total, gcsplan_error *err)
{
    uint64_t hi = o->max_bytes ? o->max_bytes : (total ? total : 1);
    uint64_t lo = total / max_jobs;
    if (lo == 0)
        lo = 1;
    gcsplan_planner *pl;
    o->max_bytes = hi;
    int rc = plan_pass(sp, p, o, &pl, err);
    if (rc != 0)
        return rc;
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    gcsplan_planner_free(pl);
    if (st.jobs > max_jobs) {
        diag_warning("plan", "no plan has %llu jobs or fewer under these limits; the fewest is %llu",
                     (unsigned long long)max_jobs, (unsigned long long)st.jobs);
        return 0;
    }
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        o->max_bytes = mid;
        rc = plan_pass(sp, p, o, &pl, err);
        if (rc != 0)
            return rc;
        gcsplan_planner_stats(pl, &st);
        gcsplan_planner_free(pl);
        if (st.jobs <= max_jobs)
            hi = mid;
        else
            lo = mid + 1;
    }
    o->max_bytes = hi;
    return 0;
}

/* List once into the snapshot, planning as the objects stream by, and feed
 * the pre-flight. Returns an exit status. */
static int list_and_plan(plan_args *a, plan_run *r)
{
    gcsplan_error err;
    gcsplan_error_clear(&err);
    if (preflight_args_begin(&a->pfa, r->pattern, &a->src.opts, a->src.progress) != EXIT_YES)
        return EXIT_SOURCE;
    if (spool_open(&r->sp) != 0) {
        diag_error("cannot create a temporary file: %s", strerror(errno));
        return EXIT_SOURCE;
    }
    int rc = gcsplan_planner_new(&r->planner, r->pattern, &a->po, &err);
    const gcsplan_object *o;
    int lrc = 0;
    while (rc == 0 && (lrc = gcsplan_lister_next(&o, r->lister)) == 0) {
        if (spool_put(&r->sp, o->name, o->name_len, o->size, o->generation, o->excluded) != 0) {
            diag_error("writing the listing snapshot: %s", strerror(errno));
            (void)source_args_close(&a->src, r->lister, 0);
            return EXIT_SOURCE;
        }
        rc = gcsplan_planner_add(r->planner, o->name, o->name_len, o->size, o->excluded, &err);
        if (!o->excluded)
            preflight_args_add(&a->pfa, o);
    }
    int status = source_args_close(&a->src, r->lister, rc == 0 ? lrc : 0);
    if (rc == 0 && status != EXIT_YES)
        return status;
    if (rc == 0)
        rc = gcsplan_planner_finish(r->planner, &err);
    if (rc == 0 && a->max_jobs > 0) {
        gcsplan_plan_stats st;
        gcsplan_planner_stats(r->planner, &st);
        gcsplan_planner_free(r->planner);
        r->planner = NULL;
        rc = fit_jobs(&r->sp, r->pattern, &a->po, a->max_jobs, st.bytes, &err);
        if (rc == 0)
            rc = plan_pass(&r->sp, r->pattern, &a->po, &r->planner, &err);
    }
    if (rc != 0) {
        /* No plan: an impossible one (GCSPLAN_EPLAN), sizes past 2^64-1
         * (GCSPLAN_ELIMIT), memory or the snapshot: exit 3 (docs/cli.md). */
        diag_error("%s", err.code != 0 ? err.message : gcsplan_strerror(rc));
        return EXIT_SOURCE;
    }
    return EXIT_YES;
}

/* --- prove --------------------------------------------------------------------------- */

/* The formats that carry the prefix summary: the plan document, for a
 * report made from it later without a second listing, and the page. */
static int wants_summary(const plan_args *a)
{
    return !a->no_summary && (a->fmt.kind == PLAN_JSON || a->fmt.kind == PLAN_HTML);
}

/* The checker reads the snapshot again and knows nothing of the planner's
 * reasoning; it also records each job's extent and digest, and tells each
 * object's job, which the summary is fed (in name order, as it needs). */
static int prove(const plan_args *a, plan_run *r)
{
    gcsplan_error err;
    gcsplan_error_clear(&err);
    int rc = gcsplan_plan_check_new(&r->check, r->planner, &err);
    if (rc == 0 && wants_summary(a)) {
        gcsplan_summary_options so = GCSPLAN_SUMMARY_OPTIONS_INIT;
        so.max_nodes = a->summary_nodes;
        rc = gcsplan_summary_new(&r->summary, &so, &err);
    }
    if (rc == 0 && spool_rewind(&r->sp) != 0)
        rc = snapshot_error(&err);
    int k = 0;
    while (rc == 0 && (k = spool_next(&r->sp)) == 1) {
        size_t job;
        rc = gcsplan_plan_check_add_ext(r->check, r->sp.name, r->sp.len, r->sp.size,
                                        r->sp.generation, r->sp.excluded, &job, &err);
        if (rc == 0 && r->summary != NULL && job != GCSPLAN_PLAN_NO_JOB)
            rc = gcsplan_summary_add(r->summary, r->sp.name, r->sp.len, r->sp.size, job, &err);
    }
    if (rc == 0 && k < 0)
        rc = snapshot_error(&err);
    if (rc == 0)
        rc = gcsplan_plan_check_finish(r->check, &err);
    if (rc == 0 && r->summary != NULL)
        rc = gcsplan_summary_finish(r->summary, &err);
    if (rc == GCSPLAN_ERROR) {
        diag_error("internal error: the plan failed its own check: %s", err.message);
        return EXIT_SOURCE;
    }
    if (rc != 0) {
        diag_error("%s", err.message);
        return EXIT_SOURCE;
    }
    return EXIT_YES;
}

/* --- the command --------------------------------------------------------------------- */

int cmd_plan(int argc, char **argv)
{
    plan_args a;
    plan_run r;
    memset(&a, 0, sizeof a);
    memset(&r, 0, sizeof r);
    r.out.fd = -1;
    gcsplan_plan_options po = GCSPLAN_PLAN_OPTIONS_INIT;
    a.po = po;
    a.fmt.kind = PLAN_TABLE;
    a.fmt.api_endpoint = "https://healthcare.googleapis.com/";
    source_args_init(&a.src);
    preflight_args_init(&a.pfa, FAIL_ON_NEVER);

    int status, prc = parse(&a, argc, argv);
    if (prc != CLI_PARSED) {
        status = cli_parse_status(prc);
        goto done;
    }
    a.src.opts.yield_excluded = 1; /* the planner keeps them out of every job */
    status = source_args_open(&a.src, &r.pattern, &r.lister);
    if (status == EXIT_YES)
        status = list_and_plan(&a, &r);
    if (status == EXIT_YES)
        status = prove(&a, &r);
    if (status == EXIT_YES)
        status = out_file_open(&r.out, a.output);
    if (status == EXIT_YES) {
        char source[4200];
        plan_source_text(source, sizeof source, &a.src.opts);
        plan_made m = { r.pattern, r.planner, &a.po, a.max_jobs, r.summary, source, a.now_ms };
        gcsplan_plan_stats st;
        gcsplan_planner_stats(r.planner, &st);
        int pst = plan_print(&a.fmt, &m, &a.pfa);
        int result = st.objects == 0 ? EXIT_NO : pst;
        /* A failure while printing (3) keeps -o FILE as it was, even when
         * nothing matched, and is the status: output that failed is not a
         * "no". */
        int closed = out_file_close(&r.out, pst == EXIT_SOURCE ? EXIT_SOURCE : result);
        status = closed == EXIT_SOURCE ? EXIT_SOURCE : result;
        plan_summary(&m);
    }
done:
    gcsplan_summary_free(r.summary);
    gcsplan_plan_check_free(r.check);
    gcsplan_planner_free(r.planner);
    spool_close(&r.sp);
    gcsplan_lister_free(r.lister);
    gcsplan_pattern_free(r.pattern);
    preflight_args_free(&a.pfa);
    source_args_free(&a.src);
    return status;
}
