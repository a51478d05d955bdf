/* The listing-file source through the public API: JSON Lines and inventory
 * report CSV, sorted and unsorted, every malformed case with its line number
 * and nothing yielded, standard input, and records across read buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gcsplan/list.h"
#include "test_support.h"

/* temp_file() holds 64 files; these tests write more. */
static char temp_paths[256][64];
static int ntemp;

static void remove_temps(void)
{
    for (int i = 0; i < ntemp; i++)
        unlink(temp_paths[i]);
}

static const char *temp_file(const void *data, size_t len)
{
    assert_true(ntemp < 256);
    char *path = temp_paths[ntemp];
    snprintf(path, 64, "/tmp/gcsplan-listing-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    if (ntemp++ == 0)
        atexit(remove_temps);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

/* What one listing run produced. */
typedef struct result {
    int rc;                 /* the last gcsplan_lister_next return */
    size_t yielded;
    char *text;             /* "name size generation\n" per object */
    size_t len, cap;
    gcsplan_error err;
    gcsplan_list_stats stats;
} result;

static void append(result *r, const char *fmt, ...)
{
    va_list ap;
    char line[4096];
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof line);
    if (r->len + (size_t)n + 1 > r->cap) {
        r->cap = (r->len + (size_t)n + 1) * 2;
        r->text = realloc(r->text, r->cap);
        assert_non_null(r->text);
    }
    memcpy(r->text + r->len, line, (size_t)n + 1);
    r->len += (size_t)n;
}

static result run_source(const char *uri, gcsplan_source_kind kind, const char *path,
                         gcsplan_filter *exclude)
{
    result r;
    memset(&r, 0, sizeof r);
    append(&r, "%s", "");
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    o.source = kind;
    o.path = path;
    o.exclude = exclude;
    gcsplan_lister *l;
    assert_int_equal(gcsplan_lister_new(&l, p, &o, NULL), 0);
    const gcsplan_object *obj;
    while ((r.rc = gcsplan_lister_next(&obj, l)) == 0) {
        assert_int_equal(strlen(obj->name), obj->name_len);
        append(&r, "%s %llu %lld\n", obj->name, (unsigned long long)obj->size,
               (long long)obj->generation);
        r.yielded++;
    }
    r.err = *gcsplan_lister_error(l);
    gcsplan_lister_stats(l, &r.stats);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    return r;
}

static result run_text(const char *uri, const char *content)
{
    return run_source(uri, GCSPLAN_SOURCE_LISTING, temp_file(content, strlen(content)),
                      NULL);
}

static void expect(result *r, const char *text)
{
    if (r->rc != GCSPLAN_ITEROVER)
        fail_msg("listing failed: %s", r->err.message);
    assert_string_equal(r->text, text);
    free(r->text);
}

/* --- well-formed JSON Lines ------------------------------------------------------------ */

static const char sorted_jsonl[] =
    "{\"name\":\"a.dcm\",\"size\":\"10\"}\n"
    "{\"name\":\"dir/b.dcm\",\"size\":20,\"generation\":\"7\"}\n"
    "{\"name\":\"dir/c.txt\",\"size\":\"30\"}\n"
    "{\"name\":\"dir/sub/d.dcm\",\"size\":40,\"generation\":8}\n"
    "{\"name\":\"z.dcm\",\"size\":\"0\"}\n";

static void test_sorted(void **state)
{
    (void)state;
    result r = run_text("gs://bkt/dir/*.dcm", sorted_jsonl);
    assert_int_equal(r.stats.listed, 5);
    assert_int_equal(r.stats.pages, 1);
    assert_int_equal(r.stats.requests, 0);
    expect(&r, "dir/b.dcm 20 7\n");
    r = run_text("gs://bkt/**.dcm", sorted_jsonl);
    expect(&r, "a.dcm 10 0\ndir/b.dcm 20 7\ndir/sub/d.dcm 40 8\nz.dcm 0 0\n");
    r = run_text("gs://bkt/dir/sub/d.dcm", sorted_jsonl);
    expect(&r, "dir/sub/d.dcm 40 8\n");
    r = run_text("gs://bkt/nothing/**", sorted_jsonl);
    expect(&r, "");
}

static void test_unsorted(void **state)
{
    (void)state;
    static const char unsorted[] =
        "{\"name\":\"z.dcm\",\"size\":\"0\"}\n"
        "{\"name\":\"dir/sub/d.dcm\",\"size\":40,\"generation\":8}\n"
        "{\"name\":\"a.dcm\",\"size\":\"10\"}\n"
        "{\"name\":\"dir/c.txt\",\"size\":\"30\"}\n"
        "{\"name\":\"dir/b.dcm\",\"size\":20,\"generation\":\"7\"}\n";
    result r = run_text("gs://bkt/**.dcm", unsorted);
    assert_int_equal(r.stats.listed, 5);
    expect(&r, "a.dcm 10 0\ndir/b.dcm 20 7\ndir/sub/d.dcm 40 8\nz.dcm 0 0\n");
    r = run_text("gs://bkt/dir/*", unsorted);
    expect(&r, "dir/b.dcm 20 7\ndir/c.txt 30 0\n");
}

/* Items as the JSON API writes them: nested objects with their own name and
 * size, keys in any order, blank lines. */
static void test_api_items(void **state)
{
    (void)state;
    result r = run_source("gs://bkt/**", GCSPLAN_SOURCE_LISTING,
                          test_data_path("listings/listing.jsonl"), NULL);
    expect(&r, "README.txt 300 0\n"
               "studies/S1/IM-0001.dcm 1024 1700000000000001\n"
               "studies/S1/IM-0002.dcm 524288 1700000000000002\n"
               "studies/S1/IM-0003.dcm 12 0\n");
}

static void test_blank_lines_and_crlf(void **state)
{
    (void)state;
    result r = run_text("gs://bkt/**", "\n  \n{\"name\":\"a\",\"size\":1}\r\n\t\r\n"
                                     "{ \"size\" : 2 , \"name\" : \"b\" }\r\n\n"
                                     "{\"name\":\"c\",\"size\":\"3\"}");
    expect(&r, "a 1 0\nb 2 0\nc 3 0\n");
}

static void test_odd_names(void **state)
{
    (void)state;
    static const char odd[] =
        "{\"name\":\"dir/sub dir/with space.dcm\",\"size\":1}\n"
        "{\"name\":\"dir/hash#name.dcm\",\"size\":2}\n"
        "{\"name\":\"dir/question?mark.dcm\",\"size\":3}\n"
        "{\"name\":\"dir/star*name.dcm\",\"size\":4}\n"
        "{\"name\":\"dir/\\u00fcn\\u00efc\\u00f6d\\u00e9.dcm\",\"size\":5}\n"
        "{\"name\":\"dir/\xe6\x97\xa5\xe6\x9c\xac.dcm\",\"size\":6}\n"
        "{\"name\":\"dir/quote\\\"back\\\\slash.dcm\",\"size\":7}\n"
        "{\"name\":\"dir/tab\\there.dcm\",\"size\":8}\n";
    result r = run_text("gs://bkt/dir/*.dcm", odd);
    expect(&r, "dir/hash#name.dcm 2 0\n"
               "dir/question?mark.dcm 3 0\n"
               "dir/quote\"back\\slash.dcm 7 0\n"
               "dir/star*name.dcm 4 0\n"
               "dir/tab\there.dcm 8 0\n"
               "dir/\xc3\xbcn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9.dcm 5 0\n"
               "dir/\xe6\x97\xa5\xe6\x9c\xac.dcm 6 0\n");
    r = run_text("gs://bkt/dir/sub dir/*", odd);
    expect(&r, "dir/sub dir/with space.dcm 1 0\n");
}

static void test_empty(void **state)
{
    (void)state;
    result r = run_text("gs://bkt/**", "");
    assert_int_equal(r.stats.listed, 0);
    expect(&r, "");
    r = run_text("gs://bkt/**", "\n\n   \n");
    expect(&r, "");
}

/* The fast path takes the canonical shape; yajl everything else. The same
 * objects written both ways must come out the same. */
static void test_fast_path_agrees(void **state)
{
    (void)state;
    static const char *const sizes[] = { "0", "\"0\"", "7", "\"007\"", "18446744073709551615",
                                         "\"18446744073709551615\"", "123456", "\"123456\"" };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char canon[256], spaced[256];
        snprintf(canon, sizeof canon, "{\"name\":\"n%zu\",\"size\":%s,\"generation\":%s}\n", i,
                 sizes[i], i % 2 ? "\"42\"" : "42");
        snprintf(spaced, sizeof spaced,
                 "{ \"name\" : \"n%zu\" , \"size\" : %s , \"generation\" : %s }\n", i, sizes[i],
                 i % 2 ? "\"42\"" : "42");
        result a = run_text("gs://bkt/**", canon);
        result b = run_text("gs://bkt/**", spaced);
        assert_int_equal(a.rc, GCSPLAN_ITEROVER);
        assert_int_equal(a.yielded, 1);
        expect(&b, a.text);
        free(a.text);
    }
}

