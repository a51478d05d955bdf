/* Allocation failure: fail the Nth allocation for every N and check that the
 * compiler reports GCSPLAN_ENOMEM, returns no object and leaks nothing (the
 * counting allocator and the sweep are test_support.h's; the other entry
 * points are swept in test_alloc_sweep.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"
#include "test_support.h"

static int compile_one(const gcsplan_allocator *a, void *ctx, gcsplan_error *err)
{
    const char *uri = ctx;
    gcsplan_pattern_options o = GCSPLAN_PATTERN_OPTIONS_INIT;
    o.allocator = a;
    gcsplan_pattern *p = (gcsplan_pattern *)1;
    int rc = gcsplan_pattern_compile(&p, uri, strlen(uri), &o, err);
    if (rc != 0) {
        assert_null(p);
        return rc;
    }
    assert_true(gcsplan_pattern_match(p, "x", 1) >= 0);
    gcsplan_pattern_free(p);
    return 0;
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
        long calls = test_alloc_sweep(uris[u], compile_one, (void *)uris[u]);
        assert_true(calls > 0 && calls < 100);
    }
}

/* With the allocator given, gcsplan allocates nothing through malloc itself:
 * everything it allocates it frees through the same hooks. */
static void test_hooks_used(void **state)
{
    (void)state;
    test_alloc t;
    test_alloc_init(&t, -1);
    gcsplan_pattern_options o = GCSPLAN_PATTERN_OPTIONS_INIT;
    o.allocator = &t.hooks;
    gcsplan_pattern *p = NULL;
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/x/", 11, &o, NULL), 0);
    assert_true(t.calls > 0);
    assert_true(t.live > 0);
    gcsplan_pattern_free(p);
    assert_int_equal(t.live, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation),
        cmocka_unit_test(test_hooks_used),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
