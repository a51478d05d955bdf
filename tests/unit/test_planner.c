/* The planner: named hard cases, random and adversarial listings checked by
 * an independent checker (every job URI compiled and matched against every
 * object), and the job count compared with an exhaustive search for the
 * best prefix-cut plan on small listings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"
#include "gcsplan/plan.h"
#include "test_support.h"

#define MAXN 64

typedef struct obj {
    char name[64];
    uint64_t size;
    int excluded;
} obj;

typedef struct listing {
    obj o[MAXN];
    size_t n;
} listing;

static int cmp_obj(const void *a, const void *b)
{
    return strcmp(((const obj *)a)->name, ((const obj *)b)->name);
}

static gcsplan_pattern *compile(const char *uri)
{
    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    if (gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, &err) != 0) {
        print_error("%s: %s\n", uri, err.message);
        fail();
    }
    return p;
}

typedef struct result {
    int rc;
    uint64_t jobs, prefix_cut, lower_bound;
    char uris[MAXN * 4][160];
    uint64_t objects[MAXN * 4], bytes[MAXN * 4];
    unsigned flags[MAXN * 4];
    char message[256];
} result;

/* Plan the listing (only the objects the pattern matches), then run the
 * library's own checker over it too. */
static void plan(const char *uri, const listing *l, uint64_t max_o, uint64_t max_b, result *r)
{
    gcsplan_pattern *p = compile(uri);
    gcsplan_plan_options o = GCSPLAN_PLAN_OPTIONS_INIT;
    o.max_objects = max_o;
    o.max_bytes = max_b;
    gcsplan_planner *pl;
    gcsplan_error err;
    memset(r, 0, sizeof *r);
    assert_int_equal(gcsplan_planner_new(&pl, p, &o, &err), 0);
    for (size_t i = 0; i < l->n && r->rc == 0; i++)
        if (gcsplan_pattern_match(p, l->o[i].name, strlen(l->o[i].name)))
            r->rc = gcsplan_planner_add(pl, l->o[i].name, strlen(l->o[i].name), l->o[i].size,
                                        l->o[i].excluded, &err);
    /* Only a plan that cannot keep an excluded object out may fail early. */
    assert_true(r->rc == 0 || r->rc == GCSPLAN_EPLAN);
    if (r->rc == 0)
        r->rc = gcsplan_planner_finish(pl, &err);
    if (r->rc != 0) {
        snprintf(r->message, sizeof r->message, "%s", err.message);
        gcsplan_planner_free(pl);
        gcsplan_pattern_free(p);
        return;
    }
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    r->jobs = st.jobs;
    r->prefix_cut = st.prefix_cut;
    r->lower_bound = st.lower_bound;
    assert_true(st.jobs <= MAXN * 4);
    for (size_t i = 0; i < st.jobs; i++) {
        const gcsplan_job *j = gcsplan_planner_job(pl, i);
        snprintf(r->uris[i], sizeof r->uris[i], "%s", j->uri);
        r->objects[i] = j->objects;
        r->bytes[i] = j->bytes;
        r->flags[i] = j->flags;
    }
    gcsplan_plan_check *c;
    assert_int_equal(gcsplan_plan_check_new(&c, pl, &err), 0);
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const char *name = l->o[i].name;
        if (!gcsplan_pattern_match(p, name, strlen(name)))
            continue;
        /* Every other object through the variant that names the job, which
         * must be the one job whose URI matches it (none for an excluded one). */
        if (i % 2 == 0) {
            rc = gcsplan_plan_check_add(c, name, strlen(name), l->o[i].size, 0, l->o[i].excluded,
                                        &err);
            continue;
        }
        size_t job = 12345;
        rc = gcsplan_plan_check_add_ext(c, name, strlen(name), l->o[i].size, 0, l->o[i].excluded,
                                        &job, &err);
        if (rc != 0)
            break;
        if (l->o[i].excluded) {
            assert_true(job == GCSPLAN_PLAN_NO_JOB);
            continue;
        }
        assert_true(job < st.jobs);
        gcsplan_pattern *jp = compile(gcsplan_planner_job(pl, job)->uri);
        assert_true(gcsplan_pattern_match(jp, name, strlen(name)));
        gcsplan_pattern_free(jp);
    }
    if (rc == 0)
        rc = gcsplan_plan_check_finish(c, &err);
    if (rc != 0) {
        print_error("the library's checker refused the plan for %s: %s\n", uri, err.message);
        fail();
    }
    gcsplan_plan_check_free(c);
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(p);
}