/* Sizes are unsigned 64-bit end to end. The listed bytes are a statistic:
 * past 2^64-1 they stay there instead of wrapping, and the listing goes on
 * (plans check their own sums and fail). */
static void test_total_overflow(void **state)
{
    (void)state;
    result r = run_text("gs://bkt/**", "{\"name\":\"a\",\"size\":18446744073709551615}\n"
                                       "{\"name\":\"b\",\"size\":\"1\"}\n");
    assert_int_equal(r.rc, GCSPLAN_ITEROVER);
    assert_int_equal(r.yielded, 2);
    assert_true(r.stats.bytes == UINT64_MAX);
    free(r.text);
}

static void test_exclude(void **state)
{
    (void)state;
    gcsplan_filter *f;
    assert_int_equal(gcsplan_filter_new(&f, NULL, NULL), 0);
    assert_int_equal(gcsplan_filter_add(f, "dir/.*", 6, NULL), 0);
    result r = run_source("gs://bkt/**.dcm", GCSPLAN_SOURCE_LISTING,
                          temp_file(sorted_jsonl, strlen(sorted_jsonl)), f);
    assert_int_equal(r.stats.excluded, 2);
    expect(&r, "a.dcm 10 0\nz.dcm 0 0\n");
    gcsplan_filter_free(f);
}

