/* The report's inputs: header, jobs, summary, findings and journal events,
 * copied into the report so that callers may free theirs at once. Journal
 * records are folded per job into attempts as they come. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "plan_internal.h"
#include "report_internal.h"

static const gcsplan_allocator *A(const gcsplan_report *r) { return &r->alloc; }

int gcsplan__rp_str_set(const gcsplan_allocator *a, rp_str *d, const char *s, size_t n)
{
    gcsplan__free(a, d->p);
    d->p = NULL;
    d->n = 0;
    if (s == NULL)
        return 0;
    if (n > GCSPLAN_REPORT_TEXT_MAX) {
        /* Cut at a character boundary: back over continuation bytes. */
        n = GCSPLAN_REPORT_TEXT_MAX;
        size_t k = n;
        while (k > n - 3 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        if (((unsigned char)s[k] & 0xC0) == 0x80 || k == n)
            k = n;
        n = k;
    }
    d->p = gcsplan__strndup(a, s, n);
    if (d->p == NULL)
        return -1;
    d->n = n;
    return 0;
}

void gcsplan__rp_str_free(const gcsplan_allocator *a, rp_str *d)
{
    gcsplan__free(a, d->p);
    d->p = NULL;
    d->n = 0;
}

static int set_cstr(const gcsplan_allocator *a, rp_str *d, const char *s)
{
    return gcsplan__rp_str_set(a, d, s, s ? strlen(s) : 0);
}

void gcsplan__rp_finding_free(const gcsplan_allocator *a, rp_finding *f)
{
    gcsplan__rp_str_free(a, &f->code);
    gcsplan__rp_str_free(a, &f->message);
    gcsplan__rp_str_free(a, &f->hint);
    for (size_t i = 0; i < f->n_examples; i++) {
        gcsplan__rp_str_free(a, &f->examples[i].name);
        gcsplan__rp_str_free(a, &f->examples[i].detail);
    }
    for (size_t i = 0; i < f->n_kinds; i++)
        gcsplan__rp_str_free(a, &f->kinds[i].kind);
    gcsplan__free(a, f->examples);
    gcsplan__free(a, f->kinds);
    memset(f, 0, sizeof *f);
}

static void attempt_free(const gcsplan_allocator *a, rp_attempt *t)
{
    gcsplan__rp_str_free(a, &t->operation);
    gcsplan__rp_str_free(a, &t->logs_url);
    gcsplan__rp_str_free(a, &t->error);
}

static void job_free(const gcsplan_allocator *a, rp_job *j)
{
    gcsplan__rp_str_free(a, &j->uri);
    gcsplan__rp_str_free(a, &j->first);
    gcsplan__rp_str_free(a, &j->last);
    for (size_t i = 0; i < j->n_attempts; i++)
        attempt_free(a, &j->attempts[i]);
    gcsplan__free(a, j->attempts);
}

int gcsplan_report_new(gcsplan_report **out, const gcsplan_report_options *opts,
                       gcsplan_error *err)
{
    if (out == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "no report pointer");
    *out = NULL;
    if (opts != NULL && opts->version != GCSPLAN_REPORT_OPTIONS_VERSION)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "unknown report options version %u",
                                  opts->version);
    const gcsplan_allocator *a = gcsplan__allocator_or_default(opts ? opts->allocator : NULL);
    gcsplan_report *r = gcsplan__malloc(a, sizeof *r);
    if (r == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->alloc = *a;
    if (opts != NULL) {
        r->generated_ms = opts->generated_ms;
        r->flags = opts->flags;
        if (set_cstr(a, &r->title, opts->title) != 0) {
            gcsplan_report_free(r);
            return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        }
    }
    *out = r;
    return 0;
}

void gcsplan_report_free(gcsplan_report *r)
{
    if (r == NULL)
        return;
    const gcsplan_allocator *a = A(r);
    rp_str *strs[] = { &r->title, &r->uri, &r->store, &r->source, &r->plan_path };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        gcsplan__rp_str_free(a, strs[i]);
    for (size_t i = 0; i < r->n_jobs; i++)
        job_free(a, &r->jobs[i]);
    gcsplan__free(a, r->jobs);
    for (size_t i = 0; i < r->n_findings; i++)
        gcsplan__rp_finding_free(a, &r->findings[i]);
    gcsplan__free(a, r->findings);
    gcsplan__free(a, r);
}

