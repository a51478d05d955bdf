/* The import journal: its reader and its writer (journal.h). The format is
 * in docs/import.md; one line is one flat JSON object. */
#define _DEFAULT_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "healthcare.h"
#include "journal.h"
#include "rfc3339.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/num.h"

/* --- the keys of a line ------------------------------------------------------------------ */

enum { K_TIME, K_JOB, K_EVENT, K_URI, K_OPERATION, K_STATE, K_SUCCESS, K_FAILURE, K_LOGS_URL,
       K_ERROR, K_ERROR_CODE, K_HTTP_STATUS, K_CREATE, K_END,
       K_JOURNAL, K_VERSION, K_DIGEST, K_JOBS, K_STORE, K_CS, K_COUNT };

enum { T_STR, T_INT };

#define TIME_MAX 40

static const struct {
    const char *name;
    int type;
    uint64_t max; /* bytes of a string, or the largest integer */
} keys[K_COUNT] = {
    [K_TIME] = { "time", T_STR, TIME_MAX },
    [K_JOB] = { "job", T_INT, GCSPLAN_PLAN_JOBS_MAX },
    [K_EVENT] = { "event", T_STR, 16 },
    [K_URI] = { "uri", T_STR, GCSPLAN_URI_MAX },
    [K_OPERATION] = { "operation", T_STR, GCSPLAN_OPERATION_NAME_MAX },
    [K_STATE] = { "state", T_STR, 16 },
    [K_SUCCESS] = { "success", T_INT, (uint64_t)INT64_MAX },
    [K_FAILURE] = { "failure", T_INT, (uint64_t)INT64_MAX },
    [K_LOGS_URL] = { "logs_url", T_STR, GCSPLAN_LOGS_URL_MAX },
    [K_ERROR] = { "error", T_STR, GCSPLAN__JOURNAL_TEXT_MAX },
    [K_ERROR_CODE] = { "error_code", T_INT, 0x7fffffff },
    [K_HTTP_STATUS] = { "http_status", T_INT, 999 },
    [K_CREATE] = { "create_time", T_STR, TIME_MAX },
    [K_END] = { "end_time", T_STR, TIME_MAX },
    [K_JOURNAL] = { "journal", T_STR, 32 },
    [K_VERSION] = { "version", T_INT, 1000000 },
    [K_DIGEST] = { "plan_digest", T_STR, 16 },
    [K_JOBS] = { "jobs", T_INT, GCSPLAN_PLAN_JOBS_MAX },
    [K_STORE] = { "store", T_STR, GCSPLAN_STORE_MAX },
    [K_CS] = { "content_structure", T_STR, 31 },
};

#define BIT(k) (1u << (k))
#define COMMON (BIT(K_TIME) | BIT(K_JOB) | BIT(K_EVENT))
#define HEADER (BIT(K_JOURNAL) | BIT(K_VERSION) | BIT(K_DIGEST) | BIT(K_JOBS) | BIT(K_STORE) | \
                BIT(K_TIME))

/* The events, their names in the file, and the keys each may and must have. */
static const struct {
    const char *name;
    unsigned allowed, required;
} events[] = {
    [GCSPLAN_JOURNAL_SUBMITTING] = { "submitting", COMMON | BIT(K_URI), COMMON | BIT(K_URI) },
    [GCSPLAN_JOURNAL_SUBMITTED] = { "submitted", COMMON | BIT(K_OPERATION),
                                    COMMON | BIT(K_OPERATION) },
    [GCSPLAN_JOURNAL_DONE] = { "done",
                               COMMON | BIT(K_STATE) | BIT(K_OPERATION) | BIT(K_SUCCESS) |
                                   BIT(K_FAILURE) | BIT(K_LOGS_URL) | BIT(K_ERROR) |
                                   BIT(K_ERROR_CODE) | BIT(K_HTTP_STATUS) | BIT(K_CREATE) |
                                   BIT(K_END),
                               COMMON | BIT(K_STATE) },
    [GCSPLAN_JOURNAL_LOST] = { "lost", COMMON | BIT(K_ERROR), COMMON },
    [GCSPLAN_JOURNAL_DEFERRED] = { "deferred", COMMON | BIT(K_HTTP_STATUS) | BIT(K_ERROR),
                                   COMMON },
};
#define EVENTS ((int)(sizeof events / sizeof events[0]))

/* One line's values. Strings are copied out of yajl's buffer (neither
 * terminated nor stable), each into its own bounded place. */
typedef struct line {
    unsigned seen;
    size_t depth;
    int top;
    char message[GCSPLAN_MESSAGE_MAX];
    char *s[K_COUNT];
    size_t n[K_COUNT];
    uint64_t v[K_COUNT];
} line;

