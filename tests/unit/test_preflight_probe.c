/* The content probe against the Cloud Storage test server (ranged alt=media
 * GETs; DICOM content for .dcm names unless the listing marks an object
 * "text" or "zero"), with and without injected faults, and against the files
 * of a bucket directory. Skipped when the test server is not built. */
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

typedef struct outcome {
    int rc;
    uint64_t not_dicom, zero, failed, probed;
    char kinds[256];
    char first_not_dicom[256];
} outcome;

static outcome probe_run(gcsplan_lister_options *lo, const char *uri, unsigned int parallel,
                         const char *extra_name)
{
    outcome out;
    memset(&out, 0, sizeof out);
    gcsplan_pattern *p;
    gcsplan_error err;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, &err), 0);
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.source = lo;
    po.probe = 1;
    po.probe_parallel = parallel;
    gcsplan_preflight *pf;
    assert_int_equal(gcsplan_preflight_new(&pf, p, &po, &err), 0);
    gcsplan_lister *l;
    assert_int_equal(gcsplan_lister_new(&l, p, lo, &err), 0);
    const gcsplan_object *o;
    int rc;
    while ((rc = gcsplan_lister_next(&o, l)) == 0)
        assert_int_equal(gcsplan_preflight_add(pf, o, &err), 0);
    assert_int_equal(rc, GCSPLAN_ITEROVER);
    if (extra_name != NULL) { /* an object the listing did not have: a 404 */
        gcsplan_object x = { .name = extra_name, .name_len = strlen(extra_name), .size = 9 };
        assert_int_equal(gcsplan_preflight_add(pf, &x, &err), 0);
    }
    out.rc = gcsplan_preflight_finish(pf, &err);
    gcsplan_preflight_totals t;
    gcsplan_preflight_totals_get(pf, &t);
    out.probed = t.probed;
    for (size_t i = 0; i < gcsplan_preflight_count(pf); i++) {
        const gcsplan_finding *f = gcsplan_preflight_finding(pf, i);
        if (f->code == GCSPLAN_FINDING_NOT_DICOM) {
            out.not_dicom = f->count;
            for (size_t k = 0; k < f->kind_count; k++) {
                size_t n = strlen(out.kinds);
                snprintf(out.kinds + n, sizeof out.kinds - n, "%s%s=%llu", k ? "," : "",
                         f->kinds[k].kind, (unsigned long long)f->kinds[k].count);
            }
            snprintf(out.first_not_dicom, sizeof out.first_not_dicom, "%s", f->examples[0].name);
            assert_non_null(f->examples[0].head);
        } else if (f->code == GCSPLAN_FINDING_ZERO_BYTE) {
            out.zero = f->count;
        } else if (f->code == GCSPLAN_FINDING_PROBE_FAILED) {
            out.failed = f->count;
            assert_non_null(strstr(f->examples[0].detail, "HTTP 404"));
        }
    }
    gcsplan_lister_free(l);
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(p);
    return out;
}

static void check_probe_bucket(outcome o)
{
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.probed, 9);
    assert_int_equal(o.not_dicom, 5);
    assert_int_equal(o.zero, 1);
    assert_string_equal(o.kinds, "text=2,all zeros=1,empty=1,shorter than 132 bytes=1");
    assert_string_equal(o.first_not_dicom, "archive/S1/IM-0003.dcm");
}

static void test_live(void **state)
{
    (void)state;
    char bucket[4200];
    snprintf(bucket, sizeof bucket, "probe=%s", test_data_path("preflight/probe.jsonl"));
    const char *args[] = { "--bucket", bucket, "--gen-bucket", "clean=20x10", NULL };
    test_server s;
    if (test_server_start(&s, args) != 0)
        skip();
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.endpoint = s.endpoint;
    /* one slot, a few, many: the same findings */
    check_probe_bucket(probe_run(&lo, "gs://probe/archive/**", 1, NULL));
    check_probe_bucket(probe_run(&lo, "gs://probe/archive/**", 3, NULL));
    check_probe_bucket(probe_run(&lo, "gs://probe/archive/**", 64, NULL));
    /* a clean archive of 200 DICOM objects: nothing */
    outcome c = probe_run(&lo, "gs://clean/**", 16, NULL);
    assert_int_equal(c.rc, 0);
    assert_int_equal(c.probed, 200);
    assert_int_equal(c.not_dicom, 0);
    /* an object gone since the listing: probe-failed, not an error of the run */
    outcome g = probe_run(&lo, "gs://clean/**", 4, "zz/gone.dcm");
    assert_int_equal(g.rc, 0);
    assert_int_equal(g.failed, 1);
    char *stats = test_server_stop(&s);
    assert_non_null(stats);
    free(stats);
}

/* Faults: errors, 429s and cut connections are retried; the findings stay exact. */
static void test_live_faults(void **state)
{
    (void)state;
    char bucket[4200];
    snprintf(bucket, sizeof bucket, "probe=%s", test_data_path("preflight/probe.jsonl"));
    const char *args[] = { "--bucket", bucket, "--seed", "3", "--rate-500", "0.2", "--rate-503",
                           "0.1", "--rate-429", "0.1", "--retry-after", "0", "--rate-abort",
                           "0.1", NULL };
    test_server s;
    if (test_server_start(&s, args) != 0)
        skip();
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.endpoint = s.endpoint;
    lo.retries = 20;
    lo.retry_base_ms = 1;
    lo.retry_max_ms = 4;
    for (int i = 0; i < 3; i++)
        check_probe_bucket(probe_run(&lo, "gs://probe/archive/**", 4, NULL));
    char *stats = test_server_stop(&s);
    assert_non_null(stats);
    assert_true(test_stats_value(stats, "media") > 27);
    free(stats);
}

/* A bucket directory: the local files are read. */
static void test_dir(void **state)
{
    (void)state;
    char root[] = "/tmp/gcsplan-probe-XXXXXX";
    assert_non_null(mkdtemp(root));
    char path[256];
    snprintf(path, sizeof path, "%s/a", root);
    assert_int_equal(mkdir(path, 0755), 0);
    unsigned char dicom[200];
    memset(dicom, 0, sizeof dicom);
    memcpy(dicom + 128, "DICM", 4);
    const struct { const char *name; const void *data; size_t len; } files[] = {
        { "a/good.dcm", dicom, sizeof dicom },
        { "a/short.dcm", dicom, 100 },
        { "a/text.dcm", "hello, this is not DICOM at all", 31 },
    };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", root, files[i].name);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(files[i].data, 1, files[i].len, f);
        fclose(f);
    }
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.source = GCSPLAN_SOURCE_DIR;
    lo.path = root;
    outcome o = probe_run(&lo, "gs://bkt/a/*.dcm", 0, NULL);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.probed, 3);
    assert_int_equal(o.not_dicom, 2);
    assert_string_equal(o.first_not_dicom, "a/short.dcm");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_live),
        cmocka_unit_test(test_live_faults),
        cmocka_unit_test(test_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
