/* The API client over a scripted transport: URLs, endpoints and where
 * credentials may go, the retry policy (statuses, budget, Retry-After, the
 * one refresh after a 401), the wall-clock bound of an attempt, the body
 * caps, redirects, malformed bodies, and the messages. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "api.h"
#include "auth.h"
#include "redact.h"
#include "scripted.h"
#include "test_support.h"
#include "util/clock.h"

/* ---- a tiny environment for endpoints and credentials ---------------------- */

static struct { const char *name; char value[512]; } vars[8];
static int nvars;

static void env_set(const char *name, const char *value)
{
    vars[nvars].name = name;
    snprintf(vars[nvars].value, sizeof vars[nvars].value, "%s", value);
    nvars++;
}

static const char *fake_getenv(const char *name)
{
    for (int i = nvars - 1; i >= 0; i--)
        if (strcmp(vars[i].name, name) == 0)
            return vars[i].value;
    return NULL;
}

static int setup(void **state)
{
    (void)state;
    nvars = 0;
    return 0;
}

/* ---- the script: a queue of replies, the last one repeated ------------------- */

typedef struct queue {
    script_reply r[16];
    size_t n, next;
} queue;

static void from_queue(void *ctx, const script_request *req, script_reply *out)
{
    queue *q = ctx;
    (void)req;
    *out = q->r[q->next < q->n ? q->next : q->n - 1];
    if (q->next < q->n)
        q->next++;
}

static script_reply reply(int status, const char *body)
{
    script_reply r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.body = body;
    return r;
}

static gcsplan__api *make_api(gcsplan__transport *t, int retries, unsigned timeout_ms,
                              gcsplan__auth *auth)
{
    gcsplan__api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.transport = t;
    cfg.timeout_ms = timeout_ms;
    cfg.retry.retries = retries;
    cfg.retry.base_ms = 1;
    cfg.retry.max_ms = 4;
    cfg.retry.retry_after_max_ms = 50;
    cfg.auth_mode = auth ? GCSPLAN__API_AUTH_GIVEN : GCSPLAN__API_AUTH_NONE;
    cfg.auth = auth;
    cfg.getenv_fn = fake_getenv;
    gcsplan__api *api;
    assert_int_equal(gcsplan__api_new(&api, &cfg, NULL), 0);
    return api;
}

/* One GET of an absolute URL: its rc, and the error and response. */
static int get(gcsplan__api *api, const char *url, gcsplan__response *resp, gcsplan_error *err)
{
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = -1;
    req.url = url;
    req.what = "test.get";
    return gcsplan__api_fetch(api, &req, resp, err);
}

/* ---- URLs and endpoints ------------------------------------------------------------ */

static void test_url_building(void **state)
{
    (void)state;
    char s[256];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, s, sizeof s);
    gcsplan__buf_puts(&b, "https://h/o");
    gcsplan__url_put_param(&b, "prefix", "a b/é?&=#%~._-", strlen("a b/é?&=#%~._-"));
    gcsplan__url_put_param(&b, "x", "", 0);
    assert_string_equal(s, "https://h/o?prefix=a%20b%2F%C3%A9%3F%26%3D%23%25~._-&x=");
    /* The cap holds: a dynamic buffer stops at its maximum and says so. */
    gcsplan__buf d;
    gcsplan__buf_dynamic(&d, NULL, 10);
    gcsplan__url_put_encoded(&d, "////", 4);
    assert_int_equal(gcsplan__buf_error(&d), GCSPLAN_ELIMIT);
    gcsplan__buf_free(&d);
}

