/* The prefix summary: tree, bounds, merging, order, histogram, JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gcsplan/report.h"

/* --- helpers ----------------------------------------------------------------------------- */

typedef struct sink {
    char *p;
    size_t len, cap;
    int stop_after; /* > 0: refuse the write after this many calls */
    int calls;
} sink;

static int sink_write(const char *data, size_t len, void *ctx)
{
    sink *k = ctx;
    if (k->stop_after > 0 && ++k->calls > k->stop_after)
        return 1;
    if (k->len + len + 1 > k->cap) {
        k->cap = (k->len + len + 1) * 2;
        k->p = realloc(k->p, k->cap);
        assert_non_null(k->p);
    }
    memcpy(k->p + k->len, data, len);
    k->len += len;
    k->p[k->len] = '\0';
    return 0;
}

static char *to_json(const gcsplan_summary *s)
{
    sink k = { 0 };
    assert_int_equal(gcsplan_summary_write_json(s, sink_write, &k, NULL), 0);
    return k.p;
}

static gcsplan_summary *make(size_t max_nodes)
{
    gcsplan_summary_options o = GCSPLAN_SUMMARY_OPTIONS_INIT;
    o.max_nodes = max_nodes;
    gcsplan_summary *s = NULL;
    assert_int_equal(gcsplan_summary_new(&s, &o, NULL), 0);
    return s;
}

static void add(gcsplan_summary *s, const char *name, uint64_t size, size_t job)
{
    gcsplan_error e;
    int rc = gcsplan_summary_add(s, name, strlen(name), size, job, &e);
    if (rc != 0)
        fail_msg("add %s: %s", name, e.message);
}

/* The whole path of node i, for the checks (static buffer). */
static const char *path_of(const gcsplan_summary *s, size_t i)
{
    static char buf[8192];
    size_t chain[2048], n = 0;
    for (size_t k = i;; k = gcsplan_summary_node_at(s, k)->parent) {
        chain[n++] = k;
        if (k == 0)
            break;
    }
    size_t at = 0;
    while (n > 0) {
        const gcsplan_summary_node *x = gcsplan_summary_node_at(s, chain[--n]);
        memcpy(buf + at, x->name, x->name_len);
        at += x->name_len;
    }
    buf[at] = '\0';
    return buf;
}

/* Every invariant a finished summary promises, checked from the nodes. */
static void check_tree(const gcsplan_summary *s)
{
    size_t n = gcsplan_summary_node_count(s);
    gcsplan_summary_totals t;
    gcsplan_summary_totals_get(s, &t);
    assert_true(n >= 1 && n <= t.max_nodes);
    const gcsplan_summary_node *root = gcsplan_summary_node_at(s, 0);
    assert_int_equal(root->kind, GCSPLAN_SUMMARY_FOLDER);
    assert_int_equal(root->end, n);
    assert_int_equal(root->objects, t.objects);
    assert_int_equal(root->bytes, t.bytes);
    for (size_t i = 0; i < n; i++) {
        const gcsplan_summary_node *x = gcsplan_summary_node_at(s, i);
        assert_true(x->end > i && x->end <= n);
        if (i > 0) {
            const gcsplan_summary_node *p = gcsplan_summary_node_at(s, x->parent);
            assert_true(x->parent < i && x->end <= p->end);
            assert_int_equal(x->depth, p->depth + 1);
        }
        if (x->kind == GCSPLAN_SUMMARY_OBJECT)
            assert_int_equal(x->objects, 1);
        if (x->kind == GCSPLAN_SUMMARY_MORE) {
            assert_true(x->merged >= 1 && x->objects >= x->merged);
            assert_non_null(x->first);
            assert_non_null(x->last);
        }
        if (x->kind != GCSPLAN_SUMMARY_FOLDER) {
            assert_int_equal(x->end, i + 1);
            continue;
        }
        uint64_t o = 0, b = 0;
        size_t lo = GCSPLAN_SUMMARY_NO_JOB, hi = 0;
        size_t kids = 0;
        for (size_t c = i + 1; c < x->end; c = gcsplan_summary_node_at(s, c)->end) {
            const gcsplan_summary_node *y = gcsplan_summary_node_at(s, c);
            assert_int_equal(y->parent, i);
            o += y->objects;
            b += y->bytes;
            lo = y->job_first < lo ? y->job_first : lo;
            hi = y->job_last > hi ? y->job_last : hi;
            kids++;
        }
        if (x->objects > 0) {
            assert_true(kids > 0);
            assert_int_equal(o, x->objects);
            assert_int_equal(b, x->bytes);
            assert_int_equal(lo, x->job_first);
            assert_int_equal(hi, x->job_last);
        }
        /* A folder with one folder as its only child is folded into it. */
        if (kids == 1)
            assert_int_not_equal(gcsplan_summary_node_at(s, i + 1)->kind, GCSPLAN_SUMMARY_FOLDER);
    }
    uint64_t ho = 0, hb = 0;
    const gcsplan_summary_bucket *h = gcsplan_summary_histogram(s);
    for (int k = 0; k < GCSPLAN_SUMMARY_BUCKETS; k++) {
        ho += h[k].objects;
        hb += h[k].bytes;
    }
    assert_int_equal(ho, t.objects);
    assert_int_equal(hb, t.bytes);
}

