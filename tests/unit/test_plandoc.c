/* Plan documents: the streaming reader (every fixture in chunk sizes 1..31,
 * errors that name the job and the key, every bound), the writer (exact
 * bytes, read back unchanged), the plan digest, allocation failure, store
 * names, and URI containment (sound on random names, complete for the
 * planner's own jobs). */
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

/* --- helpers ------------------------------------------------------------------------- */

typedef struct outcome {
    int rc;
    gcsplan_error err;
    gcsplan_plan_doc *doc;
} outcome;

/* Read text in chunks of chunk bytes (0: all at once). */
static outcome read_chunked(const char *text, size_t len, size_t chunk,
                            const gcsplan_plan_read_options *opts)
{
    outcome o = { 0, { 0 }, NULL };
    gcsplan_plan_reader *r;
    o.rc = gcsplan_plan_reader_new(&r, opts, &o.err);
    if (o.rc != 0)
        return o;
    size_t at = 0;
    while (o.rc == 0 && at < len) {
        size_t k = chunk == 0 || len - at < chunk ? len - at : chunk;
        o.rc = gcsplan_plan_reader_feed(r, text + at, k, &o.err);
        at += k;
    }
    if (o.rc == 0)
        o.rc = gcsplan_plan_reader_finish(r, &o.doc, &o.err);
    gcsplan_plan_reader_free(r);
    return o;
}

static outcome read_text(const char *text)
{
    return read_chunked(text, strlen(text), 0, NULL);
}

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int jobs_equal(const gcsplan_plan_job *a, const gcsplan_plan_job *b)
{
    return a->uri_len == b->uri_len && memcmp(a->uri, b->uri, a->uri_len) == 0 &&
           a->objects == b->objects && a->bytes == b->bytes && a->has == b->has &&
           a->flags == b->flags &&
           (!(a->has & GCSPLAN_PLAN_JOB_LARGEST) || a->largest == b->largest) &&
           (!(a->has & GCSPLAN_PLAN_JOB_DIGEST) || a->digest == b->digest) &&
           str_eq(a->first, b->first) && str_eq(a->last, b->last);
}

static void assert_docs_equal(const gcsplan_plan_doc *a, const gcsplan_plan_doc *b)
{
    const gcsplan_plan_head *x = gcsplan_plan_doc_head(a), *y = gcsplan_plan_doc_head(b);
    assert_true(str_eq(x->uri, y->uri));
    assert_true(x->objects == y->objects && x->bytes == y->bytes);
    assert_true(x->max_objects == y->max_objects && x->max_bytes == y->max_bytes &&
                x->max_jobs == y->max_jobs);
    assert_true(x->excluded == y->excluded && x->lower_bound == y->lower_bound &&
                x->prefix_cut_jobs == y->prefix_cut_jobs);
    assert_true(str_eq(x->store, y->store));
    assert_true(str_eq(x->content_structure, y->content_structure));
    assert_int_equal(gcsplan_plan_doc_job_count(a), gcsplan_plan_doc_job_count(b));
    for (size_t i = 0; i < gcsplan_plan_doc_job_count(a); i++)
        assert_true(jobs_equal(gcsplan_plan_doc_job(a, i), gcsplan_plan_doc_job(b, i)));
    assert_true(gcsplan_plan_doc_digest(a) == gcsplan_plan_doc_digest(b));
}

/* What `gcsplan plan --json` printed for tests/cli/cases/plan_json.t. */
static const char full_plan[] =
    "{\"uri\":\"gs://example-archive/studies/2020/**.dcm\",\"objects\":64,\"bytes\":41431011,"
    "\"limits\":{\"max_objects\":null,\"max_bytes\":41943040,\"max_jobs\":null},\"excluded\":2,"
    "\"lower_bound\":1,\"prefix_cut_jobs\":3,\"jobs\":[{\"uri\":\"gs://example-archive/studies/"
    "2020/M**.dcm\",\"objects\":1,\"bytes\":650000,\"largest\":650000,\"first\":\"studies/2020/"
    "M\xc3\xbcller, Anna/series-1/IM-0001-0001.dcm\",\"last\":\"studies/2020/M\xc3\xbcller, Anna/"
    "series-1/IM-0001-0001.dcm\",\"digest\":\"e78676e30a06cb3f\",\"request\":{\"gcsSource\":{"
    "\"uri\":\"gs://example-archive/studies/2020/M**.dcm\"}}},{\"uri\":\"gs://example-archive/"
    "studies/2020/o**.dcm\",\"objects\":2,\"bytes\":1270000,\"largest\":640000,\"first\":"
    "\"studies/2020/odd names/scan #1 (copy).dcm\",\"last\":\"studies/2020/odd names/what*is?"
    "this.dcm\",\"digest\":\"afd40c4f81751672\",\"warnings\":[\"inseparable\"],\"request\":{"
    "\"gcsSource\":{\"uri\":\"gs://example-archive/studies/2020/o**.dcm\"}}}],\"preflight\":{"
    "\"uri\":\"gs://example-archive/studies/2020/**.dcm\",\"summary\":{\"error\":0},"
    "\"findings\":[{\"code\":\"zero-byte\",\"examples\":[{\"name\":\"x\",\"size\":0}]}]}}\n";

/* SPEC section 4's minimum, keys in another order, with spaces. */
static const char minimal_plan[] =
    " { \"jobs\" : [ { \"bytes\" : 5 , \"objects\" : 1 , \"uri\" : \"gs://b/a/x\" } ] ,\n"
    "   \"bytes\": 5, \"objects\": 1, \"uri\": \"gs://b/a/**\" }  ";

/* Unknown keys everywhere, at every depth, of every type. */
static const char unknown_plan[] =
    "{\"future\":{\"a\":[1,[2,{\"b\":[[[null]]]}],true],\"uri\":\"not this\"},\"uri\":\"gs://b/"
    "s/**\",\"x\":-1.5e3,\"objects\":2,\"y\":[{\"jobs\":[]}],\"bytes\":3,\"limits\":{\"max_objects\""
    ":2,\"new_limit\":{\"max_bytes\":7},\"max_bytes\":null},\"jobs\":[{\"uri\":\"gs://b/s/a**\","
    "\"objects\":2,\"extra\":{\"objects\":99},\"bytes\":3,\"warnings\":[\"oversize\",\"someday\"],"
    "\"request\":{\"gcsSource\":{\"uri\":\"gs://elsewhere/x\"}}}],\"z\":false,\"store\":null}";

static const char fhir_plan[] =
    "{\"uri\":\"gs://b/s/**\",\"store\":\"projects/p/locations/l/datasets/d/fhirStores/f\","
    "\"content_structure\":\"RESOURCE_PRETTY\",\"objects\":0,\"bytes\":0,\"jobs\":[]}";

static const char *const fixtures[] = { full_plan, minimal_plan, unknown_plan, fhir_plan };

/* --- the reader ---------------------------------------------------------------------- */

static void test_full_plan(void **state)
{
    (void)state;
    outcome o = read_text(full_plan);
    assert_int_equal(o.rc, 0);
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(o.doc);
    assert_string_equal(h->uri, "gs://example-archive/studies/2020/**.dcm");
    assert_int_equal(h->objects, 64);
    assert_int_equal(h->bytes, 41431011);
    assert_int_equal(h->max_objects, 0);
    assert_int_equal(h->max_bytes, 41943040);
    assert_int_equal(h->excluded, 2);
    assert_int_equal(h->prefix_cut_jobs, 3);
    assert_null(h->store);
    assert_int_equal(gcsplan_plan_doc_job_count(o.doc), 2);
    const gcsplan_plan_job *j = gcsplan_plan_doc_job(o.doc, 1);
    assert_string_equal(j->uri, "gs://example-archive/studies/2020/o**.dcm");
    assert_int_equal(j->objects, 2);
    assert_int_equal(j->largest, 640000);
    assert_string_equal(j->last, "studies/2020/odd names/what*is?this.dcm");
    assert_true(j->digest == 0xafd40c4f81751672ull);
    assert_int_equal(j->has, GCSPLAN_PLAN_JOB_LARGEST | GCSPLAN_PLAN_JOB_FIRST |
                                 GCSPLAN_PLAN_JOB_LAST | GCSPLAN_PLAN_JOB_DIGEST);
    assert_int_equal(j->flags, GCSPLAN_JOB_INSEPARABLE);
    assert_null(gcsplan_plan_doc_job(o.doc, 2));
    gcsplan_plan_doc_free(o.doc);
}