static void test_url_judgement(void **state)
{
    (void)state;
    static const struct { const char *url; int secrets; int loopback; } cases[] = {
        { "https://oauth2.googleapis.com/token", 1, 0 },
        { "https://example.com:8443/x", 1, 0 },
        { "http://127.0.0.1:8080/token", 1, 1 },
        { "http://127.9.8.7/token", 1, 1 },
        { "http://localhost/token", 1, 1 },
        { "http://LOCALHOST:1/token", 1, 1 },
        { "http://[::1]:9/token", 1, 1 },
        { "http://[::ffff:127.0.0.1]/t", 1, 1 },
        { "http://127.1/t", 1, 1 },          /* libcurl reads it as 127.0.0.1 */
        { "http://example.com/token", 0, 0 },
        { "http://127.0.0.1.example.com/t", 0, 0 },
        { "http://localhost.example.com/t", 0, 0 },
        { "http://128.0.0.1/t", 0, 0 },
        { "http://[::2]/t", 0, 0 },
        /* User information hides the real host from a string test. */
        { "http://127.0.0.1:1@other-host/token", 0, 0 },
        { "https://user:pass@oauth2.googleapis.com/token", 0, 0 },
        { "ftp://127.0.0.1/token", 0, 0 },
        { "file:///etc/passwd", 0, 0 },
        { "127.0.0.1/token", 0, 0 },
        { "", 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (gcsplan__url_may_carry_secrets(cases[i].url) != cases[i].secrets)
            fail_msg("%s: may carry secrets should be %d", cases[i].url, cases[i].secrets);
        gcsplan__url u;
        if (gcsplan__url_parse(&u, cases[i].url) == 0 && u.loopback != cases[i].loopback)
            fail_msg("%s: loopback should be %d", cases[i].url, cases[i].loopback);
    }
    gcsplan__url u;
    assert_int_equal(gcsplan__url_parse(&u, "http://127.0.0.1:1@other-host/token"), 0);
    assert_string_equal(u.host, "other-host");
    assert_int_equal(u.port, 80);
    assert_int_equal(u.userinfo, 1);
}

static void test_endpoints(void **state)
{
    (void)state;
    gcsplan__endpoint e;
    gcsplan_error err;
    /* Cloud Storage: Google's with credentials; overrides without. */
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_STORAGE, NULL, fake_getenv, 0, &err), 0);
    assert_string_equal(e.base, "https://storage.googleapis.com");
    assert_int_equal(e.credentials, 1);
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_STORAGE, NULL, fake_getenv, 1, &err), 0);
    assert_int_equal(e.credentials, 0);
    env_set("STORAGE_EMULATOR_HOST", "127.0.0.1:4443");
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_STORAGE, NULL, fake_getenv, 0, &err), 0);
    assert_string_equal(e.base, "http://127.0.0.1:4443");
    assert_string_equal(e.origin, "$STORAGE_EMULATOR_HOST");
    assert_int_equal(e.credentials, 0);
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_STORAGE, "https://gcs.example/storage/v1/",
                                               fake_getenv, 0, &err), 0);
    assert_string_equal(e.base, "https://gcs.example");
    assert_int_equal(e.credentials, 0);
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_STORAGE, "ftp://x", fake_getenv, 0,
                                               &err), GCSPLAN_EINVAL);
    /* Cloud Healthcare: the flag, else the variable, else Google's; credentials
     * always, but never in clear to another machine. */
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_HEALTHCARE, NULL, fake_getenv, 0, &err), 0);
    assert_string_equal(e.base, "https://healthcare.googleapis.com");
    assert_int_equal(e.credentials, 1);
    env_set("CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE", "http://localhost:9000/");
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_HEALTHCARE, NULL, fake_getenv, 0, &err), 0);
    assert_string_equal(e.base, "http://localhost:9000");
    assert_string_equal(e.origin, "CLOUDSDK_API_ENDPOINT_OVERRIDES_HEALTHCARE");
    assert_int_equal(e.credentials, 1);
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_HEALTHCARE, "https://hc.example/",
                                               fake_getenv, 0, &err), 0);
    assert_int_equal(e.credentials, 1);
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_HEALTHCARE, "http://hc.example/",
                                               fake_getenv, 0, &err), GCSPLAN_EINVAL);
    assert_non_null(strstr(err.message, "clear"));
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_HEALTHCARE,
                                               "http://127.0.0.1:1@evil.example/", fake_getenv, 0,
                                               &err), GCSPLAN_EINVAL);
    /* Resource Manager and IAM read their own variables. */
    env_set("CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER", "https://crm.example/");
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_RESOURCE_MANAGER, NULL, fake_getenv, 0,
                                               &err), 0);
    assert_string_equal(e.base, "https://crm.example");
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_IAM, NULL, fake_getenv, 0, &err), 0);
    assert_string_equal(e.base, "https://iam.googleapis.com");
    /* A message quoting a bad endpoint escapes it. */
    assert_int_equal(gcsplan__endpoint_resolve(&e, GCSPLAN__SVC_HEALTHCARE, "\x1b[31mx", fake_getenv,
                                               0, &err), GCSPLAN_EINVAL);
    assert_null(strchr(err.message, '\x1b'));
}