/* The independent checker: invariants 1, 2, 3 and 5 by brute force. */
static void check_invariants(const char *uri, const listing *l, uint64_t max_o, uint64_t max_b,
                             const result *r)
{
    gcsplan_pattern *orig = compile(uri);
    gcsplan_pattern *jobs[MAXN * 4];
    for (size_t j = 0; j < r->jobs; j++)
        jobs[j] = compile(r->uris[j]);
    uint64_t cnt[MAXN * 4] = { 0 }, bytes[MAXN * 4] = { 0 };
    for (size_t i = 0; i < l->n; i++) {
        const char *name = l->o[i].name;
        size_t len = strlen(name);
        int in = gcsplan_pattern_match(orig, name, len);
        size_t hits = 0;
        for (size_t j = 0; j < r->jobs; j++)
            if (gcsplan_pattern_match(jobs[j], name, len)) {
                hits++;
                cnt[j]++;
                bytes[j] += l->o[i].size;
                if (!in) {
                    print_error("%s: job %s matches '%s', which %s does not\n", uri, r->uris[j],
                                name, uri);
                    fail();
                }
            }
        size_t want = in && !l->o[i].excluded ? 1 : 0;
        if (hits != want) {
            print_error("%s: '%s'%s is matched by %zu jobs\n", uri, name,
                        l->o[i].excluded ? " (excluded)" : "", hits);
            fail();
        }
    }
    for (size_t j = 0; j < r->jobs; j++) {
        assert_int_equal(cnt[j], r->objects[j]);
        assert_int_equal(bytes[j], r->bytes[j]);
        assert_true(cnt[j] > 0);
        int over = (max_o && cnt[j] > max_o) || (max_b && bytes[j] > max_b);
        if (over && !(r->flags[j] & GCSPLAN_JOB_INSEPARABLE) &&
            !((r->flags[j] & GCSPLAN_JOB_OVERSIZE) && cnt[j] == 1)) {
            print_error("%s: job %s is over the limits\n", uri, r->uris[j]);
            fail();
        }
        gcsplan_pattern_free(jobs[j]);
    }
    gcsplan_pattern_free(orig);
}

/* --- exhaustive search for the best prefix-cut plan ------------------------------------ */

typedef struct search {
    size_t n;                  /* matched, not excluded objects */
    uint64_t size[MAXN];
    uint64_t cover[512];       /* candidate jobs: bitmask of objects covered */
    size_t ncand;
    uint64_t max_o, max_b;
    int best;
} search;

static void dfs(search *s, uint64_t covered, int used)
{
    if (used >= s->best)
        return;
    if (covered == (s->n == 64 ? ~0ull : (1ull << s->n) - 1)) {
        s->best = used;
        return;
    }
    size_t first = 0;
    while (covered & (1ull << first))
        first++;
    for (size_t c = 0; c < s->ncand; c++)
        if ((s->cover[c] & (1ull << first)) && !(s->cover[c] & covered))
            dfs(s, covered | s->cover[c], used + 1);
}

/* Candidates: x**SUFFIX for every character prefix x of a name, and each
 * name as a literal URI; kept when valid, matching no excluded object and
 * within the limits (a single object may exceed max_bytes). */
static int best_prefix_cut(const char *bucket_prefix, const char *suffix, const listing *l,
                           const char *uri, uint64_t max_o, uint64_t max_b)
{
    gcsplan_pattern *orig = compile(uri);
    search s;
    memset(&s, 0, sizeof s);
    s.max_o = max_o;
    s.max_b = max_b;
    const obj *idx[MAXN];
    for (size_t i = 0; i < l->n; i++)
        if (!l->o[i].excluded && gcsplan_pattern_match(orig, l->o[i].name, strlen(l->o[i].name))) {
            idx[s.n] = &l->o[i];
            s.size[s.n++] = l->o[i].size;
        }
    for (size_t i = 0; i < s.n; i++) {
        const char *name = idx[i]->name;
        size_t len = strlen(name);
        for (size_t k = 0; k <= len + 1; k++) {
            if (k <= len && k < len && ((unsigned char)name[k] & 0xC0) == 0x80)
                continue; /* not a character boundary */
            char u[256];
            if (k <= len)
                snprintf(u, sizeof u, "%s%.*s**%s", bucket_prefix, (int)k, name, suffix);
            else
                snprintf(u, sizeof u, "%s%s", bucket_prefix, name);
            gcsplan_pattern *p = NULL;
            if (gcsplan_pattern_compile(&p, u, strlen(u), NULL, NULL) != 0)
                continue;
            if (k > len && gcsplan_pattern_kind_of(p) != GCSPLAN_PATTERN_LITERAL) {
                gcsplan_pattern_free(p);
                continue;
            }
            uint64_t mask = 0, cnt = 0, bytes = 0;
            int hits_obstacle = 0;
            for (size_t m = 0; m < l->n; m++) {
                if (!gcsplan_pattern_match(p, l->o[m].name, strlen(l->o[m].name)))
                    continue;
                if (l->o[m].excluded) {
                    hits_obstacle = 1;
                    continue;
                }
                for (size_t t = 0; t < s.n; t++)
                    if (idx[t] == &l->o[m])
                        mask |= 1ull << t;
                cnt++;
                bytes += l->o[m].size;
            }
            gcsplan_pattern_free(p);
            int ok = mask && !hits_obstacle &&
                     ((cnt == 1) || ((!max_o || cnt <= max_o) && (!max_b || bytes <= max_b)));
            if (cnt == 1 && max_o && cnt > max_o)
                ok = 0;
            if (ok && s.ncand < 512)
                s.cover[s.ncand++] = mask;
        }
    }
    s.best = (int)s.n + 1;
    dfs(&s, 0, 0);
    gcsplan_pattern_free(orig);
    return s.best;
}