static void test_minimal_and_unknown(void **state)
{
    (void)state;
    outcome o = read_text(minimal_plan);
    assert_int_equal(o.rc, 0);
    const gcsplan_plan_job *j = gcsplan_plan_doc_job(o.doc, 0);
    assert_string_equal(j->uri, "gs://b/a/x");
    assert_int_equal(j->has, 0);
    assert_null(j->first);
    gcsplan_plan_doc_free(o.doc);

    o = read_text(unknown_plan);
    assert_int_equal(o.rc, 0);
    const gcsplan_plan_head *h = gcsplan_plan_doc_head(o.doc);
    assert_string_equal(h->uri, "gs://b/s/**");
    assert_int_equal(h->max_objects, 2);
    assert_int_equal(h->max_bytes, 0);
    assert_int_equal(gcsplan_plan_doc_job_count(o.doc), 1);
    j = gcsplan_plan_doc_job(o.doc, 0);
    assert_int_equal(j->objects, 2);
    assert_int_equal(j->flags, GCSPLAN_JOB_OVERSIZE);
    gcsplan_plan_doc_free(o.doc);

    o = read_text(fhir_plan);
    assert_int_equal(o.rc, 0);
    h = gcsplan_plan_doc_head(o.doc);
    assert_string_equal(h->store, "projects/p/locations/l/datasets/d/fhirStores/f");
    assert_string_equal(h->content_structure, "RESOURCE_PRETTY");
    gcsplan_plan_doc_free(o.doc);
}

/* STYLE: every fixture in chunk sizes 1..31 gives what one piece gives. */
static void test_any_chunking(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        outcome whole = read_text(fixtures[f]);
        assert_int_equal(whole.rc, 0);
        for (size_t chunk = 1; chunk <= 31; chunk++) {
            outcome o = read_chunked(fixtures[f], strlen(fixtures[f]), chunk, NULL);
            assert_int_equal(o.rc, 0);
            assert_docs_equal(whole.doc, o.doc);
            gcsplan_plan_doc_free(o.doc);
        }
        gcsplan_plan_doc_free(whole.doc);
    }
}

typedef struct bad_case {
    const char *text;
    int code;
    const char *message; /* the start of err.message */
} bad_case;

static const bad_case bad_cases[] = {
    { "", GCSPLAN_EINVAL, "not JSON at byte 0" },
    { "{\"uri\": \"gs://b/**\", \"jobs\": [", GCSPLAN_EINVAL, "not JSON at byte " },
    { "[]", GCSPLAN_EINVAL, "not a plan: the document is not a JSON object" },
    { "{\"uri\":\"gs://b/**\",\"objects\":1,\"bytes\":1}", GCSPLAN_EINVAL,
      "\"jobs\" is missing or not an array" },
    { "{\"uri\":5,\"objects\":1,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"uri\" is missing or not a string" },
    { "{\"objects\":1,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"uri\" is missing or not a string" },
    { "{\"uri\":\"u\",\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL, "\"objects\" is missing" },
    { "{\"uri\":\"u\",\"objects\":-1,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"objects\" is not an integer from 0 to 2^64-1" },
    { "{\"uri\":\"u\",\"objects\":1.0,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"objects\" is not an integer" },
    { "{\"uri\":\"u\",\"objects\":1e3,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"objects\" is not an integer" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":18446744073709551616,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"bytes\" is not an integer from 0 to 2^64-1" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":\"1\",\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"bytes\" is not an integer" },
    { "{\"uri\":\"u\",\"uri\":\"v\",\"objects\":1,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"uri\" appears twice" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":{}}", GCSPLAN_EINVAL,
      "\"jobs\" is missing or not an array" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"limits\":[],\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"limits\" is not an object" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"limits\":{\"max_bytes\":\"5G\"},\"jobs\":[]}",
      GCSPLAN_EINVAL, "\"max_bytes\" is not an integer" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1},5]}", GCSPLAN_EINVAL, "job 2: not a JSON object" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"objects\":1,\"bytes\":1}]}",
      GCSPLAN_EINVAL, "job 1: \"uri\" is missing or not a string" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1},{\"uri\":\"b\",\"objects\":\"3\",\"bytes\":1}]}", GCSPLAN_EINVAL,
      "job 2: \"objects\" is not an integer" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1}]}",
      GCSPLAN_EINVAL, "job 1: \"bytes\" is missing" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1,\"digest\":\"xyz\"}]}", GCSPLAN_EINVAL,
      "job 1: \"digest\" is not 16 hexadecimal digits" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1,\"digest\":\"00112233445566778\"}]}", GCSPLAN_EINVAL,
      "job 1: \"digest\" is not 16" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1,\"first\":7}]}", GCSPLAN_EINVAL, "job 1: \"first\" is not a string" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1,\"last\":\"a\\u0000b\"}]}", GCSPLAN_EINVAL, "job 1: \"last\" holds a NUL byte" },
    /* A lone low surrogate decodes to bytes that are not UTF-8 (fuzz_plan_doc;
     * fuzz/corpus/fuzz_plan_doc/regress-lone-surrogate.json). */
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1,\"last\":\"s/\\ude00\"}]}", GCSPLAN_EINVAL, "job 1: \"last\" is not UTF-8" },
    { "{\"uri\":\"gs://b/\\udfff\",\"objects\":1,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL,
      "\"uri\" is not UTF-8" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1,\"warnings\":\"oversize\"}]}", GCSPLAN_EINVAL,
      "job 1: \"warnings\" is not an array of strings" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"objects\":1,"
      "\"bytes\":1,\"warnings\":[1]}]}", GCSPLAN_EINVAL,
      "job 1: \"warnings\" is not an array of strings" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\",\"uri\":\"a\"}]}",
      GCSPLAN_EINVAL, "job 1: \"uri\" appears twice" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[],\"store\":\"projects/p\"}",
      GCSPLAN_EINVAL, "\"store\" is not projects/P/" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[],\"content_structure\":\"bundle\"}",
      GCSPLAN_EINVAL, "\"content_structure\" is not BUNDLE" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[],\"content_structure\":\"BUNDLE\","
      "\"store\":\"projects/p/locations/l/datasets/d/dicomStores/s\"}", GCSPLAN_EINVAL,
      "\"content_structure\" is for FHIR stores" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[],\"plan_digest\":\"0000000000000000\"}",
      GCSPLAN_EINVAL, "\"plan_digest\" is not the digest of the jobs" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[]} {}", GCSPLAN_EINVAL, "not JSON" },
    { "{\"uri\":\"u\xff\",\"objects\":1,\"bytes\":1,\"jobs\":[]}", GCSPLAN_EINVAL, "not JSON" },
    { "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[],\"x\":\"\t\"}", GCSPLAN_EINVAL,
      "not JSON" },
};

/* Each malformed document: its code and a message naming the job and key,
 * whatever the chunking. */
static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        outcome whole = read_text(c->text);
        if (whole.rc != c->code || strncmp(whole.err.message, c->message, strlen(c->message))) {
            print_error("case %zu: %s\n  got %d '%s'\n", i, c->text, whole.rc,
                        whole.err.message);
            fail();
        }
        assert_null(whole.doc);
        assert_int_equal(whole.err.code, c->code);
        for (size_t chunk = 1; chunk <= 7; chunk++) {
            outcome o = read_chunked(c->text, strlen(c->text), chunk, NULL);
            assert_int_equal(o.rc, whole.rc);
            assert_string_equal(o.err.message, whole.err.message);
            assert_int_equal(o.err.offset, whole.err.offset);
        }
    }
}

/* A syntax error right after a number or literal that a chunk boundary
 * cut: yajl places the error a byte later when the token was split, so the
 * reader holds such a token back until it ends (found by fuzz_plan_doc;
 * fuzz/corpus/fuzz_plan_doc/regress-split-number.json). */