/* ---- the retry policy ------------------------------------------------------------- */

static void test_retries_then_success(void **state)
{
    (void)state;
    queue q = { { reply(503, "{\"error\":{\"message\":\"busy\"}}"), reply(0, NULL),
                  reply(429, ""), reply(500, "x"), reply(200, "hello") }, 5, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 4, 5000, NULL);
    gcsplan__response resp;
    gcsplan_error err;
    assert_int_equal(get(api, "http://127.0.0.1:1/x", &resp, &err), 0);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.attempts, 5);
    assert_string_equal(resp.body, "hello");
    assert_int_equal(resp.body_len, 5);
    gcsplan__response_free(&resp);
    /* No credentials ever go to an absolute URL. */
    for (size_t i = 0; i < script_count(st); i++)
        assert_null(script_header(script_request_at(st, i), "Authorization"));
    gcsplan__api_free(api);
    script_free(st);
}

static void test_budget_and_final_errors(void **state)
{
    (void)state;
    queue q = { { reply(503, "{\"error\":{\"code\":503,\"message\":\"Backend Error\"}}") }, 1, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 2, 5000, NULL);
    gcsplan__response resp;
    gcsplan_error err;
    assert_int_equal(get(api, "http://127.0.0.1:1/x", &resp, &err), GCSPLAN_ESOURCE);
    assert_string_equal(err.message, "giving up after 3 attempts: HTTP 503: Backend Error");
    assert_string_equal(resp.why, "HTTP 503: Backend Error");
    assert_int_equal(resp.status, 503);
    assert_int_equal(script_count(st), 3);
    gcsplan__response_free(&resp);
    /* Without retries: one attempt, in the singular. */
    queue q1 = { { reply(503, "{\"error\":{\"code\":503,\"message\":\"Backend Error\"}}") }, 1, 0 };
    script_transport *st1 = script_new(from_queue, &q1, 1);
    gcsplan__api *api1 = make_api(script_base(st1), 0, 5000, NULL);
    assert_int_equal(get(api1, "http://127.0.0.1:1/x", &resp, &err), GCSPLAN_ESOURCE);
    assert_string_equal(err.message, "giving up after 1 attempt: HTTP 503: Backend Error");
    gcsplan__response_free(&resp);
    gcsplan__api_free(api1);
    script_free(st1);
    /* Other 4xx: at once, with the server's words and the call's name. */
    queue q2 = { { reply(404, "{\"error\":{\"code\":404,\"message\":\"No such object: b/o\"}}") }, 1, 0 };
    script_transport *st2 = script_new(from_queue, &q2, 1);
    gcsplan__api *api2 = make_api(script_base(st2), 5, 5000, NULL);
    assert_int_equal(get(api2, "http://127.0.0.1:1/x", &resp, &err), GCSPLAN_ESOURCE);
    assert_string_equal(err.message, "HTTP 404 from test.get: No such object: b/o");
    assert_int_equal(script_count(st2), 1);
    gcsplan__response_free(&resp);
    gcsplan__api_free(api);
    gcsplan__api_free(api2);
    script_free(st);
    script_free(st2);
}