/* --- malformed input: an error naming the line, and nothing yielded ------------------ */

typedef struct bad_case {
    const char *content;
    const char *message; /* after "FILE:" */
} bad_case;

static void test_malformed(void **state)
{
    (void)state;
    static const char ok2[] = "{\"name\":\"a\",\"size\":1}\n{\"name\":\"b\",\"size\":2}\n";
    static const bad_case cases[] = {
        { "{\"name\":\"a\",\"size\":1}\n{\"name\":\"b\",\n", "2: incomplete JSON object" },
        { "{\"name\":\"a\" \"size\":1}\n", "1: invalid JSON" },
        { "{\"name\":\"a\",\"size\":1}\n\n{\"size\":1}\n", "3: missing \"name\"" },
        { "{\"name\":\"a\"}\n", "1: missing \"size\"" },
        { "{\"name\":\"a\",\"size\":-1}\n", "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":1.5}\n", "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":1e3}\n", "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":\"12a\"}\n", "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":\"\"}\n", "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":true}\n", "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":{\"v\":1}}\n", "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":18446744073709551616}\n",
          "1: \"size\" is not a non-negative integer" },
        { "{\"name\":\"a\",\"size\":1,\"generation\":-2}\n",
          "1: \"generation\" is not a non-negative integer" },
        { "{\"name\":5,\"size\":1}\n", "1: \"name\" is not a string" },
        { "{\"name\":null,\"size\":1}\n", "1: \"name\" is not a string" },
        { "{\"name\":[\"a\"],\"size\":1}\n", "1: \"name\" is not a string" },
        { "{\"name\":\"\",\"size\":1}\n", "1: empty \"name\"" },
        { "{\"name\":\"a\\u0000b\",\"size\":1}\n", "1: \"name\" contains a NUL character" },
        { "{\"name\":\"a\",\"name\":\"b\",\"size\":1}\n", "1: duplicate key \"name\"" },
        { "{\"name\":\"a\",\"size\":1}{\"name\":\"b\",\"size\":1}\n",
          "1: more than one JSON value on the line" },
        /* A number after the object: yajl held it to the next line, which
         * then failed, misnamed, in the second pass (fuzz_listing). */
        { "{ \"name\":\"a\",\"size\":1}\n{ \"name\":\"r\",\"size\":1}8\n",
          "2: more than one JSON value on the line" },
        { "{ \"name\":\"a\",\"size\":1}\n{\"name\":\"r\",\"size\":1} 8",
          "2: more than one JSON value on the line" },
        { "{\"name\":\"a\",\"size\":1}[]\n", "1: more than one JSON value on the line" },
        { "[{\"name\":\"a\",\"size\":1}]\n", "1: expected a JSON object" },
        { "{\"name\":\"a\",\"size\":1}\n\"a\"\n", "2: expected a JSON object" },
        { "{\"name\":\"a\",\"size\":1}\n42\n", "2: expected a JSON object" },
        { "{\"name\":\"a\",\"size\":1}\n{\"name\":\"\xff\",\"size\":1}\n", "2: invalid JSON" },
        { "{\"name\":\"a\",\"size\":01}\n", "1: invalid JSON" },
        /* yajl's whitespace is wider than JSON's: a line opening with a vertical
         * tab was taken after a JSON line but not as the first (fuzz_listing). */
        { "{\"name\":\"a\",\"size\":1}\n \v{\"name\":\"b\",\"size\":1}\n",
          "2: invalid JSON (a vertical tab or form feed outside a string)" },
        { "{\"name\":\"a\",\"size\":1\f}\n",
          "1: invalid JSON (a vertical tab or form feed outside a string)" },
        { "{\"name\":\"a\",\"size\":1}\n{\"name\":\"a\",\"size\":2}\n",
          "2: duplicate name 'a' (first on line 1)" },
        { "{\"name\":\"x/a\",\"size\":1}\n{\"name\":\"b\",\"size\":1}\n"
          "{\"name\":\"x/a\",\"size\":2}\n",
          "3: duplicate name 'x/a' (first on line 1)" },
        { "not json\n", "1: expected a JSON object, or an inventory report CSV header" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* Valid lines first where the case has room: still nothing comes out. */
        char content[4096];
        snprintf(content, sizeof content, "%s", cases[i].content);
        const char *path = temp_file(content, strlen(content));
        result r = run_source("gs://bkt/**", GCSPLAN_SOURCE_LISTING, path, NULL);
        char want[512];
        snprintf(want, sizeof want, "%s:%s", path, cases[i].message);
        if (r.rc != GCSPLAN_ESOURCE || strncmp(r.err.message, want, strlen(want)) != 0)
            fail_msg("case %zu: rc %d, message '%s', want '%s'", i, r.rc, r.err.message, want);
        assert_int_equal(r.yielded, 0);
        free(r.text);
    }
    result r = run_text("gs://bkt/**", ok2);
    expect(&r, "a 1 0\nb 2 0\n");
}

