/* The import runner (gcsplan/import.h, docs/import.md).
 *
 * One thread drives everything through the API client (api.c): a fixed set
 * of slots, one per operation of the plan that may be unfinished at once,
 * each holding one job from its submission until its operation is done.
 * A slot's call is either the job's import call (POST, no retries of its
 * own: what to repeat is decided here, since a repeat may run the import
 * twice) or a poll of its operation (GET, the client's retry policy).
 * Between requests the loop sleeps until the next poll, the next
 * submission allowed, or the next progress report, whichever comes first,
 * at most WAIT_MAX_MS so that a stop request is seen at once.
 *
 * The journal is written before every submission and after every answer,
 * so that what the journal says is always a state the run was in; the
 * journal's reader (journal.c) rebuilds the jobs' states from it. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "healthcare.h"
#include "import_internal.h"
#include "journal.h"
#include "retry.h"
#include "util/clock.h"
#include "util/num.h"

#define SUBMIT_RETRIES_DEFAULT 8
/* Waits before a submission is sent again: after a 408, a 503 or an answer
 * that never arrived (doubling from SUBMIT_BACKOFF_BASE_MS), and after a 429,
 * when the project has too many operations (from QUOTA_BACKOFF_BASE_MS: an
 * operation takes minutes to finish and free its share). */
#define SUBMIT_BACKOFF_BASE_MS 1000u
#define SUBMIT_BACKOFF_MAX_MS 32000u
#define QUOTA_BACKOFF_BASE_MS 2000u
#define QUOTA_BACKOFF_MAX_MS 60000u
/* Polls back off by half again each time, up to a minute (or the interval). */
#define POLL_CAP_MS 60000u
#define RETRY_BASE_DEFAULT_MS 2000u
#define RETRY_MAX_MS 32000u
#define PROGRESS_DEFAULT_MS 1000u
/* The longest wait of the loop: how soon a stop request is seen. */
#define WAIT_MAX_MS 250u

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free to be set from a "
                                          "signal handler");

enum { SLOT_IDLE, SLOT_SUBMIT, SLOT_POLL };
#define NO_JOB ((size_t)-1)

typedef struct ijob {
    unsigned char state;      /* gcsplan_import_state */
    unsigned char delayed;    /* in the delayed list */
    unsigned char finished_here;
    unsigned submissions, lost;
    unsigned tries;           /* failed submissions in a row, for the budget */
    char *operation, *logs_url, *error;
    int error_code, http_status;
    int has_counters;
    uint64_t success, failure;
    int64_t submitted_ms, done_ms;
    uint64_t not_before;      /* waiting after a refusal: no submission before */
} ijob;

typedef struct slot {
    gcsplan_importer *imp;
    size_t job;               /* NO_JOB: free */
    int busy;                 /* SLOT_* of the call in flight */
    gcsplan__call *submit;    /* the job's import call */
    gcsplan__call *poll;      /* and the polls of its operation */
    char *body;               /* the import call's body */
    size_t body_cap;
    uint64_t next_poll;       /* monotonic ms */
    uint64_t last_poll;       /* when the last poll's answer came (or the submission's) */
    unsigned polls;
    gcsplan__operation op;    /* the last poll's answer */
} slot;

struct gcsplan_importer {
    gcsplan_allocator a;
    const gcsplan_plan_doc *plan;
    size_t n;
    ijob *jobs;
    char *store, *cs;
    gcsplan_store parts;
    unsigned concurrency, poll_ms, progress_ms, flags;
    int retries;
    gcsplan_import_job_fn on_job;
    gcsplan_import_progress_fn on_progress;
    gcsplan_import_note_fn on_note;
    void *payload;
    gcsplan__import_hooks hooks;
    gcsplan__journal *journal;
    gcsplan__api *api;
    slot *slots;
    size_t nslots, used;      /* slots, and those holding a job */
    size_t cursor;            /* jobs before it were considered for a first submission */
    size_t *delayed;
    size_t ndelayed, capdelayed;
    uint64_t hold_until;      /* no submission before (a 429) */
    unsigned quota_streak;
    uint64_t rng;
    atomic_int stop;
    int ran;
    int fatal;                /* an error stops the run: err holds it */
    gcsplan_error fatal_err;
    gcsplan_import_totals totals;
    gcsplan_error fold_err;   /* why reading the journal stopped, from the fold */
};

/* --- names, clocks, small things -------------------------------------------------------- */

const char *gcsplan_import_state_name(int state)
{
    static const char *const names[] = { "waiting", "submitting", "running",
                                         "succeeded", "partial", "failed" };
    return state >= 0 && state < GCSPLAN_IMPORT_STATES ? names[state] : "unknown";
}

static uint64_t now_ms(const gcsplan_importer *imp)
{
    return imp->hooks.now_ms ? imp->hooks.now_ms(imp->hooks.ctx) : gcsplan__clock_ms();
}

static int64_t wall_ms(const gcsplan_importer *imp)
{
    if (imp->hooks.wall_ms)
        return imp->hooks.wall_ms(imp->hooks.ctx);
    return gcsplan__wall_ms();
}

static void sleep_for(const gcsplan_importer *imp, uint64_t ms)
{
    if (imp->hooks.sleep_ms)
        imp->hooks.sleep_ms(imp->hooks.ctx, ms);
    else
        gcsplan__sleep_ms(ms);
}

static uint64_t next_rand(gcsplan_importer *imp)
{
    imp->rng ^= imp->rng << 13;
    imp->rng ^= imp->rng >> 7;
    imp->rng ^= imp->rng << 17;
    return imp->rng;
}

/* ms less up to a tenth, drawn: operations submitted together spread out. */
static uint64_t jitter(gcsplan_importer *imp, uint64_t ms)
{
    return ms - (ms / 10 ? next_rand(imp) % (ms / 10 + 1) : 0);
}