/* Write, read back, write again: the same text and the same tree. */
static void check_round_trip(const gcsplan_summary *s)
{
    char *a = to_json(s);
    gcsplan_summary *r = NULL;
    gcsplan_error e;
    int rc = gcsplan_summary_parse(&r, a, strlen(a), NULL, &e);
    if (rc != 0)
        fail_msg("parse: %s at %zu", e.message, e.offset);
    check_tree(r);
    char *b = to_json(r);
    assert_string_equal(a, b);
    assert_int_equal(gcsplan_summary_node_count(r), gcsplan_summary_node_count(s));
    free(a);
    free(b);
    gcsplan_summary_free(r);
}

/* --- tree -------------------------------------------------------------------------------- */

static void test_small_tree(void **state)
{
    (void)state;
    gcsplan_summary *s = make(0);
    add(s, "a/x.dcm", 10, 0);
    add(s, "a/y.dcm", 20, 0);
    add(s, "b/", 0, 1);        /* a folder placeholder: the folder's own object */
    add(s, "b/z.dcm", 30, 1);
    add(s, "c", 5, 2);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    assert_int_equal(gcsplan_summary_node_count(s), 8);
    static const struct { const char *path; int kind; uint64_t objects, bytes; size_t lo, hi; } want[] = {
        { "", GCSPLAN_SUMMARY_FOLDER, 5, 65, 0, 2 },
        { "a/", GCSPLAN_SUMMARY_FOLDER, 2, 30, 0, 0 },
        { "a/x.dcm", GCSPLAN_SUMMARY_OBJECT, 1, 10, 0, 0 },
        { "a/y.dcm", GCSPLAN_SUMMARY_OBJECT, 1, 20, 0, 0 },
        { "b/", GCSPLAN_SUMMARY_FOLDER, 2, 30, 1, 1 },
        { "b/", GCSPLAN_SUMMARY_OBJECT, 1, 0, 1, 1 },
        { "b/z.dcm", GCSPLAN_SUMMARY_OBJECT, 1, 30, 1, 1 },
        { "c", GCSPLAN_SUMMARY_OBJECT, 1, 5, 2, 2 },
    };
    for (size_t i = 0; i < 8; i++) {
        const gcsplan_summary_node *x = gcsplan_summary_node_at(s, i);
        assert_string_equal(path_of(s, i), want[i].path);
        assert_int_equal(x->kind, want[i].kind);
        assert_int_equal(x->objects, want[i].objects);
        assert_int_equal(x->bytes, want[i].bytes);
        assert_int_equal(x->job_first, want[i].lo);
        assert_int_equal(x->job_last, want[i].hi);
    }
    assert_int_equal(gcsplan_summary_node_at(s, 5)->name_len, 0);
    assert_null(gcsplan_summary_node_at(s, 8));
    gcsplan_summary_totals t;
    gcsplan_summary_totals_get(s, &t);
    assert_int_equal(t.jobs, 3);
    check_round_trip(s);
    gcsplan_summary_free(s);
}

