/* The objects.list page parser: every fixture fed in every chunk size from 1
 * to 31 bytes must give the same items, prefixes and token; nested keys
 * named "name" and "size" never count; malformed pages are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "list_json.h"

typedef struct seen {
    char text[8192]; /* "name=size/gen;" and "P:prefix;" in arrival order */
    size_t len;
} seen;

static int on_item(void *ctx, const char *name, size_t len, uint64_t size, int64_t gen)
{
    seen *s = ctx;
    s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "%.*s=%llu/%lld;",
                               (int)len, name, (unsigned long long)size, (long long)gen);
    return 0;
}

static int on_prefix(void *ctx, const char *p, size_t len)
{
    seen *s = ctx;
    s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, "P:%.*s;", (int)len, p);
    return 0;
}

/* Parse body in chunks of `chunk` bytes; returns the parser's result code. */
static int parse(const char *body, size_t chunk, gcsplan__page_mode mode, seen *s, char *token,
                 gcsplan_error *err)
{
    gcsplan__page_sink sink = { on_item, on_prefix, s };
    gcsplan__page_parser *p;
    memset(s, 0, sizeof *s);
    assert_int_equal(gcsplan__page_parser_new(&p, &gcsplan__default_allocator, &sink), 0);
    assert_int_equal(gcsplan__page_parser_begin(p, mode), 0);
    size_t n = strlen(body);
    int rc = 0;
    for (size_t off = 0; off < n && rc == 0; off += chunk)
        rc = gcsplan__page_parser_feed(p, body + off, off + chunk > n ? n - off : chunk, err);
    if (rc == 0)
        rc = gcsplan__page_parser_finish(p, err);
    const char *t = gcsplan__page_parser_token(p);
    strcpy(token, t ? t : "-");
    gcsplan__page_parser_free(p);
    return rc;
}

typedef struct page_case {
    const char *body;
    gcsplan__page_mode mode;
    const char *want;  /* items and prefixes in order; NULL: the page is malformed */
    const char *token; /* "-" when none */
} page_case;