static void test_retry_after(void **state)
{
    (void)state;
    /* The policy caps Retry-After at 50 ms here: a huge value (past what a
     * signed multiply holds) saturates and is capped, never wraps. */
    script_reply r = reply(503, "");
    strcpy(r.retry_after, "99999999999999999999");
    queue q = { { r, reply(200, "ok") }, 2, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 3, 5000, NULL);
    gcsplan__response resp;
    uint64_t t0 = gcsplan__clock_ms();
    assert_int_equal(get(api, "http://127.0.0.1:1/x", &resp, NULL), 0);
    uint64_t dt = gcsplan__clock_ms() - t0;
    assert_true(dt >= 45 && dt < 2000);
    gcsplan__response_free(&resp);
    gcsplan__api_free(api);
    script_free(st);
}

static void test_deadline(void **state)
{
    (void)state;
    /* An answer that never comes: each attempt ends at its time. */
    script_reply stall = reply(200, "never");
    stall.stall = 1;
    queue q = { { stall }, 1, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 1, 300, NULL);
    gcsplan__response resp;
    gcsplan_error err;
    uint64_t t0 = gcsplan__clock_ms();
    assert_int_equal(get(api, "http://127.0.0.1:1/x", &resp, &err), GCSPLAN_ESOURCE);
    uint64_t dt = gcsplan__clock_ms() - t0;
    assert_true(dt >= 590 && dt < 3000);
    assert_non_null(strstr(err.message, "giving up after 2 attempts: no complete answer within"));
    assert_int_equal(script_cancelled(st), 2);
    assert_int_equal(script_pending(st), 0);
    gcsplan__response_free(&resp);
    gcsplan__api_free(api);
    script_free(st);
}

static void test_body_caps(void **state)
{
    (void)state;
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    script_reply r = reply(200, big);
    r.chunk = 7;
    queue q = { { r }, 1, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 5, 5000, NULL);
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = -1;
    req.url = "http://127.0.0.1:1/x";
    req.what = "test.get";
    req.body_max = 100;
    gcsplan__response resp;
    gcsplan_error err;
    assert_int_equal(gcsplan__api_fetch(api, &req, &resp, &err), GCSPLAN_ELIMIT);
    assert_string_equal(err.message, "test.get: the answer is over 100 bytes (decoded)");
    assert_int_equal(script_count(st), 1); /* a bigger answer next time would not help */
    gcsplan__response_free(&resp);
    /* An error body is read up to a bound, then the status alone speaks. */
    static char huge[3 << 20];
    memset(huge, '{', sizeof huge - 1);
    q.r[0] = reply(400, huge);
    q.r[0].chunk = 65536;
    q.next = 0;
    assert_int_equal(get(api, "http://127.0.0.1:1/y", &resp, &err), GCSPLAN_ESOURCE);
    assert_string_equal(err.message, "HTTP 400 from test.get");
    gcsplan__response_free(&resp);
    gcsplan__api_free(api);
    script_free(st);
}

static void test_redirects_not_followed(void **state)
{
    (void)state;
    script_reply r = reply(302, "");
    strcpy(r.location, "http://attacker.example/steal?t=ya29.abcdefghijklmnop\x1b[2J");
    queue q = { { r }, 1, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 5, 5000, NULL);
    gcsplan__response resp;
    gcsplan_error err;
    assert_int_equal(get(api, "http://127.0.0.1:1/x", &resp, &err), GCSPLAN_ESOURCE);
    assert_int_equal(script_count(st), 1);
    assert_non_null(strstr(err.message, "HTTP 302 from test.get: a redirect to 'http://attacker"));
    assert_non_null(strstr(err.message, "not followed"));
    assert_null(strstr(err.message, "abcdefghijklmnop"));
    assert_null(strchr(err.message, '\x1b'));
    gcsplan__response_free(&resp);
    gcsplan__api_free(api);
    script_free(st);
}

