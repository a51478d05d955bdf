/* Fuzz target: arbitrary bytes as the report's two JSON inputs, the prefix
 * summary fragment (gcsplan_summary_parse) and a pre-flight document
 * (gcsplan_report_add_preflight_json), and the page made from them.
 *
 * Beyond "no crash, no leak, no undefined behaviour":
 *  - a failure is a clean error: EINVAL, ELIMIT or ENOMEM, a one-line
 *    message, an offset inside the input, no summary;
 *  - an accepted summary keeps the promises of a finished one (preorder,
 *    subtrees inside their parents, figures that add up, a run merges at
 *    least one sibling), and writing it, reading that back and writing again
 *    gives the same text;
 *  - the page rendered from what was accepted is one well-formed piece of
 *    text: valid UTF-8, no control character but newline, exactly one
 *    script (ours), no src attribute, and no link but the page's anchors
 *    and the empty favicon (these inputs carry no log URLs);
 *  - for short accepted summaries, every allocation failing in turn gives
 *    GCSPLAN_ENOMEM and leaks nothing.
 * Self-contained: it reports failures with its own abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcsplan/report.h"
#include "fuzz_target.h"

typedef struct text {
    char *p;
    size_t len, cap;
} text;

static int collect(const char *data, size_t len, void *ctx)
{
    text *t = ctx;
    if (t->len + len + 1 > t->cap) {
        size_t cap = (t->len + len + 1) * 2;
        char *p = realloc(t->p, cap);
        if (p == NULL)
            return 1;
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->len, data, len);
    t->len += len;
    t->p[t->len] = '\0';
    return 0;
}

static void check_error(int rc, const gcsplan_error *e, size_t size)
{
    FZ_CHECK(rc == GCSPLAN_EINVAL || rc == GCSPLAN_ELIMIT || rc == GCSPLAN_ENOMEM,
          "unexpected return code");
    FZ_CHECK(e->code == rc, "err.code is not the return code");
    FZ_CHECK(e->offset <= size, "error offset outside the input");
    const char *end = memchr(e->message, '\0', sizeof e->message);
    FZ_CHECK(end != NULL && end > e->message && memchr(e->message, '\n', (size_t)(end - e->message)) == NULL,
          "error message empty or not one line");
}

static void check_summary(const gcsplan_summary *s)
{
    size_t n = gcsplan_summary_node_count(s);
    gcsplan_summary_totals t;
    gcsplan_summary_totals_get(s, &t);
    FZ_CHECK(n >= 1 && n <= t.max_nodes, "node count outside 1..max_nodes");
    const gcsplan_summary_node *root = gcsplan_summary_node_at(s, 0);
    FZ_CHECK(root->kind == GCSPLAN_SUMMARY_FOLDER && root->end == n, "the root is not the tree");
    FZ_CHECK(root->objects == t.objects && root->bytes == t.bytes, "root figures are not the totals");
    for (size_t i = 0; i < n; i++) {
        const gcsplan_summary_node *x = gcsplan_summary_node_at(s, i);
        FZ_CHECK(x->end > i && x->end <= n, "a subtree out of range");
        if (i > 0) {
            const gcsplan_summary_node *p = gcsplan_summary_node_at(s, x->parent);
            FZ_CHECK(x->parent < i && x->end <= p->end && x->depth == p->depth + 1,
                  "a node outside its parent");
        }
        FZ_CHECK(x->kind != GCSPLAN_SUMMARY_OBJECT || x->objects == 1, "an object is not one");
        FZ_CHECK(x->kind != GCSPLAN_SUMMARY_MORE || (x->merged >= 1 && x->objects >= x->merged &&
                                                  x->first != NULL && x->last != NULL),
              "a run merges nothing");
        FZ_CHECK(x->kind == GCSPLAN_SUMMARY_FOLDER || x->end == i + 1, "a leaf with children");
        FZ_CHECK(x->name_len <= 1024, "a name longer than an object name");
        if (x->kind != GCSPLAN_SUMMARY_FOLDER)
            continue;
        uint64_t o = 0, b = 0;
        for (size_t c = i + 1; c < x->end; c = gcsplan_summary_node_at(s, c)->end) {
            o += gcsplan_summary_node_at(s, c)->objects;
            b += gcsplan_summary_node_at(s, c)->bytes;
        }
        FZ_CHECK(x->end == i + 1 || (o == x->objects && b == x->bytes), "a folder does not add up");
    }
}

static int utf8_valid(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xC2 && c < 0xE0 ? 2 : c >= 0xE0 && c < 0xF0 ? 3
                             : c >= 0xF0 && c < 0xF5 ? 4 : 0;
        if (k == 0 || i + k > n)
            return 0;
        for (size_t m = 1; m < k; m++)
            if ((s[i + m] & 0xC0) != 0x80)
                return 0;
        i += k;
    }
    return 1;
}

static void check_page(const text *t)
{
    FZ_CHECK(t->p != NULL && utf8_valid((const unsigned char *)t->p, t->len), "page not UTF-8");
    for (size_t i = 0; i < t->len; i++)
        FZ_CHECK((unsigned char)t->p[i] >= 0x20 || t->p[i] == '\n', "a control character in the page");
    size_t scripts = 0;
    for (const char *p = strstr(t->p, "<script"); p; p = strstr(p + 1, "<script"))
        scripts++;
    FZ_CHECK(scripts == 1, "not exactly one script");
    FZ_CHECK(strstr(t->p, " src=\"") == NULL, "a src attribute");
    for (const char *p = strstr(t->p, "href=\""); p; p = strstr(p + 1, "href=\""))
        FZ_CHECK(p[6] == '#' || strncmp(p + 6, "data:,\"", 7) == 0, "a link out of the page");
}

static void render_check(gcsplan_report *r)
{
    text t = { 0 };
    gcsplan_error e;
    int rc = gcsplan_report_render(r, collect, &t, &e);
    FZ_CHECK(rc == 0 || rc == GCSPLAN_ENOMEM, "render failed");
    if (rc == 0)
        check_page(&t);
    free(t.p);
}

static gcsplan_report *new_report(void)
{
    gcsplan_report *r = NULL;
    if (gcsplan_report_new(&r, NULL, NULL) != 0)
        return NULL;
    gcsplan_report_plan p = GCSPLAN_REPORT_PLAN_INIT;
    p.uri = "gs://fuzz-bucket/**";
    gcsplan_report_job j = GCSPLAN_REPORT_JOB_INIT;
    j.uri = "gs://fuzz-bucket/a**";
    if (gcsplan_report_set_plan(r, &p, NULL) != 0 || gcsplan_report_add_job(r, &j, NULL) != 0 ||
        gcsplan_report_add_job(r, &j, NULL) != 0) {
        gcsplan_report_free(r);
        return NULL;
    }
    return r;
}

/* An allocator that fails its Nth call. */
typedef struct failing {
    long fail_at, calls, live;
} failing;

