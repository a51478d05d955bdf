/* Fuzz target: arbitrary bytes as a plan document to the plan reader.
 *
 * Beyond "no crash, no leak, no undefined behaviour":
 *  - any chunking gives the same result: the input is read whole, a byte at
 *    a time, and in chunks of sizes drawn from the input's own hash; the
 *    return code, the error (code, message, offset) or the document must be
 *    the same each time;
 *  - a failure fills the error sanely: the code is the return value and one
 *    of the documented ones, the message one non-empty line, the offset
 *    inside the input;
 *  - a document read is written again by the writer and read back equal,
 *    with the same plan digest, and writing that again gives the same bytes;
 *  - all of this again with the prefix summary and the pre-flight read
 *    (GCSPLAN_PLAN_READ_SUMMARY, _PREFLIGHT): a summary read is one the
 *    summary's own writer writes identically after any chunking, and the
 *    pre-flight's text is the same; both survive the round trip;
 *  - for small inputs, failing the Nth allocation, for every N, gives
 *    GCSPLAN_ENOMEM, no document and no leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsplan/gcsplan.h"
#include "fuzz_target.h"

/* Inputs up to this size also get every allocation failed in turn. */
#define ALLOC_TORTURE_MAX 600

typedef struct result {
    int rc;
    gcsplan_error err;
    gcsplan_plan_doc *doc;
} result;

/* Chunk sizes: 0 whole, 1 a byte at a time, else drawn from seed. */
static result read_in(const char *s, size_t n, int mode, uint64_t seed,
                      const gcsplan_plan_read_options *opts)
{
    result r = { 0, { 0 }, NULL };
    gcsplan_plan_reader *rd;
    r.rc = gcsplan_plan_reader_new(&rd, opts, &r.err);
    if (r.rc != 0)
        return r;
    size_t at = 0;
    while (r.rc == 0 && at < n) {
        size_t k = n - at;
        if (mode == 1) {
            k = 1;
        } else if (mode == 2) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t want = 1 + (size_t)(seed >> 33) % 97;
            k = want < k ? want : k;
        }
        r.rc = gcsplan_plan_reader_feed(rd, s + at, k, &r.err);
        at += k;
    }
    if (r.rc == 0)
        r.rc = gcsplan_plan_reader_finish(rd, &r.doc, &r.err);
    gcsplan_plan_reader_free(rd);
    return r;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

typedef struct text {
    char *p;
    size_t len;
} text;

static int to_text(const char *data, size_t len, void *payload)
{
    text *t = payload;
    char *p = realloc(t->p, t->len + len + 1);
    if (p == NULL)
        return -1;
    memcpy(p + t->len, data, len);
    t->p = p;
    t->len += len;
    p[t->len] = '\0';
    return 0;
}

/* A document's summary as its writer writes it ("" when it has none). */
static text summary_text(const gcsplan_plan_doc *d)
{
    text t = { NULL, 0 };
    const gcsplan_summary *sum = gcsplan_plan_doc_summary(d);
    gcsplan_error err;
    if (sum != NULL)
        FZ_CHECK(gcsplan_summary_write_json(sum, to_text, &t, &err) == 0,
              "a summary read does not write: %s", err.message);
    if (t.p == NULL)
        t.p = calloc(1, 1);
    return t;
}