static void test_chains_fold(void **state)
{
    (void)state;
    gcsplan_summary *s = make(0);
    add(s, "studies/2019/p1/series/a.dcm", 1, 0);
    add(s, "studies/2019/p1/series/b.dcm", 1, 0);
    add(s, "studies/2019/p2/c.dcm", 1, 1);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    /* root "studies/2019/", then "p1/series/" (folded), a, b, "p2/", c */
    const gcsplan_summary_node *root = gcsplan_summary_node_at(s, 0);
    assert_int_equal(root->name_len, strlen("studies/2019/"));
    assert_memory_equal(root->name, "studies/2019/", root->name_len);
    assert_string_equal(path_of(s, 1), "studies/2019/p1/series/");
    assert_string_equal(path_of(s, 4), "studies/2019/p2/");
    assert_int_equal(gcsplan_summary_node_count(s), 6);
    check_round_trip(s);
    gcsplan_summary_free(s);
}

static void test_empty(void **state)
{
    (void)state;
    gcsplan_summary *s = make(0);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    assert_int_equal(gcsplan_summary_node_count(s), 1);
    assert_int_equal(gcsplan_summary_node_at(s, 0)->job_first, GCSPLAN_SUMMARY_NO_JOB);
    char *j = to_json(s);
    assert_string_equal(j, "{\"version\":1,\"max_nodes\":2000,\"objects\":0,\"bytes\":0,\"jobs\":0,"
                           "\"histogram\":[],\"nodes\":[{\"kind\":\"folder\",\"name\":\"\","
                           "\"objects\":0,\"bytes\":0,\"children\":0}]}");
    free(j);
    check_round_trip(s);
    gcsplan_summary_free(s);
}

/* --- order and arguments ----------------------------------------------------------------- */

static void test_order_and_arguments(void **state)
{
    (void)state;
    gcsplan_summary *s = make(0);
    gcsplan_error e;
    add(s, "b", 1, 0);
    assert_int_equal(gcsplan_summary_add(s, "a", 1, 1, 0, &e), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_summary_add(s, "b", 1, 1, 0, &e), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_summary_add(s, "", 0, 1, 0, &e), GCSPLAN_EINVAL);
    char big[GCSPLAN_NAME_MAX + 2];
    memset(big, 'z', sizeof big);
    assert_int_equal(gcsplan_summary_add(s, big, sizeof big, 1, 0, &e), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_summary_add(s, big, GCSPLAN_NAME_MAX, 1, 0, &e), 0);
    assert_int_equal(gcsplan_summary_add(s, "{", 1, 1, GCSPLAN_REPORT_JOBS_MAX, &e),
                     GCSPLAN_EINVAL);
    /* Sizes add up to at most 2^64-1. */
    assert_int_equal(gcsplan_summary_add(s, "{", 1, UINT64_MAX, 0, &e), GCSPLAN_ELIMIT);
    /* A refused object leaves the summary as it was. */
    assert_int_equal(gcsplan_summary_add(s, "{", 1, 1, 0, &e), 0);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    assert_int_equal(gcsplan_summary_add(s, "|", 1, 1, 0, &e), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_summary_finish(s, &e), GCSPLAN_EINVAL);
    check_tree(s);
    gcsplan_summary_free(s);

    gcsplan_summary_options o = GCSPLAN_SUMMARY_OPTIONS_INIT;
    o.max_nodes = GCSPLAN_SUMMARY_NODES_MIN - 1;
    assert_int_equal(gcsplan_summary_new(&s, &o, &e), GCSPLAN_EINVAL);
    o.max_nodes = GCSPLAN_SUMMARY_NODES_MAX + 1;
    assert_int_equal(gcsplan_summary_new(&s, &o, &e), GCSPLAN_EINVAL);
    o.max_nodes = 0;
    o.version = 99;
    assert_int_equal(gcsplan_summary_new(&s, &o, &e), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_summary_node_count(NULL), 0);
    gcsplan_summary_free(NULL);
}

/* Bytes that sort oddly: '/' is 0x2F, so "a-b" < "a/b" < "a0"; names with
 * empty segments, bytes above 0x7F and a NUL all keep their place. */