/* A body callback that takes 3 bytes a call and says "malformed" at 'M'. */
static int picky_body(gcsplan__call *c, void *ctx, const char *buf, size_t len)
{
    int *seen = ctx;
    *seen += (int)len;
    if (memchr(buf, 'M', len) != NULL) {
        gcsplan__error_set(gcsplan__call_body_error(c), GCSPLAN_ESOURCE, "an M in the body");
        return GCSPLAN__BODY_MALFORMED;
    }
    if (memchr(buf, 'F', len) != NULL) {
        gcsplan__error_set(gcsplan__call_body_error(c), GCSPLAN_ELIMIT, "an F: no retry helps");
        return GCSPLAN_ELIMIT;
    }
    return 0;
}

static int attempts_seen;

static void count_attempt(gcsplan__call *c, void *ctx, int n)
{
    (void)c, (void)ctx;
    attempts_seen = n;
}

static const gcsplan__call_ops picky_ops = { count_attempt, picky_body, NULL, NULL };

static void test_malformed_bodies(void **state)
{
    (void)state;
    queue q = { { reply(200, "aaMaa"), reply(200, "aaaaa") }, 2, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 3, 5000, NULL);
    int seen = 0;
    gcsplan__call *c;
    assert_int_equal(gcsplan__call_new(&c, api, &picky_ops, &seen), 0);
    gcsplan__call_begin(c, -1, "http://127.0.0.1:1/x", NULL, "picky");
    gcsplan_error err;
    assert_int_equal(gcsplan__call_run(c, &err), 0);
    assert_int_equal(attempts_seen, 2);
    /* A negative verdict ends the call, with its message, at once. */
    q.r[0] = reply(200, "F");
    q.next = 0;
    q.n = 1;
    gcsplan__call_begin(c, -1, "http://127.0.0.1:1/x", NULL, "picky");
    assert_int_equal(gcsplan__call_run(c, &err), GCSPLAN_ELIMIT);
    assert_string_equal(err.message, "an F: no retry helps");
    assert_int_equal(attempts_seen, 1);
    /* Malformed every time: the budget, then the reason. */
    q.r[0] = reply(200, "M");
    q.next = 0;
    gcsplan__call_begin(c, -1, "http://127.0.0.1:1/x", NULL, "picky");
    assert_int_equal(gcsplan__call_run(c, &err), GCSPLAN_ESOURCE);
    assert_string_equal(err.message,
                        "giving up after 4 attempts: truncated or malformed body (an M in the body)");
    gcsplan__call_free(c);
    gcsplan__api_free(api);
    script_free(st);
}

/* ---- credentials ------------------------------------------------------------------ */

typedef struct storage {
    int tokens_issued;
    const char *accept; /* the bearer token the storage side accepts */
    char token_body[128];
} storage;

/* The token endpoint (authorized user): ya29.one, ya29.two, ... */
static void token_endpoint(void *ctx, const script_request *req, script_reply *out)
{
    storage *s = ctx;
    memset(out, 0, sizeof *out);
    assert_string_equal(req->method, "POST");
    assert_non_null(strstr(req->body, "grant_type=refresh_token"));
    s->tokens_issued++;
    snprintf(s->token_body, sizeof s->token_body, "{\"access_token\":\"ya29.tok-%d\"}",
             s->tokens_issued);
    out->status = 200;
    out->body = s->token_body;
}

static void storage_side(void *ctx, const script_request *req, script_reply *out)
{
    storage *s = ctx;
    const char *h = script_header(req, "Authorization");
    memset(out, 0, sizeof *out);
    if (h != NULL && strcmp(h, s->accept) == 0) {
        out->status = 200;
        out->body = "{}";
    } else {
        out->status = 401;
        out->body = "{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\"}}";
    }
}

static gcsplan__auth *user_auth(script_transport *token_side, char *dir)
{
    char path[256];
    snprintf(dir, 64, "/tmp/gcsplan-api-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/user.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"type\":\"authorized_user\",\"client_id\":\"cid\",\"client_secret\":\"csecret-12345\","
          "\"refresh_token\":\"1//refresh-secret-abcdef\",\"token_uri\":\"https://oauth2.example/token\"}",
          f);
    fclose(f);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", path);
    env_set("HOME", dir);
    gcsplan__auth_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.getenv_fn = fake_getenv;
    cfg.gce_product_file = "/nonexistent/gcsplan-test";
    cfg.transport = script_base(token_side);
    gcsplan__auth *au;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    return au;
}

