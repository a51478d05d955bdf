/* Table-driven tests of the matcher, the segment queries and its linear
 * worst case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"

typedef struct match_case {
    const char *object; /* the object pattern; the bucket is "bkt" */
    const char *name;
    int expect;
} match_case;

static const match_case cases[] = {
    /* literal */
    { "a/b.dcm", "a/b.dcm", 1 },
    { "a/b.dcm", "a/b.dcmx", 0 },
    { "a/b.dcm", "a/b.dc", 0 },
    { "a/b.dcm", "A/b.dcm", 0 },
    { "a[0]{1,2}.dcm", "a[0]{1,2}.dcm", 1 },
    { "a[0].dcm", "a0.dcm", 0 },
    { "dir/", "dir/", 1 },
    { "dir/", "dir/x", 0 },
    /* '*' within a segment */
    { "a/*.dcm", "a/x.dcm", 1 },
    { "a/*.dcm", "a/.dcm", 1 },
    { "a/*.dcm", "a/b/x.dcm", 0 },
    { "a/*.dcm", "a/x.dcm.bak", 0 },
    { "a/*.dcm", "b/x.dcm", 0 },
    { "*", "x", 1 },
    { "*", "x/y", 0 },
    { "*", "", 0 },
    { "*/*", "a/b", 1 },
    { "*/*", "a/b/c", 0 },
    { "*/*", "/", 1 },
    { "a/*", "a/*", 1 },
    { "a\\*", "a\\x", 1 },
    { "a\\*", "a*", 0 },
    { "*a*b*c", "xaybzc", 1 },
    { "*a*b*c", "xaybzcc", 1 },
    { "*a*b*c", "xacb", 0 },
    { "x*y*z", "xyz", 1 },
    { "x*y*z", "xzy", 0 },
    { "ab*ba", "aba", 0 },
    { "ab*ba", "abba", 1 },
    { "*aa*aa", "aaa", 0 },
    { "*aa*aa", "aaaa", 1 },
    /* '?' is one code point, never '/' */
    { "a/?.dcm", "a/x.dcm", 1 },
    { "a/?.dcm", "a/\xc3\xa9.dcm", 1 },
    { "a/?.dcm", "a/\xf0\x9f\x98\x80.dcm", 1 },
    { "a/?.dcm", "a/xy.dcm", 0 },
    { "a/?.dcm", "a/.dcm", 0 },
    { "a?b", "a/b", 0 },
    { "??", "\xc3\xa9", 0 },
    { "??", "ab", 1 },
    { "?", "\xc3\xa9", 1 },
    { "?", "\xff", 1 },           /* a stray byte is one character */
    { "??", "\xc3" "a", 1 },      /* a truncated sequence: two characters */
    { "?", ".", 0 },              /* not an object name */
    { "??", "..", 0 },
    { "???", "...", 1 },
    { "*.dc?", "x.dcm", 1 },
    { "*.dc?", "x.dc\xc3\xa9", 1 },
    { "*.dc?", "x.dc", 0 },
    { "*.dc?", ".dcm", 1 },
    { "*?", "\xc3\xa9", 1 },
    { "*??", "\xc3\xa9", 0 },
    { "*?a?*", "xxaxx", 1 },
    { "*?a?*", "ax", 0 },
    { "*\xc3\xa9?*", "a\xc3\xa9\xc3\xa9z", 1 },
    { "*?\xc3\xa9", "\xc3\xa9\xc3\xa9", 1 },
    { "*?\xc3\xa9", "\xc3\xa9", 0 },
    /* segments */
    { "s/*/series-?/*.dcm", "s/1/series-4/IM.dcm", 1 },
    { "s/*/series-?/*.dcm", "s/1/2/series-4/IM.dcm", 0 },
    { "s/*/series-?/*.dcm", "s//series-4/IM.dcm", 1 },
    { "s/*/series-?/*.dcm", "s/1/series-42/IM.dcm", 0 },
    { "s/*/b", "s/x/b", 1 },
    { "s/*/b", "s/x/c", 0 },
    { "s/*/b", "s/x/b/", 0 },
    { "a//*", "a//x", 1 },
    { "a//*", "a/x", 0 },
    { "a/*/", "a/x/", 1 },
    { "a/*/", "a/x", 0 },
    /* '**' crosses '/', prefix and suffix never overlap */
    { "a/**.dcm", "a/x.dcm", 1 },
    { "a/**.dcm", "a/b/c/x.dcm", 1 },
    { "a/**.dcm", "a/.dcm", 1 },
    { "a/**.dcm", "a/x.dcm.bak", 0 },
    { "a/**.dcm", "b/x.dcm", 0 },
    { "a/**.dcm", "a.dcm", 0 },
    { "a**a", "a", 0 },
    { "a**a", "aa", 1 },
    { "a**a", "aba", 1 },
    { "ab**ba", "aba", 0 },
    { "ab**ba", "abba", 1 },
    { "**", "x", 1 },
    { "**", "a/b/c", 1 },
    { "**", "", 0 },
    { "**", ".", 0 },
    { "**", "..", 0 },
    { "**", "...", 1 },
    { "**", "./x", 1 },
    { "dir**", "dir2/x", 1 },
    { "dir/**", "dir/", 1 },
    { "dir/**", "dir", 0 },
};