static void test_odd_names(void **state)
{
    (void)state;
    gcsplan_summary *s = make(0);
    static const char *const names[] = { "/lead", "a-b", "a//x", "a/b", "a0", "\xC3\xA9/x",
                                         "\xFF\xFE" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        add(s, names[i], i, i);
    assert_int_equal(gcsplan_summary_add(s, "\xFF\xFF\0x", 4, 1, 7, NULL), 0);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    int saw_nul = 0;
    for (size_t i = 0; i < gcsplan_summary_node_count(s); i++) {
        const gcsplan_summary_node *x = gcsplan_summary_node_at(s, i);
        saw_nul |= x->name_len == 4 && memcmp(x->name, "\xFF\xFF\0x", 4) == 0;
    }
    assert_true(saw_nul);
    /* JSON writes U+FFFD for bytes that are not UTF-8: it reads back, but
     * not byte for byte. */
    char *j = to_json(s);
    assert_non_null(strstr(j, "\\u0000x"));
    assert_non_null(strstr(j, "\xEF\xBF\xBD\xEF\xBF\xBD"));
    gcsplan_summary *r = NULL;
    assert_int_equal(gcsplan_summary_parse(&r, j, strlen(j), NULL, NULL), 0);
    check_tree(r);
    gcsplan_summary_free(r);
    free(j);
    gcsplan_summary_free(s);
}

/* --- bounds and merging ------------------------------------------------------------------ */

/* Names of a made-up archive: studies/S%04d/series-%d/IM-%05d.dcm with sizes
 * that vary (a 64-bit LCG), job = object index / per_job. */
static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return *x >> 33;
}

static void fill(gcsplan_summary *s, size_t objects, size_t per_job, uint64_t *total)
{
    uint64_t seed = 42;
    char name[128];
    size_t k = 0;
    *total = 0;
    for (size_t st = 0; k < objects; st++)
        for (int se = 1; se <= 3 && k < objects; se++)
            for (int im = 0; im < 40 && k < objects; im++, k++) {
                snprintf(name, sizeof name, "studies/S%06zu/series-%d/IM-%05d.dcm", st, se, im);
                uint64_t size = 1000 + lcg(&seed) % 5000000;
                *total += size;
                add(s, name, size, k / per_job);
            }
}

static void test_bounded_nodes(void **state)
{
    (void)state;
    static const size_t budgets[] = { GCSPLAN_SUMMARY_NODES_MIN, 100, 2000 };
    for (size_t b = 0; b < 3; b++) {
        gcsplan_summary *s = make(budgets[b]);
        uint64_t total;
        fill(s, 60000, 1000, &total);
        assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
        check_tree(s);
        assert_true(gcsplan_summary_node_count(s) <= budgets[b]);
        /* The budget is used: a big tree is not cut to a handful. */
        assert_true(gcsplan_summary_node_count(s) > budgets[b] / 2);
        assert_int_equal(gcsplan_summary_node_at(s, 0)->bytes, total);
        check_round_trip(s);
        gcsplan_summary_free(s);
    }
}

/* Memory is bounded by the budget, not the objects: the peak the
 * allocator sees is the same for 20,000 and 200,000 objects. */
typedef struct counting {
    size_t now, peak;
    long fail_at, calls;
} counting;

static void *c_malloc(size_t n, void *ctx)
{
    counting *c = ctx;
    if (c->calls++ == c->fail_at)
        return NULL;
    size_t *p = malloc(n + sizeof(size_t) * 2);
    if (p == NULL)
        return NULL;
    p[0] = n;
    c->now += n;
    if (c->now > c->peak)
        c->peak = c->now;
    return p + 2;
}

static void c_free(void *ptr, void *ctx)
{
    counting *c = ctx;
    if (ptr == NULL)
        return;
    size_t *p = (size_t *)ptr - 2;
    c->now -= p[0];
    free(p);
}

static void *c_realloc(void *ptr, size_t n, void *ctx)
{
    counting *c = ctx;
    if (ptr == NULL)
        return c_malloc(n, ctx);
    if (c->calls++ == c->fail_at)
        return NULL;
    size_t *p = (size_t *)ptr - 2;
    size_t old = p[0];
    size_t *q = realloc(p, n + sizeof(size_t) * 2);
    if (q == NULL)
        return NULL;
    q[0] = n;
    c->now = c->now - old + n;
    if (c->now > c->peak)
        c->peak = c->now;
    return q + 2;
}

static size_t peak_for(size_t objects)
{
    counting c = { 0, 0, -1, 0 };
    gcsplan_allocator a = { c_malloc, c_realloc, c_free, &c };
    gcsplan_summary_options o = GCSPLAN_SUMMARY_OPTIONS_INIT;
    o.allocator = &a;
    o.max_nodes = 200;
    gcsplan_summary *s = NULL;
    assert_int_equal(gcsplan_summary_new(&s, &o, NULL), 0);
    uint64_t total;
    fill(s, objects, 500, &total);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    gcsplan_summary_free(s);
    assert_int_equal(c.now, 0);
    return c.peak;
}

