/* The plan writer: a plan document, job by job, to the caller's callback.
 *
 * The bytes are those `gcsplan plan --json` has always printed (keys in the
 * same order, no spaces), so documents written before and after compare
 * equal. Each piece is built in one capped buffer and handed over at once:
 * memory is one job's text, whatever the number of jobs. What the writer
 * accepts the reader reads back unchanged (names that are not UTF-8 aside,
 * which JSON cannot carry: they come back with U+FFFD). */
#include <stdio.h>
#include <string.h>

#include "gcsplan/plandoc.h"
#include "gcsplan/report.h"
#include "internal.h"
#include "util/buf.h"
#include "util/escape.h"

/* One job's text is at most a few tens of kilobytes (a URI of at most
 * GCSPLAN_URI_MAX bytes twice, two names of at most GCSPLAN_NAME_MAX, each
 * at most 6 bytes per byte once escaped). */
#define PIECE_MAX ((size_t)1 << 20)

enum { W_NEW, W_JOBS, W_AFTER_JOBS, W_ENDED };

struct gcsplan_plan_writer {
    gcsplan_allocator alloc;
    gcsplan_write_cb write;
    void *payload;
    unsigned int flags;
    gcsplan__buf buf;
    int state;
    size_t njobs;
    uint64_t digest;
    char cs[16]; /* the content structure of the request bodies, or "" */
    int failed;
};

int gcsplan_plan_writer_new(gcsplan_plan_writer **out, gcsplan_write_cb write, void *payload,
                            const gcsplan_plan_write_options *opts, gcsplan_error *err)
{
    if (out == NULL || write == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out or write is NULL");
    *out = NULL;
    gcsplan_plan_write_options o = GCSPLAN_PLAN_WRITE_OPTIONS_INIT;
    if (opts != NULL) {
        if (opts->version != GCSPLAN_PLAN_WRITE_OPTIONS_VERSION)
            return gcsplan__error_set(err, GCSPLAN_EINVAL, "unsupported options version %u",
                                      opts->version);
        o = *opts;
    }
    const gcsplan_allocator *a = gcsplan__allocator_or_default(o.allocator);
    gcsplan_plan_writer *w = gcsplan__malloc(a, sizeof *w);
    if (w == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(w, 0, sizeof *w);
    w->alloc = *a;
    w->write = write;
    w->payload = payload;
    w->flags = o.flags;
    gcsplan__buf_dynamic(&w->buf, &w->alloc, PIECE_MAX);
    w->digest = GCSPLAN_DIGEST_INIT;
    *out = w;
    return 0;
}

/* Hand the buffer to the callback. */
static int flush(gcsplan_plan_writer *w, gcsplan_error *err)
{
    int rc = gcsplan__buf_error(&w->buf);
    if (rc != 0) {
        gcsplan__buf_clear(&w->buf);
        w->failed = rc;
        return gcsplan__error_set(err, rc, "%s", gcsplan_strerror(rc));
    }
    if (w->buf.len > 0 && w->write(w->buf.p, w->buf.len, w->payload) != 0) {
        w->failed = GCSPLAN_ESOURCE;
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "the output failed");
    }
    gcsplan__buf_clear(&w->buf);
    return 0;
}

static int refuse(gcsplan_plan_writer *w, gcsplan_error *err)
{
    if (w->failed)
        return gcsplan__error_set(err, w->failed, "an earlier call failed: %s",
                                  gcsplan_strerror(w->failed));
    return gcsplan__error_set(err, GCSPLAN_EINVAL, "called out of order");
}

/* A URI the reader will take back: bounded, UTF-8, no NUL. */
static int check_uri(const char *what, const char *uri, size_t len, gcsplan_error *err)
{
    if (uri == NULL || len > GCSPLAN_URI_MAX || memchr(uri, '\0', len) != NULL ||
        !gcsplan__utf8_valid(uri, len))
        return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                  "%s is NULL, longer than %d bytes, not UTF-8 or holds NUL",
                                  what, GCSPLAN_URI_MAX);
    return 0;
}

static void key(gcsplan__buf *b, const char *k)
{
    gcsplan__buf_putc(b, '"');
    gcsplan__buf_puts(b, k);
    gcsplan__buf_puts(b, "\":");
}

static void u64(gcsplan__buf *b, const char *k, uint64_t v)
{
    gcsplan__buf_putc(b, ',');
    key(b, k);
    gcsplan__buf_u64(b, v);
}

static void u64_or_null(gcsplan__buf *b, const char *k, uint64_t v, int first)
{
    if (!first)
        gcsplan__buf_putc(b, ',');
    key(b, k);
    if (v == 0)
        gcsplan__buf_puts(b, "null");
    else
        gcsplan__buf_u64(b, v);
}