static void test_syntax_error_any_chunking(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"uri\":\"studies/20\"0/odd\"}",
        "{\"uri\":\"u\",\"objects\":10/}",
        "{\"uri\":\"u\",\"objects\":12x}",
        "{\"uri\":\"u\",\"x\":tru}",
        "{\"uri\":\"u\",\"x\":truex}",
        "{\"uri\":\"u\",\"x\":nullnull}",
        "{\"uri\":\"u\",\"x\":-}",
        "{\"uri\":\"u\",\"x\":1.5e}",
        "{\"uri\":\"u\",\"x\":\"a\\q\"}",
        "{\"uri\":\"u\",\"x\":\"a\"\"b\"}",
        "{\"uri\":\"u\",\"x\":123",
        "[1,2,3]x",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        outcome whole = read_text(docs[i]);
        assert_int_equal(whole.rc, GCSPLAN_EINVAL);
        for (size_t chunk = 1; chunk <= 9; chunk++) {
            outcome o = read_chunked(docs[i], strlen(docs[i]), chunk, NULL);
            if (o.rc != whole.rc || o.err.offset != whole.err.offset ||
                strcmp(o.err.message, whole.err.message) != 0) {
                print_error("%s in chunks of %zu: '%s', whole '%s'\n", docs[i], chunk,
                            o.err.message, whole.err.message);
                fail();
            }
        }
    }
}

static char *repeat(const char *head, char c, size_t n, const char *tail)
{
    size_t hl = strlen(head), tl = strlen(tail);
    char *s = malloc(hl + n + tl + 1);
    memcpy(s, head, hl);
    memset(s + hl, c, n);
    memcpy(s + hl + n, tail, tl + 1);
    return s;
}

/* 400,000 nested arrays (which crashed yajl's tree in the old reader) end
 * cleanly at the depth bound, at the top and under a skipped key. */
static void test_deep_nesting(void **state)
{
    (void)state;
    const size_t n = 400000;
    char *deep = repeat("", '[', n, "");
    outcome o = read_chunked(deep, n, 4096, NULL);
    assert_int_equal(o.rc, GCSPLAN_EINVAL); /* the root must be an object */
    free(deep);
    deep = repeat("{\"skipped\":", '[', n, "");
    o = read_chunked(deep, strlen(deep), 4096, NULL);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_non_null(strstr(o.err.message, "nested deeper than 32 levels"));
    free(deep);
    /* 32 levels are fine. */
    char doc[512] = "{\"uri\":\"u\",\"objects\":0,\"bytes\":0,\"jobs\":[],\"x\":";
    for (int i = 0; i < 31; i++)
        strcat(doc, "[");
    for (int i = 0; i < 31; i++)
        strcat(doc, "]");
    strcat(doc, "}");
    o = read_text(doc);
    assert_int_equal(o.rc, 0);
    gcsplan_plan_doc_free(o.doc);
    strcpy(doc, "{\"uri\":\"u\",\"objects\":0,\"bytes\":0,\"jobs\":[],\"x\":");
    for (int i = 0; i < 32; i++)
        strcat(doc, "[");
    for (int i = 0; i < 32; i++)
        strcat(doc, "]");
    strcat(doc, "}");
    o = read_text(doc);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
}

static void test_bounds(void **state)
{
    (void)state;
    /* A string longer than the token bound, under a key that is skipped. */
    char *s = repeat("{\"preflight\":\"", 'x', GCSPLAN_PLAN_TOKEN_MAX + 1, "\"}");
    outcome o = read_chunked(s, strlen(s), 1000, NULL);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_non_null(strstr(o.err.message, "longer than 65536 bytes"));
    free(s);
    /* A number too. */
    s = repeat("{\"x\":", '1', GCSPLAN_PLAN_TOKEN_MAX + 1, "}");
    o = read_text(s);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    free(s);
    /* ... but a syntax error before it is reported first. */
    s = repeat("{\"x\" 1, \"y\":\"", 'x', GCSPLAN_PLAN_TOKEN_MAX + 1, "\"}");
    o = read_text(s);
    assert_int_equal(o.rc, GCSPLAN_EINVAL);
    free(s);
    /* URIs and names. */
    char *uri = repeat("gs://b/", 'a', GCSPLAN_URI_MAX, "");
    char doc[8192];
    snprintf(doc, sizeof doc, "{\"uri\":\"%s\",\"objects\":1,\"bytes\":1,\"jobs\":[]}", uri);
    o = read_text(doc);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_non_null(strstr(o.err.message, "\"uri\" is longer than"));
    snprintf(doc, sizeof doc, "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"%s\","
             "\"objects\":1,\"bytes\":1}]}", uri);
    o = read_text(doc);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_non_null(strstr(o.err.message, "job 1: \"uri\" is longer than"));
    free(uri);
    char *name = repeat("", 'n', GCSPLAN_NAME_MAX + 1, "");
    snprintf(doc, sizeof doc, "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\","
             "\"objects\":1,\"bytes\":1,\"first\":\"%s\"}]}", name);
    o = read_text(doc);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_non_null(strstr(o.err.message, "job 1: \"first\" is longer than 1024 bytes"));
    name[GCSPLAN_NAME_MAX] = '\0';
    snprintf(doc, sizeof doc, "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\","
             "\"objects\":1,\"bytes\":1,\"first\":\"%s\"}]}", name);
    o = read_text(doc);
    assert_int_equal(o.rc, 0);
    gcsplan_plan_doc_free(o.doc);
    free(name);
    /* The number of jobs and the size of the document, from the options. */
    const char *three = "{\"uri\":\"u\",\"objects\":1,\"bytes\":1,\"jobs\":[{\"uri\":\"a\","
                        "\"objects\":1,\"bytes\":1},{\"uri\":\"b\",\"objects\":1,\"bytes\":1},"
                        "{\"uri\":\"c\",\"objects\":1,\"bytes\":1}]}";
    gcsplan_plan_read_options opts = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    opts.max_jobs = 2;
    o = read_chunked(three, strlen(three), 0, &opts);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_string_equal(o.err.message, "job 3: more than 2 jobs");
    opts.max_jobs = 3;
    o = read_chunked(three, strlen(three), 0, &opts);
    assert_int_equal(o.rc, 0);
    gcsplan_plan_doc_free(o.doc);
    opts.max_document = strlen(three) - 1;
    o = read_chunked(three, strlen(three), 5, &opts);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_non_null(strstr(o.err.message, "larger than"));
    /* Sizes up to 2^64-1. */
    o = read_text("{\"uri\":\"u\",\"objects\":1,\"bytes\":18446744073709551615,\"jobs\":[{\"uri\":"
                  "\"a\",\"objects\":1,\"bytes\":9223372036854775808}]}");
    assert_int_equal(o.rc, 0);
    assert_true(gcsplan_plan_doc_head(o.doc)->bytes == UINT64_MAX);
    assert_true(gcsplan_plan_doc_job(o.doc, 0)->bytes == (uint64_t)1 << 63);
    gcsplan_plan_doc_free(o.doc);
    /* A bad options version. */
    gcsplan_plan_reader *r;
    gcsplan_error err;
    opts.version = 99;
    assert_int_equal(gcsplan_plan_reader_new(&r, &opts, &err), GCSPLAN_EINVAL);
}

static void test_read_file(void **state)
{
    (void)state;
    gcsplan_plan_doc *d = (gcsplan_plan_doc *)1;
    gcsplan_error err;
    assert_int_equal(gcsplan_plan_read_file(&d, "/nonexistent/plan.json", NULL, &err),
                     GCSPLAN_ESOURCE);
    assert_null(d);
    assert_string_equal(err.message, "cannot open: No such file or directory");
    const char *path = test_temp_file(full_plan, strlen(full_plan));
    assert_int_equal(gcsplan_plan_read_file(&d, path, NULL, &err), 0);
    outcome o = read_text(full_plan);
    assert_docs_equal(d, o.doc);
    gcsplan_plan_doc_free(d);
    gcsplan_plan_doc_free(o.doc);
    /* A regular file over the bound is refused before it is read. */
    gcsplan_plan_read_options opts = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    opts.max_document = 100;
    assert_int_equal(gcsplan_plan_read_file(&d, path, &opts, &err), GCSPLAN_ELIMIT);
    assert_null(d);
}

/* --- the writer ---------------------------------------------------------------------- */

typedef struct sink {
    char *text;
    size_t len;
    int fail_after; /* calls that succeed, then every call fails; -1 never */
    int calls;
} sink;

static int to_sink(const char *data, size_t len, void *payload)
{
    sink *s = payload;
    if (s->fail_after >= 0 && s->calls >= s->fail_after)
        return -1;
    s->calls++;
    s->text = realloc(s->text, s->len + len + 1);
    memcpy(s->text + s->len, data, len);
    s->len += len;
    s->text[s->len] = '\0';
    return 0;
}