/* The wait before poll number k + 1 of an operation (k polls done): the
 * interval, half again longer each time, up to a minute (or the interval
 * when longer), never under the floor. */
static uint64_t poll_wait(gcsplan_importer *imp, unsigned k)
{
    uint64_t cap = imp->poll_ms > POLL_CAP_MS ? imp->poll_ms : POLL_CAP_MS;
    uint64_t w = imp->poll_ms;
    for (unsigned i = 0; i < k && w < cap; i++)
        w += w / 2;
    if (w > cap)
        w = cap;
    w = jitter(imp, w);
    return w < GCSPLAN_IMPORT_POLL_FLOOR_MS ? GCSPLAN_IMPORT_POLL_FLOOR_MS : w;
}

static uint64_t backoff(gcsplan_importer *imp, unsigned base, unsigned max, unsigned attempt)
{
    gcsplan__retry_policy p = { 0, base, max, 0 };
    return gcsplan__backoff_ms(&imp->rng, &p, attempt ? (int)attempt : 1, -1);
}

/* *dst becomes a copy of s (which may be *dst itself). */
static int set_str(gcsplan_importer *imp, char **dst, const char *s)
{
    char *d = NULL;
    if (s != NULL && (d = gcsplan__strndup(&imp->a, s, strlen(s))) == NULL)
        return GCSPLAN_ENOMEM;
    gcsplan__free(&imp->a, *dst);
    *dst = d;
    return 0;
}

/* --- jobs and totals -------------------------------------------------------------------- */

static int terminal(int state)
{
    return state >= GCSPLAN_IMPORT_SUCCEEDED;
}

static void set_state(gcsplan_importer *imp, size_t i, int state)
{
    ijob *j = &imp->jobs[i];
    const gcsplan_plan_job *pj = gcsplan_plan_doc_job(imp->plan, i);
    gcsplan_import_totals *t = &imp->totals;
    t->states[j->state]--;
    if (terminal(j->state)) {
        t->objects_finished -= pj->objects;
        if (j->finished_here)
            t->objects_finished_here -= pj->objects;
    }
    j->state = (unsigned char)state;
    t->states[state]++;
    if (terminal(state)) {
        t->objects_finished += pj->objects;
        if (j->finished_here)
            t->objects_finished_here += pj->objects;
    }
}

static void set_counters(gcsplan_importer *imp, size_t i, int has, uint64_t s, uint64_t f)
{
    ijob *j = &imp->jobs[i];
    gcsplan_import_totals *t = &imp->totals;
    if (j->has_counters) {
        t->success -= j->success;
        t->failure -= j->failure;
    }
    j->has_counters = has;
    j->success = has ? s : 0;
    j->failure = has ? f : 0;
    if (has) {
        gcsplan__add_u64_sat(&t->success, s);
        gcsplan__add_u64_sat(&t->failure, f);
    }
}

static void count_lost(gcsplan_importer *imp, size_t i)
{
    if (imp->jobs[i].lost++ == 0)
        imp->totals.lost_jobs++;
}

static void fill_job(const gcsplan_importer *imp, size_t i, gcsplan_import_job *out)
{
    const ijob *j = &imp->jobs[i];
    const gcsplan_plan_job *pj = gcsplan_plan_doc_job(imp->plan, i);
    memset(out, 0, sizeof *out);
    out->index = i;
    out->uri = pj->uri;
    out->objects = pj->objects;
    out->bytes = pj->bytes;
    out->state = (gcsplan_import_state)j->state;
    out->operation = j->operation;
    out->has_counters = j->has_counters;
    out->success = j->success;
    out->failure = j->failure;
    out->logs_url = j->logs_url;
    out->error = j->error;
    out->error_code = j->error_code;
    out->http_status = j->http_status;
    out->submissions = j->submissions;
    out->lost = j->lost;
    out->submitted_ms = j->submitted_ms;
    out->done_ms = j->done_ms;
}

static void tell_job(gcsplan_importer *imp, size_t i)
{
    if (imp->on_job == NULL)
        return;
    gcsplan_import_job job;
    fill_job(imp, i, &job);
    imp->on_job(&job, imp->payload);
}

static void note(gcsplan_importer *imp, const char *fmt, ...) GCSPLAN_PRINTF(2, 3);

static void note(gcsplan_importer *imp, const char *fmt, ...)
{
    if (imp->on_note == NULL)
        return;
    char m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    imp->on_note(m, imp->payload);
}