static void request(gcsplan__buf *b, const char *uri, size_t len, const char *cs)
{
    gcsplan__buf_putc(b, '{');
    if (cs != NULL) {
        key(b, "contentStructure");
        gcsplan__json_str(b, cs, strlen(cs));
        gcsplan__buf_putc(b, ',');
    }
    key(b, "gcsSource");
    gcsplan__buf_putc(b, '{');
    key(b, "uri");
    gcsplan__json_str(b, uri, len);
    gcsplan__buf_puts(b, "}}");
}

size_t gcsplan_plan_request(char *buf, size_t cap, const char *uri, size_t len,
                            const char *content_structure)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, buf, cap);
    request(&b, uri, len, content_structure);
    return gcsplan__buf_total(&b);
}

int gcsplan_plan_writer_begin(gcsplan_plan_writer *w, const gcsplan_plan_head *head,
                              gcsplan_error *err)
{
    if (w->state != W_NEW || w->failed)
        return refuse(w, err);
    if (head == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "head is NULL");
    if (check_uri("the plan's URI", head->uri, head->uri_len, err) != 0)
        return GCSPLAN_EINVAL;
    gcsplan_store st;
    memset(&st, 0, sizeof st);
    if (head->store != NULL &&
        gcsplan_store_parse(&st, head->store, strlen(head->store), err) != 0)
        return GCSPLAN_EINVAL;
    if (head->content_structure != NULL) {
        size_t n = strlen(head->content_structure);
        if (!gcsplan_content_structure_valid(head->content_structure, n))
            return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                      "the content structure is not BUNDLE, RESOURCE, "
                                      "BUNDLE_PRETTY or RESOURCE_PRETTY");
        if (head->store != NULL && st.kind != GCSPLAN_STORE_FHIR)
            return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                      "a content structure is for FHIR stores only");
        memcpy(w->cs, head->content_structure, n + 1);
    }
    gcsplan__buf *b = &w->buf;
    gcsplan__buf_putc(b, '{');
    key(b, "uri");
    gcsplan__json_str(b, head->uri, head->uri_len);
    if (head->store != NULL) {
        gcsplan__buf_putc(b, ',');
        key(b, "store");
        gcsplan__json_str(b, head->store, strlen(head->store));
    }
    if (head->content_structure != NULL) {
        gcsplan__buf_putc(b, ',');
        key(b, "content_structure");
        gcsplan__json_str(b, w->cs, strlen(w->cs));
    }
    u64(b, "objects", head->objects);
    u64(b, "bytes", head->bytes);
    gcsplan__buf_putc(b, ',');
    key(b, "limits");
    gcsplan__buf_putc(b, '{');
    u64_or_null(b, "max_objects", head->max_objects, 1);
    u64_or_null(b, "max_bytes", head->max_bytes, 0);
    u64_or_null(b, "max_jobs", head->max_jobs, 0);
    gcsplan__buf_putc(b, '}');
    u64(b, "excluded", head->excluded);
    u64(b, "lower_bound", head->lower_bound);
    u64(b, "prefix_cut_jobs", head->prefix_cut_jobs);
    gcsplan__buf_puts(b, ",\"jobs\":[");
    w->digest = gcsplan_plan_digest_uri(GCSPLAN_DIGEST_INIT, head->uri, head->uri_len);
    w->state = W_JOBS;
    return flush(w, err);
}

static int check_name(const char *what, const char *s, size_t n, gcsplan_error *err)
{
    if (s == NULL || n > GCSPLAN_NAME_MAX || memchr(s, '\0', n) != NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                  "\"%s\" is NULL, longer than %d bytes or holds NUL", what,
                                  GCSPLAN_NAME_MAX);
    return 0;
}