/* A name over 1024 bytes and a line over the cap. */
static void test_limits(void **state)
{
    (void)state;
    size_t big = 2 * 1024 * 1024;
    char *content = malloc(big + 64);
    assert_non_null(content);
    int n = sprintf(content, "{\"name\":\"a\",\"size\":1}\n{\"name\":\"");
    memset(content + n, 'x', 1025);
    strcpy(content + n + 1025, "\",\"size\":1}\n");
    const char *path = temp_file(content, strlen(content));
    result r = run_source("gs://bkt/**", GCSPLAN_SOURCE_LISTING, path, NULL);
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(r.err.message, ":2: \"name\" is longer than 1024 bytes"));
    assert_int_equal(r.yielded, 0);
    free(r.text);

    n = sprintf(content, "{\"name\":\"a\",\"size\":1}\n{\"name\":\"b\",\"size\":1,\"pad\":\"");
    memset(content + n, 'x', big);
    strcpy(content + n + big, "\"}\n");
    path = temp_file(content, strlen(content));
    r = run_source("gs://bkt/**", GCSPLAN_SOURCE_LISTING, path, NULL);
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(r.err.message, ":2: line longer than 1048576 bytes"));
    assert_int_equal(r.yielded, 0);
    free(r.text);
    free(content);
}

/* --- records across read buffers ------------------------------------------------------- */

/* Lines of many lengths so that some straddle every 256 KiB read, forward
 * (sorted, streamed) and backward (sorted in memory). */