static void remove_dir(const char *dir)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (strncmp(dir, "/tmp/gcsplan-api-", 17) == 0)
        assert_int_equal(system(cmd), 0);
}

static void test_refresh_after_401(void **state)
{
    (void)state;
    storage s = { 0, "Bearer ya29.tok-2", "" };
    script_transport *tokens = script_new(token_endpoint, &s, 1);
    script_transport *st = script_new(storage_side, &s, 1);
    char dir[64];
    gcsplan__auth *au = user_auth(tokens, dir);
    /* No retry budget at all: the refresh after a 401 is not a retry. */
    gcsplan__api *api = make_api(script_base(st), 0, 5000, au);
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = GCSPLAN__SVC_STORAGE;
    req.path = "/storage/v1/b/bkt/o";
    req.what = "objects.list";
    gcsplan__response resp;
    gcsplan_error err;
    assert_int_equal(gcsplan__api_fetch(api, &req, &resp, &err), 0);
    gcsplan__response_free(&resp);
    assert_int_equal(s.tokens_issued, 2);
    assert_int_equal(script_count(st), 2);
    assert_string_equal(script_header(script_request_at(st, 0), "Authorization"), "Bearer ya29.tok-1");
    assert_string_equal(script_header(script_request_at(st, 1), "Authorization"), "Bearer ya29.tok-2");
    assert_string_equal(script_request_at(st, 0)->url,
                        "https://storage.googleapis.com/storage/v1/b/bkt/o");
    /* Refused again with a fresh token: once only, then the server's words. */
    s.accept = "Bearer never";
    assert_int_equal(gcsplan__api_fetch(api, &req, &resp, &err), GCSPLAN_ESOURCE);
    assert_string_equal(err.message, "HTTP 401 from objects.list: Invalid Credentials");
    assert_int_equal(s.tokens_issued, 3);
    gcsplan__response_free(&resp);
    gcsplan__api_free(api);
    gcsplan__auth_free(au);
    script_free(st);
    script_free(tokens);
    remove_dir(dir);
}

static void echo_token(void *ctx, const script_request *req, script_reply *out)
{
    static char body[600];
    (void)ctx;
    memset(out, 0, sizeof *out);
    snprintf(body, sizeof body, "{\"error\":{\"code\":403,\"message\":\"you sent %s\"}}",
             script_header(req, "Authorization"));
    out->status = 403;
    out->body = body;
}

static void test_messages_never_repeat_credentials(void **state)
{
    (void)state;
    storage s = { 0, "", "" };
    script_transport *tokens = script_new(token_endpoint, &s, 1);
    script_transport *st = script_new(echo_token, NULL, 1);
    char dir[64];
    gcsplan__auth *au = user_auth(tokens, dir);
    gcsplan__api *api = make_api(script_base(st), 0, 5000, au);
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = GCSPLAN__SVC_STORAGE;
    req.path = "/storage/v1/b/bkt/o";
    req.what = "objects.list";
    gcsplan__response resp;
    gcsplan_error err;
    assert_int_equal(gcsplan__api_fetch(api, &req, &resp, &err), GCSPLAN_ESOURCE);
    assert_null(strstr(err.message, "tok-1"));
    assert_non_null(strstr(err.message, "you sent Bearer " GCSPLAN__REDACTED));
    gcsplan__response_free(&resp);
    /* No credentials in clear to another machine, whatever the endpoint. */
    gcsplan__api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.transport = script_base(st);
    cfg.auth_mode = GCSPLAN__API_AUTH_GIVEN;
    cfg.auth = au;
    cfg.getenv_fn = fake_getenv;
    cfg.endpoint[GCSPLAN__SVC_HEALTHCARE] = "http://healthcare.example/";
    gcsplan__api *api2;
    assert_int_equal(gcsplan__api_new(&api2, &cfg, NULL), 0);
    req.service = GCSPLAN__SVC_HEALTHCARE;
    req.path = "/v1/projects/p";
    size_t before = script_count(st);
    assert_int_equal(gcsplan__api_fetch(api2, &req, &resp, &err), GCSPLAN_EINVAL);
    assert_non_null(strstr(err.message, "clear text"));
    assert_int_equal(script_count(st), before);
    gcsplan__response_free(&resp);
    gcsplan__api_free(api2);
    gcsplan__api_free(api);
    gcsplan__auth_free(au);
    script_free(st);
    script_free(tokens);
    remove_dir(dir);
}