/* --- the reader -------------------------------------------------------------------------- */

struct gcsplan__jreader {
    const gcsplan_allocator *a;
    const gcsplan_plan_doc *plan;
    size_t jobs;
    gcsplan_journal_fn fn;
    void *payload;
    unsigned char *state;  /* per job, a gcsplan_import_state */
    gcsplan__buf pending;  /* a line's bytes so far, when split between feeds */
    uint64_t offset;       /* bytes consumed */
    uint64_t line_start;   /* offset of the line being gathered */
    gcsplan_journal_info info;
    int have_header;
    int rc;                /* sticky */
    gcsplan_error err;
    line l;
    char *storage;         /* the strings of l, one block */
};

static int stop(line *l, const char *fmt, ...) GCSPLAN_PRINTF(2, 3);

static int stop(line *l, const char *fmt, ...)
{
    if (l->message[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->message, sizeof l->message, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int current_key(line *l)
{
    for (int k = 0; k < K_COUNT; k++)
        if (l->seen & BIT(k) && l->n[k] == (size_t)-1)
            return k;
    return -1;
}

/* The key whose value comes next: map_key marks it with n == -1. */
static int value_for(line *l, int type)
{
    if (l->depth != 1)
        return stop(l, "a journal line is one flat JSON object"), -1;
    int k = current_key(l);
    if (k < 0)
        return stop(l, "a value without a key"), -1;
    if (keys[k].type != type)
        return stop(l, "\"%s\" has the wrong type", keys[k].name), -1;
    return k;
}

static int cb_null(void *ctx)
{
    line *l = ctx;
    int k = current_key(l);
    return stop(l, "\"%s\" is null", k >= 0 ? keys[k].name : "?");
}

static int cb_boolean(void *ctx, int b)
{
    (void)b;
    int k = current_key(ctx);
    return stop(ctx, "\"%s\" has the wrong type", k >= 0 ? keys[k].name : "?");
}

static int cb_number(void *ctx, const char *s, size_t n)
{
    line *l = ctx;
    int k = value_for(l, T_INT);
    if (k < 0)
        return 0;
    if (gcsplan__parse_u64(s, n, keys[k].max, &l->v[k]) != 0)
        return stop(l, "\"%s\" is not an integer from 0 to %" PRIu64, keys[k].name, keys[k].max);
    l->n[k] = 0;
    return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
    line *l = ctx;
    int k = value_for(l, T_STR);
    if (k < 0)
        return 0;
    if (n > keys[k].max)
        return stop(l, "\"%s\" is longer than %" PRIu64 " bytes", keys[k].name, keys[k].max);
    if (memchr(s, '\0', n) != NULL)
        return stop(l, "\"%s\" holds a NUL", keys[k].name);
    /* yajl lets an escaped lone surrogate through as bytes that are not
     * UTF-8: such a value could not be written back as it was read. */
    if (!gcsplan__utf8_valid((const char *)s, n))
        return stop(l, "\"%s\" is not UTF-8", keys[k].name);
    memcpy(l->s[k], s, n);
    l->s[k][n] = '\0';
    l->n[k] = n;
    return 1;
}

static int cb_start_map(void *ctx)
{
    line *l = ctx;
    if (l->depth++ > 0)
        return stop(l, "a journal line is one flat JSON object");
    l->top = 1;
    return 1;
}

static int cb_start_array(void *ctx)
{
    return stop(ctx, "a journal line is one flat JSON object");
}

static int cb_end_map(void *ctx)
{
    line *l = ctx;
    l->depth--;
    return 1;
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
    line *l = ctx;
    int prev = current_key(l);
    if (prev >= 0)
        return stop(l, "\"%s\" has no value", keys[prev].name);
    for (int k = 0; k < K_COUNT; k++)
        if (strlen(keys[k].name) == n && memcmp(keys[k].name, s, n) == 0) {
            if (l->seen & BIT(k))
                return stop(l, "\"%s\" is given twice", keys[k].name);
            l->seen |= BIT(k);
            l->n[k] = (size_t)-1;
            return 1;
        }
    /* The key is outside text: shown cut and escaped, so that the message
     * stays one line whatever the key holds (an escaped newline, ...). */
    char shown[4 * 40 + 1];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, shown, sizeof shown);
    size_t k = n < 40 ? n : 40;
    while (k > 0 && k < n && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--; /* a whole character */
    gcsplan__term_str(&b, (const char *)s, k);
    return stop(l, "unknown key \"%s\"", shown);
}

static const yajl_callbacks line_callbacks = {
    cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end_map, cb_start_array, NULL,
};

/* Parse one line into r->l. Returns 1 when it is one whole JSON object, 0
 * when the text is not (yajl's complaint, or cut short: *syntax set), -1
 * when a value broke a rule (l->message). */
static int parse_line(gcsplan__jreader *r, const char *s, size_t n, int *syntax)
{
    line *l = &r->l;
    l->seen = 0;
    l->depth = 0;
    l->top = 0;
    l->message[0] = '\0';
    *syntax = 0;
    yajl_handle h = yajl_alloc(&line_callbacks, NULL, l);
    if (h == NULL)
        return -2;
    yajl_status st = yajl_parse(h, (const unsigned char *)s, n);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    yajl_free(h);
    if (l->message[0] != '\0')
        return -1;
    if (st != yajl_status_ok || !l->top) {
        *syntax = 1;
        return 0;
    }
    return 1;
}

static int fail(gcsplan__jreader *r, int code, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

/* Stop reading: "journal line N: ..." with the offset of the line. */
static int fail(gcsplan__jreader *r, int code, const char *fmt, ...)
{
    char m[GCSPLAN_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    gcsplan__error_set(&r->err, code, "journal line %" PRIu64 ": %s", r->info.lines + 1, m);
    r->err.offset = (size_t)r->line_start;
    r->rc = code;
    return code;
}

static int hex_digest(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n != 16)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

static int header(gcsplan__jreader *r)
{
    line *l = &r->l;
    gcsplan_journal_info *in = &r->info;
    if (l->seen & BIT(K_EVENT) || (l->seen & HEADER) != HEADER)
        return fail(r, GCSPLAN_EJOURNAL, "not the header of a gcsplan import journal");
    if ((l->seen & ~(HEADER | BIT(K_CS))) != 0)
        return fail(r, GCSPLAN_EJOURNAL, "the header has a key a header does not have");
    if (strcmp(l->s[K_JOURNAL], GCSPLAN__JOURNAL_TAG) != 0)
        return fail(r, GCSPLAN_EJOURNAL, "not the header of a gcsplan import journal");
    if (l->v[K_VERSION] != GCSPLAN_JOURNAL_VERSION)
        return fail(r, GCSPLAN_EJOURNAL, "journal version %" PRIu64 " (this gcsplan reads %d)",
                    l->v[K_VERSION], GCSPLAN_JOURNAL_VERSION);
    gcsplan_store parts;
    if (hex_digest(l->s[K_DIGEST], l->n[K_DIGEST], &in->plan_digest) != 0 ||
        gcsplan__rfc3339_parse(l->s[K_TIME], l->n[K_TIME], 1, &in->time_ms) != 0 ||
        gcsplan_store_parse(&parts, l->s[K_STORE], l->n[K_STORE], NULL) != 0)
        return fail(r, GCSPLAN_EJOURNAL, "a malformed header");
    if (l->seen & BIT(K_CS) && (parts.kind != GCSPLAN_STORE_FHIR ||
                                !gcsplan_content_structure_valid(l->s[K_CS], l->n[K_CS])))
        return fail(r, GCSPLAN_EJOURNAL, "a malformed header");
    in->version = (unsigned)l->v[K_VERSION];
    in->jobs = (size_t)l->v[K_JOBS];
    memcpy(in->store, l->s[K_STORE], l->n[K_STORE] + 1);
    snprintf(in->content_structure, sizeof in->content_structure, "%s",
             l->seen & BIT(K_CS) ? l->s[K_CS] : "");
    uint64_t want = gcsplan_plan_doc_digest(r->plan);
    if (in->plan_digest != want || in->jobs != r->jobs)
        return fail(r, GCSPLAN_EJOURNAL,
                    "the journal of another plan (plan digest %016" PRIx64 ", %zu jobs; this "
                    "plan's is %016" PRIx64 ", %zu jobs)",
                    in->plan_digest, in->jobs, want, r->jobs);
    r->have_header = 1;
    return 0;
}

static int state_of(const char *s, gcsplan_import_state *out)
{
    for (int st = GCSPLAN_IMPORT_SUCCEEDED; st <= GCSPLAN_IMPORT_FAILED; st++)
        if (strcmp(s, gcsplan_import_state_name(st)) == 0) {
            *out = (gcsplan_import_state)st;
            return 0;
        }
    return -1;
}

/* The record of a checked line, and its job's next state. */
static int record(gcsplan__jreader *r)
{
    line *l = &r->l;
    gcsplan_journal_record rec;
    memset(&rec, 0, sizeof rec);
    int ev = 0;
    if (l->seen & BIT(K_EVENT))
        for (int e = 1; e < EVENTS; e++)
            if (strcmp(l->s[K_EVENT], events[e].name) == 0)
                ev = e;
    if (ev == 0)
        return fail(r, GCSPLAN_EJOURNAL, l->seen & BIT(K_EVENT) ? "an unknown event"
                                                                 : "a record without its event");
    if ((l->seen & events[ev].required) != events[ev].required)
        return fail(r, GCSPLAN_EJOURNAL, "a \"%s\" record lacks a key it needs", events[ev].name);
    if ((l->seen & ~events[ev].allowed) != 0)
        return fail(r, GCSPLAN_EJOURNAL, "a \"%s\" record has a key it cannot have",
                    events[ev].name);
    if (l->v[K_JOB] < 1 || l->v[K_JOB] > r->jobs)
        return fail(r, GCSPLAN_EJOURNAL, "job %" PRIu64 " of a plan of %zu jobs", l->v[K_JOB],
                    r->jobs);
    rec.event = (gcsplan_journal_event)ev;
    rec.job = (size_t)l->v[K_JOB] - 1;
    if (gcsplan__rfc3339_parse(l->s[K_TIME], l->n[K_TIME], 1, &rec.time_ms) != 0)
        return fail(r, GCSPLAN_EJOURNAL, "\"time\" is not YYYY-MM-DDThh:mm:ss.mmmZ");
    const gcsplan_plan_job *pj = gcsplan_plan_doc_job(r->plan, rec.job);
    if (l->seen & BIT(K_URI)) {
        if (l->n[K_URI] != pj->uri_len || memcmp(l->s[K_URI], pj->uri, pj->uri_len) != 0)
            return fail(r, GCSPLAN_EJOURNAL, "job %zu's URI is not the plan's", rec.job + 1);
        rec.uri = l->s[K_URI];
    }
    if (l->seen & BIT(K_OPERATION)) {
        if (!gcsplan__operation_name_ok(l->s[K_OPERATION], l->n[K_OPERATION], r->info.store))
            return fail(r, GCSPLAN_EJOURNAL, "not an operation of the journal's dataset");
        rec.operation = l->s[K_OPERATION];
    }
    if ((l->seen & BIT(K_SUCCESS)) != (l->seen & BIT(K_FAILURE)) >> (K_FAILURE - K_SUCCESS))
        return fail(r, GCSPLAN_EJOURNAL, "\"success\" without \"failure\" or the reverse");
    rec.has_counters = (l->seen & BIT(K_SUCCESS)) != 0;
    rec.success = rec.has_counters ? l->v[K_SUCCESS] : 0;
    rec.failure = rec.has_counters ? l->v[K_FAILURE] : 0;
    if (l->seen & BIT(K_LOGS_URL)) {
        if (!gcsplan__logs_url_ok(l->s[K_LOGS_URL], l->n[K_LOGS_URL]))
            return fail(r, GCSPLAN_EJOURNAL, "\"logs_url\" is not a plain http(s) URL");
        rec.logs_url = l->s[K_LOGS_URL];
    }
    if (l->seen & BIT(K_ERROR))
        rec.error = l->s[K_ERROR];
    rec.error_code = (int)l->v[K_ERROR_CODE] * !!(l->seen & BIT(K_ERROR_CODE));
    rec.http_status = (int)l->v[K_HTTP_STATUS] * !!(l->seen & BIT(K_HTTP_STATUS));
    if ((l->seen & BIT(K_CREATE) &&
         gcsplan__rfc3339_parse(l->s[K_CREATE], l->n[K_CREATE], 1, &rec.create_ms) != 0) ||
        (l->seen & BIT(K_END) &&
         gcsplan__rfc3339_parse(l->s[K_END], l->n[K_END], 1, &rec.end_ms) != 0))
        return fail(r, GCSPLAN_EJOURNAL, "a time is not YYYY-MM-DDThh:mm:ss.mmmZ");
    /* The job's state machine (import.h). */
    unsigned char *st = &r->state[rec.job];
    int ok = 0;
    switch (rec.event) {
    case GCSPLAN_JOURNAL_SUBMITTING:
        ok = *st == GCSPLAN_IMPORT_WAITING || *st == GCSPLAN_IMPORT_FAILED;
        if (ok)
            *st = GCSPLAN_IMPORT_SUBMITTING;
        break;
    case GCSPLAN_JOURNAL_SUBMITTED:
        ok = *st == GCSPLAN_IMPORT_SUBMITTING;
        if (ok)
            *st = GCSPLAN_IMPORT_RUNNING;
        break;
    case GCSPLAN_JOURNAL_LOST:
    case GCSPLAN_JOURNAL_DEFERRED:
        ok = *st == GCSPLAN_IMPORT_SUBMITTING;
        if (ok)
            *st = GCSPLAN_IMPORT_WAITING;
        break;
    case GCSPLAN_JOURNAL_DONE:
        if (state_of(l->s[K_STATE], &rec.state) != 0)
            return fail(r, GCSPLAN_EJOURNAL, "\"state\" is succeeded, partial or failed");
        /* A finished operation, or a submission refused outright. */
        ok = (*st == GCSPLAN_IMPORT_RUNNING && rec.operation != NULL) ||
             (*st == GCSPLAN_IMPORT_SUBMITTING && rec.operation == NULL &&
              rec.state == GCSPLAN_IMPORT_FAILED);
        if (ok)
            *st = (unsigned char)rec.state;
        break;
    }
    if (!ok)
        return fail(r, GCSPLAN_EJOURNAL, "a \"%s\" record for job %zu, which is %s",
                    events[ev].name, rec.job + 1, gcsplan_import_state_name(*st));
    if (r->fn != NULL && r->fn(&rec, r->payload) != 0)
        return fail(r, GCSPLAN_ESOURCE, "reading stopped by the caller");
    return 0;
}

/* One whole line (without its newline). last: it had no newline. */
static int take_line(gcsplan__jreader *r, const char *s, size_t n, int last)
{
    int syntax;
    int k = parse_line(r, s, n, &syntax);
    if (k == -2)
        return fail(r, GCSPLAN_ENOMEM, "out of memory");
    if (k == 0 && last) {
        /* Not whole JSON and no newline: a line cut by a crash while it was
         * written. It never counted. */
        r->info.torn = 1;
        return 0;
    }
    if (k <= 0 && !r->have_header)
        return fail(r, GCSPLAN_EJOURNAL, "not the header of a gcsplan import journal (%s)",
                    k < 0 ? r->l.message : "not a JSON object");
    if (k <= 0)
        return fail(r, GCSPLAN_EJOURNAL, "%s", k < 0 ? r->l.message : "not a JSON object");
    if (r->info.lines + 1 > GCSPLAN_JOURNAL_LINES_MAX)
        return fail(r, GCSPLAN_ELIMIT, "more than %" PRIu64 " lines", GCSPLAN_JOURNAL_LINES_MAX);
    int rc = r->have_header ? record(r) : header(r);
    if (rc != 0)
        return rc;
    r->info.lines++;
    r->info.good_bytes = r->line_start + n + !last;
    r->info.no_final_newline = last;
    return 0;
}

int gcsplan__jreader_new(gcsplan__jreader **out, const gcsplan_allocator *a,
                         const gcsplan_plan_doc *plan, gcsplan_journal_fn fn, void *payload,
                         gcsplan_error *err)
{
    a = gcsplan__allocator_or_default(a);
    *out = NULL;
    gcsplan__jreader *r = gcsplan__malloc(a, sizeof *r);
    if (r == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->a = a;
    r->plan = plan;
    r->jobs = gcsplan_plan_doc_job_count(plan);
    r->fn = fn;
    r->payload = payload;
    gcsplan__buf_dynamic(&r->pending, a, GCSPLAN_JOURNAL_LINE_MAX);
    size_t total = 0;
    for (int k = 0; k < K_COUNT; k++)
        if (keys[k].type == T_STR)
            total += (size_t)keys[k].max + 1;
    r->storage = gcsplan__malloc(a, total);
    r->state = gcsplan__malloc(a, r->jobs ? r->jobs : 1);
    if (r->storage == NULL || r->state == NULL) {
        gcsplan__jreader_free(r);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    memset(r->state, GCSPLAN_IMPORT_WAITING, r->jobs ? r->jobs : 1);
    char *p = r->storage;
    for (int k = 0; k < K_COUNT; k++)
        if (keys[k].type == T_STR) {
            r->l.s[k] = p;
            p[0] = '\0';
            p += keys[k].max + 1;
        }
    *out = r;
    return 0;
}

static int sticky(gcsplan__jreader *r, gcsplan_error *err)
{
    if (err != NULL)
        *err = r->err;
    return r->rc;
}

int gcsplan__jreader_feed(gcsplan__jreader *r, const char *data, size_t len, gcsplan_error *err)
{
    while (r->rc == 0 && len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t k = nl != NULL ? (size_t)(nl - data) : len;
        if (r->pending.len + k > GCSPLAN_JOURNAL_LINE_MAX) {
            fail(r, GCSPLAN_EJOURNAL, "longer than %d bytes", GCSPLAN_JOURNAL_LINE_MAX);
            break;
        }
        if (nl == NULL) {
            gcsplan__buf_put(&r->pending, data, k);
            if (gcsplan__buf_error(&r->pending) != 0)
                fail(r, GCSPLAN_ENOMEM, "out of memory");
            r->offset += k;
            break;
        }
        if (r->pending.len == 0) {
            take_line(r, data, k, 0); /* whole in this piece: no copy */
        } else {
            gcsplan__buf_put(&r->pending, data, k);
            if (gcsplan__buf_error(&r->pending) != 0)
                fail(r, GCSPLAN_ENOMEM, "out of memory");
            else
                take_line(r, r->pending.p, r->pending.len, 0);
            gcsplan__buf_clear(&r->pending);
        }
        r->offset += k + 1;
        r->line_start = r->offset;
        data += k + 1;
        len -= k + 1;
    }
    return sticky(r, err);
}

int gcsplan__jreader_finish(gcsplan__jreader *r, gcsplan_journal_info *info, gcsplan_error *err)
{
    if (r->rc == 0 && r->pending.len > 0) {
        take_line(r, r->pending.p, r->pending.len, 1);
        gcsplan__buf_clear(&r->pending);
    }
    if (info != NULL)
        *info = r->info;
    return sticky(r, err);
}

void gcsplan__jreader_free(gcsplan__jreader *r)
{
    if (r == NULL)
        return;
    gcsplan__buf_free(&r->pending);
    gcsplan__free(r->a, r->storage);
    gcsplan__free(r->a, r->state);
    gcsplan__free(r->a, r);
}

/* Feed the reader from fd (from its start) until end of file. */
static int read_all(gcsplan__jreader *r, int fd, gcsplan_error *err)
{
    char buf[65536];
    off_t off = 0;
    for (;;) {
        ssize_t k = pread(fd, buf, sizeof buf, off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return gcsplan__error_set(err, GCSPLAN_ESOURCE, "reading the journal: %s",
                                      strerror(errno));
        if (k == 0)
            return 0;
        off += k;
        int rc = gcsplan__jreader_feed(r, buf, (size_t)k, err);
        if (rc != 0)
            return rc;
    }
}

/* Open for reading or appending: never blocking on a FIFO, and only a
 * regular file (a device or a FIFO could hold the run or never end). */
static int open_regular(const char *path, int flags, int *fd_out, struct stat *st,
                        gcsplan_error *err)
{
    int fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
    if (fd < 0)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot open the journal: %s",
                                  strerror(errno));
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "the journal is not a regular file");
    }
    *fd_out = fd;
    return 0;
}

int gcsplan_journal_read(const char *path, const gcsplan_plan_doc *plan, gcsplan_journal_fn fn,
                         void *payload, const gcsplan_allocator *allocator,
                         gcsplan_journal_info *info, gcsplan_error *err)
{
    if (path == NULL || plan == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "a journal needs a path and a plan");
    int fd = -1;
    struct stat st;
    int rc = open_regular(path, O_RDONLY, &fd, &st, err);
    if (rc != 0)
        return rc;
    gcsplan__jreader *r;
    rc = gcsplan__jreader_new(&r, allocator, plan, fn, payload, err);
    if (rc == 0)
        rc = read_all(r, fd, err);
    if (rc == 0)
        rc = gcsplan__jreader_finish(r, info, err);
    gcsplan__jreader_free(r);
    close(fd);
    return rc;
}

/* --- the writer -------------------------------------------------------------------------- */

struct gcsplan__journal {
    const gcsplan_allocator *a;
    int fd;
    uint64_t size;    /* bytes of whole lines in the file */
    int broken;       /* a write failed: no more records */
    char store[GCSPLAN_STORE_MAX + 1];
    gcsplan__buf line;
    uint64_t records;
    double seconds;
};

/* Write all of s and flush it to disk; on failure cut the file back to its
 * last whole line. */
static int put_line(gcsplan__journal *j, const char *s, size_t n, gcsplan_error *err)
{
    if (j->broken)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "the journal could not be written");
    double t0 = gcsplan__clock_s();
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(j->fd, s + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        done += (size_t)k;
    }
    int e = errno;
    if (done == n) {
        while (fdatasync(j->fd) != 0) {
            if (errno != EINTR) {
                e = errno;
                done = 0;
                break;
            }
        }
    }
    j->seconds += gcsplan__clock_s() - t0;
    if (done != n) {
        j->broken = 1;
        /* Half a line must not stay in front of whatever a later run appends. */
        if (ftruncate(j->fd, (off_t)j->size) == 0)
            (void)fdatasync(j->fd);
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "writing the journal: %s",
                                  strerror(e ? e : EIO));
    }
    j->size += n;
    return 0;
}

static void put_key_str(gcsplan__buf *b, const char *key, const char *s)
{
    gcsplan__buf_printf(b, ",\"%s\":", key);
    gcsplan__json_str(b, s, strlen(s));
}

static void put_time(gcsplan__buf *b, const char *key, int64_t ms)
{
    char t[GCSPLAN__RFC3339_MS_LEN + 1];
    gcsplan__rfc3339_ms(t, ms);
    gcsplan__buf_printf(b, ",\"%s\":\"%s\"", key, t);
}

int gcsplan__journal_line(gcsplan__buf *b, const gcsplan_journal_record *rec)
{
    if (rec->event < GCSPLAN_JOURNAL_SUBMITTING || rec->event > GCSPLAN_JOURNAL_DEFERRED)
        return GCSPLAN_EINVAL;
    char t[GCSPLAN__RFC3339_MS_LEN + 1];
    gcsplan__rfc3339_ms(t, rec->time_ms);
    gcsplan__buf_printf(b, "{\"time\":\"%s\",\"job\":%zu,\"event\":\"%s\"", t, rec->job + 1,
                        events[rec->event].name);
    switch (rec->event) {
    case GCSPLAN_JOURNAL_SUBMITTING:
        put_key_str(b, "uri", rec->uri);
        break;
    case GCSPLAN_JOURNAL_SUBMITTED:
        put_key_str(b, "operation", rec->operation);
        break;
    case GCSPLAN_JOURNAL_DONE:
        put_key_str(b, "state", gcsplan_import_state_name(rec->state));
        if (rec->operation != NULL)
            put_key_str(b, "operation", rec->operation);
        if (rec->has_counters)
            gcsplan__buf_printf(b, ",\"success\":%" PRIu64 ",\"failure\":%" PRIu64, rec->success,
                                rec->failure);
        if (rec->logs_url != NULL)
            put_key_str(b, "logs_url", rec->logs_url);
        if (rec->error != NULL)
            put_key_str(b, "error", rec->error);
        if (rec->error_code != 0)
            gcsplan__buf_printf(b, ",\"error_code\":%d", rec->error_code);
        if (rec->http_status != 0)
            gcsplan__buf_printf(b, ",\"http_status\":%d", rec->http_status);
        if (rec->create_ms != 0)
            put_time(b, "create_time", rec->create_ms);
        if (rec->end_ms != 0)
            put_time(b, "end_time", rec->end_ms);
        break;
    case GCSPLAN_JOURNAL_LOST:
        if (rec->error != NULL)
            put_key_str(b, "error", rec->error);
        break;
    case GCSPLAN_JOURNAL_DEFERRED:
        if (rec->http_status != 0)
            gcsplan__buf_printf(b, ",\"http_status\":%d", rec->http_status);
        if (rec->error != NULL)
            put_key_str(b, "error", rec->error);
        break;
    }
    gcsplan__buf_puts(b, "}\n");
    return gcsplan__buf_error(b);
}

void gcsplan__journal_header(gcsplan__buf *b, const gcsplan_plan_doc *plan, const char *store,
                             const char *content_structure, int64_t time_ms)
{
    gcsplan__buf_printf(b, "{\"journal\":\"%s\",\"version\":%d,\"plan_digest\":\"%016" PRIx64
                           "\",\"jobs\":%zu",
                        GCSPLAN__JOURNAL_TAG, GCSPLAN_JOURNAL_VERSION,
                        gcsplan_plan_doc_digest(plan), gcsplan_plan_doc_job_count(plan));
    put_key_str(b, "store", store);
    if (content_structure != NULL)
        put_key_str(b, "content_structure", content_structure);
    put_time(b, "time", time_ms);
    gcsplan__buf_puts(b, "}\n");
}

int gcsplan__journal_append(gcsplan__journal *j, const gcsplan_journal_record *rec,
                            gcsplan_error *err)
{
    gcsplan__buf *b = &j->line;
    gcsplan__buf_clear(b);
    int rc = gcsplan__journal_line(b, rec);
    if (rc == GCSPLAN_EINVAL)
        return gcsplan__error_set(err, rc, "an unknown journal event");
    if (rc != 0)
        return gcsplan__error_set(err, rc, "a journal line over %d bytes",
                                  GCSPLAN_JOURNAL_LINE_MAX);
    rc = put_line(j, b->p, b->len, err);
    if (rc == 0)
        j->records++;
    return rc;
}

/* The directory entry of a new file must survive a crash too. */
static void sync_dir(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int write_header(gcsplan__journal *j, const gcsplan__journal_config *cfg,
                        gcsplan_error *err)
{
    gcsplan__buf *b = &j->line;
    gcsplan__buf_clear(b);
    gcsplan__journal_header(b, cfg->plan, cfg->store, cfg->content_structure, cfg->now_ms);
    if (gcsplan__buf_error(b) != 0)
        return gcsplan__error_set(err, gcsplan__buf_error(b), "the journal's header");
    return put_line(j, b->p, b->len, err);
}

void gcsplan__journal_close(gcsplan__journal *j)
{
    if (j == NULL)
        return;
    if (j->fd >= 0)
        close(j->fd);
    gcsplan__buf_free(&j->line);
    gcsplan__free(j->a, j);
}

int gcsplan__journal_open(gcsplan__journal **out, const gcsplan__journal_config *cfg,
                          gcsplan_journal_info *info, gcsplan_error *err)
{
    const gcsplan_allocator *a = gcsplan__allocator_or_default(cfg->alloc);
    *out = NULL;
    gcsplan__journal *j = gcsplan__malloc(a, sizeof *j);
    if (j == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(j, 0, sizeof *j);
    j->a = a;
    j->fd = -1;
    gcsplan__buf_dynamic(&j->line, a, GCSPLAN_JOURNAL_LINE_MAX);
    snprintf(j->store, sizeof j->store, "%s", cfg->store);
    gcsplan_journal_info in;
    memset(&in, 0, sizeof in);
    struct stat st;
    int rc = open_regular(cfg->path, O_RDWR | O_CREAT | O_APPEND, &j->fd, &st, err);
    if (rc != 0)
        goto fail;
    if (flock(j->fd, LOCK_EX | LOCK_NB) != 0) {
        rc = errno == EWOULDBLOCK
                 ? gcsplan__error_set(err, GCSPLAN_EBUSY, "another gcsplan import is running "
                                                          "with this journal")
                 : gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot lock the journal: %s",
                                      strerror(errno));
        goto fail;
    }
    gcsplan__jreader *r;
    if ((rc = gcsplan__jreader_new(&r, a, cfg->plan, cfg->fn, cfg->payload, err)) != 0)
        goto fail;
    rc = read_all(r, j->fd, err);
    if (rc == 0)
        rc = gcsplan__jreader_finish(r, &in, err);
    gcsplan__jreader_free(r);
    if (rc != 0)
        goto fail;
    j->size = in.good_bytes;
    if (in.torn && ftruncate(j->fd, (off_t)in.good_bytes) != 0) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cutting the torn last line of the "
                                                      "journal: %s", strerror(errno));
        goto fail;
    }
    if (in.torn)
        (void)fdatasync(j->fd);
    if (in.no_final_newline) {
        if ((rc = put_line(j, "\n", 1, err)) != 0)
            goto fail;
    }
    if (in.lines == 0) {
        if ((rc = write_header(j, cfg, err)) != 0)
            goto fail;
        sync_dir(cfg->path);
        in.lines = 1;
        in.version = GCSPLAN_JOURNAL_VERSION;
        in.plan_digest = gcsplan_plan_doc_digest(cfg->plan);
        in.jobs = gcsplan_plan_doc_job_count(cfg->plan);
        in.time_ms = cfg->now_ms;
        snprintf(in.store, sizeof in.store, "%s", cfg->store);
        snprintf(in.content_structure, sizeof in.content_structure, "%s",
                 cfg->content_structure ? cfg->content_structure : "");
    } else if (strcmp(in.store, cfg->store) != 0) {
        rc = gcsplan__error_set(err, GCSPLAN_EJOURNAL, "the journal is of an import into %s",
                                in.store);
        goto fail;
    } else if (strcmp(in.content_structure,
                      cfg->content_structure ? cfg->content_structure : "") != 0) {
        rc = gcsplan__error_set(err, GCSPLAN_EJOURNAL,
                                "the journal is of an import with %s%s",
                                in.content_structure[0] ? "--content-structure "
                                                        : "no content structure",
                                in.content_structure);
        goto fail;
    }
    in.good_bytes = j->size;
    if (info != NULL)
        *info = in;
    *out = j;
    return 0;
fail:
    gcsplan__journal_close(j);
    return rc;
}

void gcsplan__journal_stats(const gcsplan__journal *j, uint64_t *records, double *seconds)
{
    *records = j->records;
    *seconds = j->seconds;
}