static void test_buffer_boundaries(void **state)
{
    (void)state;
    enum { N = 30000 };
    size_t cap = (size_t)N * 140;
    char *fwd = malloc(cap), *bwd = malloc(cap);
    char (*lines)[140] = malloc(sizeof *lines * N);
    assert_true(fwd && bwd && lines);
    size_t fl = 0, bl = 0;
    for (int i = 0; i < N; i++) {
        char pad[64];
        memset(pad, 'p', sizeof pad);
        pad[i % 60] = '\0';
        snprintf(lines[i], sizeof lines[i],
                 "{\"name\":\"s/%06d%s.dcm\",\"size\":\"%d\"%s}\n", i, pad, i,
                 i % 7 == 0 ? ",\"x\":[1,{\"name\":\"q\"}]" : "");
    }
    for (int i = 0; i < N; i++) {
        size_t k = strlen(lines[i]);
        memcpy(fwd + fl, lines[i], k);
        fl += k;
        k = strlen(lines[N - 1 - i]);
        memcpy(bwd + bl, lines[N - 1 - i], k);
        bl += k;
    }
    result a = run_source("gs://bkt/s/**", GCSPLAN_SOURCE_LISTING, temp_file(fwd, fl), NULL);
    result b = run_source("gs://bkt/s/**", GCSPLAN_SOURCE_LISTING, temp_file(bwd, bl), NULL);
    assert_int_equal(a.rc, GCSPLAN_ITEROVER);
    assert_int_equal(a.yielded, N);
    assert_int_equal(a.stats.listed, N);
    expect(&b, a.text);
    /* A narrow prefix of a sorted file still validates every line. */
    result c = run_source("gs://bkt/s/0299*", GCSPLAN_SOURCE_LISTING, temp_file(fwd, fl),
                          NULL);
    assert_int_equal(c.yielded, 100);
    assert_int_equal(c.stats.listed, N);
    free(c.text);
    free(a.text);
    free(fwd);
    free(bwd);
    free(lines);
}

/* --- standard input -------------------------------------------------------------------- */

static result run_stdin(const char *uri, const char *content)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    /* Small enough for the pipe buffer: no writer process needed. */
    assert_int_equal(write(fds[1], content, strlen(content)), (ssize_t)strlen(content));
    close(fds[1]);
    int saved = dup(STDIN_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    result r = run_source(uri, GCSPLAN_SOURCE_LISTING, "-", NULL);
    dup2(saved, STDIN_FILENO);
    close(saved);
    return r;
}

static void test_stdin(void **state)
{
    (void)state;
    result r = run_stdin("gs://bkt/dir/**", sorted_jsonl);
    expect(&r, "dir/b.dcm 20 7\ndir/c.txt 30 0\ndir/sub/d.dcm 40 8\n");
    r = run_stdin("gs://bkt/**", "{\"name\":\"b\",\"size\":2}\n{\"name\":\"a\",\"size\":1}\n");
    expect(&r, "a 1 0\nb 2 0\n");
    r = run_stdin("gs://bkt/**", "{\"name\":\"a\",\"size\":1}\n{\"name\":\"b\"}\n");
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_string_equal(r.err.message, "<stdin>:2: missing \"size\"");
    assert_int_equal(r.yielded, 0);
    free(r.text);
}

/* --- inventory report CSV -------------------------------------------------------------- */

static void test_csv_report(void **state)
{
    (void)state;
    result r = run_source("gs://bkt/studies/**", GCSPLAN_SOURCE_LISTING,
                          test_data_path("listings/inventory.csv"), NULL);
    expect(&r, "studies/S1/IM-0001.dcm 4 1704164645000003\n"
               "studies/S1/say \"hi\".dcm 3 1704164645000002\n"
               "studies/S1/with,comma.dcm 2048 1704164645000001\n"
               "studies/S2/IM-0001.dcm 1024 1704164645000000\n");
}

