/* gcsplan report: one self-contained HTML page about a plan, for the people
 * who approve an import or ask why files failed (docs/report.md).
 *
 * The page is made from the plan document alone, never from a second
 * listing: its head and jobs, the prefix summary that `gcsplan plan --json`
 * embeds ("summary": the treemap and the size histogram) and its
 * pre-flight findings ("preflight"). A plan without a summary still makes a
 * page, with a note where the treemap would be.
 *
 * Phases: parse the options; read the plan (the library's streaming
 * reader, which checks the summary as it goes); build the report from the
 * document, in the plan's job order, which is the job numbering of the
 * summary and of an import's journal; add the journal of its import, when
 * given (its records become the page's run: a journal of another plan is
 * refused before any of them counts); write the page to stdout or -o FILE. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "opts.h"
#include "out.h"
#include "out_file.h"
#include "page.h"
#include "plan_in.h"

typedef struct report_args {
    const char *plan_path;
    const char *journal;  /* JOURNAL, or NULL */
    const char *output; /* -o FILE, or NULL: stdout */
    const char *title;
} report_args;

/* What a run holds, freed in one place. */
typedef struct report_run {
    gcsplan_plan_doc *doc;
    gcsplan_report *report;
    int64_t now_ms;
    int fixed_clock;    /* the time came from SOURCE_DATE_EPOCH */
    out_file out;
} report_run;

/* --- parse --------------------------------------------------------------------------- */

static const struct option report_options[] = {
    { "title", required_argument, NULL, OPT_TITLE },
    { NULL, 0, NULL, 0 },
};

static int report_take(void *state, int id, const char *v, const char *cmd)
{
    report_args *a = state;
    (void)id;
    (void)cmd;
    a->title = v;
    return 0;
}

/* CLI_PARSED, CLI_HELPED or CLI_BAD. */
static int parse(report_args *a, int argc, char **argv)
{
    cli_group groups[] = { OUT_FILE_GROUP(&a->output), { report_options, report_take, a } };
    cli_operands ops;
    int rc = cli_parse("report", argc, argv, groups, CLI_GROUPS(groups), &ops);
    if (rc != CLI_PARSED)
        return rc;
    size_t n = ops.n;
    a->plan_path = n > 0 ? ops.v[0] : NULL;
    a->journal = n > 1 ? ops.v[1] : NULL;
    cli_operands_free(&ops);
    if (n == 0)
        return diag_usage("report", "a plan file is required (written by gcsplan plan --json)"),
               CLI_BAD;
    if (n > 2)
        return diag_usage("report", "one plan file and at most one journal are allowed"),
               CLI_BAD;
    if (page_check_target("report", a->output) != EXIT_YES)
        return CLI_BAD;
    return CLI_PARSED;
}

/* --- read ---------------------------------------------------------------------------- */

static int read_plan(const report_args *a, report_run *run)
{
    gcsplan_plan_read_options o = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    o.flags = GCSPLAN_PLAN_READ_SUMMARY | GCSPLAN_PLAN_READ_PREFLIGHT;
    return plan_read(a->plan_path, &o, &run->doc);
}

/* --- build --------------------------------------------------------------------------- */

/* When the plan was made: the document holds no time (the same listing
 * gives the same plan, byte for byte), so the time its file was written,
 * no later than SOURCE_DATE_EPOCH when that is set; unknown for stdin. */
static int64_t planned_ms(const report_args *a, const report_run *run)
{
    struct stat st;
    if (strcmp(a->plan_path, "-") == 0 || stat(a->plan_path, &st) != 0 || st.st_mtime <= 0)
        return 0;
    int64_t t = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    return run->fixed_clock && t > run->now_ms ? run->now_ms : t;
}

/* A failure while building: memory is ours (3); anything else is about
 * the document (2). */
static int build_error(const report_args *a, const char *what, const gcsplan_error *err)
{
    if (err->code == GCSPLAN_ENOMEM) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    diag_error("%s: %s%s", a->plan_path, what, err->message);
    return EXIT_USAGE;
}

static int build(const report_args *a, report_run *run)
{
    gcsplan_error err;
    gcsplan_report_options ro = GCSPLAN_REPORT_OPTIONS_INIT;
    ro.title = a->title;
    ro.generated_ms = run->now_ms;
    if (gcsplan_report_new(&run->report, &ro, &err) != 0)
        return build_error(a, "", &err);
    gcsplan_report *r = run->report;
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(run->doc);
    gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
    p.uri = h->uri;
    p.store = h->store;
    p.plan_path = strcmp(a->plan_path, "-") == 0 ? NULL : a->plan_path;
    p.created_ms = planned_ms(a, run);
    p.objects = h->objects;
    p.bytes = h->bytes;
    p.max_objects = h->max_objects;
    p.max_bytes = h->max_bytes;
    p.max_jobs = h->max_jobs;
    p.excluded = h->excluded;
    p.lower_bound = h->lower_bound;
    p.prefix_cut_jobs = h->prefix_cut_jobs;
    if (gcsplan_report_set_plan(r, &p, &err) != 0)
        return build_error(a, "", &err);
    for (size_t i = 0; i < gcsplan_plan_doc_job_count(run->doc); i++) {
        const gcsplan_plan_job *dj = gcsplan_plan_doc_job(run->doc, i);
        gcsplan_report_job j = GCSPLAN_REPORT_JOB_INIT;
        j.uri = dj->uri;
        j.objects = dj->objects;
        j.bytes = dj->bytes;
        j.largest = dj->has & GCSPLAN_PLAN_JOB_LARGEST ? dj->largest : 0;
        j.first = dj->first;
        j.last = dj->last;
        j.flags = dj->flags;
        if (gcsplan_report_add_job(r, &j, &err) != 0)
            return build_error(a, "", &err);
    }
    /* Borrowed: the document outlives the report. */
    gcsplan_report_set_summary(r, gcsplan_plan_doc_summary(run->doc));
    size_t len;
    const char *pf = gcsplan_plan_doc_preflight(run->doc, &len);
    if (pf != NULL && gcsplan_report_add_preflight_json(r, pf, len, &err) != 0)
        return build_error(a, "\"preflight\": ", &err);
    return EXIT_YES;
}

