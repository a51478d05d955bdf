/* Table-driven tests of the URI compiler: every rule of SPEC section 1, its
 * position in the URI and the corrected URI it suggests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"

typedef struct error_case {
    const char *uri;
    int rule;
    size_t offset, length;
    const char *hint; /* NULL: no hint expected */
} error_case;

static const error_case errors[] = {
    { "", GCSPLAN_RULE_SCHEME, 0, 0, NULL },
    { "s3://bkt/x", GCSPLAN_RULE_SCHEME, 0, 5, NULL },
    { "gs:/bkt/x", GCSPLAN_RULE_SCHEME, 0, 4, "gs://bkt/x" },
    { "gs:bkt/x", GCSPLAN_RULE_SCHEME, 0, 3, "gs://bkt/x" },
    { "GS://bkt/x", GCSPLAN_RULE_SCHEME, 0, 5, "gs://bkt/x" },
    { "GS://Bkt/x", GCSPLAN_RULE_SCHEME, 0, 5, "gs://bkt/x" },
    { "bkt/x.dcm", GCSPLAN_RULE_SCHEME, 0, 1, "gs://bkt/x.dcm" },
    { "https://storage.googleapis.com/bkt/a/b", GCSPLAN_RULE_SCHEME, 0, 31, "gs://bkt/a/b" },
    { "https://storage.cloud.google.com/bkt/a", GCSPLAN_RULE_SCHEME, 0, 33, "gs://bkt/a" },
    { "gs://", GCSPLAN_RULE_BUCKET_EMPTY, 5, 0, NULL },
    { "gs:///x", GCSPLAN_RULE_BUCKET_EMPTY, 5, 1, NULL },
    { "gs://b*t/x", GCSPLAN_RULE_BUCKET_WILDCARD, 6, 1, NULL },
    { "gs://bk?/x", GCSPLAN_RULE_BUCKET_WILDCARD, 7, 1, NULL },
    { "gs://Bkt/x", GCSPLAN_RULE_BUCKET_CHAR, 5, 1, "gs://bkt/x" },
    { "gs://bk t/x", GCSPLAN_RULE_BUCKET_CHAR, 7, 1, NULL },
    { "gs://b\xc3\xa9t/x", GCSPLAN_RULE_BUCKET_CHAR, 6, 2, NULL },
    { "gs://ab/x", GCSPLAN_RULE_BUCKET_LENGTH, 5, 2, NULL },
    { "gs://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/x",
      GCSPLAN_RULE_BUCKET_LENGTH, 5, 64, NULL },
    { "gs://-bkt/x", GCSPLAN_RULE_BUCKET_EDGE, 5, 1, NULL },
    { "gs://bkt-/x", GCSPLAN_RULE_BUCKET_EDGE, 8, 1, NULL },
    { "gs://_bkt/x", GCSPLAN_RULE_BUCKET_EDGE, 5, 1, NULL },
    { "gs://bkt./x", GCSPLAN_RULE_BUCKET_EDGE, 8, 1, NULL },
    { "gs://a..b/x", GCSPLAN_RULE_BUCKET_PART, 7, 1, NULL },
    { "gs://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com/x",
      GCSPLAN_RULE_BUCKET_PART, 5, 64, NULL },
    { "gs://192.168.1.1/x", GCSPLAN_RULE_BUCKET_IPV4, 5, 11, NULL },
    { "gs://goog-bkt/x", GCSPLAN_RULE_BUCKET_GOOG, 5, 4, NULL },
    { "gs://my-google-bkt/x", GCSPLAN_RULE_BUCKET_GOOGLE, 8, 6, NULL },
    { "gs://bkt", GCSPLAN_RULE_OBJECT_EMPTY, 8, 0, "gs://bkt/**" },
    { "gs://bkt/", GCSPLAN_RULE_OBJECT_EMPTY, 9, 0, "gs://bkt/**" },
    { "gs://bkt/a\xff" "b", GCSPLAN_RULE_UTF8, 10, 1, NULL },
    { "gs://bkt/\xc0\xaf", GCSPLAN_RULE_UTF8, 9, 1, NULL },         /* overlong '/' */
    { "gs://bkt/\xed\xa0\x80", GCSPLAN_RULE_UTF8, 9, 1, NULL },     /* surrogate */
    { "gs://bkt/\xf4\x90\x80\x80", GCSPLAN_RULE_UTF8, 9, 1, NULL }, /* above U+10FFFF */
    { "gs://bkt/a\xc3", GCSPLAN_RULE_UTF8, 10, 1, NULL },           /* truncated */
    { "gs://bkt/a\nb", GCSPLAN_RULE_NEWLINE, 10, 1, NULL },
    { "gs://bkt/a\rb", GCSPLAN_RULE_NEWLINE, 10, 1, NULL },
    { "gs://bkt/dir/**/*.dcm", GCSPLAN_RULE_RECURSIVE_NOT_LAST, 15, 6, "gs://bkt/dir/**.dcm" },
    { "gs://bkt/dir/**/", GCSPLAN_RULE_RECURSIVE_NOT_LAST, 15, 1, "gs://bkt/dir/**" },
    { "gs://bkt/**/x/*", GCSPLAN_RULE_RECURSIVE_NOT_LAST, 11, 4, "gs://bkt/**" },
    { "gs://bkt/a/**/b.dcm", GCSPLAN_RULE_RECURSIVE_NOT_LAST, 13, 6, NULL },
    { "gs://bkt/**a**", GCSPLAN_RULE_RECURSIVE_TWICE, 12, 2, NULL },
    { "gs://bkt/a***", GCSPLAN_RULE_TRIPLE_STAR, 10, 3, "gs://bkt/a**" },
    { "gs://bkt/a****b", GCSPLAN_RULE_TRIPLE_STAR, 10, 4, "gs://bkt/a**b" },
    { "gs://bkt/***/x", GCSPLAN_RULE_TRIPLE_STAR, 9, 3, NULL },
    { "gs://bkt/*/**.dcm", GCSPLAN_RULE_RECURSIVE_MIXED, 11, 2, "gs://bkt/**.dcm" },
    { "gs://bkt/s/x?/**.dcm", GCSPLAN_RULE_RECURSIVE_MIXED, 14, 2, "gs://bkt/s/**.dcm" },
    { "gs://bkt/**.dc?", GCSPLAN_RULE_RECURSIVE_MIXED, 14, 1, NULL },
    { "gs://bkt/**x*", GCSPLAN_RULE_RECURSIVE_MIXED, 12, 1, NULL },
    { "gs://bkt/.", GCSPLAN_RULE_DOT_NAME, 9, 1, NULL },
    { "gs://bkt/..", GCSPLAN_RULE_DOT_NAME, 9, 2, NULL },
};

