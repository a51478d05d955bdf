/* gcsplan plan: split the objects a URI matches into import jobs, prove the
 * plan against the listing, and print it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "out.h"
#include "plan_out.h"
#include "preflight_args.h"
#include "source_args.h"
#include "spool.h"

/* Plan the spooled listing under the given limits. */
static int plan_pass(spool *sp, const gcsplan_pattern *p, const gcsplan_plan_options *o,
                     gcsplan_planner **out, gcsplan_error *err)
{
    gcsplan_planner *pl;
    int rc = gcsplan_planner_new(&pl, p, o, err);
    if (rc != 0)
        return rc;
    if (spool_rewind(sp) != 0)
        rc = GCSPLAN_ESOURCE;
    int k;
    while (rc == 0 && (k = spool_next(sp)) == 1)
        rc = gcsplan_planner_add(pl, sp->name, sp->len, sp->size, sp->excluded, err);
    if (rc == 0 && k < 0)
        rc = GCSPLAN_ESOURCE;
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
        fprintf(stderr,
                "gcsplan plan: warning: no plan has %llu jobs or fewer under these limits; the "
                "fewest is %llu\n",
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

int cmd_plan(int argc, char **argv)
{
    source_args src;
    preflight_args pfa;
    plan_format fmt = { 0 };
    uint64_t max_jobs = 0;
    gcsplan_plan_options po = GCSPLAN_PLAN_OPTIONS_INIT;
    int status = EXIT_USAGE;
    source_args_init(&src);
    preflight_args_init(&pfa, FAIL_ON_NEVER);
    fmt.kind = PLAN_TABLE;
    fmt.api_endpoint = "https://healthcare.googleapis.com/";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took = listing_args_take(&src, &pfa, "plan", argc, argv, &i);
        if (took < 0)
            goto done;
        if (took > 0)
            continue;
        const char *v = NULL;
        static const char *const valued[] = { "--max-objects", "--max-bytes", "--max-jobs",
                                              "--format", "--store", "--api-endpoint", NULL };
        for (const char *const *p = valued; *p != NULL; p++) {
            size_t n = strlen(*p);
            if (strncmp(a, *p, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                if (a[n] == '=')
                    v = a + n + 1;
                else if (i + 1 < argc)
                    v = argv[++i];
                else {
                    diag_usage("plan", "%s needs a value", *p);
                    goto done;
                }
                break;
            }
        }
        if (strcmp(a, "--json") == 0) {
            fmt.kind = PLAN_JSON;
        } else if (v != NULL && strncmp(a, "--max-objects", 13) == 0) {
            unsigned long long n;
            if (cli_parse_count(v, &n) != 0) {
                diag_usage("plan", "--max-objects needs a positive number, not '%s'", v);
                goto done;
            }
            po.max_objects = n;
        } else if (v != NULL && strncmp(a, "--max-bytes", 11) == 0) {
            unsigned long long n;
            if (cli_parse_size(v, &n) != 0 || n == 0) {
                diag_usage("plan", "--max-bytes needs a size such as 500G, not '%s'", v);
                goto done;
            }
            po.max_bytes = n;
        } else if (v != NULL && strncmp(a, "--max-jobs", 10) == 0) {
            unsigned long long n;
            if (cli_parse_count(v, &n) != 0) {
                diag_usage("plan", "--max-jobs needs a positive number, not '%s'", v);
                goto done;
            }
            max_jobs = n;
        } else if (v != NULL && strncmp(a, "--format", 8) == 0) {
            if (strcmp(v, "table") == 0)
                fmt.kind = PLAN_TABLE;
            else if (strcmp(v, "json") == 0)
                fmt.kind = PLAN_JSON;
            else if (strcmp(v, "gcloud") == 0)
                fmt.kind = PLAN_GCLOUD;
            else if (strcmp(v, "curl") == 0)
                fmt.kind = PLAN_CURL;
            else {
                diag_usage("plan", "--format is table, json, gcloud or curl, not '%s'", v);
                goto done;
            }
        } else if (v != NULL && strncmp(a, "--store", 7) == 0) {
            if (plan_parse_store(&fmt, v) != 0) {
                diag_usage("plan", "--store is projects/P/locations/L/datasets/D/dicomStores/S, "
                                   "not '%s'", v);
                goto done;
            }
        } else if (v != NULL && strncmp(a, "--api-endpoint", 14) == 0) {
            fmt.api_endpoint = v;
        } else {
            int r = source_args_rest(&src, "plan", a);
            if (r <= 0) {
                status = r == 0 ? EXIT_YES : EXIT_USAGE;
                goto done;
            }
        }
    }
    if (source_args_need_uri(&src, "plan") != 0)
        goto done;
    if ((fmt.kind == PLAN_GCLOUD || fmt.kind == PLAN_CURL) && fmt.store == NULL) {
        diag_usage("plan", "--format=%s needs --store", fmt.kind == PLAN_GCLOUD ? "gcloud" : "curl");
        goto done;
    }

    gcsplan_pattern *p;
    gcsplan_lister *l;
    src.opts.yield_excluded = 1;
    status = source_args_open(&src, "plan", &p, &l);
    if (status != EXIT_YES) {
        gcsplan_pattern_free(p);
        goto done;
    }
    /* Read the listing once into the snapshot, planning as it streams. */
    spool sp;
    gcsplan_planner *pl = NULL;
    gcsplan_plan_check *chk = NULL;
    gcsplan_error err;
    gcsplan_error_clear(&err);
    memset(&sp, 0, sizeof sp);
    if (preflight_args_begin(&pfa, p, &src.opts, src.progress) != EXIT_YES) {
        status = EXIT_SOURCE;
        goto cleanup;
    }
    int rc = spool_open(&sp) == 0 ? 0 : GCSPLAN_ESOURCE;
    if (rc != 0)
        diag_error("cannot create a temporary file: %s", strerror(errno));
    if (rc == 0)
        rc = gcsplan_planner_new(&pl, p, &po, &err);
    const gcsplan_object *o;
    int lrc = 0;
    while (rc == 0 && (lrc = gcsplan_lister_next(&o, l)) == 0) {
        if (spool_put(&sp, o->name, o->name_len, o->size, o->generation, o->excluded) != 0) {
            diag_error("writing the listing snapshot: %s", strerror(errno));
            rc = GCSPLAN_ESOURCE;
            break;
        }
        rc = gcsplan_planner_add(pl, o->name, o->name_len, o->size, o->excluded, &err);
        if (!o->excluded)
            preflight_args_add(&pfa, o);
    }
    int sstatus = source_args_close(&src, l, rc == 0 ? lrc : 0);
    if (rc == 0 && sstatus != EXIT_YES) {
        status = sstatus;
        goto cleanup;
    }
    if (rc == 0)
        rc = gcsplan_planner_finish(pl, &err);
    if (rc == 0 && max_jobs > 0) {
        gcsplan_plan_stats st;
        gcsplan_planner_stats(pl, &st);
        gcsplan_planner_free(pl);
        pl = NULL;
        rc = fit_jobs(&sp, p, &po, max_jobs, st.bytes, &err);
        if (rc == 0)
            rc = plan_pass(&sp, p, &po, &pl, &err);
    }
    if (rc != 0) {
        if (err.code != 0)
            diag_error("%s", err.message);
        status = EXIT_SOURCE;
        goto cleanup;
    }

    /* Prove the plan against the snapshot before anything is printed. */
    rc = gcsplan_plan_check_new(&chk, pl, &err);
    if (rc == 0)
        rc = spool_rewind(&sp) == 0 ? 0 : GCSPLAN_ESOURCE;
    int k = 0;
    while (rc == 0 && (k = spool_next(&sp)) == 1)
        rc = gcsplan_plan_check_add(chk, sp.name, sp.len, sp.size, sp.generation, sp.excluded,
                                    &err);
    if (rc == 0 && k < 0)
        rc = GCSPLAN_ESOURCE;
    if (rc == 0)
        rc = gcsplan_plan_check_finish(chk, &err);
    if (rc != 0) {
        diag_error("internal error: the plan failed its own check: %s", err.message);
        status = EXIT_SOURCE;
        goto cleanup;
    }
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    /* Findings on stderr, before the plan: stdout stays the plan. With
     * --json they go into the plan document instead, for tools. */
    int pst;
    char *findings = NULL;
    if (fmt.kind == PLAN_JSON && pfa.pf != NULL) {
        size_t flen = 0;
        FILE *mem = open_memstream(&findings, &flen);
        pst = mem ? preflight_args_report(&pfa, mem, 1, 0) : EXIT_SOURCE;
        if (mem != NULL)
            fclose(mem);
        if (findings != NULL && flen > 0 && findings[flen - 1] == '\n')
            findings[flen - 1] = '\0';
    } else {
        pst = preflight_args_report(&pfa, stderr, 0, diag_color());
    }
    status = plan_print(&fmt, p, pl, &po, max_jobs, findings);
    free(findings);
    if (status == EXIT_YES && st.objects == 0)
        status = EXIT_NO;
    if (status == EXIT_YES && pst != EXIT_YES)
        status = pst;

cleanup:
    gcsplan_plan_check_free(chk);
    gcsplan_planner_free(pl);
    spool_close(&sp);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
done:
    preflight_args_free(&pfa);
    plan_format_free(&fmt);
    source_args_free(&src);
    return status;
}
