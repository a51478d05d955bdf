/* The request path on the wire: libcurl against a raw test server that
 * does what hostile or broken servers do. Redirects are never followed on
 * any path (listing, object reads, token endpoint, metadata server); a
 * compressed page that inflates without end is cut off in seconds; a body
 * that trickles ends at the attempt's time; a huge Retry-After is read
 * without overflow; a server that answers nothing is given up on by the
 * progress budget. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "api.h"
#include "auth.h"
#include "fake_http.h"
#include "gcsplan/gcsplan.h"
#include "probe.h"
#include "source.h"
#include "test_support.h"
#include "util/clock.h"

/* A gzip stream of `total` bytes: head, then filler bytes, then tail. */
static unsigned char *gzip_of(const char *head, char filler, size_t total, const char *tail,
                              size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = total / 500 + (1 << 16);
    unsigned char *out = malloc(cap);
    static char chunk[1 << 16];
    memset(chunk, filler, sizeof chunk);
    z.next_out = out;
    z.avail_out = (uInt)cap;
    size_t fill = total - strlen(head) - strlen(tail);
    z.next_in = (unsigned char *)head;
    z.avail_in = (uInt)strlen(head);
    assert_int_equal(deflate(&z, Z_NO_FLUSH), Z_OK);
    while (fill > 0) {
        size_t k = fill < sizeof chunk ? fill : sizeof chunk;
        z.next_in = (unsigned char *)chunk;
        z.avail_in = (uInt)k;
        assert_int_equal(deflate(&z, Z_NO_FLUSH), Z_OK);
        fill -= k;
    }
    z.next_in = (unsigned char *)tail;
    z.avail_in = (uInt)strlen(tail);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    deflateEnd(&z);
    return out;
}

typedef struct outcome {
    int rc;
    size_t objects;
    gcsplan_error err;
} outcome;

static outcome list(const char *endpoint, const char *uri, unsigned timeout_ms,
                    unsigned no_progress_ms, int retries)
{
    outcome o;
    memset(&o, 0, sizeof o);
    gcsplan_pattern *p;
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.endpoint = endpoint;
    lo.parallel = 1;
    lo.retries = retries;
    lo.retry_base_ms = 1;
    lo.retry_max_ms = 2;
    lo.timeout_ms = timeout_ms;
    lo.no_progress_ms = no_progress_ms;
    gcsplan_lister *l = NULL;
    o.rc = gcsplan_lister_new(&l, p, &lo, &o.err);
    if (o.rc == 0) {
        const gcsplan_object *obj;
        while ((o.rc = gcsplan_lister_next(&obj, l)) == 0)
            o.objects++;
        o.err = *gcsplan_lister_error(l);
    }
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    return o;
}

static void test_gzip_bombs(void **state)
{
    (void)state;
    alarm(120); /* the old code spent minutes in one page */
    /* 256 MiB inflating from about a quarter of a megabyte: one JSON string. */
    size_t n1, n2;
    unsigned char *bomb = gzip_of("{\"items\":[{\"name\":\"", 'a', (size_t)256 << 20, "\"}]}", &n1);
    /* 48 MiB of white space inside the items array: no token at all. */
    unsigned char *fat = gzip_of("{\"items\":[", ' ', (size_t)48 << 20, "]}", &n2);
    const fake_reply replies[] = {
        { "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
          "Connection: close", bomb, n1, 0, 0, 0 },
    };
    fake_http f;
    fake_http_start(&f, replies, 1, 1);
    uint64_t t0 = gcsplan__clock_ms();
    outcome o = list(f.url, "gs://bkt/**", 60000, 60000, 2);
    uint64_t dt = gcsplan__clock_ms() - t0;
    fake_http_stop(&f);
    assert_int_equal(o.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(o.err.message, "longer than 65536 bytes"));
    assert_true(dt < 20000);
    /* White space without end is no token either: the same bound holds. */
    const fake_reply replies2[] = {
        { "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close", fat, n2, 0, 0, 0 },
    };
    fake_http_start(&f, replies2, 1, 1);
    t0 = gcsplan__clock_ms();
    o = list(f.url, "gs://bkt/**", 60000, 60000, 0);
    dt = gcsplan__clock_ms() - t0;
    fake_http_stop(&f);
    assert_int_equal(o.rc, GCSPLAN_ESOURCE);
    assert_true(dt < 20000);
    free(bomb);
    free(fat);
    alarm(0);
}

/* Items of 60 KiB each, no token longer than that, fewer than maxResults:
 * the page's decoded size is what stops it. */