static void test_bounded_memory(void **state)
{
    (void)state;
    size_t small = peak_for(20000), big = peak_for(200000);
    /* A few hundred nodes of a few dozen bytes plus their names: well under
     * a MiB, and not growing with the objects. */
    assert_true(big < 1024 * 1024);
    assert_true(big <= small * 3 / 2);
}

/* The biggest subtrees survive a cut; small siblings become runs that
 * name their first and last member. */
static void test_merges_smallest(void **state)
{
    (void)state;
    gcsplan_summary *s = make(GCSPLAN_SUMMARY_NODES_MIN);
    char name[64];
    for (int i = 0; i < 500; i++) {
        snprintf(name, sizeof name, "d/f%03d", i);
        /* Two big files among many small ones. */
        add(s, name, i == 100 || i == 400 ? 1000000 : 10, (size_t)i / 100);
    }
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    size_t n = gcsplan_summary_node_count(s);
    assert_true(n <= GCSPLAN_SUMMARY_NODES_MIN);
    assert_string_equal(path_of(s, 0), "d/");
    int big = 0;
    uint64_t entries = 0;
    for (size_t i = 1; i < n; i++) {
        const gcsplan_summary_node *x = gcsplan_summary_node_at(s, i);
        if (x->kind == GCSPLAN_SUMMARY_OBJECT) {
            entries++;
            big += x->bytes == 1000000;
            continue;
        }
        assert_int_equal(x->kind, GCSPLAN_SUMMARY_MORE);
        entries += x->merged;
        /* A run is consecutive siblings: first <= last, and only small ones. */
        assert_true(x->first_len == 4 && x->last_len == 4 && memcmp(x->first, x->last, 4) <= 0);
        assert_int_equal(x->bytes, 10 * x->merged);
        if (x->merged > 1)
            assert_true(memcmp(x->first, x->last, 4) < 0);
    }
    assert_int_equal(big, 2);
    assert_int_equal(entries, 500);
    const gcsplan_summary_node *n1 = gcsplan_summary_node_at(s, 1);
    assert_int_equal(n1->kind, GCSPLAN_SUMMARY_MORE);
    assert_memory_equal(n1->first, "f000", 4);
    assert_int_equal(n1->job_first, 0);
    check_round_trip(s);
    gcsplan_summary_free(s);
}

/* Runs follow the jobs: where the budget allows, a run never mixes jobs, so
 * the page can colour it. */
static void test_runs_follow_jobs(void **state)
{
    (void)state;
    gcsplan_summary *s = make(64);
    char name[64];
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "d/f%05d", i);
        add(s, name, 100 + (uint64_t)(i * 7919 % 1000), (size_t)i / 500);
    }
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    size_t runs = 0;
    for (size_t i = 0; i < gcsplan_summary_node_count(s); i++) {
        const gcsplan_summary_node *x = gcsplan_summary_node_at(s, i);
        if (x->kind != GCSPLAN_SUMMARY_MORE)
            continue;
        runs++;
        assert_int_equal(x->job_first, x->job_last);
    }
    assert_true(runs >= 10);
    gcsplan_summary_free(s);

    /* A budget too small for one run per job still holds: runs then mix. */
    s = make(GCSPLAN_SUMMARY_NODES_MIN);
    for (int i = 0; i < 5000; i++) {
        snprintf(name, sizeof name, "d/f%05d", i);
        add(s, name, 100, (size_t)i / 100);
    }
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    assert_true(gcsplan_summary_node_count(s) <= GCSPLAN_SUMMARY_NODES_MIN);
    gcsplan_summary_free(s);
}

/* The same input gives the same summary, byte for byte. */
static void test_deterministic(void **state)
{
    (void)state;
    char *j[2];
    for (int r = 0; r < 2; r++) {
        gcsplan_summary *s = make(300);
        uint64_t total;
        fill(s, 30000, 777, &total);
        assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
        j[r] = to_json(s);
        gcsplan_summary_free(s);
    }
    assert_string_equal(j[0], j[1]);
    free(j[0]);
    free(j[1]);
}