int gcsplan_plan_writer_job(gcsplan_plan_writer *w, const gcsplan_plan_job *j,
                            gcsplan_error *err)
{
    if (w->state != W_JOBS || w->failed)
        return refuse(w, err);
    if (j == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "job is NULL");
    if (check_uri("a job's URI", j->uri, j->uri_len, err) != 0 ||
        ((j->has & GCSPLAN_PLAN_JOB_FIRST) && check_name("first", j->first, j->first_len, err)) ||
        ((j->has & GCSPLAN_PLAN_JOB_LAST) && check_name("last", j->last, j->last_len, err)))
        return GCSPLAN_EINVAL;
    gcsplan__buf *b = &w->buf;
    if (w->njobs > 0)
        gcsplan__buf_putc(b, ',');
    gcsplan__buf_putc(b, '{');
    key(b, "uri");
    gcsplan__json_str(b, j->uri, j->uri_len);
    u64(b, "objects", j->objects);
    u64(b, "bytes", j->bytes);
    if (j->has & GCSPLAN_PLAN_JOB_LARGEST)
        u64(b, "largest", j->largest);
    if (j->has & GCSPLAN_PLAN_JOB_FIRST) {
        gcsplan__buf_putc(b, ',');
        key(b, "first");
        gcsplan__json_str(b, j->first, j->first_len);
    }
    if (j->has & GCSPLAN_PLAN_JOB_LAST) {
        gcsplan__buf_putc(b, ',');
        key(b, "last");
        gcsplan__json_str(b, j->last, j->last_len);
    }
    if (j->has & GCSPLAN_PLAN_JOB_DIGEST)
        gcsplan__buf_printf(b, ",\"digest\":\"%016llx\"", (unsigned long long)j->digest);
    if (j->flags & (GCSPLAN_JOB_OVERSIZE | GCSPLAN_JOB_INSEPARABLE)) {
        gcsplan__buf_puts(b, ",\"warnings\":[");
        if (j->flags & GCSPLAN_JOB_OVERSIZE)
            gcsplan__buf_puts(b, "\"oversize\"");
        if ((j->flags & GCSPLAN_JOB_OVERSIZE) && (j->flags & GCSPLAN_JOB_INSEPARABLE))
            gcsplan__buf_putc(b, ',');
        if (j->flags & GCSPLAN_JOB_INSEPARABLE)
            gcsplan__buf_puts(b, "\"inseparable\"");
        gcsplan__buf_putc(b, ']');
    }
    /* The import call's body: what `gcsplan import` and the curl format send. */
    gcsplan__buf_puts(b, ",\"request\":");
    request(b, j->uri, j->uri_len, w->cs[0] != '\0' ? w->cs : NULL);
    gcsplan__buf_putc(b, '}');
    w->njobs++;
    w->digest = gcsplan_plan_digest_job(w->digest, j);
    return flush(w, err);
}

static void close_jobs(gcsplan_plan_writer *w)
{
    if (w->state == W_JOBS) {
        gcsplan__buf_putc(&w->buf, ']');
        w->state = W_AFTER_JOBS;
    }
}

int gcsplan_plan_writer_raw(gcsplan_plan_writer *w, const char *k, const char *json, size_t len,
                            gcsplan_error *err)
{
    if ((w->state != W_JOBS && w->state != W_AFTER_JOBS) || w->failed)
        return refuse(w, err);
    if (k == NULL || json == NULL || len == 0)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "key or json is NULL or empty");
    close_jobs(w);
    gcsplan__buf_putc(&w->buf, ',');
    gcsplan__json_str(&w->buf, k, strlen(k));
    gcsplan__buf_putc(&w->buf, ':');
    int rc = flush(w, err);
    if (rc != 0)
        return rc;
    /* Handed over as it is: it may be larger than a piece. */
    if (w->write(json, len, w->payload) != 0) {
        w->failed = GCSPLAN_ESOURCE;
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "the output failed");
    }
    return 0;
}

int gcsplan_plan_writer_summary(gcsplan_plan_writer *w, const gcsplan_summary *s,
                                gcsplan_error *err)
{
    if ((w->state != W_JOBS && w->state != W_AFTER_JOBS) || w->failed)
        return refuse(w, err);
    /* A finished summary has at least its root. */
    if (s == NULL || gcsplan_summary_node_count(s) == 0)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "the summary is NULL or not finished");
    close_jobs(w);
    gcsplan__buf_puts(&w->buf, ",\"summary\":");
    int rc = flush(w, err);
    if (rc != 0)
        return rc;
    /* Streamed: a summary of a large budget is larger than a piece. */
    rc = gcsplan_summary_write_json(s, w->write, w->payload, err);
    if (rc != 0)
        w->failed = rc;
    return rc;
}

int gcsplan_plan_writer_end(gcsplan_plan_writer *w, gcsplan_error *err)
{
    if ((w->state != W_JOBS && w->state != W_AFTER_JOBS) || w->failed)
        return refuse(w, err);
    close_jobs(w);
    if (w->flags & GCSPLAN_PLAN_WRITE_DIGEST)
        gcsplan__buf_printf(&w->buf, ",\"plan_digest\":\"%016llx\"",
                            (unsigned long long)w->digest);
    gcsplan__buf_puts(&w->buf, "}\n");
    w->state = W_ENDED;
    return flush(w, err);
}

uint64_t gcsplan_plan_writer_digest(const gcsplan_plan_writer *w)
{
    return w->digest;
}

void gcsplan_plan_writer_free(gcsplan_plan_writer *w)
{
    if (w == NULL)
        return;
    gcsplan__buf_free(&w->buf);
    gcsplan__free(&w->alloc, w);
}