static void check_error(const error_case *c)
{
    gcsplan_pattern *p = (gcsplan_pattern *)1;
    gcsplan_error err;
    int rc = gcsplan_pattern_compile(&p, c->uri, strlen(c->uri), NULL, &err);
    if (rc != GCSPLAN_EURI || err.rule != c->rule || err.offset != c->offset ||
        err.length != c->length || strcmp(err.hint, c->hint ? c->hint : "") != 0) {
        print_error("URI %s: got rc %d rule %s offset %zu length %zu hint '%s' (%s)\n", c->uri,
                    rc, gcsplan_rule_name(err.rule), err.offset, err.length, err.hint,
                    err.message);
        fail();
    }
    assert_null(p);
    assert_int_equal(err.code, GCSPLAN_EURI);
    assert_true(err.message[0] != '\0');
    assert_null(strchr(err.message, '\n'));
    assert_false(gcsplan_rule_is_warning(err.rule));
    assert_string_not_equal(gcsplan_rule_name(err.rule), "unknown");
}

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        check_error(&errors[i]);
}

/* Lengths: 1024-byte names and the shortest possible match. */
static void compile_repeat(const char *head, const char *unit, size_t count, const char *tail,
                           int expect_rc, int expect_rule)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    size_t n = hl + ul * count + tl;
    char *u = malloc(n + 1);
    assert_non_null(u);
    memcpy(u, head, hl);
    for (size_t i = 0; i < count; i++)
        memcpy(u + hl + i * ul, unit, ul);
    memcpy(u + hl + ul * count, tail, tl + 1);
    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    int rc = gcsplan_pattern_compile(&p, u, n, NULL, &err);
    if (rc != expect_rc || (rc != 0 && err.rule != expect_rule)) {
        print_error("%s x%zu %s: rc %d rule %s\n", unit, count, tail, rc,
                    gcsplan_rule_name(err.rule));
        fail();
    }
    if (rc == GCSPLAN_EURI && expect_rule == GCSPLAN_RULE_TOO_LONG) {
        assert_int_equal(err.offset, 9);
        assert_int_equal(err.length, n - 9);
    }
    gcsplan_pattern_free(p);
    free(u);
}

