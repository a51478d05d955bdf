/* The pre-flight's store checks (gcsplan_preflight_options version 2): the
 * content sample (deterministic, spread over the listing, bounded), the FHIR
 * findings over the fixtures of tests/data/preflight/fhir, a DICOM store's
 * sample, the store-only checks gcsplan import runs, the options and their
 * errors, the JSON, every allocation failing in turn, and the same findings
 * read live from the test server as read from the directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "gcsplan/gcsplan.h"
#include "test_support.h"

#define FHIR_STORE "projects/test-project/locations/us/datasets/d/fhirStores/s"
#define DICOM_STORE "projects/test-project/locations/us/datasets/d/dicomStores/s"

/* A finding of code in pf, or NULL. */
static const gcsplan_finding *find(const gcsplan_preflight *pf, int code)
{
    for (size_t i = 0; i < gcsplan_preflight_count(pf); i++)
        if (gcsplan_preflight_finding(pf, i)->code == code)
            return gcsplan_preflight_finding(pf, i);
    return NULL;
}

/* A finding of code in pf, which must be there. */
static const gcsplan_finding *must(const gcsplan_preflight *pf, int code)
{
    const gcsplan_finding *f = find(pf, code);
    if (f == NULL) {
        print_error("no finding %s\n", gcsplan_finding_code_name(code));
        fail();
    }
    return f;
}

/* A directory of n files named NNN.ndjson holding text, and (odd ones out)
 * a folder placeholder and an empty file, which the sample skips. */
static char *make_dir(int n, const char *content)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/gcsplan-sample-XXXXXX");
    assert_non_null(mkdtemp(dir));
    for (int i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%03d.ndjson", dir, i);
        FILE *f = fopen(path, "w");
        fputs(content, f);
        fclose(f);
    }
    return dir;
}