static void *f_malloc(size_t n, void *ctx)
{
    failing *f = ctx;
    if (f->calls++ == f->fail_at)
        return NULL;
    void *p = malloc(n);
    f->live += p != NULL;
    return p;
}

static void *f_realloc(void *ptr, size_t n, void *ctx)
{
    failing *f = ctx;
    if (f->calls++ == f->fail_at)
        return NULL;
    void *p = realloc(ptr, n);
    f->live += ptr == NULL && p != NULL;
    return p;
}

static void f_free(void *ptr, void *ctx)
{
    failing *f = ctx;
    f->live -= ptr != NULL;
    free(ptr);
}

static void check_allocation_failures(const char *in, size_t len)
{
    failing f = { -1, 0, 0 };
    gcsplan_allocator a = { f_malloc, f_realloc, f_free, &f };
    gcsplan_summary_options o = GCSPLAN_SUMMARY_OPTIONS_INIT;
    o.allocator = &a;
    gcsplan_summary *s = NULL;
    FZ_CHECK(gcsplan_summary_parse(&s, in, len, &o, NULL) == 0, "parse fails with an allocator");
    gcsplan_summary_free(s);
    long total = f.calls;
    for (long k = 0; k < total; k++) {
        f.fail_at = k;
        f.calls = 0;
        s = NULL;
        int rc = gcsplan_summary_parse(&s, in, len, &o, NULL);
        FZ_CHECK(rc == GCSPLAN_ENOMEM && s == NULL, "a failed allocation is not GCSPLAN_ENOMEM");
        FZ_CHECK(f.live == 0, "a failed allocation leaked");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("input", data, size);
    char *in = malloc(size ? size : 1);
    if (in == NULL)
        return 0;
    memcpy(in, data, size);

    gcsplan_summary *s = (gcsplan_summary *)&s;
    gcsplan_error e;
    memset(&e, 0x5A, sizeof e);
    int rc = gcsplan_summary_parse(&s, in, size, NULL, &e);
    if (rc != 0) {
        FZ_CHECK(s == NULL, "a failed parse left a summary");
        check_error(rc, &e, size);
    } else {
        check_summary(s);
        text a = { 0 }, b = { 0 };
        FZ_CHECK(gcsplan_summary_write_json(s, collect, &a, NULL) == 0, "writing failed");
        gcsplan_summary *again = NULL;
        FZ_CHECK(gcsplan_summary_parse(&again, a.p, a.len, NULL, &e) == 0,
              "what was written does not read back");
        FZ_CHECK(gcsplan_summary_write_json(again, collect, &b, NULL) == 0, "writing failed");
        FZ_CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "write, read, write differs");
        free(a.p);
        free(b.p);
        gcsplan_summary_free(again);
        gcsplan_report *r = new_report();
        if (r != NULL) {
            gcsplan_report_set_summary(r, s);
            render_check(r);
            gcsplan_report_free(r);
        }
        if (size < 1024)
            check_allocation_failures(in, size);
        gcsplan_summary_free(s);
    }

    gcsplan_report *r = new_report();
    if (r != NULL) {
        memset(&e, 0x5A, sizeof e);
        rc = gcsplan_report_add_preflight_json(r, in, size, &e);
        if (rc != 0)
            check_error(rc, &e, size);
        render_check(r);
        gcsplan_report_free(r);
    }
    free(in);
    return 0;
}