/* Write every job and the head of doc again; returns the writer's rc. */
static int write_doc(const gcsplan_plan_doc *d, sink *s, unsigned flags,
                     const gcsplan_allocator *a, gcsplan_error *err)
{
    gcsplan_plan_write_options o = GCSPLAN_PLAN_WRITE_OPTIONS_INIT;
    o.flags = flags;
    o.allocator = a;
    gcsplan_plan_writer *w;
    int rc = gcsplan_plan_writer_new(&w, to_sink, s, &o, err);
    if (rc != 0)
        return rc;
    rc = gcsplan_plan_writer_begin(w, gcsplan_plan_doc_head(d), err);
    for (size_t i = 0; rc == 0 && i < gcsplan_plan_doc_job_count(d); i++)
        rc = gcsplan_plan_writer_job(w, gcsplan_plan_doc_job(d, i), err);
    if (rc == 0)
        rc = gcsplan_plan_writer_end(w, err);
    if (rc == 0)
        assert_true(gcsplan_plan_writer_digest(w) == gcsplan_plan_doc_digest(d));
    gcsplan_plan_writer_free(w);
    return rc;
}

/* What the writer writes is what `plan --json` prints, byte for byte, and
 * the reader reads it back unchanged. */
static void test_write_read_back(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        outcome o = read_text(fixtures[f]);
        assert_int_equal(o.rc, 0);
        sink s = { NULL, 0, -1, 0 };
        gcsplan_error err;
        assert_int_equal(write_doc(o.doc, &s, 0, NULL, &err), 0);
        outcome back = read_text(s.text);
        assert_int_equal(back.rc, 0);
        assert_docs_equal(o.doc, back.doc);
        if (f == 0) {
            /* The fixture without its "preflight" member is the writer's text. */
            const char *pf = strstr(full_plan, ",\"preflight\":");
            assert_int_equal(s.len, (size_t)(pf - full_plan) + 2);
            assert_memory_equal(s.text, full_plan, s.len - 2);
            assert_string_equal(s.text + s.len - 2, "}\n");
        }
        /* With the digest in it, tampering shows. */
        sink t = { NULL, 0, -1, 0 };
        assert_int_equal(write_doc(o.doc, &t, GCSPLAN_PLAN_WRITE_DIGEST, NULL, &err), 0);
        assert_non_null(strstr(t.text, ",\"plan_digest\":\""));
        outcome signed_back = read_text(t.text);
        assert_int_equal(signed_back.rc, 0);
        gcsplan_plan_doc_free(signed_back.doc);
        if (gcsplan_plan_doc_job_count(o.doc) > 0) {
            char *objects = strstr(t.text, "\"jobs\":[{");
            objects = strstr(objects, "\"objects\":") + strlen("\"objects\":");
            *objects = *objects == '9' ? '8' : (char)(*objects + 1);
            outcome tampered = read_text(t.text);
            assert_int_equal(tampered.rc, GCSPLAN_EINVAL);
            assert_non_null(strstr(tampered.err.message, "plan_digest"));
        }
        free(s.text);
        free(t.text);
        gcsplan_plan_doc_free(back.doc);
        gcsplan_plan_doc_free(o.doc);
    }
}

static void test_writer_contract(void **state)
{
    (void)state;
    sink s = { NULL, 0, -1, 0 };
    gcsplan_plan_writer *w;
    gcsplan_error err;
    gcsplan_plan_head h;
    memset(&h, 0, sizeof h);
    h.uri = "gs://b/**";
    h.uri_len = strlen(h.uri);
    h.store = "projects/p/locations/l/datasets/d/fhirStores/f";
    h.content_structure = "BUNDLE";
    gcsplan_plan_job j;
    memset(&j, 0, sizeof j);
    j.uri = "gs://b/a \"q\"**";
    j.uri_len = strlen(j.uri);
    j.objects = 1;
    j.bytes = UINT64_MAX;
    j.first = "a \"q\"\x01\xff";
    j.first_len = strlen(j.first);
    j.has = GCSPLAN_PLAN_JOB_FIRST;
    j.flags = GCSPLAN_JOB_OVERSIZE | GCSPLAN_JOB_INSEPARABLE;
    assert_int_equal(gcsplan_plan_writer_new(&w, to_sink, &s, NULL, &err), 0);
    assert_int_equal(gcsplan_plan_writer_job(w, &j, &err), GCSPLAN_EINVAL); /* before begin */
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), 0);
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_plan_writer_job(w, &j, &err), 0);
    assert_int_equal(gcsplan_plan_writer_raw(w, "preflight", "{\"a\":1}", 7, &err), 0);
    assert_int_equal(gcsplan_plan_writer_job(w, &j, &err), GCSPLAN_EINVAL); /* after raw */
    assert_int_equal(gcsplan_plan_writer_end(w, &err), 0);
    gcsplan_plan_writer_free(w);
    assert_string_equal(
        s.text,
        "{\"uri\":\"gs://b/**\",\"store\":\"projects/p/locations/l/datasets/d/fhirStores/f\","
        "\"content_structure\":\"BUNDLE\",\"objects\":0,\"bytes\":0,\"limits\":{\"max_objects\":"
        "null,\"max_bytes\":null,\"max_jobs\":null},\"excluded\":0,\"lower_bound\":0,"
        "\"prefix_cut_jobs\":0,\"jobs\":[{\"uri\":\"gs://b/a \\\"q\\\"**\",\"objects\":1,"
        "\"bytes\":18446744073709551615,\"first\":\"a \\\"q\\\"\\u0001\xef\xbf\xbd\",\"warnings\":"
        "[\"oversize\",\"inseparable\"],\"request\":{\"contentStructure\":\"BUNDLE\",\"gcsSource\":"
        "{\"uri\":\"gs://b/a \\\"q\\\"**\"}}}],\"preflight\":{\"a\":1}}\n");
    free(s.text);
    s.text = NULL;
    s.len = 0;

    /* The request body on its own: the same bytes, and snprintf's contract. */
    char body[256];
    size_t need = gcsplan_plan_request(body, sizeof body, j.uri, j.uri_len, "BUNDLE");
    assert_string_equal(body, "{\"contentStructure\":\"BUNDLE\",\"gcsSource\":{\"uri\":"
                              "\"gs://b/a \\\"q\\\"**\"}}");
    assert_int_equal(need, strlen(body));
    assert_int_equal(gcsplan_plan_request(NULL, 0, j.uri, j.uri_len, NULL),
                     strlen("{\"gcsSource\":{\"uri\":\"gs://b/a \\\"q\\\"**\"}}"));
    assert_int_equal(gcsplan_plan_request(body, 5, j.uri, j.uri_len, NULL), need - 28);
    assert_string_equal(body, "{\"gc");

    /* What the reader would refuse, the writer refuses. */
    assert_int_equal(gcsplan_plan_writer_new(&w, to_sink, &s, NULL, &err), 0);
    h.store = "projects/p/locations/l/datasets/d/dicomStores/s";
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), GCSPLAN_EINVAL);
    h.store = "projects/p";
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), GCSPLAN_EINVAL);
    h.store = NULL;
    h.content_structure = "bundle";
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), GCSPLAN_EINVAL);
    h.content_structure = NULL;
    h.uri = "gs://b/\xff**";
    h.uri_len = strlen(h.uri);
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), GCSPLAN_EINVAL);
    h.uri = "gs://b/**";
    h.uri_len = strlen(h.uri);
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), 0);
    j.first_len = GCSPLAN_NAME_MAX + 1;
    assert_int_equal(gcsplan_plan_writer_job(w, &j, &err), GCSPLAN_EINVAL);
    gcsplan_plan_writer_free(w);
    free(s.text);

    /* A callback that fails stops the writer with GCSPLAN_ESOURCE, for good. */
    sink f = { NULL, 0, 1, 0 };
    j.first_len = 1;
    assert_int_equal(gcsplan_plan_writer_new(&w, to_sink, &f, NULL, &err), 0);
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), 0);
    assert_int_equal(gcsplan_plan_writer_job(w, &j, &err), GCSPLAN_ESOURCE);
    assert_int_equal(gcsplan_plan_writer_end(w, &err), GCSPLAN_ESOURCE);
    gcsplan_plan_writer_free(w);
    free(f.text);
}