/* --- the journal ------------------------------------------------------------------------ */

/* Records become the report's events. A submission counts as an attempt
 * once its outcome is known: an operation, a lost answer, or a refusal
 * that failed the job; one deferred (429, 503: nothing was made) is no
 * attempt at all. So each "submitting" waits here for what follows it. */
typedef struct journal_fold {
    gcsplan_report *report;
    int64_t *pending;      /* per job, the time of a submission without its outcome; 0 */
    gcsplan_error err;     /* why the report refused an event */
} journal_fold;

static int add(journal_fold *f, gcsplan_report_event_kind kind, size_t job, int64_t t,
               gcsplan_report_event *ev)
{
    ev->kind = kind;
    ev->job = job;
    ev->time_ms = t;
    return gcsplan_report_add_event(f->report, ev, &f->err) != 0;
}

/* The submission still waiting for its outcome becomes an attempt. */
static int flush_submit(journal_fold *f, size_t job)
{
    if (f->pending[job] == 0)
        return 0;
    gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
    int64_t t = f->pending[job];
    f->pending[job] = 0;
    return add(f, GCSPLAN_EVENT_SUBMIT, job, t, &ev);
}

static int fold_record(const gcsplan_journal_record *r, void *payload)
{
    journal_fold *f = payload;
    gcsplan_report_event ev = GCSPLAN_REPORT_EVENT_INIT;
    switch (r->event) {
    case GCSPLAN_JOURNAL_SUBMITTING:
        f->pending[r->job] = r->time_ms ? r->time_ms : 1;
        return 0;
    case GCSPLAN_JOURNAL_DEFERRED:
        f->pending[r->job] = 0;
        return 0;
    case GCSPLAN_JOURNAL_SUBMITTED:
        ev.operation = r->operation;
        return flush_submit(f, r->job) || add(f, GCSPLAN_EVENT_SUBMITTED, r->job, r->time_ms, &ev);
    case GCSPLAN_JOURNAL_LOST:
        return flush_submit(f, r->job) || add(f, GCSPLAN_EVENT_LOST, r->job, r->time_ms, &ev);
    default: /* DONE */
        ev.operation = r->operation;
        ev.state = r->state == GCSPLAN_IMPORT_PARTIAL ? GCSPLAN_RUN_PARTIAL
                   : r->state == GCSPLAN_IMPORT_FAILED ? GCSPLAN_RUN_FAILED
                                                       : GCSPLAN_RUN_SUCCEEDED;
        ev.has_counters = r->has_counters;
        ev.success = r->success;
        ev.failure = r->failure;
        ev.logs_url = r->logs_url;
        ev.error = r->error;
        return flush_submit(f, r->job) ||
               add(f, GCSPLAN_EVENT_DONE, r->job, r->end_ms ? r->end_ms : r->time_ms, &ev);
    }
}

static int add_journal(const report_args *a, report_run *run)
{
    if (a->journal == NULL)
        return EXIT_YES;
    size_t n = gcsplan_plan_doc_job_count(run->doc);
    journal_fold f;
    memset(&f, 0, sizeof f);
    f.report = run->report;
    f.pending = calloc(n ? n : 1, sizeof *f.pending);
    if (f.pending == NULL) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    gcsplan_journal_info info;
    gcsplan_error err;
    int rc = gcsplan_journal_read(a->journal, run->doc, fold_record, &f, NULL, &info, &err);
    /* Submissions the journal leaves without an answer: on the page as
     * "submitted without an answer". */
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (flush_submit(&f, i) != 0)
            rc = GCSPLAN_ESOURCE;
    free(f.pending);
    if (rc == 0) {
        if (info.torn)
            diag_warning("report", "%s: the last line was cut short (a crash while it was "
                                   "written): it is ignored", a->journal);
        return EXIT_YES;
    }
    if (rc == GCSPLAN_ENOMEM || f.err.code == GCSPLAN_ENOMEM) {
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    /* Not this plan's, malformed, unreadable, or an event the page refuses:
     * a bad argument, as a bad plan is. */
    diag_error("%s: %s", a->journal, f.err.code != 0 ? f.err.message : err.message);
    return EXIT_USAGE;
}

/* --- the command --------------------------------------------------------------------- */

int cmd_report(int argc, char **argv)
{
    report_args a;
    report_run run;
    memset(&a, 0, sizeof a);
    memset(&run, 0, sizeof run);
    run.out.fd = -1;
    int status;
    int prc = parse(&a, argc, argv);
    if (prc != CLI_PARSED) {
        status = cli_parse_status(prc);
        goto done;
    }
    status = page_clock("report", &run.now_ms, &run.fixed_clock);
    if (status == EXIT_YES)
        status = read_plan(&a, &run);
    if (status == EXIT_YES)
        status = build(&a, &run);
    if (status == EXIT_YES)
        status = add_journal(&a, &run);
    /* The file is opened only now: a plan that cannot be read leaves no
     * file behind, and -o may name the plan itself. */
    if (status == EXIT_YES)
        status = out_file_open(&run.out, a.output);
    if (status == EXIT_YES)
        status = out_file_close(&run.out, page_write(run.report));
done:
    gcsplan_report_free(run.report);
    gcsplan_plan_doc_free(run.doc);
    return status;
}