/* The run cannot go on: the first reason wins. */
static void fatal(gcsplan_importer *imp, int code, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

static void fatal(gcsplan_importer *imp, int code, const char *fmt, ...)
{
    if (imp->fatal)
        return;
    imp->fatal = code;
    gcsplan_error_clear(&imp->fatal_err);
    imp->fatal_err.code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(imp->fatal_err.message, sizeof imp->fatal_err.message, fmt, ap);
    va_end(ap);
}

static int journal(gcsplan_importer *imp, gcsplan_journal_record *rec)
{
    gcsplan_error e;
    rec->time_ms = wall_ms(imp);
    int rc = gcsplan__journal_append(imp->journal, rec, &e);
    if (rc != 0)
        fatal(imp, rc == GCSPLAN_ENOMEM ? rc : GCSPLAN_ESOURCE, "%s", e.message);
    return rc;
}

/* --- reading the journal back ------------------------------------------------------------ */

static int fold(const gcsplan_journal_record *rec, void *payload)
{
    gcsplan_importer *imp = payload;
    ijob *j = &imp->jobs[rec->job];
    int rc = 0;
    switch (rec->event) {
    case GCSPLAN_JOURNAL_SUBMITTING:
        j->submissions++;
        j->submitted_ms = rec->time_ms;
        set_state(imp, rec->job, GCSPLAN_IMPORT_SUBMITTING);
        break;
    case GCSPLAN_JOURNAL_SUBMITTED:
        rc = set_str(imp, &j->operation, rec->operation);
        set_state(imp, rec->job, GCSPLAN_IMPORT_RUNNING);
        break;
    case GCSPLAN_JOURNAL_LOST:
        count_lost(imp, rec->job);
        set_state(imp, rec->job, GCSPLAN_IMPORT_WAITING);
        break;
    case GCSPLAN_JOURNAL_DEFERRED:
        set_state(imp, rec->job, GCSPLAN_IMPORT_WAITING);
        break;
    case GCSPLAN_JOURNAL_DONE:
        if (rec->operation != NULL && j->operation != NULL &&
            strcmp(rec->operation, j->operation) != 0) {
            gcsplan__error_set(&imp->fold_err, GCSPLAN_EJOURNAL,
                               "job %zu is done with another operation than the one submitted",
                               rec->job + 1);
            return 1;
        }
        if (rec->operation == NULL)
            rc = set_str(imp, &j->operation, NULL);
        if (rc == 0)
            rc = set_str(imp, &j->logs_url, rec->logs_url);
        if (rc == 0)
            rc = set_str(imp, &j->error, rec->error);
        j->error_code = rec->error_code;
        j->http_status = rec->http_status;
        j->done_ms = rec->end_ms ? rec->end_ms : rec->time_ms;
        set_counters(imp, rec->job, rec->has_counters, rec->success, rec->failure);
        set_state(imp, rec->job, rec->state);
        break;
    }
    if (rc != 0) {
        gcsplan__error_set(&imp->fold_err, GCSPLAN_ENOMEM, "out of memory");
        return 1;
    }
    return 0;
}

/* After the journal: a submission without its answer is lost (the store
 * may have made an operation of it, or not); failed jobs wait again when
 * asked to. */
static int settle(gcsplan_importer *imp, gcsplan_error *err)
{
    size_t lost = 0;
    for (size_t i = 0; i < imp->n; i++) {
        ijob *j = &imp->jobs[i];
        if (j->state == GCSPLAN_IMPORT_SUBMITTING) {
            gcsplan_journal_record rec;
            memset(&rec, 0, sizeof rec);
            rec.event = GCSPLAN_JOURNAL_LOST;
            rec.job = i;
            rec.error = "no answer journaled: found so on resume";
            if (journal(imp, &rec) != 0) {
                *err = imp->fatal_err;
                return imp->fatal;
            }
            count_lost(imp, i);
            set_state(imp, i, GCSPLAN_IMPORT_WAITING);
            lost++;
        } else if (j->state == GCSPLAN_IMPORT_FAILED && (imp->flags & GCSPLAN_IMPORT_RETRY_FAILED)) {
            set_state(imp, i, GCSPLAN_IMPORT_WAITING);
            j->tries = 0;
        }
    }
    if (lost > 0)
        note(imp, "%zu submission%s of an earlier run had no journaled answer: %s submitted "
                  "again, and the store may run %s twice (the report names %s)",
             lost, lost == 1 ? "" : "s", lost == 1 ? "it is" : "they are",
             lost == 1 ? "it" : "them", lost == 1 ? "the job" : "the jobs");
    return 0;
}

/* --- the importer ------------------------------------------------------------------------- */

void gcsplan_importer_free(gcsplan_importer *imp)
{
    if (imp == NULL)
        return;
    for (size_t i = 0; imp->slots != NULL && i < imp->nslots; i++) {
        gcsplan__call_free(imp->slots[i].submit);
        gcsplan__call_free(imp->slots[i].poll);
        gcsplan__free(&imp->a, imp->slots[i].body);
    }
    gcsplan__free(&imp->a, imp->slots);
    gcsplan__api_free(imp->api);
    gcsplan__journal_close(imp->journal);
    for (size_t i = 0; imp->jobs != NULL && i < imp->n; i++) {
        gcsplan__free(&imp->a, imp->jobs[i].operation);
        gcsplan__free(&imp->a, imp->jobs[i].logs_url);
        gcsplan__free(&imp->a, imp->jobs[i].error);
    }
    gcsplan__free(&imp->a, imp->jobs);
    gcsplan__free(&imp->a, imp->delayed);
    gcsplan__free(&imp->a, imp->store);
    gcsplan__free(&imp->a, imp->cs);
    gcsplan__free(&imp->a, imp);
}

/* The store and content structure of the run, from the options and the plan. */
static int choose_store(gcsplan_importer *imp, const gcsplan_import_options *o,
                        gcsplan_error *err)
{
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(imp->plan);
    const char *store = o->store != NULL ? o->store : h->store;
    if (store == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "no store: the plan names none "
                                                       "(plan --store), and none was given");
    if (gcsplan_store_parse(&imp->parts, store, strlen(store), err) != 0)
        return GCSPLAN_EINVAL;
    const char *cs = o->content_structure;
    if (cs != NULL && imp->parts.kind != GCSPLAN_STORE_FHIR)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "a content structure is for FHIR stores; "
                                                       "the store is a DICOM store");
    /* The plan's own content structure goes with a FHIR store; a DICOM
     * store given over a FHIR plan takes none. */
    if (cs == NULL && imp->parts.kind == GCSPLAN_STORE_FHIR)
        cs = h->content_structure;
    if (cs != NULL && !gcsplan_content_structure_valid(cs, strlen(cs)))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "the content structure is BUNDLE, "
                                                       "RESOURCE, BUNDLE_PRETTY or RESOURCE_PRETTY");
    imp->store = gcsplan__strndup(&imp->a, store, strlen(store));
    imp->cs = cs != NULL ? gcsplan__strndup(&imp->a, cs, strlen(cs)) : NULL;
    if (imp->store == NULL || (cs != NULL && imp->cs == NULL))
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    /* The parts point into the copy from now on. */
    return gcsplan_store_parse(&imp->parts, imp->store, strlen(imp->store), err);
}