/* --- the plan digest ----------------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

/* The definition in plandoc.h, spelled out byte by byte. */
static void test_plan_digest(void **state)
{
    (void)state;
    outcome o = read_text(full_plan);
    const char bytes[] =
        "gs://example-archive/studies/2020/**.dcm\n"
        "gs://example-archive/studies/2020/M**.dcm\0" "1\0" "650000\0" "e78676e30a06cb3f\n"
        "gs://example-archive/studies/2020/o**.dcm\0" "2\0" "1270000\0" "afd40c4f81751672\n";
    uint64_t want = fnv(0xcbf29ce484222325ull, bytes, sizeof bytes - 1);
    assert_true(gcsplan_plan_doc_digest(o.doc) == want);
    gcsplan_plan_doc_free(o.doc);
    /* A job without a digest: nothing between the last NUL and the newline. */
    o = read_text(minimal_plan);
    const char min[] = "gs://b/a/**\ngs://b/a/x\0" "1\0" "5\0\n";
    assert_true(gcsplan_plan_doc_digest(o.doc) == fnv(0xcbf29ce484222325ull, min, sizeof min - 1));
    gcsplan_plan_doc_free(o.doc);
    /* Limits, names and the store do not count; the jobs' order does. */
    outcome a = read_text("{\"uri\":\"u\",\"objects\":2,\"bytes\":2,\"limits\":{\"max_objects\":1},"
                          "\"jobs\":[{\"uri\":\"a\",\"objects\":1,\"bytes\":1,\"first\":\"x\"},"
                          "{\"uri\":\"b\",\"objects\":1,\"bytes\":1}]}");
    outcome b = read_text("{\"uri\":\"u\",\"objects\":2,\"bytes\":2,\"jobs\":[{\"uri\":\"a\","
                          "\"objects\":1,\"bytes\":1},{\"uri\":\"b\",\"objects\":1,\"bytes\":1}]}");
    outcome c = read_text("{\"uri\":\"u\",\"objects\":2,\"bytes\":2,\"jobs\":[{\"uri\":\"b\","
                          "\"objects\":1,\"bytes\":1},{\"uri\":\"a\",\"objects\":1,\"bytes\":1}]}");
    assert_true(gcsplan_plan_doc_digest(a.doc) == gcsplan_plan_doc_digest(b.doc));
    assert_true(gcsplan_plan_doc_digest(a.doc) != gcsplan_plan_doc_digest(c.doc));
    gcsplan_plan_doc_free(a.doc);
    gcsplan_plan_doc_free(b.doc);
    gcsplan_plan_doc_free(c.doc);
}

/* --- the summary and the pre-flight ------------------------------------------------ */

static const unsigned read_both = GCSPLAN_PLAN_READ_SUMMARY | GCSPLAN_PLAN_READ_PREFLIGHT;

static outcome read_flags(const char *text, size_t chunk, unsigned flags)
{
    gcsplan_plan_read_options o = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    o.flags = flags;
    return read_chunked(text, strlen(text), chunk, &o);
}

/* A pre-flight as a person might have written it: spaces, every kind of
 * value, a key of its own called "summary", escapes. */
static const char preflight_in[] =
    "{ \"uri\" : \"gs://bkt/**\", \"summary\": {\"error\": 0, \"warning\": 1},\n"
    "  \"findings\": [ {\"code\": \"zero-byte\", \"hint\": null, \"ok\": true, \"no\": false,\n"
    "  \"x\": -1.5e3, \"kinds\": [], \"examples\": [{\"name\": \"b/\\u00e9\\n\\\"q\\\"\", "
    "\"size\": 0}]} ] }";
/* The same, written again compactly. */
static const char preflight_out[] =
    "{\"uri\":\"gs://bkt/**\",\"summary\":{\"error\":0,\"warning\":1},\"findings\":[{\"code\":"
    "\"zero-byte\",\"hint\":null,\"ok\":true,\"no\":false,\"x\":-1.5e3,\"kinds\":[],\"examples\":"
    "[{\"name\":\"b/\xc3\xa9\\n\\\"q\\\"\",\"size\":0}]}]}";

/* A plan of five objects (docs/report.md's example) made the way `gcsplan
 * plan --json` makes it: planner, checker telling each object's job, the
 * summary fed on that pass, then the writer with the pre-flight and the
 * summary. *summary_json is the summary's own text. */
