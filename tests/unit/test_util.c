/* The shared helpers of src/util: buffers, numbers, escaping, names, clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/name.h"
#include "util/num.h"

static void buf_fixed_counts_what_does_not_fit(void **state)
{
    (void)state;
    char s[8];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, s, sizeof s);
    gcsplan__buf_puts(&b, "abcd");
    gcsplan__buf_printf(&b, "%d-%s", 42, "xyz");
    assert_string_equal(s, "abcd42-");
    assert_int_equal(gcsplan__buf_total(&b), 10);
    assert_int_equal(gcsplan__buf_error(&b), 0);
    gcsplan__buf_putc(&b, 'q');
    gcsplan__buf_rep(&b, '^', 100);
    assert_string_equal(s, "abcd42-");
    assert_int_equal(gcsplan__buf_total(&b), 111);
    /* Size 0 only counts. */
    gcsplan__buf_fixed(&b, NULL, 0);
    gcsplan__buf_printf(&b, "%s", "hello");
    assert_int_equal(gcsplan__buf_total(&b), 5);
    /* A long printf into a fixed buffer keeps what fits. */
    char t[5];
    gcsplan__buf_fixed(&b, t, sizeof t);
    gcsplan__buf_printf(&b, "%0300d", 7);
    assert_string_equal(t, "0000");
    assert_int_equal(gcsplan__buf_total(&b), 300);
}

static void buf_dynamic_grows_to_its_cap(void **state)
{
    (void)state;
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, 1000);
    assert_string_equal(b.p, "");
    for (int i = 0; i < 100; i++)
        gcsplan__buf_puts(&b, "0123456789");
    assert_int_equal(b.len, 1000);
    assert_int_equal(gcsplan__buf_error(&b), 0);
    gcsplan__buf_putc(&b, 'x');
    assert_int_equal(gcsplan__buf_error(&b), GCSPLAN_ELIMIT);
    assert_int_equal(b.len, 1000); /* what it had stays */
    gcsplan__buf_puts(&b, "more");
    assert_int_equal(b.len, 1000);
    gcsplan__buf_clear(&b);
    gcsplan__buf_printf(&b, "%0400d|", 1);
    gcsplan__buf_u64(&b, UINT64_MAX);
    assert_int_equal(b.len, 401 + 20);
    assert_string_equal(b.p + 401, "18446744073709551615");
    gcsplan__buf_truncate(&b, 3);
    assert_string_equal(b.p, "000");
    char *s = gcsplan__buf_take(&b);
    assert_string_equal(s, "000");
    free(s);
    assert_int_equal(b.len, 0);
    s = gcsplan__buf_take(&b); /* an empty text is still a text */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    gcsplan__buf_free(&b);
}

static int fail_after;
static void *failing_malloc(size_t n, void *ctx) { (void)ctx; return fail_after-- > 0 ? malloc(n) : NULL; }
static void *failing_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    return fail_after-- > 0 ? realloc(p, n) : NULL;
}
static void plain_free(void *p, void *ctx) { (void)ctx; free(p); }

static void buf_dynamic_reports_allocation_failure(void **state)
{
    (void)state;
    gcsplan_allocator a = { failing_malloc, failing_realloc, plain_free, NULL };
    gcsplan__buf b;
    fail_after = 1;
    gcsplan__buf_dynamic(&b, &a, 1 << 20);
    gcsplan__buf_puts(&b, "short");
    assert_int_equal(gcsplan__buf_error(&b), 0);
    gcsplan__buf_rep(&b, 'x', 500);
    assert_int_equal(gcsplan__buf_error(&b), GCSPLAN_ENOMEM);
    assert_string_equal(b.p, "short");
    assert_null(gcsplan__buf_take(&b)); /* an incomplete text is never handed out */
    gcsplan__buf_free(&b);
}

