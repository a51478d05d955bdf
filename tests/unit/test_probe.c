/* The content probe over a scripted Cloud Storage: the ranged read, what
 * each answer means (416 empty, 404 and 403 failed objects, a server that
 * ignores Range cut off at 132 bytes, retries), and silence given up on by
 * the progress budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe.h"
#include "scripted.h"
#include "util/clock.h"

static char dicom[1000];
static int flaky_seen;

static void serve(void *ctx, const script_request *req, script_reply *out)
{
    int *silent = ctx;
    memset(out, 0, sizeof *out);
    if (*silent) {
        out->stall = 1;
        return;
    }
    assert_string_equal(script_header(req, "Range"), "bytes=0-131");
    assert_non_null(strstr(req->url, "?alt=media"));
    if (strstr(req->url, "/o/empty") != NULL) {
        out->status = 416;
    } else if (strstr(req->url, "/o/gone") != NULL) {
        out->status = 404;
        out->body = "{\"error\":{\"code\":404,\"message\":\"No such object\"}}";
    } else if (strstr(req->url, "/o/flaky") != NULL && flaky_seen++ < 2) {
        out->status = 503; /* twice, then it works */
    } else if (strstr(req->url, "/o/whole") != NULL) {
        out->status = 200; /* Range ignored: the whole object, in pieces */
        out->body = dicom;
        out->len = sizeof dicom;
        out->chunk = 50;
    } else {
        out->status = 206;
        out->body = dicom;
        out->len = 132;
        out->chunk = 13;
    }
}

typedef struct seen {
    char names[16][32];
    size_t bytes[16];
    int failed[16];
    char why[16][256];
    size_t n;
} seen;

static void on_result(void *ctx, const char *name, size_t len, uint64_t size,
                      const unsigned char *head, size_t n, int failed, const char *why)
{
    seen *s = ctx;
    (void)size;
    assert_true(n <= GCSPLAN_PROBE_BYTES);
    if (n == GCSPLAN_PROBE_BYTES)
        assert_memory_equal(head + 128, "DICM", 4);
    snprintf(s->names[s->n], sizeof s->names[0], "%.*s", (int)len, name);
    s->bytes[s->n] = n;
    s->failed[s->n] = failed;
    snprintf(s->why[s->n], sizeof s->why[0], "%s", why);
    s->n++;
}

static const seen *find(const seen *s, const char *name, size_t *i)
{
    for (*i = 0; *i < s->n; (*i)++)
        if (strcmp(s->names[*i], name) == 0)
            return s;
    fail_msg("no result for %s", name);
    return NULL;
}

/* A probe of bucket "bkt" over the scripted network, results into s. */
static void config(gcsplan__probe_config *pc, const gcsplan_lister_options *lo,
                   script_transport *st, unsigned parallel, seen *s, gcsplan_probe_stats *stats)
{
    memset(s, 0, sizeof *s);
    memset(stats, 0, sizeof *stats);
    memset(pc, 0, sizeof *pc);
    pc->alloc = &gcsplan__default_allocator;
    pc->source = lo;
    pc->bucket = "bkt";
    pc->parallel = parallel;
    pc->on_result = on_result;
    pc->ctx = s;
    pc->stats = stats;
    pc->transport = script_base(st);
}

static void test_answers(void **state)
{
    (void)state;
    memcpy(dicom + 128, "DICM", 4);
    int silent = 0;
    script_transport *st = script_new(serve, &silent, 3);
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.endpoint = "http://127.0.0.1:9";
    lo.retries = 3;
    lo.retry_base_ms = 1;
    lo.retry_max_ms = 2;
    seen s;
    gcsplan_probe_stats stats;
    gcsplan__probe_config pc;
    config(&pc, &lo, st, 2, &s, &stats);
    gcsplan__probe *p;
    gcsplan_error err;
    assert_int_equal(gcsplan__probe_new(&p, &pc, &err), 0);
    const char *names[] = { "a.dcm", "empty", "gone", "flaky", "whole" };
    for (size_t i = 0; i < 5; i++) {
        gcsplan_object o = { names[i], strlen(names[i]), 100, 0, 0 };
        assert_int_equal(gcsplan__probe_submit(p, &o, &err), 0);
    }
    assert_int_equal(gcsplan__probe_drain(p, &err), 0);
    assert_int_equal(s.n, 5);
    size_t i;
    find(&s, "a.dcm", &i);
    assert_int_equal(s.bytes[i], 132);
    assert_int_equal(s.failed[i], 0);
    find(&s, "empty", &i);
    assert_int_equal(s.bytes[i], 0);
    assert_int_equal(s.failed[i], 0);
    find(&s, "gone", &i);
    assert_int_equal(s.failed[i], 1);
    assert_string_equal(s.why[i], "HTTP 404 (no such object: deleted since the listing?)");
    find(&s, "flaky", &i);
    assert_int_equal(s.failed[i], 0);
    find(&s, "whole", &i);
    assert_int_equal(s.bytes[i], 132);
    assert_int_equal(s.failed[i], 0);
    assert_int_equal(stats.done, 5);
    assert_true(stats.retries >= 1);
    gcsplan__probe_free(p);
    assert_int_equal(script_pending(st), 0);
    script_free(st);
}

static void test_silence(void **state)
{
    (void)state;
    int silent = 1;
    script_transport *st = script_new(serve, &silent, 3);
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.endpoint = "http://127.0.0.1:9";
    lo.no_progress_ms = 600;
    seen s;
    gcsplan_probe_stats stats;
    gcsplan__probe_config pc;
    config(&pc, &lo, st, 4, &s, &stats);
    gcsplan__probe *p;
    gcsplan_error err;
    assert_int_equal(gcsplan__probe_new(&p, &pc, &err), 0);
    gcsplan_object o = { "a.dcm", 5, 100, 0, 0 };
    assert_int_equal(gcsplan__probe_submit(p, &o, &err), 0);
    uint64_t t0 = gcsplan__clock_ms();
    assert_int_equal(gcsplan__probe_drain(p, &err), GCSPLAN_ESOURCE);
    uint64_t dt = gcsplan__clock_ms() - t0;
    assert_true(dt >= 590 && dt < 5000);
    assert_non_null(strstr(err.message, "the probe got no answer"));
    gcsplan__probe_free(p);
    assert_int_equal(script_pending(st), 0);
    script_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_silence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
