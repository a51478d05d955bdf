/* The stand-in's own import-URI matcher against SPEC.md section 1, as
 * tables: which URIs are valid, and which names each pattern matches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "gsuri.h"

static const struct {
    const char *uri;
    int valid;
} validity[] = {
    {"gs://bucket/a.dcm", 1},
    {"gs://bucket/dir/**", 1},
    {"gs://bucket/dir/**.dcm", 1},
    {"gs://bucket/**", 1},
    {"gs://bucket/a*/b?/c*.dcm", 1},
    {"gs://bucket/[x]{y}\\z", 1},
    {"gs://my.bucket.example/x", 1},
    {"gs://b_k-t/x", 1},
    {"gs://bucket/é?", 1},
    {"gs:/bucket/x", 0},
    {"GS://bucket/x", 0},
    {"gs://bucket", 0},
    {"gs://bucket/", 0},
    {"gs://bu/x", 0},
    {"gs://Bucket/x", 0},
    {"gs://-bucket/x", 0},
    {"gs://bucket-/x", 0},
    {"gs://buc*ket/x", 0},
    {"gs://192.168.1.1/x", 0},
    {"gs://googbucket/x", 0},
    {"gs://mygooglebucket/x", 0},
    {"gs://bucket/a\nb", 0},
    {"gs://bucket/a\rb", 0},
    {"gs://bucket/\xff", 0},
    {"gs://bucket/\xc3", 0},
    {"gs://bucket/a/**/b", 0},
    {"gs://bucket/***", 0},
    {"gs://bucket/a*/**", 0},
    {"gs://bucket/a?**", 0},
    {"gs://bucket/a**b**", 0},
    {"gs://bucket/.", 0},
    {"gs://bucket/..", 0},
};

static void test_validity(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof validity / sizeof validity[0]; i++) {
        gsuri u;
        char why[200];
        int ok = gsuri_parse(validity[i].uri, &u, why, sizeof why) == 0;
        if (ok != validity[i].valid)
            fail_msg("%s: valid=%d, expected %d (%s)", validity[i].uri, ok, validity[i].valid,
                     ok ? "" : why);
    }
}

static void test_long_patterns(void **state)
{
    (void)state;
    char uri[2100] = "gs://bucket/";
    gsuri u;
    char why[200];
    memset(uri + 12, 'a', 1024);
    uri[12 + 1024] = '\0';
    assert_int_equal(gsuri_parse(uri, &u, why, sizeof why), 0);
    uri[12 + 1024] = 'a'; /* 1025 bytes, no wildcard */
    uri[12 + 1025] = '\0';
    assert_int_equal(gsuri_parse(uri, &u, why, sizeof why), -1);
    uri[12 + 1020] = '*'; /* 1024 literal bytes: the shortest match fits */
    assert_int_equal(gsuri_parse(uri, &u, why, sizeof why), 0);
    uri[12 + 1021] = '?'; /* 1023 literal + '?' = 1024 */
    assert_int_equal(gsuri_parse(uri, &u, why, sizeof why), 0);
    uri[12 + 1025] = 'a';
    uri[12 + 1026] = '\0'; /* 1024 literal + '?' */
    assert_int_equal(gsuri_parse(uri, &u, why, sizeof why), -1);
}

static const struct {
    const char *pattern, *name;
    int match;
} matches[] = {
    {"a*", "abc", 1},
    {"a*", "a", 1},
    {"a*", "a/b", 0},
    {"*", "", 1},
    {"*.dcm", "x.dcm", 1},
    {"*.dcm", "d/x.dcm", 0},
    {"d/*/x.dcm", "d/1/x.dcm", 1},
    {"d/*/x.dcm", "d/1/2/x.dcm", 0},
    {"d/*/x.dcm", "d//x.dcm", 1},
    {"?", "é", 1},
    {"??", "é", 0},
    {"?", "/", 0},
    {"??", "ab", 1},
    {"?x", "😀x", 1},
    {"*?", "é", 1},
    {"*??", "é", 0},
    {"a*b*c", "aXbYc", 1},
    {"a*b*c", "aXbY/c", 0},
    {"a*b", "abab", 1},
    {"a.dcm", "a.dcm", 1},
    {"a.dcm", "A.dcm", 0},
    {"a.dcm", "a.dcmx", 0},
    {"dir/**", "dir/", 1},
    {"dir/**", "dir/x/y/z", 1},
    {"dir/**", "dir", 0},
    {"dir/**.dcm", "dir/a/b.dcm", 1},
    {"dir/**.dcm", "dir/.dcm", 1},
    {"dir/**.dcm", "dir/a/b.dcmx", 0},
    {"a**a", "a", 0},
    {"a**a", "aa", 1},
    {"**", "anything/at/all", 1},
    {"[x]*", "[x]y", 1},
    {"[x]*", "xy", 0},
    {"\\*", "\\abc", 1},
    {"{a,b}", "{a,b}", 1},
    {"{a,b}", "a", 0},
};

static void test_matches(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof matches / sizeof matches[0]; i++) {
        char uri[256], why[200];
        gsuri u;
        snprintf(uri, sizeof uri, "gs://bucket/%s", matches[i].pattern);
        if (gsuri_parse(uri, &u, why, sizeof why) != 0)
            fail_msg("%s: %s", uri, why);
        const char *n = matches[i].name;
        int got = gsuri_match(&u, n, strlen(n));
        if (got != matches[i].match)
            fail_msg("%s against '%s': %d, expected %d", matches[i].pattern, n, got,
                     matches[i].match);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validity),
        cmocka_unit_test(test_long_patterns),
        cmocka_unit_test(test_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