static void parse_u64_is_strict(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_int_equal(gcsplan__parse_u64("0", 1, 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(gcsplan__parse_u64("18446744073709551615", 20, UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    v = 7;
    assert_int_equal(gcsplan__parse_u64("18446744073709551616", 20, UINT64_MAX, &v), -1);
    assert_int_equal(gcsplan__parse_u64("9223372036854775808", 19, INT64_MAX, &v), -1);
    assert_int_equal(gcsplan__parse_u64("", 0, 10, &v), -1);
    assert_int_equal(gcsplan__parse_u64("-1", 2, 10, &v), -1);
    assert_int_equal(gcsplan__parse_u64("+1", 2, 10, &v), -1);
    assert_int_equal(gcsplan__parse_u64(" 1", 2, 10, &v), -1);
    assert_int_equal(gcsplan__parse_u64("1x", 2, 10, &v), -1);
    assert_int_equal(gcsplan__parse_u64("11", 2, 10, &v), -1);
    assert_int_equal(v, 7);
    assert_int_equal(gcsplan__parse_u64("10", 2, 10, &v), 0);
    assert_int_equal(v, 10);
    /* Saturating: a huge Retry-After is the cap, letters still refused. */
    assert_int_equal(gcsplan__parse_u64_sat("99999999999999999999999", 23, 300, &v), 0);
    assert_int_equal(v, 300);
    assert_int_equal(gcsplan__parse_u64_sat("999999999999999999999x", 22, 300, &v), -1);
    assert_int_equal(gcsplan__parse_u64_sat("12", 2, 300, &v), 0);
    assert_int_equal(v, 12);
}

static void parse_size_takes_binary_suffixes(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(gcsplan__parse_size("500G", 4, &v), 0);
    assert_true(v == 500ull << 30);
    assert_int_equal(gcsplan__parse_size("1k", 2, &v), 0);
    assert_int_equal(v, 1024);
    assert_int_equal(gcsplan__parse_size("16777215T", 9, &v), 0);
    assert_true(v == 16777215ull << 40);
    assert_int_equal(gcsplan__parse_size("16777216T", 9, &v), -1);
    assert_int_equal(gcsplan__parse_size("K", 1, &v), -1);
    assert_int_equal(gcsplan__parse_size("1KB", 3, &v), -1);
    assert_int_equal(gcsplan__parse_size("1.5G", 4, &v), -1);
    assert_int_equal(gcsplan__parse_size("", 0, &v), -1);
}

static void add_u64_refuses_to_wrap(void **state)
{
    (void)state;
    uint64_t acc = UINT64_MAX - 5;
    assert_int_equal(gcsplan__add_u64(&acc, 5), 0);
    assert_true(acc == UINT64_MAX);
    assert_int_equal(gcsplan__add_u64(&acc, 1), -1);
    assert_true(acc == UINT64_MAX);
    char h[32];
    gcsplan__human_bytes(h, sizeof h, 1023);
    assert_string_equal(h, "1023 B");
    gcsplan__human_bytes(h, sizeof h, 1536);
    assert_string_equal(h, "1.5 KiB");
    gcsplan__human_bytes(h, sizeof h, UINT64_MAX);
    assert_string_equal(h, "16.0 EiB");
}

static const char *json_of(const char *s, size_t n)
{
    static char out[256];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, out, sizeof out);
    gcsplan__json_str(&b, s, n);
    return out;
}

static void json_str_is_always_valid(void **state)
{
    (void)state;
    assert_string_equal(json_of("plain", 5), "\"plain\"");
    assert_string_equal(json_of("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    assert_string_equal(json_of("\n\t\x1b\x7f", 4), "\"\\n\\t\\u001b\x7f\"");
    assert_string_equal(json_of("a\0b", 3), "\"a\\u0000b\"");
    assert_string_equal(json_of("M\xc3\xbcller", 7), "\"M\xc3\xbcller\"");
    /* A stray byte, an overlong form and a cut sequence become U+FFFD. */
    assert_string_equal(json_of("x\xff", 2), "\"x\xef\xbf\xbd\"");
    assert_string_equal(json_of("\xc0\xaf", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_string_equal(json_of("\xe2\x82", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    assert_true(gcsplan__utf8_valid("M\xc3\xbcller", 7));
    assert_false(gcsplan__utf8_valid("\xed\xa0\x80", 3)); /* a surrogate */
}

static const char *term_of(const char *s, size_t n)
{
    static char out[256];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, out, sizeof out);
    gcsplan__term_str(&b, s, n);
    return out;
}

static void term_cut_marks_what_it_cut(void **state)
{
    (void)state;
    char out[64];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, out, sizeof out);
    gcsplan__term_cut(&b, "abc\x1b", 4, 4);
    assert_string_equal(out, "abc\\x1B");
    gcsplan__buf_fixed(&b, out, sizeof out);
    gcsplan__term_cut(&b, "abcdef", 6, 3);
    assert_string_equal(out, "abc...");
}

static void term_str_shows_nothing_that_acts(void **state)
{
    (void)state;
    assert_string_equal(term_of("studies/a.dcm", 13), "studies/a.dcm");
    assert_true(gcsplan__term_safe("studies/M\xc3\xbcller", 15));
    /* ESC ] 0 ; title BEL: retitles a terminal. */
    assert_string_equal(term_of("\x1b]0;pwned\x07", 10), "\\x1B]0;pwned\\x07");
    assert_string_equal(term_of("a\nb\rc", 5), "a\\x0Ab\\x0Dc");
    assert_string_equal(term_of("\x7f", 1), "\\x7F");
    /* C1 CSI as UTF-8, and a stray byte. */
    assert_string_equal(term_of("\xc2\x9b" "2J", 4), "\\xC2\\x9B2J");
    assert_string_equal(term_of("\xff", 1), "\\xFF");
    assert_string_equal(term_of("a\0b", 3), "a\\x00b");
    /* A right-to-left override and a zero-width space. */
    assert_string_equal(term_of("x\xe2\x80\xaegpj.exe", 11), "x\\u{202E}gpj.exe");
    assert_string_equal(term_of("\xe2\x80\x8b", 3), "\\u{200B}");
    assert_false(gcsplan__term_safe("\xe2\x80\xae", 3));
    assert_false(gcsplan__term_safe("\x1b", 1));
    /* Non-ASCII letters and CJK stay. */
    assert_string_equal(term_of("\xe6\x97\xa5\xe6\x9c\xac", 6), "\xe6\x97\xa5\xe6\x9c\xac");
}

static void ascii_ieq_folds_ascii_only(void **state)
{
    (void)state;
    assert_true(gcsplan__ascii_ieq("A.DCM", 5, "a.dcm"));
    assert_true(gcsplan__ascii_ieq("", 0, ""));
    assert_false(gcsplan__ascii_ieq("a.dcm", 4, "a.dcm")); /* the length counts */
    assert_false(gcsplan__ascii_ieq("a.dcmx", 6, "a.dcm"));
    assert_false(gcsplan__ascii_ieq("[", 1, "{"));         /* '[' + 32 is '{' */
    assert_false(gcsplan__ascii_ieq("\xC9", 1, "\xE9"));    /* no Latin-1 folding */
}

static void name_cmp_is_byte_order(void **state)
{
    (void)state;
    assert_true(gcsplan__name_cmp("a", 1, "b", 1) < 0);
    assert_true(gcsplan__name_cmp("a", 1, "a/", 2) < 0);
    assert_true(gcsplan__name_cmp("a/", 2, "a", 1) > 0);
    assert_int_equal(gcsplan__name_cmp("ab", 2, "ab", 2), 0);
    assert_true(gcsplan__name_cmp("\xc3\xa9", 2, "z", 1) > 0); /* unsigned bytes */
    assert_true(gcsplan__name_starts("a/b.dcm", 7, "a/", 2));
    assert_true(gcsplan__name_starts("a/", 2, "a/", 2));
    assert_false(gcsplan__name_starts("a", 1, "a/", 2));
    assert_true(gcsplan__name_ends("a/b.dcm", 7, ".dcm", 4));
    assert_false(gcsplan__name_ends("dcm", 3, ".dcm", 4));
    assert_true(gcsplan__name_ends("x", 1, "", 0));
}

static void clock_is_monotonic(void **state)
{
    (void)state;
    double a = gcsplan__clock_s();
    uint64_t ma = gcsplan__clock_ms();
    gcsplan__sleep_ms(20);
    double b = gcsplan__clock_s();
    uint64_t mb = gcsplan__clock_ms();
    assert_true(b - a >= 0.019);
    assert_true(mb - ma >= 19);
    /* The date: after 2024-01-01 and within a second of time(). */
    int64_t w = gcsplan__wall_ms();
    assert_true(w > 1704067200000);
    int64_t t = (int64_t)time(NULL) * 1000;
    assert_true(w - t > -1000 && w - t < 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_fixed_counts_what_does_not_fit),
        cmocka_unit_test(buf_dynamic_grows_to_its_cap),
        cmocka_unit_test(buf_dynamic_reports_allocation_failure),
        cmocka_unit_test(parse_u64_is_strict),
        cmocka_unit_test(parse_size_takes_binary_suffixes),
        cmocka_unit_test(add_u64_refuses_to_wrap),
        cmocka_unit_test(json_str_is_always_valid),
        cmocka_unit_test(term_str_shows_nothing_that_acts),
        cmocka_unit_test(term_cut_marks_what_it_cut),
        cmocka_unit_test(ascii_ieq_folds_ascii_only),
        cmocka_unit_test(name_cmp_is_byte_order),
        cmocka_unit_test(clock_is_monotonic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