static gcsplan_pattern *compile_object(const char *object)
{
    char uri[4096];
    snprintf(uri, sizeof uri, "gs://bkt/%s", object);
    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    if (gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, &err) != 0) {
        print_error("%s: %s\n", uri, err.message);
        fail();
    }
    return p;
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const match_case *c = &cases[i];
        gcsplan_pattern *p = compile_object(c->object);
        int got = gcsplan_pattern_match(p, c->name, strlen(c->name));
        if (got != c->expect) {
            print_error("pattern '%s' name '%s': expected %d, got %d\n", c->object, c->name,
                        c->expect, got);
            fail();
        }
        gcsplan_pattern_free(p);
    }
}

/* Names are pointer and length: bytes past len are never looked at. */
static void test_length_bounds(void **state)
{
    (void)state;
    gcsplan_pattern *p = compile_object("a/*.dcm");
    assert_true(gcsplan_pattern_match(p, "a/x.dcmZZZ", 7));
    assert_false(gcsplan_pattern_match(p, "a/x.dcm", 6));
    gcsplan_pattern_free(p);

    p = compile_object("**");
    char *big = malloc(1025);
    assert_non_null(big);
    memset(big, 'a', 1025);
    assert_true(gcsplan_pattern_match(p, big, 1024));
    assert_false(gcsplan_pattern_match(p, big, 1025)); /* over the object name limit */
    gcsplan_pattern_free(p);
    free(big);
}

/* A literal compares its length and last 8 bytes before the rest: names
 * that differ in one byte anywhere, or only in length, around that cut. */
static void test_literal(void **state)
{
    (void)state;
    static const size_t lengths[] = { 1, 2, 7, 8, 9, 15, 16, 17, 52, 1023, 1024 };
    char *want = malloc(GCSPLAN_NAME_MAX + 2), *name = malloc(GCSPLAN_NAME_MAX + 2);
    char *uri = malloc(GCSPLAN_URI_MAX);
    assert_non_null(want);
    assert_non_null(name);
    assert_non_null(uri);
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        size_t n = lengths[k];
        for (size_t i = 0; i < n; i++) /* every byte distinct from its neighbours */
            want[i] = (char)('a' + i % 26);
        int len = snprintf(uri, GCSPLAN_URI_MAX, "gs://bkt/%.*s", (int)n, want);
        gcsplan_pattern *p = NULL;
        gcsplan_error err;
        assert_int_equal(gcsplan_pattern_compile(&p, uri, (size_t)len, NULL, &err), 0);
        assert_int_equal(gcsplan_pattern_kind_of(p), GCSPLAN_PATTERN_LITERAL);

        memcpy(name, want, n);
        assert_true(gcsplan_pattern_match(p, name, n));
        assert_false(gcsplan_pattern_match(p, name, 0));
        assert_false(gcsplan_pattern_match(p, name, n - 1));
        name[n] = want[n - 1];
        assert_false(gcsplan_pattern_match(p, name, n + 1));
        /* The same tail one byte further on: equal last 8 bytes, other length. */
        memmove(name + 1, want, n);
        name[0] = want[0];
        assert_false(gcsplan_pattern_match(p, name, n + 1));
        /* One byte different, each position in turn. */
        for (size_t i = 0; i < n; i++) {
            memcpy(name, want, n);
            name[i] = (char)(name[i] ^ 0x20);
            if (gcsplan_pattern_match(p, name, n)) {
                print_error("length %zu: a name differing at byte %zu matches\n", n, i);
                fail();
            }
        }
        gcsplan_pattern_free(p);
    }
    free(want);
    free(name);
    free(uri);

    /* Non-ASCII, and a prefix of a multi-byte character. */
    gcsplan_pattern *p = compile_object("uploads/M\xc3\xbcller/\xe6\x97\xa5\xe6\x9c\xac.dcm");
    const char *same = "uploads/M\xc3\xbcller/\xe6\x97\xa5\xe6\x9c\xac.dcm";
    assert_true(gcsplan_pattern_match(p, same, strlen(same)));
    assert_false(gcsplan_pattern_match(p, "uploads/Muller/\xe6\x97\xa5\xe6\x9c\xac.dcm",
                                       strlen("uploads/Muller/\xe6\x97\xa5\xe6\x9c\xac.dcm")));
    assert_false(gcsplan_pattern_match(p, "uploads/M\xc3\xbcller/\xe6\x97\xa5\xe6\x9c\xad.dcm",
                                       strlen(same)));
    assert_false(gcsplan_pattern_match(p, same, strlen(same) - 1));
    gcsplan_pattern_free(p);
    p = compile_object("\xc3\xa9");
    assert_true(gcsplan_pattern_match(p, "\xc3\xa9", 2));
    assert_false(gcsplan_pattern_match(p, "\xc3\xa9", 1));
    assert_false(gcsplan_pattern_match(p, "\xc3\xa8", 2));
    assert_false(gcsplan_pattern_match(p, "\xc2\xa9", 2));
    gcsplan_pattern_free(p);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The pathological many-star pattern against 1024 'a's: each attempt is a
 * few microseconds when the matcher does not backtrack, and seconds when it
 * does. The bound is generous: a sanitizer build on a loaded machine passes. */