static char *summary_plan(char **summary_json)
{
    static const char *const names[] = { "a/x.dcm", "a/y.dcm", "b/", "b/z.dcm", "c" };
    static const uint64_t sizes[] = { 10, 20, 0, 30, 5 };
    gcsplan_error err;
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/**", 11, NULL, &err), 0);
    gcsplan_plan_options po = GCSPLAN_PLAN_OPTIONS_INIT;
    po.max_objects = 2;
    gcsplan_planner *pl;
    assert_int_equal(gcsplan_planner_new(&pl, p, &po, &err), 0);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(gcsplan_planner_add(pl, names[i], strlen(names[i]), sizes[i], 0, &err),
                         0);
    assert_int_equal(gcsplan_planner_finish(pl, &err), 0);
    gcsplan_plan_check *c;
    gcsplan_summary *sum;
    assert_int_equal(gcsplan_plan_check_new(&c, pl, &err), 0);
    assert_int_equal(gcsplan_summary_new(&sum, NULL, &err), 0);
    for (size_t i = 0; i < 5; i++) {
        size_t job;
        assert_int_equal(gcsplan_plan_check_add_ext(c, names[i], strlen(names[i]), sizes[i], 0, 0,
                                                    &job, &err), 0);
        assert_int_equal(gcsplan_summary_add(sum, names[i], strlen(names[i]), sizes[i], job,
                                             &err), 0);
    }
    assert_int_equal(gcsplan_plan_check_finish(c, &err), 0);
    assert_int_equal(gcsplan_summary_finish(sum, &err), 0);
    gcsplan_plan_check_free(c);

    sink s = { NULL, 0, -1, 0 };
    gcsplan_plan_writer *w;
    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    gcsplan_plan_head h;
    memset(&h, 0, sizeof h);
    h.uri = "gs://bkt/**";
    h.uri_len = 11;
    h.objects = st.objects;
    h.bytes = st.bytes;
    h.max_objects = 2;
    assert_int_equal(gcsplan_plan_writer_new(&w, to_sink, &s, NULL, &err), 0);
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), 0);
    for (size_t i = 0; i < gcsplan_planner_job_count(pl); i++) {
        gcsplan_plan_job j;
        gcsplan_plan_job_from(&j, gcsplan_planner_job(pl, i));
        assert_int_equal(gcsplan_plan_writer_job(w, &j, &err), 0);
    }
    assert_int_equal(gcsplan_plan_writer_raw(w, "preflight", preflight_in, strlen(preflight_in),
                                             &err), 0);
    assert_int_equal(gcsplan_plan_writer_summary(w, sum, &err), 0);
    assert_int_equal(gcsplan_plan_writer_end(w, &err), 0);
    gcsplan_plan_writer_free(w);

    sink j = { NULL, 0, -1, 0 };
    assert_int_equal(gcsplan_summary_write_json(sum, to_sink, &j, &err), 0);
    *summary_json = j.text;
    gcsplan_summary_free(sum);
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(p);
    return s.text;
}

/* The summary, read from the plan in any chunking, is the one written; the
 * pre-flight comes back as compact JSON; without the flags both are
 * skipped, and the rest of the document is the same either way. */
static void test_summary_read(void **state)
{
    (void)state;
    char *sj;
    char *text = summary_plan(&sj);
    /* The summary is the document's last member, after the pre-flight. */
    const char *at = strstr(text, ",\"summary\":{\"version\":1,");
    assert_non_null(at);
    assert_memory_equal(at + strlen(",\"summary\":"), sj, strlen(sj));
    assert_string_equal(at + strlen(",\"summary\":") + strlen(sj), "}\n");
    assert_true(strstr(text, ",\"preflight\":{ \"uri\"") < at);

    outcome plain = read_text(text);
    assert_int_equal(plain.rc, 0);
    assert_null(gcsplan_plan_doc_summary(plain.doc));
    size_t len = 99;
    assert_null(gcsplan_plan_doc_preflight(plain.doc, &len));
    assert_int_equal(len, 0);
    for (size_t chunk = 0; chunk <= 31; chunk++) {
        outcome o = read_flags(text, chunk, read_both);
        assert_int_equal(o.rc, 0);
        assert_docs_equal(plain.doc, o.doc);
        const gcsplan_summary *sum = gcsplan_plan_doc_summary(o.doc);
        assert_non_null(sum);
        sink back = { NULL, 0, -1, 0 };
        gcsplan_error err;
        assert_int_equal(gcsplan_summary_write_json(sum, to_sink, &back, &err), 0);
        assert_string_equal(back.text, sj);
        free(back.text);
        const char *pf = gcsplan_plan_doc_preflight(o.doc, &len);
        assert_string_equal(pf, preflight_out);
        assert_int_equal(len, strlen(preflight_out));
        gcsplan_plan_doc_free(o.doc);
    }
    /* One flag without the other. */
    outcome o = read_flags(text, 0, GCSPLAN_PLAN_READ_SUMMARY);
    assert_non_null(gcsplan_plan_doc_summary(o.doc));
    assert_null(gcsplan_plan_doc_preflight(o.doc, NULL));
    gcsplan_plan_doc_free(o.doc);
    o = read_flags(text, 0, GCSPLAN_PLAN_READ_PREFLIGHT);
    assert_null(gcsplan_plan_doc_summary(o.doc));
    assert_string_equal(gcsplan_plan_doc_preflight(o.doc, NULL), preflight_out);
    gcsplan_plan_doc_free(o.doc);
    /* A plan without either reads with the flags too. */
    o = read_flags(full_plan, 0, GCSPLAN_PLAN_READ_SUMMARY);
    assert_int_equal(o.rc, 0);
    assert_null(gcsplan_plan_doc_summary(o.doc));
    gcsplan_plan_doc_free(o.doc);
    o = read_flags(minimal_plan, 0, read_both);
    assert_int_equal(o.rc, 0);
    assert_null(gcsplan_plan_doc_summary(o.doc));
    assert_null(gcsplan_plan_doc_preflight(o.doc, NULL));
    gcsplan_plan_doc_free(o.doc);
    gcsplan_plan_doc_free(plain.doc);
    free(text);
    free(sj);
}

#define ONE_JOB "{\"uri\":\"gs://b/**\",\"objects\":1,\"bytes\":5,\"jobs\":[{\"uri\":\"gs://b/x\"," \
                "\"objects\":1,\"bytes\":5}],"
#define SUMMARY_HEAD "{\"version\":1,\"max_nodes\":16,\"objects\":1,\"bytes\":5,\"jobs\":1,"
#define ONE_NODE "\"histogram\":[[3,1,5]],\"nodes\":[{\"kind\":\"folder\",\"name\":\"\"," \
                 "\"objects\":1,\"bytes\":5,\"jobs\":[0,0],\"children\":1},{\"kind\":\"object\"," \
                 "\"name\":\"x\",\"objects\":1,\"bytes\":5,\"jobs\":[0,0]}]}"

static const bad_case summary_cases[] = {
    { ONE_JOB "\"summary\":5}", GCSPLAN_EINVAL, "\"summary\" is not an object" },
    { ONE_JOB "\"summary\":null}", GCSPLAN_EINVAL, "\"summary\" is not an object" },
    { ONE_JOB "\"preflight\":[]}", GCSPLAN_EINVAL, "\"preflight\" is not an object" },
    { ONE_JOB "\"summary\":{\"version\":2}}", GCSPLAN_EINVAL,
      "\"summary\": unsupported summary version" },
    { ONE_JOB "\"summary\":{}}", GCSPLAN_EINVAL,
      "\"summary\": version, max_nodes, objects, bytes and jobs are required" },
    /* The root says two objects, its one child is one. */
    { ONE_JOB "\"summary\":{\"version\":1,\"max_nodes\":16,\"objects\":2,\"bytes\":5,\"jobs\":1,"
      "\"nodes\":[{\"kind\":\"folder\",\"name\":\"\",\"objects\":2,\"bytes\":5,\"jobs\":[0,0],"
      "\"children\":1},{\"kind\":\"object\",\"name\":\"x\",\"objects\":1,\"bytes\":5,"
      "\"jobs\":[0,0]}]}}", GCSPLAN_EINVAL,
      "\"summary\": a folder's objects, bytes or jobs are not its children's" },
    /* A valid summary of another plan. */
    { "{\"uri\":\"gs://b/**\",\"objects\":1,\"bytes\":6,\"jobs\":[{\"uri\":\"gs://b/x\","
      "\"objects\":1,\"bytes\":6}],\"summary\":" SUMMARY_HEAD ONE_NODE "}", GCSPLAN_EINVAL,
      "\"summary\" counts 1 objects of 5 bytes, the plan 1 of 6: it is not this plan's" },
    { "{\"uri\":\"gs://b/**\",\"objects\":1,\"bytes\":5,\"jobs\":[],\"summary\":" SUMMARY_HEAD
      ONE_NODE "}", GCSPLAN_EINVAL, "\"summary\" names job 1, the plan has 0" },
    { ONE_JOB "\"summary\":" SUMMARY_HEAD ONE_NODE ",\"summary\":" SUMMARY_HEAD ONE_NODE "}",
      GCSPLAN_EINVAL, "\"summary\" appears twice" },
    { ONE_JOB "\"summary\":{\"future\":[[[[[[[[1]]]]]]]]}}", GCSPLAN_ELIMIT,
      "\"summary\": nested deeper than 8 levels" },
    { ONE_JOB "\"summary\":" SUMMARY_HEAD "\"nodes\":[{\"kind\":\"folder\",\"name\":\"\","
      "\"objects\":1,\"bytes\":5,\"jobs\":[0,0],\"children\":1},{\"kind\":\"leaf\"}]}}",
      GCSPLAN_EINVAL, "\"summary\": unknown node kind" },
};

/* Each broken summary or pre-flight: its code and message, whatever the
 * chunking; and without the flags the same documents read, the members
 * skipped. */
static void test_summary_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof summary_cases / sizeof summary_cases[0]; i++) {
        const bad_case *c = &summary_cases[i];
        outcome whole = read_flags(c->text, 0, read_both);
        if (whole.rc != c->code || strncmp(whole.err.message, c->message, strlen(c->message))) {
            print_error("case %zu: %s\n  got %d '%s'\n", i, c->text, whole.rc,
                        whole.err.message);
            fail();
        }
        assert_null(whole.doc);
        for (size_t chunk = 1; chunk <= 7; chunk++) {
            outcome o = read_flags(c->text, chunk, read_both);
            assert_int_equal(o.rc, whole.rc);
            assert_string_equal(o.err.message, whole.err.message);
            assert_int_equal(o.err.offset, whole.err.offset);
        }
        /* "appears twice" is about the document, not the summary. */
        if (strstr(c->message, "twice") != NULL)
            continue;
        outcome plain = read_text(c->text);
        assert_int_equal(plain.rc, 0);
        gcsplan_plan_doc_free(plain.doc);
    }
    /* The valid one-node summary reads. */
    outcome o = read_flags(ONE_JOB "\"summary\":" SUMMARY_HEAD ONE_NODE "}", 3, read_both);
    assert_int_equal(o.rc, 0);
    assert_int_equal(gcsplan_summary_node_count(gcsplan_plan_doc_summary(o.doc)), 2);
    gcsplan_plan_doc_free(o.doc);
}

/* The kept pre-flight is bounded: past GCSPLAN_PLAN_PREFLIGHT_MAX of text
 * the reader stops, whatever the document's own bound. */
static void test_preflight_bound(void **state)
{
    (void)state;
    size_t strings = GCSPLAN_PLAN_PREFLIGHT_MAX / 60000 + 2;
    size_t cap = strings * 60010 + 200, len = 0;
    char *big = malloc(cap);
    len += (size_t)snprintf(big, cap, ONE_JOB "\"preflight\":{\"findings\":[");
    for (size_t i = 0; i < strings; i++) {
        len += (size_t)snprintf(big + len, cap - len, "%s\"", i ? "," : "");
        memset(big + len, 'a', 60000);
        len += 60000;
        big[len++] = '"';
    }
    len += (size_t)snprintf(big + len, cap - len, "]}}");
    outcome o = read_chunked(big, len, 65536, NULL);
    assert_int_equal(o.rc, 0); /* skipped without the flag */
    gcsplan_plan_doc_free(o.doc);
    gcsplan_plan_read_options opts = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    opts.flags = GCSPLAN_PLAN_READ_PREFLIGHT;
    o = read_chunked(big, len, 65536, &opts);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT);
    assert_non_null(strstr(o.err.message, "\"preflight\" is larger than 16777216 bytes"));
    free(big);
}