static int make_api(gcsplan_importer *imp, const gcsplan_import_options *o, gcsplan_error *err)
{
    gcsplan__api_config ac;
    memset(&ac, 0, sizeof ac);
    ac.alloc = &imp->a;
    ac.endpoint[GCSPLAN__SVC_HEALTHCARE] = o->api_endpoint;
    ac.parallel = imp->concurrency;
    ac.timeout_ms = o->timeout_ms;
    ac.retry.retries = imp->retries;
    ac.retry.base_ms = imp->hooks.retry_base_ms ? imp->hooks.retry_base_ms : RETRY_BASE_DEFAULT_MS;
    ac.retry.max_ms = RETRY_MAX_MS;
    ac.transport = imp->hooks.transport;
    ac.auth_mode = imp->hooks.auth != NULL ? GCSPLAN__API_AUTH_GIVEN : GCSPLAN__API_AUTH_SHARED;
    ac.auth = imp->hooks.auth;
    ac.getenv_fn = imp->hooks.getenv_fn;
    int rc = gcsplan__api_new(&imp->api, &ac, err);
    if (rc != 0)
        return rc;
    /* An endpoint that cannot be used is a bad option, said before the
     * journal is touched. */
    if (gcsplan__api_endpoint(imp->api, GCSPLAN__SVC_HEALTHCARE, err) == NULL)
        return GCSPLAN_EINVAL;
    return 0;
}

int gcsplan__importer_new_with(gcsplan_importer **out, const gcsplan_plan_doc *plan,
                               const gcsplan_import_options *o,
                               const gcsplan__import_hooks *hooks, gcsplan_error *err)
{
    *out = NULL;
    if (plan == NULL || o == NULL || o->version != GCSPLAN_IMPORT_OPTIONS_VERSION ||
        o->journal == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "an import needs a plan and options "
                                                       "of version 1 with a journal");
    if (o->concurrency > GCSPLAN_IMPORT_CONCURRENCY_MAX || (o->flags & ~GCSPLAN_IMPORT_RETRY_FAILED))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "bad import options");
    const gcsplan_allocator *a = gcsplan__allocator_or_default(o->allocator);
    gcsplan_importer *imp = gcsplan__malloc(a, sizeof *imp);
    if (imp == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(imp, 0, sizeof *imp);
    atomic_init(&imp->stop, 0);
    imp->a = *a;
    imp->plan = plan;
    imp->n = gcsplan_plan_doc_job_count(plan);
    imp->concurrency = o->concurrency ? o->concurrency : GCSPLAN_IMPORT_CONCURRENCY_DEFAULT;
    imp->poll_ms = o->poll_interval_ms ? o->poll_interval_ms
                                       : GCSPLAN_IMPORT_POLL_INTERVAL_DEFAULT_MS;
    imp->progress_ms = o->progress_ms ? o->progress_ms : PROGRESS_DEFAULT_MS;
    imp->flags = o->flags;
    imp->retries = o->retries < 0 ? SUBMIT_RETRIES_DEFAULT : o->retries;
    imp->on_job = o->on_job;
    imp->on_progress = o->on_progress;
    imp->on_note = o->on_note;
    imp->payload = o->payload;
    if (hooks != NULL)
        imp->hooks = *hooks;
    imp->rng = imp->hooks.seed ? imp->hooks.seed : gcsplan__rng_seed();
    int rc = choose_store(imp, o, err);
    if (rc != 0)
        goto fail;
    if ((rc = make_api(imp, o, err)) != 0)
        goto fail;
    imp->jobs = gcsplan__malloc(&imp->a, (imp->n ? imp->n : 1) * sizeof *imp->jobs);
    if (imp->jobs == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        goto fail;
    }
    memset(imp->jobs, 0, (imp->n ? imp->n : 1) * sizeof *imp->jobs);
    imp->totals.jobs = imp->n;
    imp->totals.states[GCSPLAN_IMPORT_WAITING] = imp->n;
    imp->totals.objects = gcsplan_plan_doc_head(plan)->objects;
    gcsplan__journal_config jc = { &imp->a, o->journal, plan, imp->store, imp->cs,
                                   wall_ms(imp), fold, imp };
    gcsplan_journal_info info;
    rc = gcsplan__journal_open(&imp->journal, &jc, &info, err);
    if (rc == GCSPLAN_ESOURCE && imp->fold_err.code != 0) {
        rc = imp->fold_err.code;
        if (err != NULL)
            *err = imp->fold_err;
    }
    if (rc != 0)
        goto fail;
    if (info.torn)
        note(imp, "the journal's last line was cut short (a crash while it was written): it "
                  "is ignored");
    if ((rc = settle(imp, err)) != 0)
        goto fail;
    *out = imp;
    return 0;
fail:
    gcsplan_importer_free(imp);
    return rc;
}

int gcsplan_importer_new(gcsplan_importer **out, const gcsplan_plan_doc *plan,
                         const gcsplan_import_options *opts, gcsplan_error *err)
{
    return gcsplan__importer_new_with(out, plan, opts, NULL, err);
}

void gcsplan_importer_stop(gcsplan_importer *imp)
{
    if (imp != NULL)
        atomic_store_explicit(&imp->stop, 1, memory_order_relaxed);
}

size_t gcsplan_importer_job_count(const gcsplan_importer *imp)
{
    return imp->n;
}

int gcsplan_importer_job(const gcsplan_importer *imp, size_t i, gcsplan_import_job *out)
{
    if (imp == NULL || out == NULL || i >= imp->n)
        return GCSPLAN_EINVAL;
    fill_job(imp, i, out);
    return 0;
}

void gcsplan_importer_totals(const gcsplan_importer *imp, gcsplan_import_totals *t)
{
    *t = imp->totals;
}