static void check_same_doc(const gcsplan_plan_doc *a, const gcsplan_plan_doc *b, const char *what)
{
    const gcsplan_plan_head *x = gcsplan_plan_doc_head(a), *y = gcsplan_plan_doc_head(b);
    FZ_CHECK(x->uri_len == y->uri_len && memcmp(x->uri, y->uri, x->uri_len) == 0, "%s: uri", what);
    FZ_CHECK(x->objects == y->objects && x->bytes == y->bytes, "%s: counts", what);
    FZ_CHECK(x->max_objects == y->max_objects && x->max_bytes == y->max_bytes &&
              x->max_jobs == y->max_jobs, "%s: limits", what);
    FZ_CHECK(x->excluded == y->excluded && x->lower_bound == y->lower_bound &&
              x->prefix_cut_jobs == y->prefix_cut_jobs, "%s: informative counts", what);
    FZ_CHECK(same_str(x->store, y->store), "%s: store", what);
    FZ_CHECK(same_str(x->content_structure, y->content_structure), "%s: content structure", what);
    size_t n = gcsplan_plan_doc_job_count(a);
    FZ_CHECK(n == gcsplan_plan_doc_job_count(b), "%s: %zu jobs against %zu", what, n,
          gcsplan_plan_doc_job_count(b));
    for (size_t i = 0; i < n; i++) {
        const gcsplan_plan_job *p = gcsplan_plan_doc_job(a, i), *q = gcsplan_plan_doc_job(b, i);
        FZ_CHECK(p->uri_len == q->uri_len && memcmp(p->uri, q->uri, p->uri_len) == 0 &&
                  strlen(p->uri) == p->uri_len, "%s: job %zu uri", what, i + 1);
        FZ_CHECK(p->objects == q->objects && p->bytes == q->bytes, "%s: job %zu counts", what, i + 1);
        FZ_CHECK(p->has == q->has && p->flags == q->flags, "%s: job %zu fields", what, i + 1);
        FZ_CHECK(!(p->has & GCSPLAN_PLAN_JOB_LARGEST) || p->largest == q->largest,
              "%s: job %zu largest", what, i + 1);
        FZ_CHECK(!(p->has & GCSPLAN_PLAN_JOB_DIGEST) || p->digest == q->digest,
              "%s: job %zu digest", what, i + 1);
        FZ_CHECK(same_str(p->first, q->first) && same_str(p->last, q->last), "%s: job %zu names",
              what, i + 1);
        FZ_CHECK((p->first == NULL) == !(p->has & GCSPLAN_PLAN_JOB_FIRST) &&
                  (p->first == NULL || strlen(p->first) == p->first_len),
              "%s: job %zu first", what, i + 1);
    }
    FZ_CHECK(gcsplan_plan_doc_digest(a) == gcsplan_plan_doc_digest(b), "%s: plan digest", what);
    size_t pa, pb;
    const char *fa = gcsplan_plan_doc_preflight(a, &pa), *fb = gcsplan_plan_doc_preflight(b, &pb);
    FZ_CHECK(same_str(fa, fb) && pa == pb && (fa == NULL || strlen(fa) == pa), "%s: pre-flight",
          what);
    text sa = summary_text(a), sb = summary_text(b);
    FZ_CHECK(sa.len == sb.len && memcmp(sa.p, sb.p, sa.len) == 0, "%s: summary", what);
    free(sa.p);
    free(sb.p);
}

static void check_same_result(const result *a, const result *b, const char *what)
{
    FZ_CHECK(a->rc == b->rc, "%s: rc %d, whole %d (%s / %s)", what, b->rc, a->rc, b->err.message,
          a->err.message);
    if (a->rc != 0) {
        FZ_CHECK(strcmp(a->err.message, b->err.message) == 0, "%s: message '%s', whole '%s'", what,
              b->err.message, a->err.message);
        FZ_CHECK(a->err.offset == b->err.offset, "%s: offset %zu, whole %zu", what, b->err.offset,
              a->err.offset);
    } else {
        check_same_doc(a->doc, b->doc, what);
    }
}

static text write_doc(const gcsplan_plan_doc *d)
{
    text t = { NULL, 0 };
    gcsplan_plan_writer *w;
    gcsplan_error err;
    FZ_CHECK(gcsplan_plan_writer_new(&w, to_text, &t, NULL, &err) == 0, "writer_new");
    int rc = gcsplan_plan_writer_begin(w, gcsplan_plan_doc_head(d), &err);
    for (size_t i = 0; rc == 0 && i < gcsplan_plan_doc_job_count(d); i++)
        rc = gcsplan_plan_writer_job(w, gcsplan_plan_doc_job(d, i), &err);
    size_t plen;
    const char *pf = gcsplan_plan_doc_preflight(d, &plen);
    if (rc == 0 && pf != NULL)
        rc = gcsplan_plan_writer_raw(w, "preflight", pf, plen, &err);
    if (rc == 0 && gcsplan_plan_doc_summary(d) != NULL)
        rc = gcsplan_plan_writer_summary(w, gcsplan_plan_doc_summary(d), &err);
    if (rc == 0)
        rc = gcsplan_plan_writer_end(w, &err);
    /* What the reader took, the writer takes: the bounds are the same. */
    FZ_CHECK(rc == 0, "the writer refused what the reader read: %s", err.message);
    FZ_CHECK(gcsplan_plan_writer_digest(w) == gcsplan_plan_doc_digest(d), "writer digest");
    gcsplan_plan_writer_free(w);
    return t;
}