/* Options of version 1 (without flags) are still read, from a struct of
 * their own size; other versions and unknown flags are refused. */
static void test_read_options_versions(void **state)
{
    (void)state;
    gcsplan_plan_read_options v2 = GCSPLAN_PLAN_READ_OPTIONS_INIT;
    v2.version = 1;
    v2.max_jobs = 1;
    size_t v1_size = offsetof(gcsplan_plan_read_options, flags);
    gcsplan_plan_read_options *v1 = malloc(v1_size);
    memcpy(v1, &v2, v1_size);
    outcome o = read_chunked(full_plan, strlen(full_plan), 0, v1);
    assert_int_equal(o.rc, GCSPLAN_ELIMIT); /* its max_jobs counted */
    free(v1);
    gcsplan_plan_reader *r;
    gcsplan_error err;
    v2.version = 3;
    assert_int_equal(gcsplan_plan_reader_new(&r, &v2, &err), GCSPLAN_EINVAL);
    v2.version = GCSPLAN_PLAN_READ_OPTIONS_VERSION;
    v2.flags = 0x4;
    assert_int_equal(gcsplan_plan_reader_new(&r, &v2, &err), GCSPLAN_EINVAL);
    assert_string_equal(err.message, "unknown flags 0x4");
}

/* gcsplan_plan_writer_summary: only a finished summary, only after the
 * head; a stopped output stops it. */
static void test_writer_summary_contract(void **state)
{
    (void)state;
    gcsplan_error err;
    gcsplan_summary *sum;
    assert_int_equal(gcsplan_summary_new(&sum, NULL, &err), 0);
    assert_int_equal(gcsplan_summary_add(sum, "x", 1, 5, 0, &err), 0);
    gcsplan_plan_head h;
    memset(&h, 0, sizeof h);
    h.uri = "gs://b/**";
    h.uri_len = 9;
    sink s = { NULL, 0, -1, 0 };
    gcsplan_plan_writer *w;
    assert_int_equal(gcsplan_plan_writer_new(&w, to_sink, &s, NULL, &err), 0);
    assert_int_equal(gcsplan_plan_writer_summary(w, sum, &err), GCSPLAN_EINVAL); /* no head */
    gcsplan_plan_writer_free(w);
    assert_int_equal(gcsplan_plan_writer_new(&w, to_sink, &s, NULL, &err), 0);
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), 0);
    assert_int_equal(gcsplan_plan_writer_summary(w, NULL, &err), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_plan_writer_summary(w, sum, &err), GCSPLAN_EINVAL); /* unfinished */
    assert_int_equal(gcsplan_summary_finish(sum, &err), 0);
    assert_int_equal(gcsplan_plan_writer_summary(w, sum, &err), 0);
    assert_int_equal(gcsplan_plan_writer_end(w, &err), 0);
    assert_int_equal(gcsplan_plan_writer_summary(w, sum, &err), GCSPLAN_EINVAL); /* ended */
    gcsplan_plan_writer_free(w);
    assert_non_null(strstr(s.text, "\"jobs\":[],\"summary\":{\"version\":1,"));
    free(s.text);
    /* An output that stops during the summary. */
    sink stop = { NULL, 0, 2, 0 };
    assert_int_equal(gcsplan_plan_writer_new(&w, to_sink, &stop, NULL, &err), 0);
    assert_int_equal(gcsplan_plan_writer_begin(w, &h, &err), 0);
    assert_int_equal(gcsplan_plan_writer_summary(w, sum, &err), GCSPLAN_ESOURCE);
    assert_int_equal(gcsplan_plan_writer_end(w, &err), GCSPLAN_ESOURCE); /* stays failed */
    gcsplan_plan_writer_free(w);
    free(stop.text);
    gcsplan_summary_free(sum);
}

/* --- allocation failure -------------------------------------------------------------- */

/* Fail the Nth allocation for every N: GCSPLAN_ENOMEM, no document, no leak. */
static void test_every_allocation(void **state)
{
    (void)state;
    /* Enough jobs that the jobs array and the string blocks both grow. */
    size_t cap = 200000, len = 0;
    char *big = malloc(cap);
    len += (size_t)snprintf(big, cap, "{\"uri\":\"gs://b/**\",\"objects\":1,\"bytes\":1,\"jobs\":[");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(big + len, cap - len,
                                "%s{\"uri\":\"gs://b/%03d/%0200d**\",\"objects\":1,\"bytes\":1}",
                                i ? "," : "", i, i);
    len += (size_t)snprintf(big + len, cap - len, "]}");
    char *sj;
    char *with_summary = summary_plan(&sj);
    free(sj);
    const char *docs[] = { full_plan, fhir_plan, big, with_summary };
    for (size_t f = 0; f < 4; f++) {
        for (long n = 0;; n++) {
            test_alloc b;
            test_alloc_init(&b, n);
            gcsplan_plan_read_options o = GCSPLAN_PLAN_READ_OPTIONS_INIT;
            o.allocator = &b.hooks;
            /* The summary and the pre-flight are read through it too. */
            o.flags = f == 3 ? read_both : 0;
            outcome r = read_chunked(docs[f], strlen(docs[f]), 4096, &o);
            if (r.rc == 0) {
                /* The writer, with the same allocator failing in turn. */
                for (long m = 0;; m++) {
                    test_alloc wb;
                    test_alloc_init(&wb, m);
                    sink s = { NULL, 0, -1, 0 };
                    gcsplan_error err;
                    int rc = write_doc(r.doc, &s, 0, &wb.hooks, &err);
                    free(s.text);
                    assert_int_equal(wb.live, 0);
                    if (rc == 0)
                        break;
                    assert_int_equal(rc, GCSPLAN_ENOMEM);
                }
                gcsplan_plan_doc_free(r.doc);
                assert_int_equal(b.live, 0);
                break;
            }
            assert_int_equal(r.rc, GCSPLAN_ENOMEM);
            assert_int_equal(r.err.code, GCSPLAN_ENOMEM);
            assert_null(r.doc);
            assert_int_equal(b.live, 0);
        }
    }
    free(big);
    free(with_summary);
}

/* --- stores -------------------------------------------------------------------------- */

static void test_stores(void **state)
{
    (void)state;
    gcsplan_store st;
    gcsplan_error err;
    const char *d = "projects/my-proj/locations/us-central1/datasets/ds_1.a/dicomStores/s-1";
    assert_int_equal(gcsplan_store_parse(&st, d, strlen(d), &err), 0);
    assert_int_equal(st.kind, GCSPLAN_STORE_DICOM);
    assert_int_equal(st.project_len, 7);
    assert_memory_equal(st.project, "my-proj", 7);
    assert_memory_equal(st.location, "us-central1", st.location_len);
    assert_memory_equal(st.dataset, "ds_1.a", st.dataset_len);
    assert_memory_equal(st.id, "s-1", st.id_len);
    const char *f = "projects/p/locations/l/datasets/d/fhirStores/f";
    assert_int_equal(gcsplan_store_parse(&st, f, strlen(f), &err), 0);
    assert_int_equal(st.kind, GCSPLAN_STORE_FHIR);
    assert_memory_equal(st.id, "f", st.id_len);
    static const char *const bad[] = {
        "", "projects/p", "projects/p/locations/l/datasets/d/dicomStores/",
        "projects/p/locations/l/datasets/d/dicomStores/s/", "projects//locations/l/datasets/d/"
        "dicomStores/s", "projects/p/locations/l/datasets/d/hl7V2Stores/s",
        "projects/p q/locations/l/datasets/d/dicomStores/s", "projects/p/locations/l/datasets/"
        "d/dicomStores/s;rm", "Projects/p/locations/l/datasets/d/dicomStores/s",
        "projects/p/locations/l/datasets/d/fhirStores/$(id)",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(gcsplan_store_parse(&st, bad[i], strlen(bad[i]), &err), GCSPLAN_EINVAL);
        assert_int_equal(err.code, GCSPLAN_EINVAL);
    }
    /* The length given counts, not a NUL: without its last byte the id is empty. */
    assert_int_equal(gcsplan_store_parse(&st, f, strlen(f) - 1, &err), GCSPLAN_EINVAL);
    assert_true(gcsplan_content_structure_valid("BUNDLE_PRETTY", 13));
    assert_true(gcsplan_content_structure_valid("RESOURCE", 8));
    assert_false(gcsplan_content_structure_valid("RESOURCE", 7));
    assert_false(gcsplan_content_structure_valid("resource", 8));
}