static void test_lengths(void **state)
{
    (void)state;
    compile_repeat("gs://bkt/", "a", 1024, "", 0, 0);
    compile_repeat("gs://bkt/", "a", 1025, "", GCSPLAN_EURI, GCSPLAN_RULE_TOO_LONG);
    compile_repeat("gs://bkt/", "\xc3\xa9", 512, "", 0, 0);
    compile_repeat("gs://bkt/", "\xc3\xa9", 512, "?", GCSPLAN_EURI, GCSPLAN_RULE_TOO_LONG);
    compile_repeat("gs://bkt/", "a", 1024, "*", 0, 0);
    compile_repeat("gs://bkt/", "a", 1024, "**", 0, 0);
    compile_repeat("gs://bkt/", "a", 1023, "?", 0, 0);
    compile_repeat("gs://bkt/", "a", 1024, "?", GCSPLAN_EURI, GCSPLAN_RULE_TOO_LONG);
    compile_repeat("gs://bkt/", "a", 1023, "**bb", GCSPLAN_EURI, GCSPLAN_RULE_TOO_LONG);
    /* Stars add nothing to the shortest match: a long pattern can be valid. */
    compile_repeat("gs://bkt/", "*a", 1024, "", 0, 0);
    compile_repeat("gs://bkt/", "*a", 1025, "", GCSPLAN_EURI, GCSPLAN_RULE_TOO_LONG);
    /* Buckets: 63 plain, 222 with dots. */
    compile_repeat("gs://", "a", 63, "/x", 0, 0);
    compile_repeat("gs://", "abcdefghi.", 22, "ab/x", 0, 0);
    compile_repeat("gs://", "abcdefghi.", 22, "abc/x", GCSPLAN_EURI, GCSPLAN_RULE_BUCKET_LENGTH);
}

typedef struct valid_case {
    const char *uri;
    gcsplan_pattern_kind kind;
    const char *bucket, *prefix, *suffix;
    size_t min_len, nsegs;
} valid_case;

static const valid_case valids[] = {
    { "gs://bkt/a/b.dcm", GCSPLAN_PATTERN_LITERAL, "bkt", "a/b.dcm", "", 7, 2 },
    { "gs://bkt/studies/**.dcm", GCSPLAN_PATTERN_RECURSIVE, "bkt", "studies/", ".dcm", 12, 2 },
    { "gs://bkt/**", GCSPLAN_PATTERN_RECURSIVE, "bkt", "", "", 0, 1 },
    { "gs://bkt/a/*/s-?/*.dcm", GCSPLAN_PATTERN_SEGMENTED, "bkt", "a/", "", 11, 4 },
    { "gs://bkt/a[0]{1,2}\\x", GCSPLAN_PATTERN_LITERAL, "bkt", "a[0]{1,2}\\x", "", 11, 1 },
    { "gs://bkt/...", GCSPLAN_PATTERN_LITERAL, "bkt", "...", "", 3, 1 },
    { "gs://bkt/?", GCSPLAN_PATTERN_SEGMENTED, "bkt", "", "", 1, 1 },
    { "gs://my.bucket.example/x", GCSPLAN_PATTERN_LITERAL, "my.bucket.example", "x", "", 1, 1 },
    { "gs://999.1.1.1/x", GCSPLAN_PATTERN_LITERAL, "999.1.1.1", "x", "", 1, 1 },
    { "gs://a_b-c/x", GCSPLAN_PATTERN_LITERAL, "a_b-c", "x", "", 1, 1 },
    { "gs://bkt/\xc3\xa9t\xc3\xa9/*", GCSPLAN_PATTERN_SEGMENTED, "bkt", "\xc3\xa9t\xc3\xa9/", "",
      6, 2 },
};