int gcsplan_report_set_plan(gcsplan_report *r, const gcsplan_report_plan *plan,
                            gcsplan_error *err)
{
    if (r == NULL || plan == NULL || plan->version != GCSPLAN_REPORT_PLAN_VERSION ||
        plan->uri == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "a plan header needs its version and URI");
    const gcsplan_allocator *a = A(r);
    if (set_cstr(a, &r->uri, plan->uri) != 0 || set_cstr(a, &r->store, plan->store) != 0 ||
        set_cstr(a, &r->source, plan->source) != 0 ||
        set_cstr(a, &r->plan_path, plan->plan_path) != 0) {
        r->have_plan = 0;
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    r->created_ms = plan->created_ms;
    r->objects = plan->objects;
    r->bytes = plan->bytes;
    r->max_objects = plan->max_objects;
    r->max_bytes = plan->max_bytes;
    r->max_jobs = plan->max_jobs;
    r->excluded = plan->excluded;
    r->lower_bound = plan->lower_bound;
    r->prefix_cut_jobs = plan->prefix_cut_jobs;
    r->have_plan = 1;
    return 0;
}

void gcsplan_report_plan_from_planner(gcsplan_report_plan *plan, const gcsplan_planner *pl)
{
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    const gcsplan_plan_options *lim = gcsplan__planner_limits(pl);
    plan->uri = gcsplan_pattern_uri(gcsplan__planner_pattern(pl));
    plan->objects = st.objects;
    plan->bytes = st.bytes;
    plan->max_objects = lim->max_objects;
    plan->max_bytes = lim->max_bytes;
    plan->excluded = st.excluded;
    plan->lower_bound = st.lower_bound;
    plan->prefix_cut_jobs = st.prefix_cut;
}

int gcsplan_report_add_job(gcsplan_report *r, const gcsplan_report_job *job, gcsplan_error *err)
{
    if (r == NULL || job == NULL || job->version != GCSPLAN_REPORT_JOB_VERSION || job->uri == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "a job needs its version and URI");
    if (r->n_jobs == GCSPLAN_REPORT_JOBS_MAX)
        return gcsplan__error_set(err, GCSPLAN_ELIMIT, "more than %d jobs",
                                  GCSPLAN_REPORT_JOBS_MAX);
    const gcsplan_allocator *a = A(r);
    if (r->n_jobs == r->cap_jobs) {
        size_t cap = r->cap_jobs ? r->cap_jobs * 2 : 64;
        rp_job *p = gcsplan__realloc(a, r->jobs, cap * sizeof *p);
        if (p == NULL)
            return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        r->jobs = p;
        r->cap_jobs = cap;
    }
    rp_job *j = &r->jobs[r->n_jobs];
    memset(j, 0, sizeof *j);
    if (set_cstr(a, &j->uri, job->uri) != 0 || set_cstr(a, &j->first, job->first) != 0 ||
        set_cstr(a, &j->last, job->last) != 0) {
        job_free(a, j);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    j->objects = job->objects;
    j->bytes = job->bytes;
    j->largest = job->largest;
    j->flags = job->flags;
    r->n_jobs++;
    return 0;
}

int gcsplan_report_add_planner_jobs(gcsplan_report *r, const gcsplan_planner *pl,
                                    gcsplan_error *err)
{
    for (size_t i = 0; i < gcsplan_planner_job_count(pl); i++) {
        const gcsplan_job *pj = gcsplan_planner_job(pl, i);
        gcsplan_report_job j = GCSPLAN_REPORT_JOB_INIT;
        j.uri = pj->uri;
        j.objects = pj->objects;
        j.bytes = pj->bytes;
        j.largest = pj->largest;
        j.first = pj->first;
        j.last = pj->last;
        j.flags = pj->flags;
        int rc = gcsplan_report_add_job(r, &j, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void gcsplan_report_set_summary(gcsplan_report *r, const gcsplan_summary *s)
{
    r->summary = s != NULL && gcsplan_summary_node_count(s) > 0 ? s : NULL;
}

/* --- findings ---------------------------------------------------------------------------- */

int gcsplan__rp_take_findings(gcsplan_report *r, rp_finding *f, size_t n, gcsplan_error *err)
{
    r->have_preflight = 1;
    if (n == 0)
        return 0;
    if (n > GCSPLAN_REPORT_FINDINGS_MAX - r->n_findings)
        return gcsplan__error_set(err, GCSPLAN_ELIMIT, "more than %d findings",
                                  GCSPLAN_REPORT_FINDINGS_MAX);
    rp_finding *p = gcsplan__realloc(A(r), r->findings, (r->n_findings + n) * sizeof *p);
    if (p == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memcpy(p + r->n_findings, f, n * sizeof *f);
    r->findings = p;
    r->n_findings += n;
    return 0;
}

static int copy_finding(const gcsplan_allocator *a, rp_finding *d, const gcsplan_finding *f)
{
    memset(d, 0, sizeof *d);
    d->severity = f->severity;
    d->count = f->count;
    d->bytes = f->bytes;
    if (set_cstr(a, &d->code, gcsplan_finding_code_name(f->code)) != 0 ||
        set_cstr(a, &d->message, f->message) != 0 ||
        set_cstr(a, &d->hint, f->hint && f->hint[0] ? f->hint : NULL) != 0)
        return -1;
    if (f->example_count > 0) {
        d->examples = gcsplan__malloc(a, f->example_count * sizeof *d->examples);
        if (d->examples == NULL)
            return -1;
        memset(d->examples, 0, f->example_count * sizeof *d->examples);
        d->n_examples = f->example_count;
        for (size_t i = 0; i < f->example_count; i++) {
            const gcsplan_finding_example *e = &f->examples[i];
            d->examples[i].size = e->size;
            if (gcsplan__rp_str_set(a, &d->examples[i].name, e->name, e->name_len) != 0 ||
                set_cstr(a, &d->examples[i].detail, e->detail && e->detail[0] ? e->detail : NULL))
                return -1;
        }
    }
    if (f->kind_count > 0) {
        d->kinds = gcsplan__malloc(a, f->kind_count * sizeof *d->kinds);
        if (d->kinds == NULL)
            return -1;
        memset(d->kinds, 0, f->kind_count * sizeof *d->kinds);
        d->n_kinds = f->kind_count;
        for (size_t i = 0; i < f->kind_count; i++) {
            d->kinds[i].count = f->kinds[i].count;
            if (set_cstr(a, &d->kinds[i].kind, f->kinds[i].kind) != 0)
                return -1;
        }
    }
    return 0;
}

int gcsplan_report_add_finding(gcsplan_report *r, const gcsplan_finding *f, gcsplan_error *err)
{
    if (r == NULL || f == NULL || f->severity < GCSPLAN_SEVERITY_INFO ||
        f->severity > GCSPLAN_SEVERITY_ERROR)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "no finding, or an unknown severity");
    rp_finding d;
    if (copy_finding(A(r), &d, f) != 0) {
        gcsplan__rp_finding_free(A(r), &d);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    int rc = gcsplan__rp_take_findings(r, &d, 1, err);
    if (rc != 0)
        gcsplan__rp_finding_free(A(r), &d);
    return rc;
}

int gcsplan_report_add_preflight(gcsplan_report *r, const gcsplan_preflight *pf,
                                 gcsplan_error *err)
{
    if (r == NULL || pf == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "no report or pre-flight");
    r->have_preflight = 1;
    for (size_t i = 0; i < gcsplan_preflight_count(pf); i++) {
        int rc = gcsplan_report_add_finding(r, gcsplan_preflight_finding(pf, i), err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* --- journal events ---------------------------------------------------------------------- */

static rp_attempt *last_attempt(rp_job *j)
{
    return j->n_attempts ? &j->attempts[j->n_attempts - 1] : NULL;
}

static rp_attempt *new_attempt(const gcsplan_allocator *a, rp_job *j, int64_t t)
{
    if (j->n_attempts == GCSPLAN_REPORT_ATTEMPTS_MAX) {
        /* Keep the latest: the oldest goes, the count stays true. */
        attempt_free(a, &j->attempts[0]);
        memmove(j->attempts, j->attempts + 1, (j->n_attempts - 1) * sizeof *j->attempts);
        j->n_attempts--;
    } else if (j->n_attempts == 0 || (j->n_attempts & (j->n_attempts - 1)) == 0) {
        size_t cap = j->n_attempts ? j->n_attempts * 2 : 1;
        rp_attempt *p = gcsplan__realloc(a, j->attempts, cap * sizeof *p);
        if (p == NULL)
            return NULL;
        j->attempts = p;
    }
    rp_attempt *t0 = &j->attempts[j->n_attempts++];
    memset(t0, 0, sizeof *t0);
    t0->submit_ms = t;
    t0->seen_ms = t;
    t0->state = GCSPLAN_RUN_SUBMITTING;
    j->total_attempts++;
    return t0;
}

static int set_if(const gcsplan_allocator *a, rp_str *d, const char *s)
{
    return s != NULL ? set_cstr(a, d, s) : 0;
}

int gcsplan_report_add_event(gcsplan_report *r, const gcsplan_report_event *ev,
                             gcsplan_error *err)
{
    if (r == NULL || ev == NULL || ev->version != GCSPLAN_REPORT_EVENT_VERSION)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "an event needs its version");
    if (ev->job >= r->n_jobs)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "an event for job %zu of a plan of %zu",
                                  ev->job + 1, r->n_jobs);
    if (ev->kind < GCSPLAN_EVENT_SUBMIT || ev->kind > GCSPLAN_EVENT_LOST)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "unknown event kind %d", (int)ev->kind);
    if (ev->kind == GCSPLAN_EVENT_DONE && ev->state != GCSPLAN_RUN_SUCCEEDED &&
        ev->state != GCSPLAN_RUN_PARTIAL && ev->state != GCSPLAN_RUN_FAILED)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "a finished job succeeded, is partial "
                                                       "or failed");
    const gcsplan_allocator *a = A(r);
    rp_job *j = &r->jobs[ev->job];
    rp_attempt *t = last_attempt(j);
    r->have_events = 1;
    switch (ev->kind) {
    case GCSPLAN_EVENT_SUBMIT:
        /* A second submission while the first has no answer: that answer
         * never arrived (SPEC section 5 allows exactly this resubmission). */
        if (t != NULL && t->state == GCSPLAN_RUN_SUBMITTING)
            t->state = GCSPLAN_RUN_LOST;
        t = new_attempt(a, j, ev->time_ms);
        break;
    case GCSPLAN_EVENT_SUBMITTED:
        if (t == NULL || t->state != GCSPLAN_RUN_SUBMITTING)
            t = new_attempt(a, j, ev->time_ms);
        if (t != NULL) {
            t->state = GCSPLAN_RUN_RUNNING;
            t->submitted_ms = ev->time_ms;
        }
        break;
    case GCSPLAN_EVENT_PROGRESS:
    case GCSPLAN_EVENT_DONE:
        /* A record for an operation other than the last one journaled
         * starts an attempt of its own (a journal written by a run that lost
         * its earlier records). */
        if (t == NULL || (ev->operation != NULL && t->operation.p != NULL &&
                          (strlen(ev->operation) != t->operation.n ||
                           memcmp(ev->operation, t->operation.p, t->operation.n) != 0))) {
            t = new_attempt(a, j, ev->time_ms);
            if (t != NULL)
                t->state = GCSPLAN_RUN_RUNNING;
        }
        if (t == NULL)
            break;
        if (ev->kind == GCSPLAN_EVENT_DONE) {
            t->done_ms = ev->time_ms;
            t->state = ev->state;
            /* SPEC section 5: a failure counter above 0 makes it partial. */
            if (t->state == GCSPLAN_RUN_SUCCEEDED && ev->has_counters && ev->failure > 0)
                t->state = GCSPLAN_RUN_PARTIAL;
        } else if (t->state == GCSPLAN_RUN_SUBMITTING) {
            t->state = GCSPLAN_RUN_RUNNING;
        }
        if (ev->has_counters) {
            t->has_counters = 1;
            t->success = ev->success;
            t->failure = ev->failure;
        }
        break;
    default: /* LOST */
        if (t == NULL || t->state != GCSPLAN_RUN_SUBMITTING)
            t = new_attempt(a, j, ev->time_ms);
        if (t != NULL)
            t->state = GCSPLAN_RUN_LOST;
        break;
    }
    if (t == NULL || set_if(a, &t->operation, ev->operation) != 0 ||
        set_if(a, &t->logs_url, ev->logs_url) != 0 || set_if(a, &t->error, ev->error) != 0)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    if (ev->time_ms > t->seen_ms)
        t->seen_ms = ev->time_ms;
    return 0;
}