static void remove_dir(const char *dir, int n)
{
    for (int i = 0; i < n; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%03d.ndjson", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

typedef struct run_opts {
    const char *store;
    const char *cs;
    unsigned int sample_max, checks, examples;
    int probe;
    const gcsplan_allocator *alloc;
} run_opts;

/* The pattern of the pre-flight run() made last (borrowed by it). */
static gcsplan_pattern *cur_pattern;

/* A pre-flight of uri over objects (names, sizes) fed through add(), with
 * dir as the bucket directory. Free it with drop(). */
static int run(gcsplan_preflight **out, const char *dir, const char *uri, const char *const *names,
               const uint64_t *sizes, size_t n, const run_opts *ro, gcsplan_error *err)
{
    gcsplan_pattern *p = NULL;
    gcsplan_pattern_options pop = GCSPLAN_PATTERN_OPTIONS_INIT;
    pop.allocator = ro->alloc;
    *out = NULL;
    int rc = gcsplan_pattern_compile(&p, uri, strlen(uri), &pop, err);
    if (rc != 0)
        return rc;
    static gcsplan_lister_options lo;
    gcsplan_lister_options init = GCSPLAN_LISTER_OPTIONS_INIT;
    lo = init;
    lo.source = GCSPLAN_SOURCE_DIR;
    lo.path = dir;
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.allocator = ro->alloc;
    po.source = &lo;
    po.store = ro->store;
    po.content_structure = ro->cs;
    po.sample_max = ro->sample_max;
    po.checks = ro->checks;
    po.max_examples = ro->examples;
    po.probe = ro->probe;
    rc = gcsplan_preflight_new(out, p, &po, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        gcsplan_object o;
        memset(&o, 0, sizeof o);
        o.name = names[i];
        o.name_len = strlen(names[i]);
        o.size = sizes ? sizes[i] : 10;
        rc = gcsplan_preflight_add(*out, &o, err);
    }
    if (rc == 0)
        rc = gcsplan_preflight_finish(*out, err);
    if (rc != 0) {
        gcsplan_preflight_free(*out);
        *out = NULL;
        gcsplan_pattern_free(p);
        return rc;
    }
    cur_pattern = p;
    return 0;
}

/* Free a pre-flight run() made, and its pattern, which it borrowed. */
static void drop(gcsplan_preflight *pf)
{
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(cur_pattern);
    cur_pattern = NULL;
}

/* 100 objects, a sample of 20: every stride-th kept, then evenly spaced. */
static void sample_spread(void **state)
{
    (void)state;
    char *dir = make_dir(100, "not JSON\n");
    char names[102][16];
    const char *np[102];
    uint64_t sizes[102];
    for (int i = 0; i < 100; i++) {
        snprintf(names[i], sizeof names[i], "%03d.ndjson", i);
        np[i] = names[i];
        sizes[i] = 9;
    }
    snprintf(names[100], sizeof names[100], "folder/");
    snprintf(names[101], sizeof names[101], "empty.ndjson");
    np[100] = names[100];
    np[101] = names[101];
    sizes[100] = sizes[101] = 0;
    run_opts ro = { FHIR_STORE, NULL, 0, 0, 32, 0, NULL };
    gcsplan_preflight *pf;
    gcsplan_error err;
    for (int round = 0; round < 2; round++) { /* the same listing, the same sample */
        assert_int_equal(run(&pf, dir, "gs://bkt/**", np, sizes, 102, &ro, &err), 0);
        const gcsplan_finding *f = find(pf, GCSPLAN_FINDING_NOT_FHIR);
        assert_non_null(f);
        assert_int_equal(f->count, 20);
        static const int chosen[20] = { 0, 4, 8, 12, 20, 24, 28, 32, 40, 44,
                                        48, 52, 60, 64, 68, 72, 80, 84, 88, 92 };
        assert_int_equal(f->example_count, 20);
        for (int i = 0; i < 20; i++)
            assert_string_equal(f->examples[i].name, names[chosen[i]]);
        assert_string_equal(f->message, "20 of 20 sampled objects are not FHIR JSON (JSON objects "
                                        "with a \"resourceType\"): fhirStores.import cannot read them");
        gcsplan_preflight_totals t;
        gcsplan_preflight_totals_get(pf, &t);
        assert_int_equal(t.probed, 20);
        assert_int_equal(t.objects, 102);
        drop(pf);
    }
    /* a smaller sample, and fewer objects than the sample: all of them */
    ro.sample_max = 3;
    assert_int_equal(run(&pf, dir, "gs://bkt/**", np, sizes, 100, &ro, &err), 0);
    assert_int_equal(must(pf, GCSPLAN_FINDING_NOT_FHIR)->count, 3);
    drop(pf);
    ro.sample_max = 0;
    assert_int_equal(run(&pf, dir, "gs://bkt/**", np, sizes, 7, &ro, &err), 0);
    assert_int_equal(must(pf, GCSPLAN_FINDING_NOT_FHIR)->count, 7);
    drop(pf);
    remove_dir(dir, 100);
}

/* The fixtures, as the CLI's golden tests see them, through the library. */
static void fhir_fixtures(void **state)
{
    (void)state;
    const char *dir = test_data_path("preflight/fhir");
    char d[4096];
    snprintf(d, sizeof d, "%s", dir);
    static const char *const resources[] = { "resources/patients-1.ndjson",
                                             "resources/patients-2.ndjson" };
    static const uint64_t rsizes[] = { 309, 309 };
    run_opts ro = { FHIR_STORE, NULL, 0, 0, 0, 0, NULL };
    gcsplan_preflight *pf;
    gcsplan_error err;
    assert_int_equal(run(&pf, d, "gs://bkt/resources/**", resources, rsizes, 2, &ro, &err), 0);
    const gcsplan_finding *f = find(pf, GCSPLAN_FINDING_FHIR_CONTENT_STRUCTURE);
    assert_non_null(f);
    assert_int_equal(f->severity, GCSPLAN_SEVERITY_ERROR);
    assert_string_equal(f->hint, "--content-structure RESOURCE");
    assert_non_null(strstr(f->message, "no bundle is found; if you intend to import individual "
                                       "resources, make sure you specify the appropriate "
                                       "ContentStructure in the request"));
    /* a directory is not the bucket: the access was not checked */
    f = find(pf, GCSPLAN_FINDING_ACCESS_UNCHECKED);
    assert_non_null(f);
    assert_int_equal(f->severity, GCSPLAN_SEVERITY_INFO);
    gcsplan_preflight_store_result st = GCSPLAN_PREFLIGHT_STORE_RESULT_INIT;
    assert_int_equal(gcsplan_preflight_store_get(pf, &st), 0);
    assert_string_equal(st.store, FHIR_STORE);
    assert_int_equal(st.kind, GCSPLAN_STORE_FHIR);
    assert_string_equal(st.content_structure, "BUNDLE");
    assert_int_equal(st.sampled, 2);
    assert_int_equal(st.access, GCSPLAN_ACCESS_UNKNOWN);
    assert_non_null(strstr(st.detail, "directory"));
    assert_int_equal(gcsplan_preflight_worst(pf), GCSPLAN_SEVERITY_ERROR);
    drop(pf);
    /* the right structure: nothing but the access note */
    ro.cs = "RESOURCE";
    assert_int_equal(run(&pf, d, "gs://bkt/resources/**", resources, rsizes, 2, &ro, &err), 0);
    assert_int_equal(gcsplan_preflight_count(pf), 1);
    assert_int_equal(gcsplan_preflight_worst(pf), GCSPLAN_SEVERITY_INFO);
    drop(pf);
    /* Bundles read as resources: a warning, with BUNDLE as hint */
    static const char *const bundles[] = { "bundles/synthea-1.ndjson", "bundles/synthea-2.ndjson" };
    assert_int_equal(run(&pf, d, "gs://bkt/bundles/**", bundles, NULL, 2, &ro, &err), 0);
    f = find(pf, GCSPLAN_FINDING_FHIR_BUNDLE_AS_RESOURCE);
    assert_non_null(f);
    assert_int_equal(f->severity, GCSPLAN_SEVERITY_WARNING);
    assert_string_equal(f->hint, "--content-structure BUNDLE");
    drop(pf);
    /* a pretty Bundle and a pretty resource: no one structure for both */
    static const char *const pretty[] = { "pretty/bundle.json", "pretty/patient.json" };
    ro.cs = NULL;
    assert_int_equal(run(&pf, d, "gs://bkt/pretty/**", pretty, NULL, 2, &ro, &err), 0);
    f = find(pf, GCSPLAN_FINDING_FHIR_CONTENT_STRUCTURE);
    assert_string_equal(f->hint, "");
    assert_non_null(strstr(f->message, "import them in separate jobs"));
    assert_int_equal(f->kind_count, 2);
    drop(pf);
    /* ids */
    static const char *const noid[] = { "noid/observations.ndjson", "noid/patients.ndjson" };
    ro.cs = "RESOURCE";
    assert_int_equal(run(&pf, d, "gs://bkt/noid/**", noid, NULL, 2, &ro, &err), 0);
    f = find(pf, GCSPLAN_FINDING_FHIR_MISSING_ID);
    assert_non_null(f);
    assert_int_equal(f->count, 1);
    assert_string_equal(f->examples[0].detail, "2 of 3 resources read without \"id\"");
    drop(pf);
    /* not FHIR, with what was read */
    static const char *const bad[] = { "bad/array.json", "bad/export.xml", "bad/no-type.ndjson",
                                       "bad/notes.ndjson" };
    assert_int_equal(run(&pf, d, "gs://bkt/bad/**", bad, NULL, 4, &ro, &err), 0);
    f = find(pf, GCSPLAN_FINDING_NOT_FHIR);
    assert_int_equal(f->count, 4);
    assert_string_equal(f->examples[3].detail, "not JSON at byte 0");
    assert_non_null(f->examples[3].head);
    assert_int_equal(f->examples[3].head_len, 37);
    drop(pf);
    /* a resource whose resourceType comes after 4 KiB: said nothing of, but counted */
    static const char *const late[] = { "undecided/narrative-first.json" };
    assert_int_equal(run(&pf, d, "gs://bkt/undecided/**", late, NULL, 1, &ro, &err), 0);
    assert_int_equal(gcsplan_preflight_count(pf), 1); /* the access note alone */
    gcsplan_preflight_store_result us = GCSPLAN_PREFLIGHT_STORE_RESULT_INIT;
    assert_int_equal(gcsplan_preflight_store_get(pf, &us), 0);
    assert_int_equal(us.sampled, 1);
    assert_int_equal(us.undecided, 1);
    drop(pf);
    /* an object that vanished: probe-failed */
    static const char *const gone[] = { "resources/gone.ndjson" };
    assert_int_equal(run(&pf, d, "gs://bkt/resources/**", gone, NULL, 1, &ro, &err), 0);
    assert_non_null(find(pf, GCSPLAN_FINDING_PROBE_FAILED));
    drop(pf);
}

/* A DICOM store's sample: the DICM check of the sample only; --probe reads
 * every object instead. */
static void dicom_sample(void **state)
{
    (void)state;
    char *dir = make_dir(50, "not DICOM at all\n");
    char names[50][16];
    const char *np[50];
    for (int i = 0; i < 50; i++) {
        snprintf(names[i], sizeof names[i], "%03d.ndjson", i);
        np[i] = names[i];
    }
    run_opts ro = { DICOM_STORE, NULL, 0, 0, 0, 0, NULL };
    gcsplan_preflight *pf;
    gcsplan_error err;
    assert_int_equal(run(&pf, dir, "gs://bkt/*.ndjson", np, NULL, 50, &ro, &err), 0);
    assert_int_equal(must(pf, GCSPLAN_FINDING_NOT_DICOM)->count, 20);
    drop(pf);
    ro.probe = 1;
    assert_int_equal(run(&pf, dir, "gs://bkt/*.ndjson", np, NULL, 50, &ro, &err), 0);
    assert_int_equal(must(pf, GCSPLAN_FINDING_NOT_DICOM)->count, 50);
    gcsplan_preflight_store_result st = GCSPLAN_PREFLIGHT_STORE_RESULT_INIT;
    assert_int_equal(gcsplan_preflight_store_get(pf, &st), 0);
    assert_null(st.content_structure);
    assert_int_equal(st.sampled, 0);
    drop(pf);
    remove_dir(dir, 50);
}

/* What gcsplan import runs: the store's checks alone, fed names from a plan. */
static void store_checks_only(void **state)
{
    (void)state;
    char d[4096];
    snprintf(d, sizeof d, "%s", test_data_path("preflight/fhir"));
    static const char *const names[] = { "resources/patients-1.ndjson", "zero.json",
                                         "bad/notes.ndjson", "folder/" };
    static const uint64_t sizes[] = { 309, 0, 37, 0 };
    run_opts ro = { FHIR_STORE, "RESOURCE", 0,
                    GCSPLAN_PREFLIGHT_CHECK_CONTENT | GCSPLAN_PREFLIGHT_CHECK_ACCESS, 0, 0, NULL };
    gcsplan_preflight *pf;
    gcsplan_error err;
    assert_int_equal(run(&pf, d, "gs://bkt/**", names, sizes, 4, &ro, &err), 0);
    /* no findings about names: zero-byte, folder-placeholder are not looked for */
    assert_null(find(pf, GCSPLAN_FINDING_ZERO_BYTE));
    assert_null(find(pf, GCSPLAN_FINDING_FOLDER_PLACEHOLDER));
    /* notes.ndjson is sampled and is not JSON; zero.json and folder/ are not sampled */
    assert_int_equal(must(pf, GCSPLAN_FINDING_NOT_FHIR)->count, 1);
    gcsplan_preflight_totals t;
    gcsplan_preflight_totals_get(pf, &t);
    assert_int_equal(t.probed, 2);
    drop(pf);
    /* nothing fed: no nothing-matched, and no analysis listing */
    assert_int_equal(run(&pf, d, "gs://bkt/**", names, sizes, 0, &ro, &err), 0);
    assert_null(find(pf, GCSPLAN_FINDING_NOTHING_MATCHED));
    assert_non_null(find(pf, GCSPLAN_FINDING_ACCESS_UNCHECKED));
    drop(pf);
    /* the access alone */
    ro.checks = GCSPLAN_PREFLIGHT_CHECK_ACCESS;
    assert_int_equal(run(&pf, d, "gs://bkt/**", names, sizes, 4, &ro, &err), 0);
    assert_int_equal(gcsplan_preflight_count(pf), 1);
    gcsplan_preflight_totals_get(pf, &t);
    assert_int_equal(t.probed, 0);
    drop(pf);
    /* names alone: no store findings although a store is given */
    ro.checks = GCSPLAN_PREFLIGHT_CHECK_NAMES;
    assert_int_equal(run(&pf, d, "gs://bkt/**", names, sizes, 4, &ro, &err), 0);
    assert_non_null(find(pf, GCSPLAN_FINDING_ZERO_BYTE));
    assert_null(find(pf, GCSPLAN_FINDING_NOT_FHIR));
    assert_null(find(pf, GCSPLAN_FINDING_ACCESS_UNCHECKED));
    /* a FHIR store: .json is no "non-DICOM name", and zero-byte speaks of FHIR */
    assert_null(find(pf, GCSPLAN_FINDING_NON_DICOM_NAME));
    assert_string_equal(must(pf, GCSPLAN_FINDING_ZERO_BYTE)->message,
                        "1 matched object is empty (0 bytes): it holds no FHIR resource");
    drop(pf);
}

static void options(void **state)
{
    (void)state;
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, "gs://bkt/**", 11, NULL, NULL), 0);
    gcsplan_preflight *pf;
    gcsplan_error err;
    static const struct { const char *store, *cs; int probe; const char *msg; } bad[] = {
        { "projects/p/datasets/d/fhirStores/s", NULL, 0, "the store is" },
        { DICOM_STORE, "BUNDLE", 0, "not a DICOM one" },
        { NULL, "RESOURCE", 0, "no store given" },
        { FHIR_STORE, NULL, 1, "sampled instead" },
        { FHIR_STORE, "bundle", 0, "BUNDLE, RESOURCE" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
        po.store = bad[i].store;
        po.content_structure = bad[i].cs;
        po.probe = bad[i].probe;
        assert_int_equal(gcsplan_preflight_new(&pf, p, &po, &err), GCSPLAN_EINVAL);
        assert_null(pf);
        assert_non_null(strstr(err.message, bad[i].msg));
    }
    /* a version 1 caller: its struct ends before the store fields, which are
     * then not read at all (garbage after it must not matter) */
    struct { gcsplan_preflight_options o; } v1;
    memset(&v1, 0x5a, sizeof v1);
    gcsplan_preflight_options init = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    memcpy(&v1.o, &init, offsetof(gcsplan_preflight_options, store));
    v1.o.version = 1;
    assert_int_equal(gcsplan_preflight_new(&pf, p, &v1.o, &err), 0);
    assert_int_equal(gcsplan_preflight_finish(pf, &err), 0);
    gcsplan_preflight_store_result st = GCSPLAN_PREFLIGHT_STORE_RESULT_INIT;
    assert_int_equal(gcsplan_preflight_store_get(pf, &st), 0);
    assert_null(st.store);
    assert_int_equal(st.access, GCSPLAN_ACCESS_NOT_CHECKED);
    /* a wrong result version */
    st.version = 99;
    assert_int_equal(gcsplan_preflight_store_get(pf, &st), GCSPLAN_EINVAL);
    assert_int_equal(gcsplan_preflight_store_get(NULL, &st), GCSPLAN_EINVAL);
    gcsplan_preflight_free(pf);
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.version = 3;
    assert_int_equal(gcsplan_preflight_new(&pf, p, &po, &err), GCSPLAN_EINVAL);
    gcsplan_pattern_free(p);
    assert_string_equal(gcsplan_access_verdict_name(GCSPLAN_ACCESS_UNDECIDED), "undecided");
    assert_string_equal(gcsplan_access_verdict_name(99), "unknown");
    assert_string_equal(gcsplan_finding_code_name(GCSPLAN_FINDING_FHIR_MISSING_ID),
                        "fhir-missing-id");
    assert_string_equal(gcsplan_finding_code_name(GCSPLAN_FINDING_AGENT_NO_ACCESS),
                        "agent-no-access");
}

static void json(void **state)
{
    (void)state;
    char d[4096];
    snprintf(d, sizeof d, "%s", test_data_path("preflight/fhir"));
    static const char *const names[] = { "resources/patients-1.ndjson" };
    run_opts ro = { FHIR_STORE, "RESOURCE", 0, 0, 0, 0, NULL };
    gcsplan_preflight *pf;
    gcsplan_error err;
    assert_int_equal(run(&pf, d, "gs://bkt/**", names, NULL, 1, &ro, &err), 0);
    size_t n = gcsplan_preflight_render_json(pf, NULL, 0);
    char *j = malloc(n + 1);
    gcsplan_preflight_render_json(pf, j, n + 1);
    assert_non_null(strstr(j, ",\"store\":{\"name\":\"" FHIR_STORE "\",\"kind\":\"fhir\","
                              "\"content_structure\":\"RESOURCE\",\"sampled\":1,\"undecided\":0,"
                              "\"access\":"
                              "{\"verdict\":\"unknown\",\"member\":null,\"project_number\":null,"
                              "\"granted_by\":null,\"detail\":\"the objects come from a "
                              "directory, not from the bucket, whose IAM policy was not read\"}},"
                              "\"summary\""));
    free(j);
    drop(pf);
    /* without a store, no "store" key at all */
    ro.store = NULL;
    ro.cs = NULL;
    assert_int_equal(run(&pf, d, "gs://bkt/**", names, NULL, 1, &ro, &err), 0);
    n = gcsplan_preflight_render_json(pf, NULL, 0);
    j = malloc(n + 1);
    gcsplan_preflight_render_json(pf, j, n + 1);
    assert_null(strstr(j, "\"store\""));
    free(j);
    drop(pf);
}

/* Failing the Nth allocation, for every N, through the sample and the
 * findings of a FHIR store (test_alloc_sweep: a clean error, no leak). */
static int store_sweep(const gcsplan_allocator *a, void *ctx, gcsplan_error *err)
{
    static const char *const names[] = { "bad/array.json", "bundles/synthea-1.ndjson",
                                         "noid/observations.ndjson", "resources/patients-1.ndjson",
                                         "resources/patients-2.ndjson" };
    run_opts ro = { FHIR_STORE, NULL, 0, 0, 0, 0, a };
    gcsplan_preflight *pf = NULL;
    int rc = run(&pf, ctx, "gs://bkt/**", names, NULL, 5, &ro, err);
    if (rc != 0)
        assert_null(pf);
    drop(pf);
    return rc;
}

static void alloc_failures(void **state)
{
    (void)state;
    char d[4096];
    snprintf(d, sizeof d, "%s", test_data_path("preflight/fhir"));
    assert_true(test_alloc_sweep("the store checks", store_sweep, d) > 10);
}

/* The findings about uri, as text, from the fixtures' directory (endpoint
 * NULL) or from a test server. */
static int read_one(const char *uri, const char *endpoint, char *text, size_t cap)
{
    gcsplan_pattern *p;
    gcsplan_error err;
    int rc = gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, &err);
    if (rc != 0)
        return rc;
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", test_data_path("preflight/fhir"));
    if (endpoint != NULL) {
        lo.endpoint = endpoint;
    } else {
        lo.source = GCSPLAN_SOURCE_DIR;
        lo.path = dir;
    }
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.source = &lo;
    po.store = FHIR_STORE;
    /* the content alone: the access differs (a directory is not a bucket) */
    po.checks = GCSPLAN_PREFLIGHT_CHECK_NAMES | GCSPLAN_PREFLIGHT_CHECK_CONTENT;
    gcsplan_preflight *pf = NULL;
    gcsplan_lister *l = NULL;
    const gcsplan_object *o;
    if ((rc = gcsplan_preflight_new(&pf, p, &po, &err)) == 0 &&
        (rc = gcsplan_lister_new(&l, p, &lo, &err)) == 0) {
        while ((rc = gcsplan_lister_next(&o, l)) == 0 &&
               (rc = gcsplan_preflight_add(pf, o, &err)) == 0)
            ;
        if (rc == GCSPLAN_ITEROVER)
            rc = gcsplan_preflight_finish(pf, &err);
    }
    if (rc == 0)
        gcsplan_preflight_render(pf, text, cap, 0);
    gcsplan_lister_free(l);
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(p);
    return rc;
}