const char *gcsplan_importer_store(const gcsplan_importer *imp)
{
    return imp->store;
}

const char *gcsplan_importer_content_structure(const gcsplan_importer *imp)
{
    return imp->cs;
}

void gcsplan__importer_journal_stats(const gcsplan_importer *imp, uint64_t *records,
                                     double *seconds)
{
    gcsplan__journal_stats(imp->journal, records, seconds);
}

/* --- submissions --------------------------------------------------------------------------- */

static void release(slot *s)
{
    s->job = NO_JOB;
    s->busy = SLOT_IDLE;
    s->imp->used--;
}

/* The job waits again, not before delay_ms from now. */
static void delay_job(gcsplan_importer *imp, size_t i, uint64_t delay_ms)
{
    ijob *j = &imp->jobs[i];
    j->not_before = now_ms(imp) + delay_ms;
    set_state(imp, i, GCSPLAN_IMPORT_WAITING);
    if (j->delayed)
        return;
    if (imp->ndelayed == imp->capdelayed) {
        size_t cap = imp->capdelayed ? imp->capdelayed * 2 : 16;
        size_t *p = gcsplan__realloc(&imp->a, imp->delayed, cap * sizeof *p);
        if (p == NULL) {
            fatal(imp, GCSPLAN_ENOMEM, "out of memory");
            return;
        }
        imp->delayed = p;
        imp->capdelayed = cap;
    }
    imp->delayed[imp->ndelayed++] = i;
    j->delayed = 1;
}

/* The next job to submit now, or NO_JOB: a delayed one that is due, else
 * the next in plan order. */
static size_t next_job(gcsplan_importer *imp, uint64_t now)
{
    for (size_t k = 0; k < imp->ndelayed; k++) {
        size_t i = imp->delayed[k];
        if (imp->jobs[i].not_before <= now) {
            imp->delayed[k] = imp->delayed[--imp->ndelayed];
            imp->jobs[i].delayed = 0;
            return i;
        }
    }
    while (imp->cursor < imp->n) {
        size_t i = imp->cursor++;
        if (imp->jobs[i].state == GCSPLAN_IMPORT_WAITING && !imp->jobs[i].delayed)
            return i;
    }
    return NO_JOB;
}

/* A refused or unanswered submission: the budget of failures in a row. */
static int over_budget(gcsplan_importer *imp, size_t i, const char *why)
{
    ijob *j = &imp->jobs[i];
    if (++j->tries <= (unsigned)imp->retries)
        return 0;
    fatal(imp, GCSPLAN_ESOURCE, "job %zu: giving up after %u submission%s: %s", i + 1, j->tries,
          j->tries == 1 ? "" : "s", why);
    return 1;
}

static void record(gcsplan_journal_record *rec, gcsplan_journal_event ev, size_t job)
{
    memset(rec, 0, sizeof *rec);
    rec->event = ev;
    rec->job = job;
}

/* The answer was lost (or cannot be trusted to mean "nothing was made"):
 * the operation may exist. The job is submitted again later. */
static void lost_answer(slot *s, const char *why)
{
    gcsplan_importer *imp = s->imp;
    size_t i = s->job;
    char reason[GCSPLAN_MESSAGE_MAX];
    snprintf(reason, sizeof reason, "%s", why);
    gcsplan_journal_record rec;
    record(&rec, GCSPLAN_JOURNAL_LOST, i);
    rec.error = reason;
    release(s);
    if (journal(imp, &rec) != 0)
        return;
    count_lost(imp, i);
    over_budget(imp, i, reason);
    delay_job(imp, i, backoff(imp, SUBMIT_BACKOFF_BASE_MS, SUBMIT_BACKOFF_MAX_MS,
                              imp->jobs[i].tries));
    tell_job(imp, i);
}

/* No operation was made; the job waits (a 429 or a 408/503), or the run
 * stops (stop set: the store is missing, credentials refused, ...). */
static void deferred(slot *s, int status, const char *why, int stop)
{
    gcsplan_importer *imp = s->imp;
    size_t i = s->job;
    char reason[GCSPLAN_MESSAGE_MAX];
    snprintf(reason, sizeof reason, "%s", why);
    gcsplan_journal_record rec;
    record(&rec, GCSPLAN_JOURNAL_DEFERRED, i);
    rec.http_status = status;
    rec.error = reason;
    release(s);
    if (journal(imp, &rec) != 0)
        return;
    uint64_t wait;
    if (stop) {
        wait = 0;
    } else if (status == 429) {
        /* Quota: this job waits, and so do the others, until an operation
         * of this run finishes or the wait is over. Never a failure. */
        wait = backoff(imp, QUOTA_BACKOFF_BASE_MS, QUOTA_BACKOFF_MAX_MS, ++imp->quota_streak);
        imp->hold_until = now_ms(imp) + wait;
    } else {
        over_budget(imp, i, reason);
        wait = backoff(imp, SUBMIT_BACKOFF_BASE_MS, SUBMIT_BACKOFF_MAX_MS, imp->jobs[i].tries);
    }
    delay_job(imp, i, wait);
    tell_job(imp, i);
}

/* A finished job: journaled, counted, its slot free. */
static void finish_job(gcsplan_importer *imp, size_t i, gcsplan_journal_record *rec)
{
    ijob *j = &imp->jobs[i];
    rec->job = i;
    rec->event = GCSPLAN_JOURNAL_DONE;
    if (journal(imp, rec) != 0)
        return;
    if (set_str(imp, &j->error, rec->error) != 0 || set_str(imp, &j->logs_url, rec->logs_url) != 0)
        fatal(imp, GCSPLAN_ENOMEM, "out of memory");
    j->error_code = rec->error_code;
    j->http_status = rec->http_status;
    j->done_ms = rec->end_ms ? rec->end_ms : rec->time_ms;
    set_counters(imp, i, rec->has_counters, rec->success, rec->failure);
    j->finished_here = 1;
    set_state(imp, i, rec->state);
    /* An operation finished: the project's quota has room again. */
    imp->hold_until = 0;
    tell_job(imp, i);
}