typedef struct budget {
    long fail_at, count, live;
} budget;

static void *b_malloc(size_t size, void *ctx)
{
    budget *b = ctx;
    if (b->count++ == b->fail_at)
        return NULL;
    void *p = malloc(size);
    b->live += p != NULL;
    return p;
}

static void *b_realloc(void *ptr, size_t size, void *ctx)
{
    budget *b = ctx;
    if (b->count++ == b->fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    b->live += ptr == NULL && p != NULL;
    return p;
}

static void b_free(void *ptr, void *ctx)
{
    budget *b = ctx;
    b->live -= ptr != NULL;
    free(ptr);
}

static void torture(const char *s, size_t n, const result *whole, unsigned flags)
{
    for (long k = 0;; k++) {
        budget b = { k, 0, 0 };
        gcsplan_allocator a = { b_malloc, b_realloc, b_free, &b };
        gcsplan_plan_read_options o = GCSPLAN_PLAN_READ_OPTIONS_INIT;
        o.allocator = &a;
        o.flags = flags;
        result r = read_in(s, n, 2, 7, &o);
        if (r.rc != GCSPLAN_ENOMEM) {
            /* The read is done: what the comparison allocates (a summary
             * written through the document's allocator) must not fail. */
            b.fail_at = -1;
            check_same_result(whole, &r, "with an allocator");
            gcsplan_plan_doc_free(r.doc);
            FZ_CHECK(b.live == 0, "%ld allocations leaked", b.live);
            return;
        }
        FZ_CHECK(r.doc == NULL && r.err.code == GCSPLAN_ENOMEM, "allocation %ld failed badly", k);
        FZ_CHECK(b.live == 0, "allocation %ld failed: %ld allocations leaked", k, b.live);
    }
}

/* Read, compare the chunkings, round-trip: with the given read flags. */
static void one_way(const char *s, size_t size, uint64_t seed, unsigned flags)
{
    gcsplan_plan_read_options o = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    o.flags = flags;
    result whole = read_in(s, size, 0, 0, &o);
    if (whole.rc != 0) {
        FZ_CHECK(whole.doc == NULL, "a document with an error");
        FZ_CHECK(whole.rc == whole.err.code, "rc %d, err.code %d", whole.rc, whole.err.code);
        FZ_CHECK(whole.rc == GCSPLAN_EINVAL || whole.rc == GCSPLAN_ELIMIT,
              "unexpected code %d: %s", whole.rc, whole.err.message);
        FZ_CHECK(whole.err.message[0] != '\0' && strchr(whole.err.message, '\n') == NULL,
              "message not one line: '%s'", whole.err.message);
        FZ_CHECK(whole.err.offset <= size, "offset %zu past the input", whole.err.offset);
    }
    result bytewise = read_in(s, size, 1, 0, &o);
    check_same_result(&whole, &bytewise, "a byte at a time");
    gcsplan_plan_doc_free(bytewise.doc);
    result drawn = read_in(s, size, 2, seed, &o);
    check_same_result(&whole, &drawn, "chunks drawn from the input");
    gcsplan_plan_doc_free(drawn.doc);

    if (whole.rc == 0) {
        text t = write_doc(whole.doc);
        result back = read_in(t.p, t.len, 2, seed, &o);
        FZ_CHECK(back.rc == 0, "the written document does not read back: %s", back.err.message);
        check_same_doc(whole.doc, back.doc, "read back");
        text again = write_doc(back.doc);
        FZ_CHECK(again.len == t.len && memcmp(again.p, t.p, t.len) == 0,
              "writing the read-back document gives other bytes");
        free(again.p);
        free(t.p);
        gcsplan_plan_doc_free(back.doc);
    }
    if (size <= ALLOC_TORTURE_MAX)
        torture(s, size, &whole, flags);
    gcsplan_plan_doc_free(whole.doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    fz_input("document", data, size);
    uint64_t seed = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 0x100000001b3ull;
    one_way(s, size, seed, 0);
    one_way(s, size, seed, GCSPLAN_PLAN_READ_SUMMARY | GCSPLAN_PLAN_READ_PREFLIGHT);
    return 0;
}