static void test_page_byte_cap(void **state)
{
    (void)state;
    alarm(120);
    size_t item = 60 * 1024, count = 700; /* 42 MB */
    char *json = malloc(item * count + 64);
    size_t k = (size_t)sprintf(json, "{\"items\":[");
    for (size_t i = 0; i < count; i++) {
        k += (size_t)sprintf(json + k, "%s{\"name\":\"n%06zu\",\"size\":\"1\",\"x\":\"",
                             i ? "," : "", i);
        memset(json + k, 'x', item - 48);
        k += item - 48;
        k += (size_t)sprintf(json + k, "\"}");
    }
    k += (size_t)sprintf(json + k, "]}");
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, k);
    unsigned char *gz = malloc(cap);
    z.next_in = (unsigned char *)json;
    z.avail_in = (uInt)k;
    z.next_out = gz;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t gzlen = z.total_out;
    deflateEnd(&z);
    free(json);
    const fake_reply replies[] = {
        { "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close", gz, gzlen, 0, 0, 0 },
    };
    fake_http f;
    fake_http_start(&f, replies, 1, 1);
    outcome o = list(f.url, "gs://bkt/**", 60000, 60000, 3);
    int requests = fake_http_requests(&f);
    fake_http_stop(&f);
    if (o.rc != GCSPLAN_ELIMIT)
        fail_msg("rc %d: %s", o.rc, o.err.message);
    assert_non_null(strstr(o.err.message, "over 33554432 bytes"));
    assert_int_equal(requests, 1); /* the same page again would be as big */
    free(gz);
    alarm(0);
}

static const char *vars[4][2];

static const char *fake_getenv(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (vars[i][0] != NULL && strcmp(vars[i][0], name) == 0)
            return vars[i][1];
    return NULL;
}

static void test_redirects_never_followed(void **state)
{
    (void)state;
    /* Where a redirect would lead: it must never hear from us. */
    const fake_reply other_replies[] = { { "HTTP/1.1 200 OK\r\nConnection: close", "{}", 2, 0, 0, 0 } };
    fake_http other;
    fake_http_start(&other, other_replies, 1, 1);
    char head[256];
    snprintf(head, sizeof head, "HTTP/1.1 302 Found\r\nLocation: %s/elsewhere\r\n"
             "Content-Length: 0\r\nConnection: close", other.url);
    const fake_reply redirect[] = { { head, "", 0, 0, 0, 0 } };
    fake_http f;

    /* A listing. */
    fake_http_start(&f, redirect, 1, 1);
    outcome o = list(f.url, "gs://bkt/**", 10000, 60000, 3);
    fake_http_stop(&f);
    assert_int_equal(o.rc, GCSPLAN_ESOURCE);
    assert_int_equal(o.err.http_status, 302);
    assert_non_null(strstr(o.err.message, "HTTP 302 from objects.list: a redirect to '"));
    assert_non_null(strstr(o.err.message, "not followed"));

    /* A token endpoint (a refresh token in the body) and the metadata server. */
    char home[64] = "/tmp/gcsplan-transport-XXXXXX";
    assert_non_null(mkdtemp(home));
    char key[512], path[128];
    fake_http_start(&f, redirect, 1, 1);
    snprintf(key, sizeof key, "{\"type\":\"authorized_user\",\"client_id\":\"c\",\"client_secret\":"
             "\"s-1234567\",\"refresh_token\":\"1//r-1234567890\",\"token_uri\":\"%s/token\"}",
             f.url);
    snprintf(path, sizeof path, "%s/user.json", home);
    FILE *fp = fopen(path, "w");
    fputs(key, fp);
    fclose(fp);
    vars[0][0] = "GOOGLE_APPLICATION_CREDENTIALS";
    vars[0][1] = path;
    vars[1][0] = "HOME";
    vars[1][1] = home;
    gcsplan__auth_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = fake_getenv;
    cfg.gce_product_file = "/nonexistent/gcsplan-test";
    gcsplan__auth *au;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    const char *h;
    gcsplan_error err;
    assert_int_equal(gcsplan__auth_header(au, &h, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "HTTP 302: a redirect to '"));
    gcsplan__auth_free(au);
    fake_http_stop(&f);
    fake_http_start(&f, redirect, 1, 1);
    char host[64];
    snprintf(host, sizeof host, "127.0.0.1:%d", f.port);
    vars[0][0] = "GCE_METADATA_HOST";
    vars[0][1] = host;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "metadata server token request failed: HTTP 302"));
    gcsplan__auth_free(au);
    fake_http_stop(&f);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    assert_int_equal(system(cmd), 0);

    /* An object read of the content probe. */
    fake_http_start(&f, redirect, 1, 1);
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.endpoint = f.url;
    lo.retries = 3;
    gcsplan_pattern *p;
    const char *uri = "gs://bkt/a.dcm";
    assert_int_equal(gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, NULL), 0);
    gcsplan_preflight_options po = GCSPLAN_PREFLIGHT_OPTIONS_INIT;
    po.source = &lo;
    po.probe = 1;
    gcsplan_preflight *pf;
    assert_int_equal(gcsplan_preflight_new(&pf, p, &po, &err), 0);
    gcsplan_object obj = { "a.dcm", 5, 200, 0, 0 };
    assert_int_equal(gcsplan_preflight_add(pf, &obj, &err), 0);
    assert_int_equal(gcsplan_preflight_finish(pf, &err), 0);
    int failed = 0;
    for (size_t i = 0; i < gcsplan_preflight_count(pf); i++) {
        const gcsplan_finding *fd = gcsplan_preflight_finding(pf, i);
        if (fd->code == GCSPLAN_FINDING_PROBE_FAILED) {
            failed = 1;
            assert_non_null(strstr(fd->examples[0].detail, "HTTP 302"));
        }
    }
    assert_true(failed);
    gcsplan_preflight_free(pf);
    gcsplan_pattern_free(p);
    int probe_requests = fake_http_requests(&f);
    fake_http_stop(&f);
    assert_int_equal(probe_requests, 1);

    assert_int_equal(fake_http_requests(&other), 0);
    fake_http_stop(&other);
}