/* A call may take no retries of its own (an import: a repeat may run it
 * twice): it ends at its first failure with the status seen, 0 when no
 * answer came, and a 2xx body cut short is a failure with status 200. The
 * client's other calls keep the client's policy. */
typedef struct one_result {
    int done;
    gcsplan__call_result r;
    char why[GCSPLAN_MESSAGE_MAX];
} one_result;

static void keep_result(gcsplan__call *c, void *ctx, const gcsplan__call_result *r)
{
    one_result *o = ctx;
    (void)c;
    o->done = 1;
    o->r = *r;
    snprintf(o->why, sizeof o->why, "%s", r->why);
}

static const gcsplan__call_ops keep_ops = { NULL, NULL, NULL, keep_result };

static one_result post_once(gcsplan__api *api, int retries)
{
    one_result o;
    memset(&o, 0, sizeof o);
    gcsplan__call *c;
    assert_int_equal(gcsplan__call_new(&c, api, &keep_ops, &o), 0);
    gcsplan__call_begin(c, -1, "http://127.0.0.1:1/v1/x:import", "POST", "test.import");
    gcsplan__call_body(c, "{}", 2);
    gcsplan__call_retries(c, retries);
    assert_int_equal(gcsplan__call_start(c, NULL), 0);
    while (!o.done)
        assert_int_equal(gcsplan__api_run(api, 100, NULL), 0);
    gcsplan__call_free(c);
    return o;
}

static void test_call_without_retries(void **state)
{
    (void)state;
    script_reply cut = reply(200, "{\"name\":\"projects/p/operations/1\"}");
    cut.cut = 5;
    queue q = { { reply(503, "{\"error\":{\"message\":\"busy\"}}"), reply(0, NULL), cut,
                  reply(429, ""), reply(200, "ok") }, 5, 0 };
    script_transport *st = script_new(from_queue, &q, 1);
    gcsplan__api *api = make_api(script_base(st), 4, 5000, NULL);
    one_result o = post_once(api, 0);
    assert_int_equal(o.r.rc, GCSPLAN_ESOURCE);
    assert_int_equal(o.r.status, 503);
    assert_int_equal(o.r.attempts, 1);
    assert_string_equal(o.why, "HTTP 503: busy");
    o = post_once(api, 0);
    assert_int_equal(o.r.status, 0);
    assert_int_equal(o.r.attempts, 1);
    assert_false(o.r.not_sent); /* the connection broke: it may have been read */
    o = post_once(api, 0);
    assert_int_equal(o.r.rc, GCSPLAN_ESOURCE);
    assert_int_equal(o.r.status, 200);
    assert_int_equal(script_count(st), 3);
    /* Each on a connection of its own: libcurl repeats by itself a request
     * whose reused connection was found closed (a second import). */
    for (size_t i = 0; i < 3; i++)
        assert_true(script_request_at(st, i)->fresh_connection);
    /* begin forgets the setting: the client's four retries again. */
    o = post_once(api, -1);
    assert_int_equal(o.r.rc, 0);
    assert_int_equal(o.r.attempts, 2);
    assert_false(script_request_at(st, 3)->fresh_connection);
    /* No connection at all: the request never left, and the result says so. */
    queue q2 = { { reply(0, NULL) }, 1, 0 };
    q2.r[0].not_sent = 1;
    script_transport *st2 = script_new(from_queue, &q2, 1);
    gcsplan__api *api2 = make_api(script_base(st2), 4, 5000, NULL);
    o = post_once(api2, 0);
    assert_int_equal(o.r.status, 0);
    assert_true(o.r.not_sent);
    gcsplan__api_free(api2);
    script_free(st2);
    gcsplan__api_free(api);
    script_free(st);
}