static void submit_done(gcsplan__call *c, void *ctx, const gcsplan__call_result *r)
{
    slot *s = ctx;
    gcsplan_importer *imp = s->imp;
    size_t i = s->job;
    ijob *j = &imp->jobs[i];
    (void)c;
    s->busy = SLOT_IDLE;
    int st = r->status;
    if (r->rc == 0) {
        size_t len;
        const char *body = gcsplan__call_response(s->submit, &len);
        gcsplan_error e;
        if (gcsplan__operation_parse(&s->op, body, len, &e) != 0 ||
            !gcsplan__operation_name_ok(s->op.name, s->op.name_len, imp->store)) {
            /* A 2xx was sent, so an operation was probably made, but its
             * name cannot be read: as good as lost. */
            char why[GCSPLAN_MESSAGE_MAX];
            snprintf(why, sizeof why, "HTTP %d with an answer that names no operation of the "
                     "store's dataset", st);
            lost_answer(s, why);
            return;
        }
        gcsplan_journal_record rec;
        record(&rec, GCSPLAN_JOURNAL_SUBMITTED, i);
        rec.operation = s->op.name;
        if (journal(imp, &rec) != 0) {
            /* Not journaled, yet made: keep it in memory so the report names
             * it, though a later run will not know it. */
            set_str(imp, &j->operation, s->op.name);
            set_state(imp, i, GCSPLAN_IMPORT_RUNNING);
            release(s);
            return;
        }
        if (set_str(imp, &j->operation, s->op.name) != 0)
            fatal(imp, GCSPLAN_ENOMEM, "out of memory");
        j->tries = 0;
        imp->quota_streak = 0;
        set_state(imp, i, GCSPLAN_IMPORT_RUNNING);
        s->polls = 0;
        s->last_poll = now_ms(imp);
        s->next_poll = s->last_poll + poll_wait(imp, 0);
        tell_job(imp, i);
        return;
    }
    if (st == 0 && r->not_sent) {
        /* No connection was made: the request never left, nothing was made. */
        deferred(s, 0, r->why, 0);
    } else if (st == 0 || (st >= 200 && st <= 299) || (st >= 500 && st != 503)) {
        /* No answer, a body cut short, or a server error other than "not
         * available" (a 500 or 504 may come after the operation was made). */
        lost_answer(s, r->why[0] ? r->why : "no answer");
    } else if (st == 429 || st == 408 || st == 503) {
        deferred(s, st, r->why, 0);
    } else if (st == 400 || st == 409 || st == 412 || st == 413) {
        /* Refused for this job alone (a URI that matches nothing, ...): it
         * failed, and the run goes on. */
        gcsplan_journal_record rec;
        memset(&rec, 0, sizeof rec);
        rec.state = GCSPLAN_IMPORT_FAILED;
        rec.error = r->why;
        rec.http_status = st;
        release(s);
        finish_job(imp, i, &rec);
    } else {
        /* 401, 403, 404 (no such store), 3xx, other 4xx: every job would
         * meet it. */
        char why[GCSPLAN_MESSAGE_MAX];
        snprintf(why, sizeof why, "%s", r->err->message);
        deferred(s, st, r->why, 1);
        fatal(imp, GCSPLAN_ESOURCE, "job %zu: %s", i + 1, why);
    }
}

static const gcsplan__call_ops submit_ops = { NULL, NULL, NULL, submit_done };

static void start_submission(gcsplan_importer *imp, slot *s, size_t i)
{
    const gcsplan_plan_job *pj = gcsplan_plan_doc_job(imp->plan, i);
    ijob *j = &imp->jobs[i];
    char probe[1];
    size_t len = gcsplan_plan_request(probe, sizeof probe, pj->uri, pj->uri_len, imp->cs);
    if (len + 1 > s->body_cap) {
        char *b = gcsplan__realloc(&imp->a, s->body, len + 1);
        if (b == NULL) {
            fatal(imp, GCSPLAN_ENOMEM, "out of memory");
            return;
        }
        s->body = b;
        s->body_cap = len + 1;
    }
    gcsplan_plan_request(s->body, s->body_cap, pj->uri, pj->uri_len, imp->cs);
    gcsplan_journal_record rec;
    record(&rec, GCSPLAN_JOURNAL_SUBMITTING, i);
    rec.uri = pj->uri;
    if (journal(imp, &rec) != 0)
        return;
    s->job = i;
    imp->used++;
    j->submissions++;
    j->submitted_ms = rec.time_ms;
    set_state(imp, i, GCSPLAN_IMPORT_SUBMITTING);
    gcsplan__call_begin(s->submit, GCSPLAN__SVC_HEALTHCARE, NULL, "POST",
                        imp->parts.kind == GCSPLAN_STORE_FHIR ? "fhirStores.import"
                                                              : "dicomStores.import");
    gcsplan__buf *u = gcsplan__call_url(s->submit);
    gcsplan__buf_puts(u, "/v1/");
    gcsplan__buf_puts(u, imp->store);
    gcsplan__buf_puts(u, ":import");
    gcsplan__call_header(s->submit, "Content-Type: application/json; charset=utf-8");
    gcsplan__call_body(s->submit, s->body, len);
    gcsplan__call_retries(s->submit, 0);
    gcsplan_error e;
    s->busy = SLOT_SUBMIT;
    if (gcsplan__call_start(s->submit, &e) != 0) {
        /* Nothing was sent (credentials, the URL): the journal says so. */
        deferred(s, 0, e.message, 1);
        fatal(imp, e.code == GCSPLAN_ENOMEM ? e.code : GCSPLAN_ESOURCE, "job %zu: %s", i + 1,
              e.message);
        return;
    }
    tell_job(imp, i);
}