static void test_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valids / sizeof valids[0]; i++) {
        const valid_case *c = &valids[i];
        gcsplan_pattern *p = NULL;
        gcsplan_error err;
        int rc = gcsplan_pattern_compile(&p, c->uri, strlen(c->uri), NULL, &err);
        if (rc != 0) {
            print_error("%s: %s\n", c->uri, err.message);
            fail();
        }
        assert_int_equal(err.code, 0);
        assert_int_equal(gcsplan_pattern_kind_of(p), c->kind);
        assert_string_equal(gcsplan_pattern_uri(p), c->uri);
        assert_string_equal(gcsplan_pattern_bucket(p), c->bucket);
        size_t n;
        const char *s = gcsplan_pattern_prefix(p, &n);
        assert_int_equal(n, strlen(c->prefix));
        assert_memory_equal(s, c->prefix, n);
        s = gcsplan_pattern_suffix(p, &n);
        assert_int_equal(n, strlen(c->suffix));
        assert_memory_equal(s, c->suffix, n);
        assert_int_equal(gcsplan_pattern_min_length(p), c->min_len);
        assert_int_equal(gcsplan_pattern_segment_count(p), c->nsegs);
        assert_int_equal(gcsplan_pattern_crosses_slash(p), c->kind == GCSPLAN_PATTERN_RECURSIVE);
        gcsplan_pattern_free(p);
    }
}

typedef struct warning_case {
    const char *uri;
    int rule;
    size_t offset, length;
    const char *hint;
} warning_case;

static const warning_case warnings[] = {
    { "gs://bkt/dir/", GCSPLAN_RULE_W_TRAILING_SLASH, 12, 1, "gs://bkt/dir/**" },
    { "gs://bkt/dir/**dcm", GCSPLAN_RULE_W_SUFFIX_NO_DOT, 15, 3, "gs://bkt/dir/**.dcm" },
    { "gs://bkt/dir/**_x", GCSPLAN_RULE_W_SUFFIX_NO_DOT, 15, 2, NULL },
    { "gs://bkt/a//b", GCSPLAN_RULE_W_EMPTY_SEGMENT, 11, 1, "gs://bkt/a/b" },
    { "gs://bkt//a/*", GCSPLAN_RULE_W_EMPTY_SEGMENT, 9, 1, "gs://bkt/a/*" },
    { "gs://bkt/a[0]/*.dcm", GCSPLAN_RULE_W_LITERAL_META, 10, 1, NULL },
    { "gs://bkt/a/{x,y}.dcm", GCSPLAN_RULE_W_LITERAL_META, 11, 1, NULL },
    { "gs://bkt/a\\*.dcm", GCSPLAN_RULE_W_LITERAL_META, 10, 1, NULL },
    { "gs://bkt/IM**", GCSPLAN_RULE_W_PARTIAL_RECURSIVE, 11, 2, NULL },
    { "gs://bkt/ a", GCSPLAN_RULE_W_SPACE_EDGE, 9, 1, NULL },
    { "gs://bkt/a/*.dcm ", GCSPLAN_RULE_W_SPACE_EDGE, 16, 1, NULL },
};