/* --- named hard cases ------------------------------------------------------------------ */

static void add(listing *l, const char *name, uint64_t size, int excluded)
{
    snprintf(l->o[l->n].name, sizeof l->o[l->n].name, "%s", name);
    l->o[l->n].size = size;
    l->o[l->n].excluded = excluded;
    l->n++;
    qsort(l->o, l->n, sizeof l->o[0], cmp_obj);
}

static int has_job(const result *r, const char *uri)
{
    for (size_t i = 0; i < r->jobs; i++)
        if (strcmp(r->uris[i], uri) == 0)
            return 1;
    return 0;
}

static void test_whole_when_it_fits(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "studies/a/1.dcm", 10, 0);
    add(&l, "studies/a/2.dcm", 10, 0);
    add(&l, "studies/b/1.dcm", 10, 0);
    result r;
    plan("gs://bkt/studies/**.dcm", &l, 0, 0, &r);
    assert_int_equal(r.jobs, 1);
    assert_string_equal(r.uris[0], "gs://bkt/studies/**.dcm");
    plan("gs://bkt/studies/**.dcm", &l, 2, 0, &r);
    assert_int_equal(r.jobs, 2);
    assert_true(has_job(&r, "gs://bkt/studies/a**.dcm"));
    assert_true(has_job(&r, "gs://bkt/studies/b**.dcm"));
    check_invariants("gs://bkt/studies/**.dcm", &l, 2, 0, &r);
}

/* "a" is a prefix of "a/b": the name itself needs its own literal job. */
static void test_name_prefix_of_others(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "d/a", 5, 0);
    add(&l, "d/a/b", 5, 0);
    add(&l, "d/a/c", 5, 0);
    result r;
    plan("gs://bkt/d/**", &l, 2, 0, &r);
    check_invariants("gs://bkt/d/**", &l, 2, 0, &r);
    assert_int_equal(r.jobs, 2);
    assert_true(has_job(&r, "gs://bkt/d/a"));
    assert_true(has_job(&r, "gs://bkt/d/a/**"));
}

/* Narrowing keeps the suffix: x.dcm.bak is never pulled in. */
static void test_suffix_kept(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "s/x.dcm", 1, 0);
    add(&l, "s/x.dcm.bak", 1, 0);
    add(&l, "s/y.dcm", 1, 0);
    add(&l, "s/z.dcm", 1, 0);
    result r;
    plan("gs://bkt/s/**.dcm", &l, 2, 0, &r);
    check_invariants("gs://bkt/s/**.dcm", &l, 2, 0, &r);
    for (size_t i = 0; i < r.jobs; i++)
        assert_non_null(strstr(r.uris[i], ".dcm"));
}

/* A job of "s/a.d**.dcm" could not match "s/a.dcm" (prefix and suffix never
 * overlap): such short names get literal jobs. */
static void test_short_names(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "s/a.dcm", 1, 0);
    add(&l, "s/a.dc.dcm", 1, 0);
    add(&l, "s/a.dcx.dcm", 1, 0);
    add(&l, "s/a.dcy.dcm", 1, 0);
    for (uint64_t mo = 1; mo <= 4; mo++) {
        result r;
        plan("gs://bkt/s/**.dcm", &l, mo, 0, &r);
        check_invariants("gs://bkt/s/**.dcm", &l, mo, 0, &r);
        assert_int_equal((int)r.jobs, best_prefix_cut("gs://bkt/", ".dcm", &l, "gs://bkt/s/**.dcm",
                                                        mo, 0));
    }
}

/* One object larger than max_bytes is a job of its own, flagged. */
static void test_oversize(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "v/a.dcm", 5, 0);
    add(&l, "v/big.dcm", 500, 0);
    add(&l, "v/c.dcm", 5, 0);
    result r;
    plan("gs://bkt/v/**", &l, 0, 100, &r);
    check_invariants("gs://bkt/v/**", &l, 0, 100, &r);
    int oversize = 0;
    for (size_t i = 0; i < r.jobs; i++)
        if (r.flags[i] & GCSPLAN_JOB_OVERSIZE) {
            oversize++;
            assert_string_equal(r.uris[i], "gs://bkt/v/big.dcm");
        }
    assert_int_equal(oversize, 1);
}

