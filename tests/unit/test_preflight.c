/* Pre-flight findings over listing files (tests/data/preflight): every
 * finding provoked by a fixture built for it, with its count and hint, and
 * none at all on a clean archive. One table row per case: the set of codes
 * found must be exactly the row's. Also: examples bounded and in byte order,
 * the candidates API without a source, rendering, and allocation failures. */
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

#define CODES_MAX 8

typedef struct expect {
    int code;
    uint64_t count;
    const char *hint; /* NULL: no hint expected; "" : any hint */
} expect;

typedef struct row {
    const char *fixture;
    const char *uri;
    uint64_t max_size;
    const char *exclude;
    expect want[CODES_MAX];
} row;

#define E(c, n, h) { GCSPLAN_FINDING_##c, n, h }

static const row rows[] = {
    /* a clean archive: nothing, with a broad and with a narrow pattern */
    { "clean.jsonl", "gs://bkt/studies/**", 0, NULL, { { 0, 0, NULL } } },
    { "clean.jsonl", "gs://bkt/studies/*/series-1/*.dcm", 0, NULL, { { 0, 0, NULL } } },
    { "clean.jsonl", "gs://bkt/studies/S1/series-1/IM-0001.dcm", 0, NULL, { { 0, 0, NULL } } },
    /* suspicious matches */
    { "suspicious.jsonl", "gs://bkt/studies/**", 2ull << 30, NULL,
      { E(ZERO_BYTE, 1, NULL), E(FOLDER_PLACEHOLDER, 2, NULL), E(OVER_SIZE, 1, NULL),
        E(WILDCARD_NAME, 1, NULL), E(SPACE_EDGE, 3, NULL), E(CONTROL_CHAR, 2, NULL),
        E(NON_DICOM_NAME, 5, NULL), { 0, 0, NULL } } },
    /* a pinned extension: no non-DICOM names, no placeholders; no size limit set */
    { "suspicious.jsonl", "gs://bkt/studies/**.dcm", 0, NULL,
      { E(ZERO_BYTE, 1, NULL), E(WILDCARD_NAME, 1, NULL), E(SPACE_EDGE, 2, NULL),
        E(CONTROL_CHAR, 2, NULL), { 0, 0, NULL } } },
    /* nothing matched, and why */
    { "nearmiss.jsonl", "gs://bkt/scans/A/*.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(CASE_MISMATCH, 3, "gs://bkt/scans/A/*.DCM"),
        { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/Scans/A/IM-0001.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(CASE_MISMATCH, 1, "gs://bkt/scans/A/IM-0001.DCM"),
        { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/scans/**.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(CASE_MISMATCH, 3, "gs://bkt/scans/**.DCM"),
        { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/patients/M\xC3\xBCller/*.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL),
        E(NORMALIZATION, 2, "gs://bkt/patients/Mu\xCC\x88ller/*.dcm"), { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/deep/*/*.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(STAR_CROSSES_SLASH, 3, "gs://bkt/deep/**.dcm"),
        { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/other/x/*.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(OTHER_EXTENSION, 5, "gs://bkt/other/x/*.dicom"),
        { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/other/**.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(OTHER_EXTENSION, 5, "gs://bkt/other/**.dicom"),
        { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/studies/S9/*.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(EMPTY_PREFIX, 6, "gs://bkt/studies/**.dcm"),
        { 0, 0, NULL } } },
    { "nearmiss.jsonl", "gs://bkt/nothere/**.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(EMPTY_PREFIX, 19, "gs://bkt/**.dcm"), { 0, 0, NULL } } },
    { "empty.jsonl", "gs://bkt/studies/**.dcm", 0, NULL,
      { E(NOTHING_MATCHED, 0, NULL), E(EMPTY_BUCKET, 0, NULL), { 0, 0, NULL } } },
    /* everything the URI matches was excluded: said so, no near misses */
    { "clean.jsonl", "gs://bkt/studies/S1/**", 0, "studies/S1/.*",
      { E(NOTHING_MATCHED, 0, NULL), { 0, 0, NULL } } },
};

typedef struct held {
    gcsplan_pattern *p;
    gcsplan_filter *flt;
} held;

static void release(gcsplan_preflight *pf, held *h)
{
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(h->p);
    gcsplan_filter_free(h->flt);
}

static gcsplan_preflight *run(const row *r, int probe, held *h)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", test_data_path("preflight/"));
    strncat(path, r->fixture, sizeof path - strlen(path) - 1);
    gcsplan_pattern *p;
    gcsplan_error err;
    assert_int_equal(gcsplan_pattern_compile(&p, r->uri, strlen(r->uri), NULL, &err), 0);
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.source = GCSPLAN_SOURCE_LISTING;
    lo.path = path;
    gcsplan_filter *flt = NULL;
    if (r->exclude != NULL) {
        assert_int_equal(gcsplan_filter_new(&flt, NULL, &err), 0);
        assert_int_equal(gcsplan_filter_add(flt, r->exclude, strlen(r->exclude), &err), 0);
        lo.exclude = flt;
    }
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.source = &lo;
    po.max_object_size = r->max_size;
    po.probe = probe;
    gcsplan_preflight *pf;
    assert_int_equal(gcsplan_preflight_new(&pf, p, &po, &err), 0);
    gcsplan_lister *l;
    assert_int_equal(gcsplan_lister_new(&l, p, &lo, &err), 0);
    const gcsplan_object *o;
    int rc;
    while ((rc = gcsplan_lister_next(&o, l)) == 0)
        assert_int_equal(gcsplan_preflight_add(pf, o, &err), 0);
    assert_int_equal(rc, GCSPLAN_ITEROVER);
    gcsplan_lister_free(l);
    assert_int_equal(gcsplan_preflight_finish(pf, &err), 0);
    /* The pattern must outlive the pre-flight: released with it. */
    h->p = p;
    h->flt = flt;
    return pf;
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const row *r = &rows[i];
        held h;
        gcsplan_preflight *pf = run(r, 0, &h);
        size_t n = gcsplan_preflight_count(pf), want = 0;
        while (want < CODES_MAX && r->want[want].code != 0)
            want++;
        if (n != want) {
            char text[8192];
            gcsplan_preflight_render(pf, text, sizeof text, 0);
            print_error("%s %s: %zu findings, want %zu\n%s", r->fixture, r->uri, n, want, text);
            fail();
        }
        for (size_t k = 0; k < want; k++) {
            const expect *e = &r->want[k];
            const gcsplan_finding *f = NULL;
            for (size_t j = 0; j < n; j++)
                if (gcsplan_preflight_finding(pf, j)->code == e->code)
                    f = gcsplan_preflight_finding(pf, j);
            if (f == NULL) {
                print_error("%s %s: no %s\n", r->fixture, r->uri, gcsplan_finding_code_name(e->code));
                fail();
            }
            if (f->count != e->count) {
                print_error("%s %s: %s count %llu, want %llu\n", r->fixture, r->uri,
                            gcsplan_finding_code_name(e->code), (unsigned long long)f->count,
                            (unsigned long long)e->count);
                fail();
            }
            if (e->hint != NULL && e->hint[0] != '\0')
                assert_string_equal(f->hint, e->hint);
            /* every hint compiles and so is a usable URI */
            if (f->hint[0] != '\0') {
                gcsplan_pattern *hp;
                assert_int_equal(gcsplan_pattern_compile(&hp, f->hint, strlen(f->hint), NULL, NULL), 0);
                gcsplan_pattern_free(hp);
            }
            assert_true(f->example_count <= GCSPLAN_PREFLIGHT_EXAMPLES_DEFAULT);
            for (size_t x = 1; x < f->example_count; x++)
                assert_true(strcmp(f->examples[x - 1].name, f->examples[x].name) < 0);
            assert_non_null(f->message);
        }
        /* errors first, then warnings, then infos */
        for (size_t j = 1; j < n; j++)
            assert_true(gcsplan_preflight_finding(pf, j - 1)->severity >=
                        gcsplan_preflight_finding(pf, j)->severity);
        release(pf, &h);
    }
}

/* A listing file has no contents: --probe says so instead of guessing. */
static void test_probe_listing_unavailable(void **state)
{
    (void)state;
    held h;
    gcsplan_preflight *pf = run(&rows[0], 1, &h);
    assert_int_equal(gcsplan_preflight_count(pf), 1);
    const gcsplan_finding *f = gcsplan_preflight_finding(pf, 0);
    assert_int_equal(f->code, GCSPLAN_FINDING_PROBE_UNAVAILABLE);
    assert_int_equal(f->severity, GCSPLAN_SEVERITY_INFO);
    release(pf, &h);
}

/* Without a source, candidates fed by the caller drive the analysis; many
 * objects keep only the first few examples, in byte order. */
static void test_candidates_and_bounds(void **state)
{
    (void)state;
    const char *uri = "gs://bkt/a/*.dcm";
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.max_examples = 3;
    gcsplan_preflight *pf;
    assert_int_equal(gcsplan_preflight_new(&pf, p, &po, NULL), 0);
    char name[64];
    for (int i = 999; i >= 0; i--) { /* reverse order: examples still come out sorted */
        snprintf(name, sizeof name, "a/IM-%04d.DCM", i);
        gcsplan_object o = { .name = name, .name_len = strlen(name), .size = 10 };
        assert_int_equal(gcsplan_preflight_add_candidate(pf, &o, NULL), 0);
    }
    assert_int_equal(gcsplan_preflight_finish(pf, NULL), 0);
    assert_int_equal(gcsplan_preflight_worst(pf), GCSPLAN_SEVERITY_ERROR);
    const gcsplan_finding *f = gcsplan_preflight_finding(pf, 1);
    assert_int_equal(f->code, GCSPLAN_FINDING_CASE_MISMATCH);
    assert_int_equal(f->count, 1000);
    assert_int_equal(f->bytes, 10000);
    assert_int_equal(f->example_count, 3);
    assert_string_equal(f->examples[0].name, "a/IM-0000.DCM");
    assert_string_equal(f->examples[2].name, "a/IM-0002.DCM");
    assert_string_equal(f->hint, "gs://bkt/a/*.DCM");
    /* rendering: snprintf-like, and the JSON names every code */
    size_t need = gcsplan_preflight_render(pf, NULL, 0, 0);
    char *text = malloc(need + 1);
    assert_int_equal(gcsplan_preflight_render(pf, text, need + 1, 0), need);
    assert_int_equal(strlen(text), need);
    assert_non_null(strstr(text, "error[nothing-matched]"));
    assert_non_null(strstr(text, "info[case-mismatch]: 1000 objects"));
    assert_non_null(strstr(text, "... and 997 more"));
    assert_non_null(strstr(text, "hint: gs://bkt/a/*.DCM"));
    free(text);
    char small[16];
    need = gcsplan_preflight_render_json(pf, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    text = malloc(need + 1);
    gcsplan_preflight_render_json(pf, text, need + 1);
    assert_non_null(strstr(text, "\"code\":\"case-mismatch\",\"severity\":\"info\",\"count\":1000"));
    assert_non_null(strstr(text, "\"summary\":{\"error\":1,\"warning\":0,\"info\":1}"));
    free(text);
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(p);
    gcsplan_preflight_free(NULL);
}

/* Names with control characters and bad UTF-8 are escaped in text and JSON. */
static void test_render_escapes(void **state)
{
    (void)state;
    const char *uri = "gs://bkt/**";
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_preflight *pf;
    assert_int_equal(gcsplan_preflight_new(&pf, p, NULL, NULL), 0);
    const char name[] = "x\033[2J\xff\"y.dcm";
    gcsplan_object o = { .name = name, .name_len = sizeof name - 1, .size = 5 };
    assert_int_equal(gcsplan_preflight_add(pf, &o, NULL), 0);
    assert_int_equal(gcsplan_preflight_finish(pf, NULL), 0);
    char text[4096];
    gcsplan_preflight_render(pf, text, sizeof text, 0);
    assert_non_null(strstr(text, "'x\\x1B[2J\\xFF\"y.dcm'"));
    assert_null(strchr(text, '\033'));
    gcsplan_preflight_render_json(pf, text, sizeof text);
    assert_non_null(strstr(text, "\"x\\u001b[2J\xEF\xBF\xBD\\\"y.dcm\""));
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(p);
}

/* Failing the Nth allocation, for every N (test_alloc_sweep: a clean
 * error, no leak). The candidates are fed directly: the listing file source
 * hands the allocator to yajl, whose yajl_alloc does not survive a failing
 * allocator. */
static int candidates_sweep(const gcsplan_allocator *a, void *ctx, gcsplan_error *err)
{
    (void)ctx;
    static const char *const names[] = {
        "other/x/IM-0001.dicom", "other/x/IM-0002.dicom", "other/x/IM-0003.DCM",
        "other/x/y/IM-0004.dcm", "other/x/README", "other/z.dcm",
    };
    const char *uri = "gs://bkt/other/x/*.dcm";
    gcsplan_pattern_options pop = GCSPLAN_PATTERN_OPTIONS_INIT;
    pop.allocator = a;
    gcsplan_pattern *p = NULL;
    int rc = gcsplan_pattern_compile(&p, uri, strlen(uri), &pop, err);
    if (rc != 0)
        return rc;
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.allocator = a;
    gcsplan_preflight *pf = NULL;
    rc = gcsplan_preflight_new(&pf, p, &po, err);
    for (size_t i = 0; rc == 0 && i < sizeof names / sizeof names[0]; i++) {
        gcsplan_object o = { .name = names[i], .name_len = strlen(names[i]), .size = 1 };
        rc = gcsplan_preflight_add_candidate(pf, &o, err);
    }
    if (rc == 0)
        rc = gcsplan_preflight_finish(pf, err);
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(p);
    return rc;
}

static void test_alloc_failures(void **state)
{
    (void)state;
    assert_true(test_alloc_sweep("the pre-flight over candidates", candidates_sweep, NULL) > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_probe_listing_unavailable),
        cmocka_unit_test(test_candidates_and_bounds),
        cmocka_unit_test(test_render_escapes),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