/* Deep names: a folder per byte, the open path longer than the budget. */
static void test_deep_names(void **state)
{
    (void)state;
    gcsplan_summary *s = make(GCSPLAN_SUMMARY_NODES_MIN);
    char name[GCSPLAN_NAME_MAX];
    for (int i = 0; i < 40; i++) {
        memset(name, '/', sizeof name);
        name[sizeof name - 1] = (char)('A' + i);
        name[sizeof name - 2 - i] = 'x';
        assert_int_equal(gcsplan_summary_add(s, name, sizeof name, 1, 0, NULL), 0);
    }
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    check_tree(s);
    check_round_trip(s);
    gcsplan_summary_free(s);
}

/* --- histogram --------------------------------------------------------------------------- */

static void test_histogram(void **state)
{
    (void)state;
    gcsplan_summary *s = make(0);
    static const uint64_t sizes[] = { 0, 0, 1, 2, 3, 4, 1023, 1024, (uint64_t)1 << 40,
                                      ((uint64_t)1 << 62) - 1 };
    static const int bucket[] = { 0, 0, 1, 2, 2, 3, 10, 11, 41, 62 };
    char name[32];
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        snprintf(name, sizeof name, "o%02zu", i);
        add(s, name, sizes[i], 0);
    }
    add(s, "top", ((uint64_t)1 << 63) + 5, 0);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    const gcsplan_summary_bucket *h = gcsplan_summary_histogram(s);
    uint64_t want[GCSPLAN_SUMMARY_BUCKETS] = { 0 };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        want[bucket[i]]++;
    want[64]++;
    for (int k = 0; k < GCSPLAN_SUMMARY_BUCKETS; k++)
        assert_int_equal(h[k].objects, want[k]);
    assert_int_equal(h[2].bytes, 5);
    assert_int_equal(h[64].bytes, ((uint64_t)1 << 63) + 5);
    check_tree(s);
    check_round_trip(s);
    gcsplan_summary_free(s);
}

/* --- reading ----------------------------------------------------------------------------- */

#define NODE_ROOT "{\"kind\":\"folder\",\"name\":\"\",\"objects\":2,\"bytes\":30,\"jobs\":[0,1],\"children\":2}"
#define NODE_A "{\"kind\":\"object\",\"name\":\"a\",\"objects\":1,\"bytes\":10,\"jobs\":[0,0]}"
#define NODE_B "{\"kind\":\"object\",\"name\":\"b\",\"objects\":1,\"bytes\":20,\"jobs\":[1,1]}"
#define HEAD "{\"version\":1,\"max_nodes\":16,\"objects\":2,\"bytes\":30,\"jobs\":2,"
#define HIST "\"histogram\":[[4,1,10],[5,1,20]]"