static void test_csv_quoting(void **state)
{
    (void)state;
    static const char csv[] =
        "\xEF\xBB\xBF" "bucket,size,name\r\n"
        "b,1,plain.dcm\r\n"
        "\r\n"
        "b,\"2\",\"two\nlines.dcm\"\r\n"
        "\"b\",3,\"comma, \"\"quote\"\".dcm\"\r\n"
        "b,4,\"\"\"\"\r\n";
    result r = run_text("gs://bkt/**", csv);
    expect(&r, "\" 4 0\ncomma, \"quote\".dcm 3 0\nplain.dcm 1 0\ntwo\nlines.dcm 2 0\n");
    static const char tsv[] = "name\tsize\tgeneration\nx/a,b\t5\t\ny/c\t6\t9\n";
    r = run_text("gs://bkt/**", tsv);
    expect(&r, "x/a,b 5 0\ny/c 6 9\n");
}

static void test_csv_malformed(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "name,size\na,1\nb,\n", "3: \"size\" is not a non-negative integer" },
        { "name,size\na,1\nb,1,extra\n", "3: more fields than the header's 2" },
        { "name,size,x\na,1,x\nb,1\n", "3: 2 fields, the header has 3" },
        { "name,size\n\"a\nb\",1\nc\"d,1\n", "4: a quote inside an unquoted field" },
        { "name,size\n\"a\"x,1\n", "2: text after the closing quote of a field" },
        { "name,size\na,1\n\"b,1\n", "3: a quoted field is not closed" },
        { "name,size\n,1\n", "2: empty \"name\"" },
        { "name,size\nb,1\na,1\nb,2\n", "4: duplicate name 'b' (first on line 2)" },
        { "name,bytes\na,1\n", "1: expected a JSON object, or an inventory report CSV header" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = temp_file(cases[i].content, strlen(cases[i].content));
        result r = run_source("gs://bkt/**", GCSPLAN_SOURCE_LISTING, path, NULL);
        char want[512];
        snprintf(want, sizeof want, "%s:%s", path, cases[i].message);
        if (r.rc != GCSPLAN_ESOURCE || strncmp(r.err.message, want, strlen(want)) != 0)
            fail_msg("case %zu: rc %d, message '%s', want '%s'", i, r.rc, r.err.message, want);
        assert_int_equal(r.yielded, 0);
        free(r.text);
    }
}

/* --- the rest of the contract ------------------------------------------------------------ */

static void test_missing_file_explain_early_free(void **state)
{
    (void)state;
    result r = run_source("gs://bkt/**", GCSPLAN_SOURCE_LISTING, "/nonexistent/listing.jsonl",
                          NULL);
    assert_int_equal(r.rc, GCSPLAN_ESOURCE);
    assert_string_equal(r.err.message,
                        "/nonexistent/listing.jsonl: cannot open: No such file or directory");
    free(r.text);

    gcsplan_pattern *p;
    const char *uri = "gs://bkt/dir/**";
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_lister_options o = GCSPLAN_LISTER_OPTIONS_INIT;
    o.source = GCSPLAN_SOURCE_LISTING;
    o.path = temp_file(sorted_jsonl, strlen(sorted_jsonl));
    gcsplan_lister *l;
    assert_int_equal(gcsplan_lister_new(&l, p, &o, NULL), 0);
    char text[512];
    gcsplan_lister_explain(l, text, sizeof text);
    assert_non_null(strstr(text, "read listing "));
    assert_non_null(strstr(text, "prefix 'dir/'"));
    const gcsplan_object *obj;
    assert_int_equal(gcsplan_lister_next(&obj, l), 0);
    gcsplan_lister_explain(l, text, sizeof text);
    assert_non_null(strstr(text, "(JSON Lines)"));
    assert_non_null(strstr(text, "sorted: stream"));
    gcsplan_lister_free(l); /* mid-iteration: nothing may leak */

    o.path = temp_file("{\"name\":\"dir/b\",\"size\":1}\n{\"name\":\"dir/a\",\"size\":1}\n",
                            52);
    assert_int_equal(gcsplan_lister_new(&l, p, &o, NULL), 0);
    assert_int_equal(gcsplan_lister_next(&obj, l), 0);
    assert_string_equal(obj->name, "dir/a");
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted),
        cmocka_unit_test(test_unsorted),
        cmocka_unit_test(test_api_items),
        cmocka_unit_test(test_blank_lines_and_crlf),
        cmocka_unit_test(test_odd_names),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fast_path_agrees),
        cmocka_unit_test(test_total_overflow),
        cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_buffer_boundaries),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_csv_report),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_malformed),
        cmocka_unit_test(test_missing_file_explain_early_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