static void test_no_backtracking(void **state)
{
    (void)state;
    static const char *const patterns[] = { "*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*a?b",
                                            "*?*?*?*?*?*?*?*?*b", "*aaaaaaaab*" };
    char name[1024];
    memset(name, 'a', sizeof name);
    for (size_t k = 0; k < sizeof patterns / sizeof patterns[0]; k++) {
        gcsplan_pattern *p = compile_object(patterns[k]);
        double t0 = seconds();
        for (int i = 0; i < 1000; i++)
            assert_false(gcsplan_pattern_match(p, name, sizeof name));
        double per_match = (seconds() - t0) / 1000;
        if (per_match > 1e-3) {
            print_error("%s: %.0f us per match\n", patterns[k], per_match * 1e6);
            fail();
        }
        gcsplan_pattern_free(p);
    }
}

static void test_segments(void **state)
{
    (void)state;
    gcsplan_pattern *p = compile_object("studies/*/series-?/*.dcm");
    assert_int_equal(gcsplan_pattern_segment_count(p), 4);
    static const struct { const char *text; int wildcard; size_t offset; } want[] = {
        { "studies", 0, 0 }, { "*", 1, 8 }, { "series-?", 1, 10 }, { "*.dcm", 1, 19 } };
    for (size_t i = 0; i < 4; i++) {
        gcsplan_segment s;
        assert_int_equal(gcsplan_pattern_segment(p, i, &s), 0);
        assert_int_equal(s.len, strlen(want[i].text));
        assert_memory_equal(s.text, want[i].text, s.len);
        assert_int_equal(s.wildcard, want[i].wildcard);
        assert_int_equal(s.offset, want[i].offset);
    }
    gcsplan_segment s;
    assert_int_equal(gcsplan_pattern_segment(p, 4, &s), GCSPLAN_EINVAL);
    assert_true(gcsplan_pattern_match_segment(p, 0, "studies", 7));
    assert_false(gcsplan_pattern_match_segment(p, 0, "studie", 6));
    assert_true(gcsplan_pattern_match_segment(p, 1, "anything", 8));
    assert_false(gcsplan_pattern_match_segment(p, 1, "a/b", 3));
    assert_true(gcsplan_pattern_match_segment(p, 2, "series-\xc3\xa9", 9));
    assert_false(gcsplan_pattern_match_segment(p, 2, "series-10", 9));
    assert_false(gcsplan_pattern_match_segment(p, 9, "x", 1));
    gcsplan_pattern_free(p);

    p = compile_object("a/IM**.dcm");
    assert_int_equal(gcsplan_pattern_segment_count(p), 2);
    assert_int_equal(gcsplan_pattern_segment(p, 1, &s), 0);
    assert_int_equal(s.wildcard, 2);
    assert_true(gcsplan_pattern_match_segment(p, 1, "IM-1", 4));
    assert_true(gcsplan_pattern_match_segment(p, 1, "IM", 2));
    assert_false(gcsplan_pattern_match_segment(p, 1, "I", 1));
    assert_false(gcsplan_pattern_match_segment(p, 1, "XM", 2));
    gcsplan_pattern_free(p);
}

static void test_render(void **state)
{
    (void)state;
    char buf[256];
    const char *uri = "gs://bkt/dir/**/*.dcm";
    size_t n = gcsplan_render_caret(buf, sizeof buf, uri, strlen(uri), 15, 6, "  ");
    assert_string_equal(buf, "  gs://bkt/dir/**/*.dcm\n                 ^^^^^^\n");
    assert_int_equal(n, strlen(buf));
    /* Multi-byte characters take one column, control bytes show escaped. */
    const char *u2 = "gs://bkt/\xc3\xa9\x01x";
    gcsplan_render_caret(buf, sizeof buf, u2, strlen(u2), 12, 1, "");
    assert_string_equal(buf, "gs://bkt/\xc3\xa9\\x01x\n              ^\n");
    /* Zero length: one caret where the error is (the end here). */
    gcsplan_render_caret(buf, sizeof buf, "gs://bkt", 8, 8, 0, "");
    assert_string_equal(buf, "gs://bkt\n        ^\n");
    /* Truncation behaves like snprintf. */
    char small[8];
    n = gcsplan_render_caret(small, sizeof small, uri, strlen(uri), 0, 1, "");
    assert_int_equal(n, strlen(uri) + 1 + 2);
    assert_int_equal(strlen(small), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),           cmocka_unit_test(test_length_bounds),
        cmocka_unit_test(test_literal),
        cmocka_unit_test(test_no_backtracking), cmocka_unit_test(test_segments),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