static void test_parse_good(void **state)
{
    (void)state;
    static const char *const good[] = {
        HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "]}",
        /* unknown keys anywhere, in any order, containers included */
        "{\"later\":{\"x\":[1,{\"y\":2}]}," "\"nodes\":[" NODE_ROOT ","
        "{\"new\":[[]],\"kind\":\"object\",\"name\":\"a\",\"objects\":1,\"bytes\":10,\"jobs\":[0,0]},"
        NODE_B "],\"version\":1,\"max_nodes\":16,\"objects\":2,\"bytes\":30,\"jobs\":2," HIST "}",
        /* a run */
        HEAD HIST ",\"nodes\":[" NODE_ROOT ",{\"kind\":\"more\",\"merged\":1,\"first\":\"a\",\"last\":\"a\","
        "\"objects\":1,\"bytes\":10,\"jobs\":[0,0]}," NODE_B "]}",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        gcsplan_summary *s = NULL;
        gcsplan_error e;
        int rc = gcsplan_summary_parse(&s, good[i], strlen(good[i]), NULL, &e);
        if (rc != 0)
            fail_msg("good[%zu]: %s", i, e.message);
        check_tree(s);
        assert_int_equal(gcsplan_summary_node_count(s), 3);
        gcsplan_summary_free(s);
    }
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const struct { const char *json; int rc; } bad[] = {
        { "", GCSPLAN_EINVAL },
        { "[]", GCSPLAN_EINVAL },
        { "7", GCSPLAN_EINVAL },
        { "{", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "]} x", GCSPLAN_EINVAL },
        { "{\"version\":2}", GCSPLAN_EINVAL },
        { "{\"version\":1.0}", GCSPLAN_EINVAL },
        { "{\"version\":\"1\"}", GCSPLAN_EINVAL },
        { "{\"version\":-1}", GCSPLAN_EINVAL },
        { "{\"version\":1}", GCSPLAN_EINVAL }, /* no nodes */
        /* sums */
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A "]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "," NODE_B "]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"object\",\"name\":\"b\",\"objects\":1,\"bytes\":21,\"jobs\":[1,1]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"object\",\"name\":\"b\",\"objects\":1,\"bytes\":20,\"jobs\":[2,2]}]}", GCSPLAN_EINVAL },
        /* kinds */
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"object\",\"name\":\"b\",\"objects\":2,\"bytes\":20,\"jobs\":[1,1]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"object\",\"name\":\"x/b\",\"objects\":1,\"bytes\":20,\"jobs\":[1,1]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"file\",\"name\":\"b\",\"objects\":1,\"bytes\":20,\"jobs\":[1,1]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"more\",\"merged\":0,\"first\":\"b\",\"last\":\"b\",\"objects\":1,\"bytes\":20,\"jobs\":[1,1]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"more\",\"merged\":1,\"first\":\"b\",\"objects\":1,\"bytes\":20,\"jobs\":[1,1]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"object\",\"name\":\"b\",\"objects\":1,\"bytes\":20,\"jobs\":[1]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_ROOT "," NODE_A ","
          "{\"kind\":\"object\",\"name\":\"b\",\"objects\":1,\"bytes\":20,\"jobs\":[1,0]}]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[" NODE_A "]}", GCSPLAN_EINVAL },
        { HEAD HIST ",\"nodes\":[{\"kind\":\"folder\",\"name\":\"x\",\"objects\":2,\"bytes\":30,\"jobs\":[0,1],\"children\":2}," NODE_A "," NODE_B "]}", GCSPLAN_EINVAL },
        /* histogram */
        { HEAD "\"histogram\":[[4,1,10],[5,1,21]],\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "]}", GCSPLAN_EINVAL },
        { HEAD "\"histogram\":[[5,1,20],[4,1,10]],\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "]}", GCSPLAN_EINVAL },
        { HEAD "\"histogram\":[[4,1,10],[6,1,20]],\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "]}", GCSPLAN_EINVAL },
        { HEAD "\"histogram\":[[65,1,10]],\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "]}", GCSPLAN_EINVAL },
        { HEAD "\"histogram\":[[4,1]],\"nodes\":[" NODE_ROOT "," NODE_A "," NODE_B "]}", GCSPLAN_EINVAL },
        /* bounds */
        { "{\"max_nodes\":15}", GCSPLAN_ELIMIT },
        { "{\"a\":[[[[[[[[1]]]]]]]]}", GCSPLAN_ELIMIT },
        { "{\"max_nodes\":16,\"objects\":18446744073709551616}", GCSPLAN_EINVAL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        gcsplan_summary *s = (gcsplan_summary *)&s;
        gcsplan_error e;
        int rc = gcsplan_summary_parse(&s, bad[i].json, strlen(bad[i].json), NULL, &e);
        if (rc != bad[i].rc)
            fail_msg("bad[%zu]: got %d, want %d (%s)", i, rc, bad[i].rc, rc ? e.message : "");
        assert_null(s);
        assert_int_equal(e.code, rc);
        assert_null(memchr(e.message, '\n', strlen(e.message)));
    }
}