/* --- containment --------------------------------------------------------------------- */

static gcsplan_pattern *compile(const char *uri)
{
    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    if (gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, &err) != 0) {
        print_error("%s: %s\n", uri, err.message);
        fail();
    }
    return p;
}

typedef struct contain_case {
    const char *outer, *inner;
    int contains;
} contain_case;

static const contain_case contain_cases[] = {
    /* the planner's shapes */
    { "gs://bkt/s/**", "gs://bkt/s/a**", 1 },
    { "gs://bkt/s/**", "gs://bkt/s/**", 1 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/a/**.dcm", 1 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/a/**x.dcm", 1 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/a/x.dcm", 1 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/a/x.dc", 0 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/a/**", 0 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/a/**.dc", 0 },
    { "gs://bkt/s/a**", "gs://bkt/s/**", 0 },
    { "gs://bkt/s/**", "gs://ckt/s/a**", 0 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/S01/*.dcm", 1 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/S01/IM-1*.dcm", 1 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/S01/x.dcm", 1 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/S01/x.dc", 0 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/S01/*.dc", 0 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/S01/a/*.dcm", 0 },
    { "gs://bkt/s/*/x-?/*.dcm", "gs://bkt/s/S1/x-?/*.dcm", 1 },
    { "gs://bkt/s/*/x-?/*.dcm", "gs://bkt/s/S1/x-2/*.dcm", 1 },
    { "gs://bkt/s/*/x-?/*.dcm", "gs://bkt/s/S1/x-22/*.dcm", 0 },
    { "gs://bkt/s/*/x-?/*.dcm", "gs://bkt/s/S1/x-*/*.dcm", 0 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/*/a*b?c.dcm", 1 },
    { "gs://bkt/s/*/a*.dcm", "gs://bkt/s/*/*.dcm", 0 },
    { "gs://bkt/s/*/*.dcm", "gs://bkt/s/**", 0 },
    /* a '*'/'?' URI inside a "**" one */
    { "gs://bkt/s/**", "gs://bkt/s/*/*.dcm", 1 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/*/*.dcm", 1 },
    { "gs://bkt/s/**.dcm", "gs://bkt/s/*/*.dc?", 0 },
    { "gs://bkt/s/x**", "gs://bkt/s/*/*.dcm", 0 },
    /* literals */
    { "gs://bkt/s/x.dcm", "gs://bkt/s/x.dcm", 1 },
    { "gs://bkt/s/x.dcm", "gs://bkt/s/*.dcm", 0 },
    { "gs://bkt/s/?.dcm", "gs://bkt/s/\xc3\xa9.dcm", 1 },
    { "gs://bkt/s/??.dcm", "gs://bkt/s/\xc3\xa9.dcm", 0 },
};

static void test_contains_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof contain_cases / sizeof contain_cases[0]; i++) {
        const contain_case *c = &contain_cases[i];
        gcsplan_pattern *o = compile(c->outer), *in = compile(c->inner);
        if ((gcsplan_pattern_contains(o, in) != 0) != c->contains) {
            print_error("%s contains %s: expected %d\n", c->outer, c->inner, c->contains);
            fail();
        }
        gcsplan_pattern_free(o);
        gcsplan_pattern_free(in);
    }
    assert_int_equal(gcsplan_pattern_contains(NULL, NULL), 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A random object part from a small alphabet, so that names collide often. */
static void random_text(char *out, size_t cap, const char *const *pieces, size_t npieces,
                        size_t max_pieces)
{
    out[0] = '\0';
    size_t k = 1 + next_rand() % max_pieces;
    for (size_t i = 0; i < k && strlen(out) + 8 < cap; i++)
        strcat(out, pieces[next_rand() % npieces]);
}

/* Soundness: whenever containment is claimed, every random name the inner
 * URI matches is matched by the outer one. */
static void test_contains_sound(void **state)
{
    (void)state;
    static const char *const glob[] = { "a", "b", "/", ".d", "*", "?", "**", "\xc3\xa9" };
    static const char *const name[] = { "a", "b", "/", ".d", "\xc3\xa9", "ab" };
    size_t claimed = 0;
    for (int round = 0; round < 20000; round++) {
        char ot[64] = "gs://bkt/", it[64] = "gs://bkt/", txt[32];
        random_text(txt, sizeof txt, glob, 8, 4);
        strcat(ot, txt);
        random_text(txt, sizeof txt, glob, 8, 5);
        strcat(it, txt);
        gcsplan_pattern *o = NULL, *in = NULL;
        if (gcsplan_pattern_compile(&o, ot, strlen(ot), NULL, NULL) != 0 ||
            gcsplan_pattern_compile(&in, it, strlen(it), NULL, NULL) != 0 ||
            !gcsplan_pattern_contains(o, in)) {
            gcsplan_pattern_free(o);
            gcsplan_pattern_free(in);
            continue;
        }
        claimed++;
        for (int k = 0; k < 400; k++) {
            char n[64];
            random_text(n, sizeof n, name, 6, 7);
            if (gcsplan_pattern_match(in, n, strlen(n)) && !gcsplan_pattern_match(o, n, strlen(n))) {
                print_error("%s contains %s, but '%s' escapes\n", ot, it, n);
                fail();
            }
        }
        gcsplan_pattern_free(o);
        gcsplan_pattern_free(in);
    }
    assert_true(claimed > 500);
}

/* Completeness for the planner's jobs: every job of a plan is contained in
 * the plan's URI. */
static void test_contains_planner_jobs(void **state)
{
    (void)state;
    static const char *const uris[] = { "gs://bkt/d/**", "gs://bkt/d/**.dcm",
                                        "gs://bkt/d/*/*.dcm", "gs://bkt/d/*/x?/*" };
    static const char *const pieces[] = { "a", "b", "/", "x1", "x2", ".dcm", "\xc3\xa9" };
    for (int round = 0; round < 400; round++) {
        const char *uri = uris[round % 4];
        gcsplan_pattern *p = compile(uri);
        char names[40][64];
        size_t n = 0;
        for (int i = 0; i < 40; i++) {
            char t[56];
            random_text(t, sizeof t, pieces, 7, 6);
            snprintf(names[n], sizeof names[n], "d/%s", t);
            if (gcsplan_pattern_match(p, names[n], strlen(names[n])))
                n++;
        }
        qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
        gcsplan_plan_options o = GCSPLAN_PLAN_OPTIONS_INIT;
        o.max_objects = 1 + next_rand() % 3;
        gcsplan_planner *pl;
        gcsplan_error err;
        assert_int_equal(gcsplan_planner_new(&pl, p, &o, &err), 0);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
                assert_int_equal(gcsplan_planner_add(pl, names[i], strlen(names[i]), 1, 0, &err), 0);
        assert_int_equal(gcsplan_planner_finish(pl, &err), 0);
        for (size_t i = 0; i < gcsplan_planner_job_count(pl); i++) {
            const gcsplan_job *j = gcsplan_planner_job(pl, i);
            gcsplan_pattern *jp = compile(j->uri);
            if (!gcsplan_pattern_contains(p, jp)) {
                print_error("the job %s of %s is not proved inside it\n", j->uri, uri);
                fail();
            }
            gcsplan_pattern_free(jp);
        }
        gcsplan_planner_free(pl);
        gcsplan_pattern_free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_plan),
        cmocka_unit_test(test_minimal_and_unknown),
        cmocka_unit_test(test_any_chunking),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_syntax_error_any_chunking),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_write_read_back),
        cmocka_unit_test(test_writer_contract),
        cmocka_unit_test(test_plan_digest),
        cmocka_unit_test(test_summary_read),
        cmocka_unit_test(test_summary_errors),
        cmocka_unit_test(test_preflight_bound),
        cmocka_unit_test(test_read_options_versions),
        cmocka_unit_test(test_writer_summary_contract),
        cmocka_unit_test(test_every_allocation),
        cmocka_unit_test(test_stores),
        cmocka_unit_test(test_contains_table),
        cmocka_unit_test(test_contains_sound),
        cmocka_unit_test(test_contains_planner_jobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
