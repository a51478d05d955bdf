/* Allocation failure across the library: every public entry point that
 * allocates, run with its Nth allocation failing for every N
 * (test_alloc_sweep in support.c): a clean GCSPLAN_ENOMEM, no object handed
 * out, nothing left alive (counted through the hooks here; LeakSanitizer in
 * the ASan build sees the rest). Inputs are small, so each sweep stays fast. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"
#include "test_support.h"

static int make_filter(gcsplan_filter **f, const char *const *excludes,
                       const gcsplan_allocator *a, gcsplan_error *err)
{
    *f = NULL;
    if (excludes == NULL)
        return 0;
    *f = (gcsplan_filter *)1;
    int rc = gcsplan_filter_new(f, a, err);
    if (rc != 0) {
        assert_null(*f);
        return rc;
    }
    for (size_t i = 0; rc == 0 && excludes[i] != NULL; i++)
        rc = gcsplan_filter_add(*f, excludes[i], strlen(excludes[i]), err);
    return rc;
}

/* ---- the exclusion filter ---------------------------------------------------------- */

static int run_filter(const gcsplan_allocator *a, void *ctx, gcsplan_error *err)
{
    (void)ctx;
    static const char *const res[] = { "studies/.*\\.tmp", "(?i).*/readme(\\.txt)?",
                                       "(a|aa)+b", "[^/]*/\\x{e9}t\\x{e9}/.*", NULL };
    static const struct {
        const char *name;
        int want;
    } names[] = {
        { "studies/x.tmp", 1 }, { "studies/x.dcm", 0 }, { "a/README.TXT", 1 },
        { "a/readme", 1 },      { "aaab", 1 },          { "aaac", 0 },
        { "x/\xc3\xa9t\xc3\xa9/y", 1 }, { "x/ete/y", 0 }, { "\xff\xfe", 0 },
    };
    gcsplan_filter *f;
    int rc = make_filter(&f, res, a, err);
    for (size_t i = 0; rc == 0 && i < sizeof names / sizeof names[0]; i++) {
        int m = gcsplan_filter_test(f, names[i].name, strlen(names[i].name), err);
        if (m < 0)
            rc = m;
        else if (m != names[i].want)
            fail_msg("'%s': %d, not %d", names[i].name, m, names[i].want);
    }
    if (rc == 0)
        assert_int_equal(gcsplan_filter_count(f), 4);
    gcsplan_filter_free(f);
    return rc;
}

static void test_filter(void **state)
{
    (void)state;
    assert_true(test_alloc_sweep("filter", run_filter, NULL) > 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