/* An operation's message is not an error document, yet it is quoted with
 * the same care: our token and anything shaped like a credential masked,
 * one line, escaped. */
static void test_server_text(void **state)
{
    (void)state;
    script_transport *st = script_new(from_queue, NULL, 1);
    gcsplan__api *api = make_api(script_base(st), 0, 5000, NULL);
    char s[512];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, s, sizeof s);
    const char *m = "failed\n\x1b[2J token ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxx end";
    assert_int_equal(gcsplan__api_server_text(api, &b, m, strlen(m), 200), 0);
    assert_null(strstr(s, "ya29."));
    assert_null(strchr(s, '\x1b'));
    assert_null(strchr(s, '\n'));
    assert_non_null(strstr(s, GCSPLAN__REDACTED));
    assert_true(gcsplan__api_looks_secret(api, m, strlen(m)));
    const char *url = "https://console.cloud.google.com/logs/query;query=operation.id%3D%2242%22";
    assert_false(gcsplan__api_looks_secret(api, url, strlen(url)));
    gcsplan__api_free(api);
    script_free(st);
}

/* Listers may be made from several threads at once: libcurl's global
 * start runs once, and the process-wide credentials are chosen once and
 * shared (a given token here, so nothing goes out). */
static gcsplan__auth *seen_handles[8];

static void *make_things(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    gcsplan__transport *t;
    gcsplan__transport_config tc = { 2, 1000, 1000, 1000 };
    assert_int_equal(gcsplan__transport_curl_new(&t, &gcsplan__default_allocator, &tc, NULL), 0);
    t->ops->free(t);
    assert_int_equal(gcsplan__auth_shared(&seen_handles[i], NULL), 0);
    char line[256];
    const char *out;
    uint64_t gen;
    for (int k = 0; k < 100; k++) {
        assert_int_equal(gcsplan__auth_header_line(seen_handles[i], line, sizeof line, &out, &gen,
                                                   NULL), 0);
        assert_string_equal(out, "Authorization: Bearer ya29.shared-by-threads");
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    gcsplan__auth_shared_reset();
    setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.shared-by-threads", 1);
    unsetenv("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE");
    pthread_t th[8];
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&th[i], NULL, make_things, (void *)(uintptr_t)i), 0);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (size_t i = 1; i < 8; i++)
        assert_ptr_equal(seen_handles[i], seen_handles[0]);
    assert_string_equal(gcsplan__auth_describe(seen_handles[0]),
                        "credentials: access token from $GOOGLE_OAUTH_ACCESS_TOKEN");
    gcsplan__auth_shared_reset();
    unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_url_building, setup),
        cmocka_unit_test_setup(test_url_judgement, setup),
        cmocka_unit_test_setup(test_endpoints, setup),
        cmocka_unit_test_setup(test_retries_then_success, setup),
        cmocka_unit_test_setup(test_budget_and_final_errors, setup),
        cmocka_unit_test_setup(test_retry_after, setup),
        cmocka_unit_test_setup(test_deadline, setup),
        cmocka_unit_test_setup(test_body_caps, setup),
        cmocka_unit_test_setup(test_redirects_not_followed, setup),
        cmocka_unit_test_setup(test_malformed_bodies, setup),
        cmocka_unit_test_setup(test_refresh_after_401, setup),
        cmocka_unit_test_setup(test_messages_never_repeat_credentials, setup),
        cmocka_unit_test_setup(test_call_without_retries, setup),
        cmocka_unit_test_setup(test_server_text, setup),
        cmocka_unit_test_setup(test_threads, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