static void test_warnings(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof warnings / sizeof warnings[0]; i++) {
        const warning_case *c = &warnings[i];
        gcsplan_pattern *p = NULL;
        assert_int_equal(gcsplan_pattern_compile(&p, c->uri, strlen(c->uri), NULL, NULL), 0);
        const gcsplan_warning *w = NULL;
        for (size_t k = 0; k < gcsplan_pattern_warning_count(p); k++)
            if (gcsplan_pattern_warning(p, k)->rule == c->rule)
                w = gcsplan_pattern_warning(p, k);
        if (w == NULL) {
            print_error("%s: no %s warning\n", c->uri, gcsplan_rule_name(c->rule));
            fail();
        }
        assert_true(gcsplan_rule_is_warning(w->rule));
        assert_int_equal(w->offset, c->offset);
        assert_int_equal(w->length, c->length);
        assert_true(w->message[0] != '\0');
        if (c->hint)
            assert_string_equal(w->hint, c->hint);
        else
            assert_null(w->hint);
        assert_null(gcsplan_pattern_warning(p, gcsplan_pattern_warning_count(p)));
        gcsplan_pattern_free(p);
    }
    /* The common good URIs draw no warning. */
    static const char *const clean[] = { "gs://bkt/dir/**.dcm", "gs://bkt/**", "gs://bkt/a/*.dcm",
                                         "gs://bkt/a/b.dcm", "gs://bkt/dir/**" };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
        gcsplan_pattern *p = NULL;
        assert_int_equal(gcsplan_pattern_compile(&p, clean[i], strlen(clean[i]), NULL, NULL), 0);
        assert_int_equal(gcsplan_pattern_warning_count(p), 0);
        gcsplan_pattern_free(p);
    }
}

static void test_arguments(void **state)
{
    (void)state;
    gcsplan_error err;
    gcsplan_pattern *p = NULL;
    assert_int_equal(gcsplan_pattern_compile(NULL, "gs://bkt/x", 10, NULL, &err), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_pattern_compile(&p, NULL, 3, NULL, &err), GCSPLAN_EINVAL);
    gcsplan_pattern_options bad = GCSPLAN_PATTERN_OPTIONS_INIT;
    bad.version = 99;
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/x", 10, &bad, &err), GCSPLAN_EINVAL);
    assert_null(p);
    /* Not NUL-terminated: only len bytes are read. */
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/x.dcmJUNK", 14, NULL, &err), 0);
    assert_string_equal(gcsplan_pattern_uri(p), "gs://bkt/x.dcm");
    gcsplan_pattern_free(p);
    gcsplan_pattern_free(NULL);
    /* A NULL error struct is allowed. */
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://b", 6, NULL, NULL), GCSPLAN_EURI);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(gcsplan_rule_name(GCSPLAN_RULE_RECURSIVE_NOT_LAST), "recursive-not-last");
    assert_string_equal(gcsplan_rule_name(12345), "unknown");
    for (int code = 0; code >= -40; code--)
        assert_non_null(gcsplan_strerror(code));
    assert_string_equal(gcsplan_version(), GCSPLAN_VERSION_STRING);
    assert_int_equal(gcsplan_version_number(), GCSPLAN_VERSION_NUMBER);
}

/* Inputs the fuzzer found: a message stays one line, and a hint is only
 * offered when it compiles as the C string it is stored as. */
static void test_fuzz_regressions(void **state)
{
    (void)state;
    static const struct { const char *uri; size_t len; } inputs[] = {
        { "q\n://x", 6 },
        { "gs://Bkt/\0", 10 },
        { "gs://b12//\0", 11 },
        { "\x01\xff://x", 6 },
    };
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        gcsplan_pattern *p = NULL;
        gcsplan_error err;
        int rc = gcsplan_pattern_compile(&p, inputs[i].uri, inputs[i].len, NULL, &err);
        if (rc == 0) {
            for (size_t k = 0; k < gcsplan_pattern_warning_count(p); k++) {
                const gcsplan_warning *w = gcsplan_pattern_warning(p, k);
                if (w->hint != NULL) {
                    gcsplan_pattern *h = NULL;
                    assert_int_equal(gcsplan_pattern_compile(&h, w->hint, strlen(w->hint), NULL,
                                                             NULL), 0);
                    gcsplan_pattern_free(h);
                }
            }
            gcsplan_pattern_free(p);
            continue;
        }
        assert_null(strchr(err.message, '\n'));
        for (const char *m = err.message; *m; m++)
            assert_true((unsigned char)*m >= 0x20);
        if (err.hint[0] != '\0') {
            gcsplan_pattern *h = NULL;
            assert_int_equal(gcsplan_pattern_compile(&h, err.hint, strlen(err.hint), NULL, NULL), 0);
            gcsplan_pattern_free(h);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),   cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_valid),    cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_arguments), cmocka_unit_test(test_names),
        cmocka_unit_test(test_fuzz_regressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