/* --- polls ------------------------------------------------------------------------------- */

/* A poll's body, read whole: a document that is not the operation asked
 * for is retried like a cut body. */
static int poll_end(gcsplan__call *c, void *ctx)
{
    slot *s = ctx;
    size_t len;
    const char *body = gcsplan__call_response(c, &len);
    gcsplan_error *e = gcsplan__call_body_error(c);
    if (gcsplan__operation_parse(&s->op, body, len, e) != 0)
        return GCSPLAN__BODY_MALFORMED;
    const char *want = s->imp->jobs[s->job].operation;
    if (strcmp(s->op.name, want) != 0) {
        gcsplan__error_set(e, GCSPLAN_EINVAL, "the answer is another operation");
        return GCSPLAN__BODY_MALFORMED;
    }
    return 0;
}

static void poll_done(gcsplan__call *c, void *ctx, const gcsplan__call_result *r)
{
    slot *s = ctx;
    gcsplan_importer *imp = s->imp;
    size_t i = s->job;
    ijob *j = &imp->jobs[i];
    (void)c;
    s->busy = SLOT_IDLE;
    gcsplan_journal_record rec;
    memset(&rec, 0, sizeof rec);
    if (r->rc != 0) {
        if (r->status == 404) {
            /* Gone: the service keeps operations about 30 days. */
            rec.state = GCSPLAN_IMPORT_FAILED;
            rec.operation = j->operation;
            rec.http_status = 404;
            rec.error = "the operation is not found (the service keeps operations about 30 "
                        "days after they finish): its outcome is unknown";
            rec.has_counters = j->has_counters;
            rec.success = j->success;
            rec.failure = j->failure;
            rec.logs_url = j->logs_url;
            release(s);
            finish_job(imp, i, &rec);
            return;
        }
        fatal(imp, r->rc == GCSPLAN_ENOMEM ? r->rc : GCSPLAN_ESOURCE, "polling job %zu: %s",
              i + 1, r->err->message);
        return;
    }
    gcsplan__operation *op = &s->op;
    /* What we keep of the server's text is masked and escaped first. */
    if (op->logs_url_len > 0 && gcsplan__api_looks_secret(imp->api, op->logs_url,
                                                          op->logs_url_len))
        op->logs_url[0] = '\0';
    const char *logs = op->logs_url[0] ? op->logs_url : j->logs_url;
    if (!op->done) {
        if (op->has_counters)
            set_counters(imp, i, 1, op->success, op->failure);
        if (logs != j->logs_url && set_str(imp, &j->logs_url, logs) != 0)
            fatal(imp, GCSPLAN_ENOMEM, "out of memory");
        /* Counted from the answer, not the request: two polls are at least
         * the wait apart as the server sees them, whatever the latency. */
        s->last_poll = now_ms(imp);
        s->next_poll = s->last_poll + poll_wait(imp, s->polls);
        tell_job(imp, i);
        return;
    }
    char msg[4 * GCSPLAN__SERVER_TEXT_MAX + 64];
    rec.operation = j->operation;
    rec.logs_url = logs;
    rec.has_counters = op->has_counters || j->has_counters;
    rec.success = op->has_counters ? op->success : j->success;
    rec.failure = op->has_counters ? op->failure : j->failure;
    rec.create_ms = op->create_ms;
    rec.end_ms = op->end_ms;
    if (op->has_error) {
        gcsplan__buf b;
        gcsplan__buf_fixed(&b, msg, sizeof msg);
        if (op->error_message_len == 0 ||
            gcsplan__api_server_text(imp->api, &b, op->error_message, op->error_message_len,
                                     GCSPLAN__SERVER_TEXT_MAX) != 0 || b.len == 0)
            snprintf(msg, sizeof msg, "the operation failed without a message");
        rec.state = GCSPLAN_IMPORT_FAILED;
        rec.error = msg;
        rec.error_code = op->error_code;
    } else {
        rec.state = rec.failure > 0 ? GCSPLAN_IMPORT_PARTIAL : GCSPLAN_IMPORT_SUCCEEDED;
    }
    release(s);
    finish_job(imp, i, &rec);
}

static const gcsplan__call_ops poll_ops = { NULL, NULL, poll_end, poll_done };

static void start_poll(gcsplan_importer *imp, slot *s)
{
    gcsplan__call_begin(s->poll, GCSPLAN__SVC_HEALTHCARE, NULL, NULL, "operations.get");
    gcsplan__buf *u = gcsplan__call_url(s->poll);
    gcsplan__buf_puts(u, "/v1/");
    gcsplan__buf_puts(u, imp->jobs[s->job].operation);
    gcsplan_error e;
    s->busy = SLOT_POLL;
    s->polls++;
    if (gcsplan__call_start(s->poll, &e) != 0) {
        s->busy = SLOT_IDLE;
        fatal(imp, e.code == GCSPLAN_ENOMEM ? e.code : GCSPLAN_ESOURCE, "polling job %zu: %s",
              s->job + 1, e.message);
    }
}

/* --- the loop ----------------------------------------------------------------------------- */