/* Names with '*' or '?' cannot be named alone: they stay in one job with
 * their neighbours, flagged inseparable when that breaks the limits. */
static void test_wildcard_names(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "w/a*1.dcm", 1, 0);
    add(&l, "w/a*2.dcm", 1, 0);
    add(&l, "w/a?3.dcm", 1, 0);
    add(&l, "w/b.dcm", 1, 0);
    result r;
    plan("gs://bkt/w/**.dcm", &l, 1, 0, &r);
    check_invariants("gs://bkt/w/**.dcm", &l, 1, 0, &r);
    assert_int_equal(r.jobs, 2);
    assert_true(has_job(&r, "gs://bkt/w/a**.dcm"));
    for (size_t i = 0; i < r.jobs; i++)
        if (strcmp(r.uris[i], "gs://bkt/w/a**.dcm") == 0)
            assert_true(r.flags[i] & GCSPLAN_JOB_INSEPARABLE);
}

/* Multi-byte characters are never cut: every prefix is valid UTF-8. */
static void test_multibyte_split(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "m/\xc3\xa9" "a", 1, 0);
    add(&l, "m/\xc3\xa9" "b", 1, 0);
    add(&l, "m/\xc3\xa8" "a", 1, 0);
    add(&l, "m/\xe6\x97\xa5" "x", 1, 0);
    result r;
    plan("gs://bkt/m/**", &l, 1, 0, &r);
    check_invariants("gs://bkt/m/**", &l, 1, 0, &r);
    plan("gs://bkt/m/**", &l, 2, 0, &r);
    check_invariants("gs://bkt/m/**", &l, 2, 0, &r);
    assert_true(has_job(&r, "gs://bkt/m/\xc3\xa9**"));
}

/* Excluded objects are obstacles: "everything under studies/ but quarantine". */
static void test_exclusion(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "studies/a/1.dcm", 1, 0);
    add(&l, "studies/b/1.dcm", 1, 0);
    add(&l, "studies/quarantine/1.dcm", 1, 1);
    add(&l, "studies/quarantine/2.dcm", 1, 1);
    add(&l, "studies/qa/1.dcm", 1, 0);
    add(&l, "studies/z/1.dcm", 1, 0);
    result r;
    plan("gs://bkt/studies/**", &l, 0, 0, &r);
    check_invariants("gs://bkt/studies/**", &l, 0, 0, &r);
    assert_true(r.jobs >= 2);
    assert_int_equal((int)r.jobs, best_prefix_cut("gs://bkt/", "", &l, "gs://bkt/studies/**", 0, 0));
}

/* An excluded object that no URI can keep apart from a '*' name is an error. */
static void test_exclusion_impossible(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "e/a*b", 1, 0);
    add(&l, "e/a*c", 1, 1);
    result r;
    plan("gs://bkt/e/**", &l, 0, 0, &r);
    assert_int_equal(r.rc, GCSPLAN_EPLAN);
    assert_non_null(strstr(r.message, "excluded"));
    assert_string_equal(gcsplan_strerror(GCSPLAN_EPLAN), "no plan satisfies the invariants");
}

static void test_literal_and_empty(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "one.dcm", 7, 0);
    result r;
    plan("gs://bkt/one.dcm", &l, 0, 0, &r);
    assert_int_equal(r.jobs, 1);
    assert_string_equal(r.uris[0], "gs://bkt/one.dcm");
    listing empty = { .n = 0 };
    plan("gs://bkt/x/**", &empty, 5, 0, &r);
    assert_int_equal(r.jobs, 0);
    assert_int_equal(r.lower_bound, 0);
}

static void test_refuses(void **state)
{
    (void)state;
    gcsplan_planner *pl = NULL;
    gcsplan_error err;
    gcsplan_pattern *p = compile("gs://bkt/a/**");
    assert_int_equal(gcsplan_planner_new(&pl, p, NULL, &err), 0);
    assert_int_equal(gcsplan_planner_add(pl, "b/x", 3, 1, 0, &err), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_planner_add(pl, "a/y", 3, 1, 0, &err), 0);
    assert_int_equal(gcsplan_planner_add(pl, "a/x", 3, 1, 0, &err), GCSPLAN_EINVAL);
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(p);
}


/* --- contracts: ownership, allocator, sums -------------------------------------------- */

/* A listing through planner and checker; returns the first error, or 0 with
 * *out the planner (the checker already freed). */