static const page_case pages[] = {
    /* A real-looking item: nested metadata, owner and acl carry name/size keys. */
    { "{\"kind\":\"storage#objects\",\"items\":[{\"kind\":\"storage#object\","
      "\"metadata\":{\"name\":\"decoy\",\"size\":\"1\"},\"name\":\"a/b.dcm\","
      "\"owner\":{\"entity\":\"user-x\",\"name\":\"decoy2\"},"
      "\"acl\":[{\"name\":\"decoy3\",\"size\":7,\"generation\":\"9\"}],"
      "\"size\":\"1234\",\"generation\":\"1700000000000001\"}],\"nextPageToken\":\"CgRhL2I=\"}",
      GCSPLAN__PAGE_LIST, "a/b.dcm=1234/1700000000000001;", "CgRhL2I=" },
    /* Keys in any order, size as a number, prefixes before items. */
    { "{\"nextPageToken\":\"t\",\"prefixes\":[\"a/\",\"b/\"],\"items\":["
      "{\"size\":5,\"name\":\"x\"},{\"generation\":3,\"size\":\"0\",\"name\":\"y\"}]}",
      GCSPLAN__PAGE_LIST, "P:a/;P:b/;x=5/0;y=0/3;", "t" },
    /* Escapes and UTF-8 in names. */
    { "{\"items\":[{\"name\":\"a\\\"q\\\\\\u00e9\\n\\/\",\"size\":\"1\"}]}", GCSPLAN__PAGE_LIST,
      "a\"q\\\xc3\xa9\n/=1/0;", "-" },
    /* An empty page may still have a next page. */
    { "{\"kind\":\"storage#objects\",\"nextPageToken\":\"more\"}", GCSPLAN__PAGE_LIST, "", "more" },
    { "{}", GCSPLAN__PAGE_LIST, "", "-" },
    /* An objects.get body. */
    { "{\"kind\":\"storage#object\",\"name\":\"a/b\",\"metadata\":{\"size\":\"2\"},\"size\":\"9\"}",
      GCSPLAN__PAGE_OBJECT, "a/b=9/0;", "-" },
    /* Sizes are unsigned 64-bit: the largest one is a size, not an error. */
    { "{\"items\":[{\"name\":\"big\",\"size\":\"18446744073709551615\"}]}", GCSPLAN__PAGE_LIST,
      "big=18446744073709551615/0;", "-" },
    /* Malformed pages. */
    { "{\"items\":[{\"name\":\"a\\u0000b\",\"size\":\"1\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":\"a\",\"size\":\"18446744073709551616\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":\"a\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },           /* no size */
    { "{\"items\":[{\"size\":\"1\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },           /* no name */
    { "{\"items\":[{\"name\":\"a\",\"size\":\"-1\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":\"a\",\"size\":1.5}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":\"a\",\"size\":\"99999999999999999999\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":7,\"size\":\"1\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":\"\",\"size\":\"1\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":{\"x\":1},\"size\":\"1\"}]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[\"a\"]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"prefixes\":[1]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    /* A NUL in a token or a prefix, which go back to the server as C strings
     * (fuzz_page: "\u0000t" became an empty token). */
    { "{\"nextPageToken\":\"\\u0000t\",\"items\":[]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"prefixes\":[\"a\\u0000/\"]}", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[{\"name\":\"a\",\"size\":\"1\"}", GCSPLAN__PAGE_LIST, NULL, "-" }, /* cut */
    { "{\"items\":[{\"name\":\"a\",\"si", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "[]", GCSPLAN__PAGE_LIST, NULL, "-" },
    { "{\"items\":[]} trailing", GCSPLAN__PAGE_LIST, NULL, "-" },
};

static void test_pages_every_chunking(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        const page_case *c = &pages[i];
        for (size_t chunk = 1; chunk <= 31; chunk++) {
            seen s;
            char token[GCSPLAN_PAGE_TOKEN_MAX + 1];
            gcsplan_error err;
            gcsplan_error_clear(&err);
            int rc = parse(c->body, chunk, c->mode, &s, token, &err);
            if (c->want == NULL) {
                if (rc != GCSPLAN_ESOURCE) {
                    print_error("case %zu chunk %zu: accepted a malformed page\n", i, chunk);
                    fail();
                }
                assert_true(strstr(err.message, "malformed") != NULL);
                continue;
            }
            if (rc != 0 || strcmp(s.text, c->want) != 0 || strcmp(token, c->token) != 0) {
                print_error("case %zu chunk %zu: rc %d got '%s' token '%s' (%s)\n", i, chunk, rc,
                            s.text, token, err.message);
                fail();
            }
        }
    }
}

/* An error body is no page of objects: its nested "message" and "errors"
 * never count as items (the API client reads its text, test_api.c). */
static void test_error_body(void **state)
{
    (void)state;
    seen s;
    char token[16];
    gcsplan_error err;
    const char *body = "{\"error\":{\"code\":404,\"message\":\"The specified bucket does not exist.\","
                       "\"errors\":[{\"message\":\"decoy\",\"domain\":\"global\",\"name\":\"x\","
                       "\"size\":1}]}}";
    for (size_t chunk = 1; chunk < 32; chunk++) {
        assert_int_equal(parse(body, chunk, GCSPLAN__PAGE_LIST, &s, token, &err), 0);
        assert_string_equal(s.text, "");
        assert_string_equal(token, "-");
    }
}

/* A sink that says stop ends the parse with its code. */
static int stop_item(void *ctx, const char *name, size_t len, uint64_t size, int64_t gen)
{
    (void)ctx, (void)name, (void)len, (void)size, (void)gen;
    return 42;
}

static void test_sink_stops(void **state)
{
    (void)state;
    gcsplan__page_sink sink = { stop_item, NULL, NULL };
    gcsplan__page_parser *p;
    gcsplan_error err;
    const char *body = "{\"items\":[{\"name\":\"a\",\"size\":\"1\"},{\"name\":\"b\",\"size\":\"1\"}]}";
    assert_int_equal(gcsplan__page_parser_new(&p, &gcsplan__default_allocator, &sink), 0);
    assert_int_equal(gcsplan__page_parser_begin(p, GCSPLAN__PAGE_LIST), 0);
    /* Small pieces are gathered before they are parsed: the stop comes from
     * this feed or, at the latest, from finish. */
    int rc = gcsplan__page_parser_feed(p, body, strlen(body), &err);
    if (rc == 0)
        rc = gcsplan__page_parser_finish(p, &err);
    assert_int_equal(rc, 42);
    gcsplan__page_parser_free(p);
}

/* Nesting deeper than the limit is refused, not a stack overflow. */
static void test_depth_limit(void **state)
{
    (void)state;
    char body[1024] = "{\"x\":";
    size_t n = strlen(body);
    for (int i = 0; i < 200; i++)
        body[n++] = '[';
    body[n] = '\0';
    seen s;
    char token[16];
    gcsplan_error err;
    assert_int_equal(parse(body, 64, GCSPLAN__PAGE_LIST, &s, token, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "deeply"));
}

/* No string or number longer than GCSPLAN_JSON_TOKEN_MAX, in any chunking,
 * and escaped quotes do not count as an end: an endless string would cost
 * yajl time quadratic in its length. Long tokens inside the bound parse,
 * dribbled a byte at a time, in linear time. */
static void test_long_tokens(void **state)
{
    (void)state;
    size_t cap = 4 * GCSPLAN_JSON_TOKEN_MAX;
    char *body = malloc(cap);
    seen s;
    char token[16];
    gcsplan_error err;
    static const struct { size_t fill; const char *unit; int ok; } cases[] = {
        { GCSPLAN_JSON_TOKEN_MAX - 100, "x", 1 },
        { GCSPLAN_JSON_TOKEN_MAX + 1, "x", 0 },
        { GCSPLAN_JSON_TOKEN_MAX + 2, "\\\"", 0 },  /* \" repeated: still one string */
        { GCSPLAN_JSON_TOKEN_MAX + 1, "7", 0 },   /* a number */
        { GCSPLAN_JSON_TOKEN_MAX + 1, " ", 0 },   /* white space without a quote */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = 0;
        int number = cases[c].unit[0] == '7', blank = cases[c].unit[0] == ' ';
        n += (size_t)sprintf(body, "{\"items\":[{\"name\":\"a\",\"size\":\"1\",\"x\":%s",
                             number || blank ? "" : "\"");
        size_t u = strlen(cases[c].unit);
        for (size_t k = 0; k < cases[c].fill / u; k++, n += u)
            memcpy(body + n, cases[c].unit, u);
        n += (size_t)sprintf(body + n, "%s}]}", number ? "" : blank ? "1" : "\"");
        body[n] = '\0';
        static const size_t chunks[] = { 1, 7, 4096, 100000 };
        for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
            int rc = parse(body, chunks[k], GCSPLAN__PAGE_LIST, &s, token, &err);
            if (cases[c].ok && rc != 0)
                fail_msg("case %zu chunk %zu: %s", c, chunks[k], err.message);
            if (!cases[c].ok && (rc != GCSPLAN_ESOURCE || strstr(err.message, "longer than") == NULL))
                fail_msg("case %zu chunk %zu: rc %d '%s'", c, chunks[k], rc, err.message);
        }
    }
    free(body);
}

/* Fuzzing found: yajl's error text ends with a newline, and a message is
 * one line (the CLI prints it as is). */
static void test_error_one_line(void **state)
{
    (void)state;
    seen s;
    char token[16];
    gcsplan_error err;
    static const char *const bodies[] = { "{\"kind\":\"x\x10\"}", "{\"a\":tru}", "[1,]", "{\"a\"" };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        for (size_t chunk = 1; chunk < 8; chunk++) {
            assert_int_equal(parse(bodies[i], chunk, GCSPLAN__PAGE_LIST, &s, token, &err),
                             GCSPLAN_ESOURCE);
            assert_null(strchr(err.message, '\n'));
            assert_null(strchr(err.message, '\r'));
            assert_int_equal(strncmp(err.message, "malformed listing page: ", 24), 0);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_every_chunking),
        cmocka_unit_test(test_error_body),
        cmocka_unit_test(test_sink_stops),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_long_tokens),
        cmocka_unit_test(test_error_one_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