static int make_slots(gcsplan_importer *imp, gcsplan_error *err)
{
    /* Journaled operations still running count toward the concurrency, and
     * each is polled: room for all of them. */
    size_t running = imp->totals.states[GCSPLAN_IMPORT_RUNNING];
    imp->nslots = running > imp->concurrency ? running : imp->concurrency;
    imp->slots = gcsplan__malloc(&imp->a, imp->nslots * sizeof *imp->slots);
    if (imp->slots == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(imp->slots, 0, imp->nslots * sizeof *imp->slots);
    size_t k = 0;
    uint64_t now = now_ms(imp);
    for (size_t s = 0; s < imp->nslots; s++) {
        slot *sl = &imp->slots[s];
        sl->imp = imp;
        sl->job = NO_JOB;
        if (gcsplan__call_new(&sl->submit, imp->api, &submit_ops, sl) != 0 ||
            gcsplan__call_new(&sl->poll, imp->api, &poll_ops, sl) != 0)
            return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        /* A journaled operation may have finished long ago: polled at once. */
        while (k < imp->n && imp->jobs[k].state != GCSPLAN_IMPORT_RUNNING)
            k++;
        if (k < imp->n) {
            sl->job = k++;
            sl->next_poll = now;
            imp->used++;
        }
    }
    return 0;
}

/* Polls that are due, and submissions while there is room. */
static void start_work(gcsplan_importer *imp, uint64_t now)
{
    for (size_t k = 0; k < imp->nslots && !imp->fatal; k++) {
        slot *s = &imp->slots[k];
        if (s->job != NO_JOB && s->busy == SLOT_IDLE &&
            imp->jobs[s->job].state == GCSPLAN_IMPORT_RUNNING && s->next_poll <= now)
            start_poll(imp, s);
    }
    while (!imp->fatal && imp->used < imp->concurrency && now >= imp->hold_until &&
           !atomic_load_explicit(&imp->stop, memory_order_relaxed)) {
        size_t i = next_job(imp, now);
        if (i == NO_JOB)
            break;
        slot *s = NULL;
        for (size_t k = 0; k < imp->nslots; k++)
            if (imp->slots[k].job == NO_JOB) {
                s = &imp->slots[k];
                break;
            }
        start_submission(imp, s, i);
    }
}

/* When the loop has something to do next, at the latest. */
static uint64_t next_wake(gcsplan_importer *imp, uint64_t now, uint64_t progress_at)
{
    uint64_t wake = now + WAIT_MAX_MS;
    if (progress_at < wake)
        wake = progress_at;
    for (size_t k = 0; k < imp->nslots; k++) {
        slot *s = &imp->slots[k];
        if (s->job != NO_JOB && s->busy == SLOT_IDLE && s->next_poll < wake)
            wake = s->next_poll;
    }
    if (imp->used < imp->concurrency) {
        /* The next submission: a delayed job's time, or the end of a hold
         * when jobs wait behind it. */
        uint64_t t = imp->cursor < imp->n ? now : UINT64_MAX;
        for (size_t k = 0; k < imp->ndelayed; k++)
            if (imp->jobs[imp->delayed[k]].not_before < t)
                t = imp->jobs[imp->delayed[k]].not_before;
        if (t != UINT64_MAX && t < imp->hold_until)
            t = imp->hold_until;
        if (t < wake)
            wake = t > now ? t : now;
    }
    return wake;
}

static int in_flight(const gcsplan_importer *imp, int kind)
{
    for (size_t k = 0; k < imp->nslots; k++)
        if (imp->slots[k].busy == kind)
            return 1;
    return 0;
}

static void progress(gcsplan_importer *imp)
{
    if (imp->on_progress != NULL)
        imp->on_progress(&imp->totals, imp->payload);
}

int gcsplan_importer_run(gcsplan_importer *imp, gcsplan_error *err)
{
    if (imp == NULL || imp->ran)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "an importer runs once");
    imp->ran = 1;
    int rc = gcsplan__api_prepare(imp->api, GCSPLAN__SVC_HEALTHCARE, err);
    if (rc != 0)
        return rc;
    if ((rc = make_slots(imp, err)) != 0)
        return rc;
    uint64_t progress_at = now_ms(imp);
    int stopping = 0;
    for (;;) {
        uint64_t now = now_ms(imp);
        if (!stopping && (imp->fatal || atomic_load_explicit(&imp->stop, memory_order_relaxed))) {
            /* No new request; polls are abandoned (the operations go on);
             * submissions in flight are awaited, so that their answers are
             * journaled rather than lost. */
            stopping = 1;
            for (size_t k = 0; k < imp->nslots; k++)
                if (imp->slots[k].busy == SLOT_POLL) {
                    gcsplan__call_cancel(imp->slots[k].poll);
                    imp->slots[k].busy = SLOT_IDLE;
                }
        }
        if (stopping) {
            if (!in_flight(imp, SLOT_SUBMIT))
                break;
        } else {
            start_work(imp, now);
            if (imp->totals.states[GCSPLAN_IMPORT_SUCCEEDED] +
                    imp->totals.states[GCSPLAN_IMPORT_PARTIAL] +
                    imp->totals.states[GCSPLAN_IMPORT_FAILED] == imp->n)
                break;
            if (imp->fatal)
                continue;
        }
        if (now >= progress_at) {
            progress(imp);
            progress_at = now + imp->progress_ms;
        }
        uint64_t wake = next_wake(imp, now, progress_at);
        uint64_t wait = wake > now ? wake - now : 0;
        if (gcsplan__api_active(imp->api) > 0) {
            gcsplan_error e;
            if (gcsplan__api_run(imp->api, (long)wait, &e) != 0)
                fatal(imp, e.code, "%s", e.message);
        } else if (wait > 0) {
            sleep_for(imp, wait);
        }
    }
    progress(imp);
    if (imp->fatal) {
        if (err != NULL)
            *err = imp->fatal_err;
        return imp->fatal;
    }
    if (atomic_load_explicit(&imp->stop, memory_order_relaxed) &&
        imp->totals.states[GCSPLAN_IMPORT_SUCCEEDED] + imp->totals.states[GCSPLAN_IMPORT_PARTIAL] +
                imp->totals.states[GCSPLAN_IMPORT_FAILED] != imp->n)
        return gcsplan__error_set(err, GCSPLAN_ESTOPPED, "stopped on request");
    gcsplan_error_clear(err);
    return 0;
}
