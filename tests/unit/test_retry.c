/* The retry policy: which statuses are retried, the backoff's bounds, and
 * the Retry-After parser (delay-seconds that saturate, the three HTTP-date
 * forms, and everything else ignored). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "retry.h"

#define NOW 784111777 /* Sun, 06 Nov 1994 08:49:37 GMT */

static void test_retryable(void **state)
{
    (void)state;
    static const int yes[] = { 408, 429, 500, 502, 503, 504, 599 };
    static const int no[] = { 0, 200, 204, 301, 302, 400, 401, 403, 404, 416, 600, 999, -1 };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(gcsplan__http_retryable(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(gcsplan__http_retryable(no[i]));
}

static void test_retry_after(void **state)
{
    (void)state;
    static const struct { const char *v; int ok; uint64_t ms; } cases[] = {
        { "0", 1, 0 },
        { "7", 1, 7000 },
        { "  120 \r\n", 1, 120000 },
        /* Too large for a signed multiply: saturates, never wraps. */
        { "99999999999999999999", 1, ((uint64_t)1 << 40) * 1000 },
        { "18446744073709551616", 1, ((uint64_t)1 << 40) * 1000 },
        { "Sun, 06 Nov 1994 08:49:37 GMT", 1, 0 },
        { "Sun, 06 Nov 1994 08:50:37 GMT", 1, 60000 },
        { "Sunday, 06-Nov-94 08:51:37 GMT", 1, 120000 },
        { "Sun Nov  6 08:52:37 1994", 1, 180000 },
        { "Mon, 07 Nov 1994 08:49:37 GMT", 1, 86400000 },
        { "Sat, 05 Nov 1994 08:49:37 GMT", 1, 0 },   /* in the past */
        { "Thu, 01 Jan 1970 00:00:00 GMT", 1, 0 },
        { "Fri, 31 Dec 9999 23:59:59 GMT", 1, (253402300799ull - NOW) * 1000 },
        { "", 0, 0 },
        { "-5", 0, 0 },
        { "+5", 0, 0 },
        { "5s", 0, 0 },
        { "1.5", 0, 0 },
        { "0x10", 0, 0 },
        { "Sun, 31 Feb 1994 08:49:37 GMT", 0, 0 },
        { "Sun, 06 Nov 1994 24:00:00 GMT", 0, 0 },
        { "Sun, 06 Nov 1994 08:49:37 UTC", 0, 0 },
        { "Sun, 6 Nov 1994 08:49:37 GMT", 0, 0 },
        { "Sun, 06 Foo 1994 08:49:37 GMT", 0, 0 },
        { "Sun, 06 Nov 1994 08:49:37 GMT x", 0, 0 },
        { "soon", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t ms = 12345;
        int rc = gcsplan__retry_after_parse(cases[i].v, strlen(cases[i].v), NOW, &ms);
        if (rc != (cases[i].ok ? 0 : -1) || (cases[i].ok && ms != cases[i].ms))
            fail_msg("'%s': rc %d, %llu ms", cases[i].v, rc, (unsigned long long)ms);
    }
    /* Any now: the difference never overflows. */
    uint64_t ms;
    assert_int_equal(gcsplan__retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, INT64_MIN,
                                                &ms), 0);
    assert_true(ms > 0);
    assert_int_equal(gcsplan__retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, INT64_MAX,
                                                &ms), 0);
    assert_int_equal(ms, 0);
}

static void test_backoff(void **state)
{
    (void)state;
    gcsplan__retry_policy p = { 8, 250, 32000, 300000 };
    uint64_t rng = 12345;
    for (int attempt = 1; attempt < 200; attempt++) {
        uint64_t d = 250;
        for (int i = 1; i < attempt && d < 32000; i++)
            d *= 2;
        if (d > 32000)
            d = 32000;
        for (int k = 0; k < 50; k++) {
            uint64_t w = gcsplan__backoff_ms(&rng, &p, attempt, -1);
            assert_true(w >= d / 2 && w <= d);
        }
    }
    /* A longer Retry-After wins, up to the cap; a shorter one does not. */
    assert_int_equal(gcsplan__backoff_ms(&rng, &p, 1, 60000), 60000);
    assert_int_equal(gcsplan__backoff_ms(&rng, &p, 1, INT64_MAX), 300000);
    assert_true(gcsplan__backoff_ms(&rng, &p, 1, 1) <= 250);
    /* Degenerate policies stay finite. */
    gcsplan__retry_policy z = { 0, 0, 0, 0 };
    assert_true(gcsplan__backoff_ms(&rng, &z, 1000000, -1) <= 1);
    gcsplan__retry_policy big = { 8, UINT32_MAX, UINT32_MAX, UINT32_MAX };
    assert_true(gcsplan__backoff_ms(&rng, &big, 1000000, -1) <= UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retryable),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