static void test_trickle_and_silence(void **state)
{
    (void)state;
    alarm(60);
    /* One byte every 200 ms keeps a low-speed limit happy for ever; the
     * attempt's wall-clock bound ends it. */
    static const char page[] = "{\"items\":[{\"name\":\"a\",\"size\":\"1\"}]}";
    const fake_reply trickle[] = {
        { "HTTP/1.1 200 OK\r\nConnection: close", page, sizeof page - 1, 200, 0, 0 },
    };
    fake_http f;
    fake_http_start(&f, trickle, 1, 1);
    uint64_t t0 = gcsplan__clock_ms();
    outcome o = list(f.url, "gs://bkt/**", 1500, 60000, 0);
    uint64_t dt = gcsplan__clock_ms() - t0;
    fake_http_stop(&f);
    assert_int_equal(o.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(o.err.message, "no complete answer within 2 s"));
    assert_true(dt >= 1400 && dt < 6000);
    /* Silence: every attempt waits; the progress budget ends the listing. */
    const fake_reply silent[] = { { "", NULL, 0, 0, 1, 0 } };
    fake_http_start(&f, silent, 1, 1);
    t0 = gcsplan__clock_ms();
    o = list(f.url, "gs://bkt/**", 60000, 1500, 8);
    dt = gcsplan__clock_ms() - t0;
    fake_http_stop(&f);
    assert_int_equal(o.rc, GCSPLAN_ESOURCE);
    assert_non_null(strstr(o.err.message, "no new object or directory from the server at http"));
    assert_true(dt >= 1400 && dt < 6000);
    alarm(0);
}

static void test_huge_retry_after(void **state)
{
    (void)state;
    alarm(60);
    /* Past what a signed multiply by 1000 holds: read saturating (UBSan
     * caught the old parser), capped by the policy. */
    const fake_reply replies[] = {
        { "HTTP/1.1 503 Unavailable\r\nRetry-After: 99999999999999999999\r\nContent-Length: 0\r\n"
          "Connection: close", "", 0, 0, 0, 0 },
        { "HTTP/1.1 503 Unavailable\r\nRetry-After: Fri, 31 Dec 9999 23:59:59 GMT\r\n"
          "Content-Length: 0\r\nConnection: close", "", 0, 0, 0, 0 },
        { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close", "ok", 2, 0, 0, 0 },
    };
    fake_http f;
    fake_http_start(&f, replies, 3, 0);
    gcsplan__api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.retry.retries = 3;
    cfg.retry.base_ms = 1;
    cfg.retry.max_ms = 2;
    cfg.retry.retry_after_max_ms = 100;
    cfg.auth_mode = GCSPLAN__API_AUTH_NONE;
    gcsplan__api *api;
    assert_int_equal(gcsplan__api_new(&api, &cfg, NULL), 0);
    char url[96];
    snprintf(url, sizeof url, "%s/x", f.url);
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = -1;
    req.url = url;
    req.what = "test";
    gcsplan__response resp;
    uint64_t t0 = gcsplan__clock_ms();
    assert_int_equal(gcsplan__api_fetch(api, &req, &resp, NULL), 0);
    uint64_t dt = gcsplan__clock_ms() - t0;
    assert_string_equal(resp.body, "ok");
    assert_true(dt >= 190 && dt < 5000);
    gcsplan__response_free(&resp);
    gcsplan__api_free(api);
    fake_http_stop(&f);
    alarm(0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip_bombs),
        cmocka_unit_test(test_page_byte_cap),
        cmocka_unit_test(test_redirects_never_followed),
        cmocka_unit_test(test_trickle_and_silence),
        cmocka_unit_test(test_huge_retry_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