/* The fixtures served by the test server ("file" in a listing): the same
 * findings as from the directory, read with ranged GETs. */
static void live_same_as_local(void **state)
{
    (void)state;
    char bucket[4200];
    snprintf(bucket, sizeof bucket, "fhirb=%s", test_data_path("preflight/fhir.jsonl"));
    const char *args[] = { "--bucket", bucket, NULL };
    test_server s;
    if (test_server_start(&s, args) != 0)
        skip();
    static const char *const uris[] = { "gs://fhirb/resources/**", "gs://fhirb/bundles/**",
                                        "gs://fhirb/pretty/**", "gs://fhirb/noid/**",
                                        "gs://fhirb/bad/**", "gs://fhirb/big/**" };
    enum { NURIS = sizeof uris / sizeof uris[0] };
    static char text[NURIS][2][8192];
    int rcs[NURIS][2];
    for (size_t u = 0; u < NURIS; u++)
        for (int live = 0; live < 2; live++)
            rcs[u][live] = read_one(uris[u], live ? s.endpoint : NULL, text[u][live],
                                    sizeof text[u][live]);
    /* the server goes first: a failed assertion must not leave it running */
    char *stats = test_server_stop(&s);
    for (size_t u = 0; u < NURIS; u++) {
        assert_int_equal(rcs[u][0], 0);
        assert_int_equal(rcs[u][1], 0);
        assert_string_equal(text[u][0], text[u][1]);
        /* Bundles under BUNDLE are clean: nothing at all is said */
        if (strstr(uris[u], "bundles") != NULL)
            assert_string_equal(text[u][0], "");
        else
            assert_non_null(strstr(text[u][0], "probed"));
    }
    assert_non_null(stats);
    assert_true(test_stats_value(stats, "media") >= 13);
    free(stats);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_spread),
        cmocka_unit_test(fhir_fixtures),
        cmocka_unit_test(dicom_sample),
        cmocka_unit_test(store_checks_only),
        cmocka_unit_test(options),
        cmocka_unit_test(json),
        cmocka_unit_test(alloc_failures),
        cmocka_unit_test(live_same_as_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