static int plan_and_check(const gcsplan_pattern *p, const gcsplan_allocator *a,
                          const char *const *names, const uint64_t *sizes, size_t n,
                          gcsplan_planner **out, gcsplan_error *err)
{
    gcsplan_plan_options o = GCSPLAN_PLAN_OPTIONS_INIT;
    o.allocator = a;
    o.max_objects = 2;
    gcsplan_planner *pl = NULL;
    gcsplan_plan_check *c = NULL;
    *out = NULL;
    int rc = gcsplan_planner_new(&pl, p, &o, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = gcsplan_planner_add(pl, names[i], strlen(names[i]), sizes[i], 0, err);
    if (rc == 0)
        rc = gcsplan_planner_finish(pl, err);
    if (rc == 0)
        rc = gcsplan_plan_check_new(&c, pl, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = gcsplan_plan_check_add(c, names[i], strlen(names[i]), sizes[i], 7, 0, err);
    if (rc == 0)
        rc = gcsplan_plan_check_finish(c, err);
    gcsplan_plan_check_free(c);
    if (rc != 0)
        gcsplan_planner_free(pl);
    else
        *out = pl;
    return rc;
}

static const char *const owned_names[] = { "studies/a/1.dcm", "studies/a/2.dcm",
                                            "studies/b/1.dcm", "studies/c/long-name-1.dcm" };
static const uint64_t owned_sizes[] = { 1, 2, 3, 4 };

/* The jobs' first and last names belong to the planner: they are intact
 * after the checker that recorded them is freed (they used to dangle). */
static void test_extent_outlives_checker(void **state)
{
    (void)state;
    gcsplan_pattern *p = compile("gs://bkt/studies/**");
    gcsplan_planner *pl;
    gcsplan_error err;
    assert_int_equal(plan_and_check(p, NULL, owned_names, owned_sizes, 4, &pl, &err), 0);
    /* Churn the heap so that freed blocks would be reused. */
    for (int i = 0; i < 64; i++) {
        char *junk = malloc(16 + (size_t)i % 32);
        memset(junk, 'X', 16 + (size_t)i % 32);
        free(junk);
    }
    assert_int_equal(gcsplan_planner_job_count(pl), 3);
    const gcsplan_job *j = gcsplan_planner_job(pl, 0);
    assert_string_equal(j->uri, "gs://bkt/studies/a**");
    assert_string_equal(j->first, "studies/a/1.dcm");
    assert_string_equal(j->last, "studies/a/2.dcm");
    assert_int_equal(j->largest, 2);
    j = gcsplan_planner_job(pl, 2);
    assert_string_equal(j->first, "studies/c/long-name-1.dcm");
    assert_string_equal(j->last, "studies/c/long-name-1.dcm");
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(p);
}

/* Planner and checker allocate only through the plan options' allocator:
 * failing its Nth call, for every N, gives GCSPLAN_ENOMEM and leaks
 * nothing; and the checker's own allocations are among those calls. */
static void test_every_allocation(void **state)
{
    (void)state;
    static const char *const uris[] = { "gs://bkt/studies/**", "gs://bkt/studies/*/*.dcm" };
    for (size_t u = 0; u < 2; u++) {
        gcsplan_pattern *p = compile(uris[u]);
        /* How many allocations the planner alone makes. */
        test_alloc pb;
        test_alloc_init(&pb, -1);
        gcsplan_plan_options o = GCSPLAN_PLAN_OPTIONS_INIT;
        o.allocator = &pb.hooks;
        o.max_objects = 2;
        gcsplan_planner *pl;
        gcsplan_error err;
        assert_int_equal(gcsplan_planner_new(&pl, p, &o, &err), 0);
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(gcsplan_planner_add(pl, owned_names[i], strlen(owned_names[i]),
                                                 owned_sizes[i], 0, &err), 0);
        assert_int_equal(gcsplan_planner_finish(pl, &err), 0);
        gcsplan_planner_free(pl);
        long planner_calls = pb.calls;
        int checker_failed = 0;
        for (long n = 0;; n++) {
            test_alloc b;
            test_alloc_init(&b, n);
            int rc = plan_and_check(p, &b.hooks, owned_names, owned_sizes, 4, &pl, &err);
            if (rc == 0) {
                assert_true(n > planner_calls);
                gcsplan_planner_free(pl);
                assert_int_equal(b.live, 0);
                break;
            }
            assert_int_equal(rc, GCSPLAN_ENOMEM);
            assert_int_equal(err.code, GCSPLAN_ENOMEM);
            assert_int_equal(b.live, 0);
            checker_failed += n >= planner_calls;
        }
        assert_true(checker_failed > 0);
        gcsplan_pattern_free(p);
    }
}

/* Sizes are unsigned 64-bit: 2^64-1 is a size like any other, and a total
 * over it is GCSPLAN_ELIMIT in the planner and in the checker. */
static void test_sizes_do_not_wrap(void **state)
{
    (void)state;
    gcsplan_pattern *p = compile("gs://bkt/s/**");
    gcsplan_planner *pl;
    gcsplan_error err;
    const uint64_t max = UINT64_MAX;
    assert_int_equal(gcsplan_planner_new(&pl, p, NULL, &err), 0);
    assert_int_equal(gcsplan_planner_add(pl, "s/a", 3, max, 0, &err), 0);
    assert_int_equal(gcsplan_planner_finish(pl, &err), 0);
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    assert_true(st.bytes == max);
    assert_true(gcsplan_planner_job(pl, 0)->bytes == max);
    /* Without --max-bytes nothing is over it, however large. */
    assert_int_equal(gcsplan_planner_job(pl, 0)->flags, 0);
    assert_int_equal(st.oversize, 0);
    /* The checker, fed one more object than was planned: its total wraps first. */
    gcsplan_plan_check *c;
    assert_int_equal(gcsplan_plan_check_new(&c, pl, &err), 0);
    assert_int_equal(gcsplan_plan_check_add(c, "s/a", 3, max, 0, 0, &err), 0);
    assert_int_equal(gcsplan_plan_check_add(c, "s/b", 3, 1, 0, 0, &err), GCSPLAN_ELIMIT);
    assert_int_equal(err.code, GCSPLAN_ELIMIT);
    assert_int_equal(gcsplan_plan_check_finish(c, &err), GCSPLAN_ELIMIT);
    gcsplan_plan_check_free(c);
    gcsplan_planner_free(pl);

    const uint64_t half = (uint64_t)1 << 63;
    assert_int_equal(gcsplan_planner_new(&pl, p, NULL, &err), 0);
    assert_int_equal(gcsplan_planner_add(pl, "s/a", 3, half, 0, &err), 0);
    assert_int_equal(gcsplan_planner_add(pl, "s/b", 3, half - 1, 0, &err), 0); /* 2^64-1 */
    gcsplan_error_clear(&err);
    assert_int_equal(gcsplan_planner_add(pl, "s/c", 3, 1, 0, &err), GCSPLAN_ELIMIT);
    assert_int_equal(err.code, GCSPLAN_ELIMIT);
    assert_string_equal(err.message, "the matched objects total more than 2^64-1 bytes");
    assert_int_equal(gcsplan_planner_finish(pl, &err), GCSPLAN_ELIMIT);
    gcsplan_planner_free(pl);

    /* Sizes past 2^62 (which once counted as "over no limit"): one job, no
     * warning, and a lower bound of one. */
    const uint64_t big = ((uint64_t)1 << 62) + 1;
    assert_int_equal(gcsplan_planner_new(&pl, p, NULL, &err), 0);
    assert_int_equal(gcsplan_planner_add(pl, "s/a", 3, big, 0, &err), 0);
    assert_int_equal(gcsplan_planner_add(pl, "s/b", 3, big, 0, &err), 0);
    assert_int_equal(gcsplan_planner_finish(pl, &err), 0);
    gcsplan_planner_stats(pl, &st);
    assert_int_equal(st.jobs, 1);
    assert_int_equal(st.lower_bound, 1);
    assert_int_equal(st.oversize + st.inseparable, 0);
    assert_string_equal(gcsplan_planner_job(pl, 0)->uri, "gs://bkt/s/**");
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(p);
}

/* gcsplan_plan_check_add_ext: the job of each object in a small plan, and
 * GCSPLAN_PLAN_NO_JOB for an excluded one and after every error, so that a
 * caller feeding the index on never reads a stale one. */
static void test_check_tells_the_job(void **state)
{
    (void)state;
    gcsplan_pattern *p = compile("gs://bkt/s/**");
    gcsplan_plan_options o = GCSPLAN_PLAN_OPTIONS_INIT;
    o.max_objects = 2;
    gcsplan_planner *pl;
    gcsplan_error err;
    static const char *const names[] = { "s/a/1", "s/a/2", "s/b/1", "s/b/2", "s/c" };
    assert_int_equal(gcsplan_planner_new(&pl, p, &o, &err), 0);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(gcsplan_planner_add(pl, names[i], strlen(names[i]), 10, i == 3, &err), 0);
    assert_int_equal(gcsplan_planner_finish(pl, &err), 0);
    /* s/a** (job 0), s/b/1 (1), s/c (2): s/b/2 is excluded. */
    assert_int_equal(gcsplan_planner_job_count(pl), 3);
    static const size_t want[] = { 0, 0, 1, GCSPLAN_PLAN_NO_JOB, 2 };
    gcsplan_plan_check *c;
    assert_int_equal(gcsplan_plan_check_new(&c, pl, &err), 0);
    for (size_t i = 0; i < 5; i++) {
        size_t job = 99;
        assert_int_equal(gcsplan_plan_check_add_ext(c, names[i], strlen(names[i]), 10, 0, i == 3,
                                                    &job, &err), 0);
        assert_true(job == want[i]);
    }
    assert_int_equal(gcsplan_plan_check_finish(c, &err), 0);
    gcsplan_plan_check_free(c);

    /* Out of order: an error, and no job. */
    assert_int_equal(gcsplan_plan_check_new(&c, pl, &err), 0);
    size_t job = 0;
    assert_int_equal(gcsplan_plan_check_add_ext(c, "s/b/1", 5, 10, 0, 0, &job, &err), 0);
    assert_true(job == 1);
    assert_int_equal(gcsplan_plan_check_add_ext(c, "s/a/1", 5, 10, 0, 0, &job, &err),
                     GCSPLAN_ERROR);
    assert_true(job == GCSPLAN_PLAN_NO_JOB);
    job = 0;
    assert_int_equal(gcsplan_plan_check_add_ext(c, "s/c", 3, 10, 0, 0, &job, &err), GCSPLAN_ERROR);
    assert_true(job == GCSPLAN_PLAN_NO_JOB);
    gcsplan_plan_check_free(c);

    /* An object no job matches, and an excluded one a job matches. */
    assert_int_equal(gcsplan_plan_check_new(&c, pl, &err), 0);
    job = 0;
    assert_int_equal(gcsplan_plan_check_add_ext(c, "s/b/0", 5, 10, 0, 0, &job, &err),
                     GCSPLAN_ERROR);
    assert_true(job == GCSPLAN_PLAN_NO_JOB);
    gcsplan_plan_check_free(c);
    assert_int_equal(gcsplan_plan_check_new(&c, pl, &err), 0);
    job = 0;
    assert_int_equal(gcsplan_plan_check_add_ext(c, "s/a/1", 5, 10, 0, 1, &job, &err),
                     GCSPLAN_ERROR);
    assert_true(job == GCSPLAN_PLAN_NO_JOB);
    assert_non_null(strstr(err.message, "invariant 5"));
    gcsplan_plan_check_free(c);
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(p);
}

/* --- random and adversarial listings --------------------------------------------------- */

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void random_listing(listing *l, size_t n, int weird)
{
    static const char *const pieces[] = { "a", "b", "/", "\xc3\xa9", "\xc3\xa8", ".", "dcm", "*", "?" };
    size_t npieces = weird ? 9 : 7;
    l->n = 0;
    for (size_t tries = 0; l->n < n && tries < n * 20; tries++) {
        char name[64] = "d/";
        size_t k = 1 + next_rand() % 5;
        for (size_t i = 0; i < k; i++)
            strcat(name, pieces[next_rand() % npieces]);
        if (next_rand() % 2)
            strcat(name, ".dcm");
        int dup = 0;
        for (size_t i = 0; i < l->n; i++)
            dup |= strcmp(l->o[i].name, name) == 0;
        if (dup)
            continue;
        snprintf(l->o[l->n].name, sizeof l->o[l->n].name, "%s", name);
        l->o[l->n].size = next_rand() % 12;
        l->o[l->n].excluded = next_rand() % 10 == 0;
        l->n++;
    }
    qsort(l->o, l->n, sizeof l->o[0], cmp_obj);
}

static void test_random_optimal(void **state)
{
    (void)state;
    static const char *const uris[] = { "gs://bkt/d/**", "gs://bkt/d/**.dcm", "gs://bkt/d/a**" };
    static const char *const suffixes[] = { "", ".dcm", "" };
    int better = 0;
    for (int round = 0; round < 1500; round++) {
        listing l;
        random_listing(&l, 1 + next_rand() % 8, 0);
        size_t u = next_rand() % 3;
        uint64_t mo = next_rand() % 4, mb = next_rand() % 3 ? 0 : 8 + next_rand() % 20;
        result r;
        plan(uris[u], &l, mo, mb, &r);
        assert_int_equal(r.rc, 0);
        check_invariants(uris[u], &l, mo, mb, &r);
        int best = best_prefix_cut("gs://bkt/", suffixes[u], &l, uris[u], mo, mb);
        if ((int)r.jobs != best) {
            print_error("round %d %s max_o %llu max_b %llu: %llu jobs, best prefix-cut plan %d\n",
                        round, uris[u], (unsigned long long)mo, (unsigned long long)mb,
                        (unsigned long long)r.jobs, best);
            for (size_t i = 0; i < l.n; i++)
                print_error("  %s %llu%s\n", l.o[i].name, (unsigned long long)l.o[i].size,
                            l.o[i].excluded ? " excluded" : "");
            fail();
        }
        assert_true(r.jobs <= r.prefix_cut);
        /* The naive bound holds unless a single object is over max_bytes. */
        int flagged = 0;
        for (size_t i = 0; i < r.jobs; i++)
            flagged |= r.flags[i] != 0;
        assert_true(r.jobs >= r.lower_bound || flagged);
        better += r.jobs < r.prefix_cut;
    }
    print_message("plans better than the greedy prefix cut: %d of 1500\n", better);
}

static void test_random_weird(void **state)
{
    (void)state;
    for (int round = 0; round < 3000; round++) {
        listing l;
        random_listing(&l, 1 + next_rand() % 40, 1);
        uint64_t mo = next_rand() % 6, mb = next_rand() % 3 ? 0 : 5 + next_rand() % 40;
        const char *uri = next_rand() % 2 ? "gs://bkt/d/**" : "gs://bkt/d/**.dcm";
        result r;
        plan(uri, &l, mo, mb, &r);
        if (r.rc == GCSPLAN_EPLAN)
            continue; /* an excluded object stuck to a '*' name: reported, not planned */
        assert_int_equal(r.rc, 0);
        check_invariants(uri, &l, mo, mb, &r);
    }
}

/* Segmented URIs: wildcard segments pinned to directories, the last
 * segment narrowed like a prefix cut (with its own short names). */
static void test_segmented(void **state)
{
    (void)state;
    listing l = { .n = 0 };
    add(&l, "s/a/1.dcm", 1, 0);
    add(&l, "s/a/2.dcm", 1, 0);
    add(&l, "s/b/1.dcm", 1, 0);
    add(&l, "s/b/x/1.dcm", 1, 0); /* another depth: never matched */
    add(&l, "s/c/a.dcm", 1, 0);
    add(&l, "s/c/a.dcx.dcm", 1, 0);
    add(&l, "s/c/a.dcy.dcm", 1, 0);
    result r;
    plan("gs://bkt/s/*/*.dcm", &l, 2, 0, &r);
    check_invariants("gs://bkt/s/*/*.dcm", &l, 2, 0, &r);
    assert_true(has_job(&r, "gs://bkt/s/a/*.dcm"));
    assert_true(has_job(&r, "gs://bkt/s/b/*.dcm"));
    for (uint64_t mo = 1; mo <= 3; mo++) {
        plan("gs://bkt/s/*/*.dcm", &l, mo, 0, &r);
        check_invariants("gs://bkt/s/*/*.dcm", &l, mo, 0, &r);
        plan("gs://bkt/s/?/?.dcm", &l, mo, 0, &r);
        check_invariants("gs://bkt/s/?/?.dcm", &l, mo, 0, &r);
        plan("gs://bkt/s/*/a*", &l, mo, 0, &r);
        check_invariants("gs://bkt/s/*/a*", &l, mo, 0, &r);
    }
}

static void test_random_segmented(void **state)
{
    (void)state;
    static const char *const uris[] = { "gs://bkt/d/*/*", "gs://bkt/d/*/*.dcm", "gs://bkt/d/?*/a*",
                                        "gs://bkt/d/*b/*/*", "gs://bkt/d/a?", "gs://bkt/d/*" };
    for (int round = 0; round < 3000; round++) {
        listing l;
        random_listing(&l, 1 + next_rand() % 40, round % 3 == 0);
        uint64_t mo = next_rand() % 6, mb = next_rand() % 3 ? 0 : 5 + next_rand() % 40;
        const char *uri = uris[next_rand() % 6];
        result r;
        plan(uri, &l, mo, mb, &r);
        if (r.rc == GCSPLAN_EPLAN)
            continue;
        assert_int_equal(r.rc, 0);
        check_invariants(uri, &l, mo, mb, &r);
        assert_true(r.jobs <= r.prefix_cut);
    }
}

/* Same input, same plan, byte for byte (invariant 4). */
static void test_deterministic(void **state)
{
    (void)state;
    listing l;
    random_listing(&l, 40, 1);
    result a, b;
    plan("gs://bkt/d/**", &l, 3, 0, &a);
    plan("gs://bkt/d/**", &l, 3, 0, &b);
    assert_int_equal(a.jobs, b.jobs);
    for (size_t i = 0; i < a.jobs; i++)
        assert_string_equal(a.uris[i], b.uris[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_when_it_fits),
        cmocka_unit_test(test_name_prefix_of_others),
        cmocka_unit_test(test_suffix_kept),
        cmocka_unit_test(test_short_names),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_wildcard_names),
        cmocka_unit_test(test_multibyte_split),
        cmocka_unit_test(test_exclusion),
        cmocka_unit_test(test_exclusion_impossible),
        cmocka_unit_test(test_literal_and_empty),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_random_optimal),
        cmocka_unit_test(test_random_weird),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_segmented),
        cmocka_unit_test(test_random_segmented),
        cmocka_unit_test(test_extent_outlives_checker),
        cmocka_unit_test(test_every_allocation),
        cmocka_unit_test(test_sizes_do_not_wrap),
        cmocka_unit_test(test_check_tells_the_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
