/* Exclusion filters: an expression that cannot decide (PCRE2's match limit
 * on a backtracking expression) is an error naming the expression and the
 * name, never a kept object; the lister stops with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"
#include "test_support.h"

#define CATASTROPHIC "(a|aa)+b|.*"

static void test_decisions(void **state)
{
    (void)state;
    gcsplan_filter *f;
    gcsplan_error err;
    assert_int_equal(gcsplan_filter_new(&f, NULL, &err), 0);
    assert_int_equal(gcsplan_filter_test(f, "x", 1, &err), 0);
    assert_int_equal(gcsplan_filter_add(f, ".*\\.bak", 6, &err), 0);
    assert_int_equal(gcsplan_filter_add(f, CATASTROPHIC, strlen(CATASTROPHIC), &err), 0);
    assert_int_equal(gcsplan_filter_test(f, "a.bak", 5, &err), 1);
    assert_int_equal(gcsplan_filter_test(f, "aab", 3, &err), 1);
    assert_int_equal(gcsplan_filter_test(f, "zzz", 3, &err), 1); /* '.*' */
    /* 1000 a's: the first branch backtracks past PCRE2's match limit before
     * the second could match. The old code read that as "no match" and kept
     * the object. */
    char name[1001];
    memset(name, 'a', 1000);
    name[1000] = '\0';
    gcsplan_error_clear(&err);
    int rc = gcsplan_filter_test(f, name, 1000, &err);
    assert_int_equal(rc, GCSPLAN_ELIMIT);
    assert_int_equal(err.code, GCSPLAN_ELIMIT);
    assert_non_null(strstr(err.message, "'" CATASTROPHIC "'"));
    assert_non_null(strstr(err.message, "aaaaaaaa"));
    assert_non_null(strstr(err.message, "(1000 bytes)"));
    assert_non_null(strstr(err.message, "limit"));
    assert_true(gcsplan_filter_match(f, name, 1000) < 0);
    /* Names and expressions are escaped in the message. */
    gcsplan_filter *g;
    assert_int_equal(gcsplan_filter_new(&g, NULL, &err), 0);
    const char *re = "(a|aa)+\x1b|(a|aa)+b";
    assert_int_equal(gcsplan_filter_add(g, re, strlen(re), &err), 0);
    char evil[1010];
    memset(evil, 'a', 1000);
    memcpy(evil + 1000, "\x1b]0;x\x07", 6);
    assert_int_equal(gcsplan_filter_test(g, evil, 1006, &err), GCSPLAN_ELIMIT);
    assert_null(strchr(err.message, '\x1b'));
    assert_null(strchr(err.message, '\x07'));
    gcsplan_filter_free(g);
    gcsplan_filter_free(f);
    assert_int_equal(gcsplan_filter_test(NULL, "x", 1, &err), 0);
}

static void test_lister_stops(void **state)
{
    (void)state;
    char listing[4096];
    size_t n = (size_t)snprintf(listing, sizeof listing, "{\"name\":\"keep.dcm\",\"size\":1}\n"
                                                         "{\"name\":\"");
    memset(listing + n, 'a', 1000);
    n += 1000;
    n += (size_t)snprintf(listing + n, sizeof listing - n, "\",\"size\":2}\n");
    const char *path = test_temp_file(listing, n);
    gcsplan_filter *f;
    gcsplan_error err;
    assert_int_equal(gcsplan_filter_new(&f, NULL, &err), 0);
    assert_int_equal(gcsplan_filter_add(f, CATASTROPHIC, strlen(CATASTROPHIC), &err), 0);
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/**", 11, NULL, &err), 0);
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    o.source = GCSPLAN_SOURCE_LISTING;
    o.path = path;
    o.exclude = f;
    gcsplan_lister *l;
    assert_int_equal(gcsplan_lister_new(&l, p, &o, &err), 0);
    const gcsplan_object *obj;
    int rc, kept = 0;
    while ((rc = gcsplan_lister_next(&obj, l)) == 0)
        kept++;
    assert_int_equal(rc, GCSPLAN_ELIMIT);
    assert_int_equal(kept, 0); /* "aaa..." sorts first: nothing was yielded */
    assert_non_null(strstr(gcsplan_lister_error(l)->message, CATASTROPHIC));
    assert_int_equal(gcsplan_lister_next(&obj, l), GCSPLAN_ELIMIT); /* sticky */
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    gcsplan_filter_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_lister_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
