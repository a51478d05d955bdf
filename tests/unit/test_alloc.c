/* Allocation failure: fail the Nth allocation for every N and check that the
 * compiler reports GCSPLAN_ENOMEM, returns no object and leaks nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"

typedef struct budget {
    long fail_at; /* the allocation number that fails; -1 never */
    long count;   /* allocations so far */
    long live;    /* allocated and not yet freed */
} budget;

static void *t_malloc(size_t size, void *ctx)
{
    budget *b = ctx;
    if (b->count++ == b->fail_at)
        return NULL;
    void *p = malloc(size);
    b->live += p != NULL;
    return p;
}

static void *t_realloc(void *ptr, size_t size, void *ctx)
{
    budget *b = ctx;
    if (b->count++ == b->fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    b->live += ptr == NULL && p != NULL;
    return p;
}

static void t_free(void *ptr, void *ctx)
{
    budget *b = ctx;
    b->live -= ptr != NULL;
    free(ptr);
}

static void test_every_allocation(void **state)
{
    (void)state;
    static const char *const uris[] = {
        "gs://bkt/a/b.dcm", "gs://bkt/studies/**.dcm", "gs://bkt/s/*/x-?/*.dcm",
        /* warnings allocate too: trailing slash, literal meta, empty segment, space */
        "gs://bkt/dir/", "gs://bkt/a[0]//b ", "gs://bkt/IM**dcm",
    };
    for (size_t u = 0; u < sizeof uris / sizeof uris[0]; u++) {
        for (long n = 0;; n++) {
            budget b = { n, 0, 0 };
            gcsplan_allocator a = { t_malloc, t_realloc, t_free, &b };
            gcsplan_pattern_options o = GCSPLAN_PATTERN_OPTIONS_INIT;
            o.allocator = &a;
            gcsplan_pattern *p = (gcsplan_pattern *)1;
            gcsplan_error err;
            int rc = gcsplan_pattern_compile(&p, uris[u], strlen(uris[u]), &o, &err);
            if (rc == 0) {
                /* Succeeded without reaching the failing allocation: done. */
                assert_true(b.count <= n);
                assert_true(gcsplan_pattern_match(p, "x", 1) >= 0);
                gcsplan_pattern_free(p);
                assert_int_equal(b.live, 0);
                break;
            }
            assert_int_equal(rc, GCSPLAN_ENOMEM);
            assert_int_equal(err.code, GCSPLAN_ENOMEM);
            assert_null(p);
            assert_int_equal(b.live, 0);
            assert_true(n < 100);
        }
    }
}

/* With the allocator given, gcsplan allocates nothing through malloc itself:
 * everything it allocates it frees through the same hooks. */
static void test_hooks_used(void **state)
{
    (void)state;
    budget b = { -1, 0, 0 };
    gcsplan_allocator a = { t_malloc, t_realloc, t_free, &b };
    gcsplan_pattern_options o = GCSPLAN_PATTERN_OPTIONS_INIT;
    o.allocator = &a;
    gcsplan_pattern *p = NULL;
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/x/", 11, &o, NULL), 0);
    assert_true(b.count > 0);
    assert_true(b.live > 0);
    gcsplan_pattern_free(p);
    assert_int_equal(b.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation),
        cmocka_unit_test(test_hooks_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