static void test_parse_limits(void **state)
{
    (void)state;
    /* More nodes than max_nodes; a name over the object name limit. */
    size_t cap = 1 << 20;
    char *j = malloc(cap);
    size_t n = (size_t)snprintf(j, cap, "{\"version\":1,\"max_nodes\":16,\"objects\":17,"
                                        "\"bytes\":17,\"jobs\":1,\"histogram\":[[1,17,17]],\"nodes\":["
                                        "{\"kind\":\"folder\",\"name\":\"\",\"objects\":17,"
                                        "\"bytes\":17,\"jobs\":[0,0],\"children\":17}");
    for (int i = 0; i < 17; i++)
        n += (size_t)snprintf(j + n, cap - n, ",{\"kind\":\"object\",\"name\":\"o%02d\","
                                              "\"objects\":1,\"bytes\":1,\"jobs\":[0,0]}", i);
    snprintf(j + n, cap - n, "]}");
    gcsplan_summary *s = NULL;
    assert_int_equal(gcsplan_summary_parse(&s, j, strlen(j), NULL, NULL), GCSPLAN_ELIMIT);
    n = (size_t)snprintf(j, cap, "{\"version\":1,\"max_nodes\":16,\"objects\":1,\"bytes\":1,"
                                 "\"jobs\":1,\"histogram\":[[1,1,1]],\"nodes\":["
                                 "{\"kind\":\"folder\",\"name\":\"\",\"objects\":1,\"bytes\":1,"
                                 "\"jobs\":[0,0],\"children\":1},{\"kind\":\"object\",\"name\":\"");
    memset(j + n, 'x', GCSPLAN_NAME_MAX + 1);
    n += GCSPLAN_NAME_MAX + 1;
    snprintf(j + n, cap - n, "\",\"objects\":1,\"bytes\":1,\"jobs\":[0,0]}]}");
    assert_int_equal(gcsplan_summary_parse(&s, j, strlen(j), NULL, NULL), GCSPLAN_ELIMIT);
    free(j);
}

/* --- failures ---------------------------------------------------------------------------- */

static void test_write_stops(void **state)
{
    (void)state;
    gcsplan_summary *s = make(0);
    gcsplan_error e;
    assert_int_equal(gcsplan_summary_write_json(s, sink_write, NULL, &e), GCSPLAN_EINVAL);
    uint64_t total;
    fill(s, 20000, 100, &total);
    assert_int_equal(gcsplan_summary_finish(s, NULL), 0);
    sink k = { 0 };
    k.stop_after = 1;
    assert_int_equal(gcsplan_summary_write_json(s, sink_write, &k, &e), GCSPLAN_ESOURCE);
    free(k.p);
    gcsplan_summary_free(s);
}

/* Every allocation failing in turn: a clean GCSPLAN_ENOMEM, nothing leaked. */
static void test_allocation_failures(void **state)
{
    (void)state;
    counting c = { 0, 0, -1, 0 };
    gcsplan_allocator a = { c_malloc, c_realloc, c_free, &c };
    gcsplan_summary_options o = GCSPLAN_SUMMARY_OPTIONS_INIT;
    o.allocator = &a;
    o.max_nodes = GCSPLAN_SUMMARY_NODES_MIN;
    char *json = NULL;
    for (long k = 0;; k++) {
        c.fail_at = k;
        c.calls = 0;
        gcsplan_summary *s = NULL;
        int rc = gcsplan_summary_new(&s, &o, NULL);
        char name[64];
        for (int i = 0; rc == 0 && i < 300; i++) {
            snprintf(name, sizeof name, "d%03d/f%03d%s", i / 7, i, i % 5 ? "" : "/x");
            rc = gcsplan_summary_add(s, name, strlen(name), (uint64_t)(i * 37 % 101), (size_t)i / 9,
                                     NULL);
        }
        if (rc == 0)
            rc = gcsplan_summary_finish(s, NULL);
        sink out = { 0 };
        if (rc == 0)
            rc = gcsplan_summary_write_json(s, sink_write, &out, NULL);
        gcsplan_summary *r = NULL;
        gcsplan_error e;
        if (rc == 0)
            rc = gcsplan_summary_parse(&r, out.p, out.len, &o, &e);
        if (rc != 0 && rc != GCSPLAN_ENOMEM)
            fail_msg("allocation %ld: %d %s", k, rc, e.message);
        if (rc == 0 && json == NULL)
            json = strdup(out.p);
        free(out.p);
        gcsplan_summary_free(r);
        gcsplan_summary_free(s);
        assert_int_equal(c.now, 0);
        if (rc == 0) {
            assert_true(c.calls <= k);
            break;
        }
        assert_int_equal(rc, GCSPLAN_ENOMEM);
    }
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_tree),
        cmocka_unit_test(test_chains_fold),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_order_and_arguments),
        cmocka_unit_test(test_odd_names),
        cmocka_unit_test(test_bounded_nodes),
        cmocka_unit_test(test_bounded_memory),
        cmocka_unit_test(test_merges_smallest),
        cmocka_unit_test(test_runs_follow_jobs),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_deep_names),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_write_stops),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
