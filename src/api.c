/* The API client: calls, attempts, the retry policy, the bounds. */
#include <limits.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "api_error.h"
#include "auth_json.h"
#include "redact.h"
#include "util/clock.h"
#include "util/escape.h"

#define PARALLEL_DEFAULT 16
#define TIMEOUT_DEFAULT_MS 60000u
#define CONNECT_TIMEOUT_DEFAULT_MS 30000u
/* A body that stalls (no byte at all) this long ends the attempt early. */
#define STALL_TIMEOUT_DEFAULT_MS 30000u
#define RETRIES_DEFAULT 8
#define RETRY_BASE_DEFAULT_MS 250u
#define RETRY_MAX_DEFAULT_MS 32000u
/* "Authorization: Bearer " and a token of at most GCSPLAN__TOKEN_MAX. */
#define AUTH_LINE_MAX (4096 + 64)
#define SECRETS_MAX 16

enum { C_IDLE, C_RUNNING, C_WAITING };

/* A growable block for bodies that may hold secrets: it grows by copying
 * and wiping, never by realloc, so that no stale copy is left behind. */
typedef struct secret_buf {
    char *p;
    size_t len, cap, max;
} secret_buf;

struct gcsplan__api {
    gcsplan_allocator alloc;
    gcsplan__endpoint ep[GCSPLAN__SVC_COUNT];
    gcsplan_error ep_err[GCSPLAN__SVC_COUNT];
    int ep_ok[GCSPLAN__SVC_COUNT];
    unsigned int timeout_ms;
    gcsplan__retry_policy retry;
    gcsplan__transport *t;
    int own_t;
    gcsplan__api_auth auth_mode;
    gcsplan__auth *auth; /* resolved when a call first needs it */
    int64_t (*wall_fn)(void);
    uint64_t rng;
    gcsplan__call *active; /* started, not done */
    size_t nactive;
    char last_failure[GCSPLAN_MESSAGE_MAX];
};

struct gcsplan__call {
    gcsplan__api *api;
    const gcsplan__call_ops *ops;
    void *ctx;
    gcsplan__call *prev, *next; /* in api->active */
    int state;
    /* the request */
    int svc;
    const char *what;
    const char *method;
    gcsplan__buf url;
    const char *extra[GCSPLAN__CALL_HEADERS_MAX];
    size_t nextra;
    const char *headers[GCSPLAN__CALL_HEADERS_MAX + 2];
    const char *body;
    size_t body_len;
    size_t body_max;
    int oauth, no_proxy;
    const char *const *secrets;
    int retries; /* attempts after the first; -1: the client's policy */
    int credentials;
    char auth_line[AUTH_LINE_MAX];
    uint64_t auth_gen;
    /* the attempt */
    gcsplan__xfer xfer;
    int attempts;
    int free_attempts; /* immediate retries after a 401: not in the budget */
    int auth_retried;
    uint64_t deadline_ms, due_ms;
    int status;
    size_t body_bytes;
    int body_rc;
    int too_big, timed_out;
    int not_sent;
    secret_buf errbody;
    size_t err_read;
    secret_buf resp;
    gcsplan_error body_err;
    /* the result */
    char why[GCSPLAN_MESSAGE_MAX];
    gcsplan_error err;
    gcsplan__call_result res;
};

/* --- secret buffers -------------------------------------------------------------------- */

static int sb_put(const gcsplan_allocator *a, secret_buf *b, const char *s, size_t n)
{
    if (n > b->max - b->len)
        return -1;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > b->max + 1)
            cap = b->max + 1;
        char *p = gcsplan__malloc(a, cap);
        if (p == NULL)
            return GCSPLAN_ENOMEM;
        if (b->p != NULL) {
            memcpy(p, b->p, b->len);
            gcsplan__free_secret_n(a, b->p, b->cap);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static void sb_clear(secret_buf *b)
{
    if (b->p != NULL)
        OPENSSL_cleanse(b->p, b->len);
    b->len = 0;
}

static void sb_free(const gcsplan_allocator *a, secret_buf *b)
{
    gcsplan__free_secret_n(a, b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* --- the client --------------------------------------------------------------------- */

static int64_t wall_now(void)
{
    return (int64_t)time(NULL);
}

int gcsplan__api_new(gcsplan__api **out, const gcsplan__api_config *cfg, gcsplan_error *err)
{
    *out = NULL;
    const gcsplan_allocator *a = gcsplan__allocator_or_default(cfg->alloc);
    gcsplan__api *api = gcsplan__malloc(a, sizeof *api);
    if (api == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(api, 0, sizeof *api);
    api->alloc = *a;
    api->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : TIMEOUT_DEFAULT_MS;
    api->retry = cfg->retry;
    if (api->retry.retries < 0)
        api->retry.retries = RETRIES_DEFAULT;
    if (api->retry.base_ms == 0)
        api->retry.base_ms = RETRY_BASE_DEFAULT_MS;
    if (api->retry.max_ms == 0)
        api->retry.max_ms = RETRY_MAX_DEFAULT_MS;
    if (api->retry.retry_after_max_ms == 0)
        api->retry.retry_after_max_ms = GCSPLAN__RETRY_AFTER_MAX_MS;
    api->auth_mode = cfg->auth_mode;
    api->auth = cfg->auth_mode == GCSPLAN__API_AUTH_GIVEN ? cfg->auth : NULL;
    api->wall_fn = cfg->wall_fn ? cfg->wall_fn : wall_now;
    api->rng = gcsplan__rng_seed();
    for (int s = 0; s < GCSPLAN__SVC_COUNT; s++)
        api->ep_ok[s] = gcsplan__endpoint_resolve(&api->ep[s], (gcsplan__service)s, cfg->endpoint[s],
                                                  cfg->getenv_fn, cfg->anonymous,
                                                  &api->ep_err[s]) == 0;
    if (cfg->transport != NULL) {
        api->t = cfg->transport;
    } else {
        unsigned int connect = cfg->connect_timeout_ms ? cfg->connect_timeout_ms
                                                       : CONNECT_TIMEOUT_DEFAULT_MS;
        if (connect > api->timeout_ms)
            connect = api->timeout_ms;
        /* libcurl's own timeout is a backstop a second after ours: the
         * client ends an attempt at its time (api_run, x_body), with its
         * own message, even while libcurl is busy inside one callback. */
        unsigned int backstop = api->timeout_ms > UINT_MAX - 1000 ? UINT_MAX
                                                                   : api->timeout_ms + 1000;
        gcsplan__transport_config tc = { cfg->parallel ? cfg->parallel : PARALLEL_DEFAULT,
                                         backstop, connect,
                                         STALL_TIMEOUT_DEFAULT_MS < api->timeout_ms
                                             ? STALL_TIMEOUT_DEFAULT_MS : api->timeout_ms };
        int rc = gcsplan__transport_curl_new(&api->t, a, &tc, err);
        if (rc != 0) {
            gcsplan__free(a, api);
            return rc;
        }
        api->own_t = 1;
    }
    *out = api;
    return 0;
}

void gcsplan__api_free(gcsplan__api *api)
{
    if (api == NULL)
        return;
    while (api->active != NULL)
        gcsplan__call_cancel(api->active);
    if (api->own_t)
        api->t->ops->free(api->t);
    gcsplan__free(&api->alloc, api);
}

const gcsplan__endpoint *gcsplan__api_endpoint(gcsplan__api *api, gcsplan__service svc,
                                               gcsplan_error *err)
{
    if ((unsigned)svc >= GCSPLAN__SVC_COUNT) {
        gcsplan__error_set(err, GCSPLAN_EINVAL, "unknown service");
        return NULL;
    }
    if (!api->ep_ok[svc]) {
        if (err != NULL)
            *err = api->ep_err[svc];
        return NULL;
    }
    return &api->ep[svc];
}

static int need_auth(gcsplan__api *api, gcsplan_error *err)
{
    if (api->auth != NULL)
        return 0;
    if (api->auth_mode != GCSPLAN__API_AUTH_SHARED)
        return gcsplan__error_set(err, GCSPLAN_ERROR, "internal error: no credentials handle");
    return gcsplan__auth_shared(&api->auth, err);
}

int gcsplan__api_prepare(gcsplan__api *api, gcsplan__service svc, gcsplan_error *err)
{
    const gcsplan__endpoint *ep = gcsplan__api_endpoint(api, svc, err);
    if (ep == NULL)
        return err != NULL ? err->code : GCSPLAN_EINVAL;
    if (!ep->credentials || api->auth_mode == GCSPLAN__API_AUTH_NONE)
        return 0;
    return need_auth(api, err);
}

const char *gcsplan__api_describe_credentials(gcsplan__api *api, gcsplan__service svc)
{
    if ((unsigned)svc >= GCSPLAN__SVC_COUNT || !api->ep_ok[svc] || !api->ep[svc].credentials ||
        api->auth_mode == GCSPLAN__API_AUTH_NONE)
        return "credentials: none (anonymous requests)";
    if (api->auth == NULL)
        return "credentials: not resolved yet";
    return gcsplan__auth_describe(api->auth);
}

size_t gcsplan__api_active(const gcsplan__api *api)
{
    return api->nactive;
}

const char *gcsplan__api_last_failure(const gcsplan__api *api)
{
    return api->last_failure;
}

/* --- messages ------------------------------------------------------------------------- */

typedef struct quote_job {
    gcsplan__call *c;
    gcsplan__buf *out;
    const char *text;
    size_t n;
    int doc; /* an error document, else plain server text */
} quote_job;

static int quote_with(const char *const *auth_secrets, void *ctx)
{
    quote_job *q = ctx;
    const char *all[SECRETS_MAX + 1];
    size_t k = 0;
    for (const char *const *s = q->c->secrets; s != NULL && *s != NULL && k < SECRETS_MAX / 2; s++)
        all[k++] = *s;
    for (const char *const *s = auth_secrets; s != NULL && *s != NULL && k < SECRETS_MAX; s++)
        all[k++] = *s;
    all[k] = NULL;
    if (q->doc)
        return gcsplan__error_doc_text(q->out, q->text, q->n, q->c->oauth,
                                       GCSPLAN__SERVER_TEXT_MAX, all);
    return gcsplan__server_text(q->out, q->text, q->n, GCSPLAN__SERVER_TEXT_MAX, all);
}

/* Server text into out, masked with every secret the call and the process
 * hold; "(withheld)" when the masking itself could not run. */
static void quote(gcsplan__call *c, gcsplan__buf *out, const char *text, size_t n, int doc)
{
    quote_job q = { c, out, text, n, doc };
    gcsplan__api *api = c->api;
    int rc = api->auth != NULL && api->auth_mode != GCSPLAN__API_AUTH_NONE
                 ? gcsplan__auth_with_secrets(api->auth, quote_with, &q)
                 : quote_with(NULL, &q);
    if (rc != 0)
        gcsplan__buf_puts(out, "(the server's text is withheld: no memory to mask it)");
}

typedef struct text_job {
    gcsplan__buf *out;
    const char *s;
    size_t n, max;
    int check; /* only ask whether s looks like a secret */
} text_job;

static int text_with(const char *const *secrets, void *ctx)
{
    text_job *t = ctx;
    if (t->check)
        return gcsplan__looks_secret(t->s, t->n, secrets);
    return gcsplan__server_text(t->out, t->s, t->n, t->max, secrets);
}

/* The credentials of the client, when it has resolved any. */
static int with_client_secrets(gcsplan__api *api, text_job *t)
{
    if (api->auth != NULL && api->auth_mode != GCSPLAN__API_AUTH_NONE)
        return gcsplan__auth_with_secrets(api->auth, text_with, t);
    return text_with(NULL, t);
}

int gcsplan__api_server_text(gcsplan__api *api, gcsplan__buf *out, const char *s, size_t n,
                             size_t max)
{
    text_job t = { out, s, n, max, 0 };
    return with_client_secrets(api, &t) != 0 ? -1 : 0;
}

int gcsplan__api_looks_secret(gcsplan__api *api, const char *s, size_t n)
{
    text_job t = { NULL, s, n, 0, 1 };
    return with_client_secrets(api, &t) != 0;
}

/* --- attempts ------------------------------------------------------------------------- */

static void set_why(gcsplan__call *c, const char *fmt, ...) GCSPLAN_PRINTF(2, 3);

/* The last failure, cut to fit (a message is one line of bounded length). */
static void set_why(gcsplan__call *c, const char *fmt, ...)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, c->why, sizeof c->why);
    va_list ap;
    va_start(ap, fmt);
    gcsplan__buf_vprintf(&b, fmt, ap);
    va_end(ap);
}

static void link_active(gcsplan__call *c)
{
    gcsplan__api *api = c->api;
    c->prev = NULL;
    c->next = api->active;
    if (api->active != NULL)
        api->active->prev = c;
    api->active = c;
    api->nactive++;
}

static void unlink_active(gcsplan__call *c)
{
    gcsplan__api *api = c->api;
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        api->active = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    api->nactive--;
}

static void finish(gcsplan__call *c, int rc, int exhausted);

static int x_body(gcsplan__xfer *x, int status, const char *buf, size_t len);
static void x_done(gcsplan__xfer *x, const gcsplan__xfer_result *r);

/* Start attempt number c->attempts + 1. Returns 0, or an error code with
 * c->err filled (the call has not been handed to the transport). */
static int begin_attempt(gcsplan__call *c)
{
    gcsplan__api *api = c->api;
    c->attempts++;
    c->status = 0;
    c->body_bytes = 0;
    c->body_rc = 0;
    c->too_big = c->timed_out = 0;
    c->not_sent = 0;
    c->err_read = 0;
    sb_clear(&c->errbody);
    sb_clear(&c->resp);
    gcsplan_error_clear(&c->body_err);
    if (c->ops->attempt != NULL)
        c->ops->attempt(c, c->ctx, c->attempts);
    size_t h = 0;
    if (c->credentials) {
        const char *line = NULL;
        gcsplan_error aerr;
        int rc = gcsplan__auth_header_line(api->auth, c->auth_line, sizeof c->auth_line, &line,
                                           &c->auth_gen, &aerr);
        if (rc != 0) {
            c->err = aerr;
            set_why(c, "%s", aerr.message);
            return rc;
        }
        if (line != NULL)
            c->headers[h++] = line;
    }
    for (size_t i = 0; i < c->nextra; i++)
        c->headers[h++] = c->extra[i];
    c->headers[h] = NULL;
    memset(&c->xfer, 0, sizeof c->xfer);
    c->xfer.method = c->method;
    c->xfer.url = c->url.p;
    c->xfer.headers = c->headers;
    c->xfer.body = c->body;
    c->xfer.body_len = c->body_len;
    c->xfer.no_proxy = c->no_proxy;
    /* Not repeated blindly by us, nor by libcurl behind our back. */
    c->xfer.fresh_connection = c->retries == 0;
    c->xfer.on_body = x_body;
    c->xfer.on_done = x_done;
    c->xfer.ctx = c;
    c->deadline_ms = gcsplan__clock_ms() + api->timeout_ms;
    int rc = api->t->ops->start(api->t, &c->xfer);
    if (rc != 0) {
        set_why(c, "could not start a request: %s", gcsplan_strerror(rc));
        gcsplan__error_set(&c->err, rc, "%s", c->why);
        return rc;
    }
    c->state = C_RUNNING;
    return 0;
}

static int x_body(gcsplan__xfer *x, int status, const char *buf, size_t len)
{
    gcsplan__call *c = x->ctx;
    c->status = status;
    /* The clock is read here too: a body that keeps coming (a gzip bomb
     * inflating inside one run of the transport) must not outlive its time. */
    if (gcsplan__clock_ms() >= c->deadline_ms) {
        c->timed_out = 1;
        return 1;
    }
    if (status < 200 || status > 299) {
        size_t keep = GCSPLAN__ERROR_BODY_KEEP - c->errbody.len;
        if (keep > len)
            keep = len;
        if (keep > 0 && sb_put(&c->api->alloc, &c->errbody, buf, keep) == GCSPLAN_ENOMEM)
            return 1;
        c->err_read += len;
        return c->err_read > GCSPLAN__ERROR_BODY_READ_MAX; /* the status says enough */
    }
    if (len > c->body_max - c->body_bytes) {
        c->too_big = 1;
        return 1;
    }
    c->body_bytes += len;
    if (c->ops->body != NULL) {
        int rc = c->ops->body(c, c->ctx, buf, len);
        if (rc != 0) {
            c->body_rc = rc;
            return 1;
        }
        return 0;
    }
    int rc = sb_put(&c->api->alloc, &c->resp, buf, len);
    if (rc != 0) {
        c->body_rc = GCSPLAN_ENOMEM;
        gcsplan__error_set(&c->body_err, GCSPLAN_ENOMEM, "out of memory");
        return 1;
    }
    return 0;
}

/* "HTTP 503" and the server's text, into c->why. */
static void http_why(gcsplan__call *c, int status, const char *extra)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, c->why, sizeof c->why);
    gcsplan__buf_printf(&b, "HTTP %d", status);
    size_t mark = b.len;
    gcsplan__buf_puts(&b, ": ");
    size_t before = b.len;
    if (extra != NULL)
        gcsplan__buf_puts(&b, extra);
    else
        quote(c, &b, c->errbody.p ? c->errbody.p : "", c->errbody.len, 1);
    if (b.len == before)
        gcsplan__buf_truncate(&b, mark);
}

/* Schedule the next attempt, or end the call when the budget is spent. */
static void retry_or_fail(gcsplan__call *c, int64_t retry_after_ms, int now)
{
    gcsplan__api *api = c->api;
    snprintf(api->last_failure, sizeof api->last_failure, "%s", c->why);
    int budget = c->retries >= 0 ? c->retries : api->retry.retries;
    if (!now && c->attempts - c->free_attempts > budget) {
        gcsplan__error_set(&c->err, GCSPLAN_ESOURCE, "giving up after %d attempt%s: %s",
                           c->attempts, c->attempts == 1 ? "" : "s", c->why);
        finish(c, GCSPLAN_ESOURCE, 1);
        return;
    }
    uint64_t wait = now ? 0
                        : gcsplan__backoff_ms(&api->rng, &api->retry,
                                              c->attempts - c->free_attempts, retry_after_ms);
    c->due_ms = gcsplan__clock_ms() + wait;
    c->state = C_WAITING;
}

/* End the call with a failure that no retry can mend. */
static void fail_final(gcsplan__call *c, int rc, int status)
{
    if (status != 0)
        gcsplan__error_set(&c->err, rc, "HTTP %d from %s%s", status, c->what,
                           strchr(c->why, ':') ? strchr(c->why, ':') : "");
    else
        gcsplan__error_set(&c->err, rc, "%s: %s", c->what, c->why);
    finish(c, rc, 0);
}

static void x_done(gcsplan__xfer *x, const gcsplan__xfer_result *r)
{
    gcsplan__call *c = x->ctx;
    gcsplan__api *api = c->api;
    int status = r->status ? r->status : c->status;
    c->status = status;
    c->state = C_IDLE;
    int64_t retry_after = -1;
    uint64_t ra;
    if (r->retry_after[0] != '\0' &&
        gcsplan__retry_after_parse(r->retry_after, strlen(r->retry_after), api->wall_fn(), &ra) == 0)
        retry_after = ra > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)ra;
    if (c->timed_out) {
        set_why(c, "no complete answer within %u s (timed out)",
                 (api->timeout_ms + 999) / 1000);
        retry_or_fail(c, -1, 0);
    } else if (c->too_big) {
        set_why(c, "the answer is over %zu bytes", c->body_max);
        gcsplan__error_set(&c->err, GCSPLAN_ELIMIT, "%s: the answer is over %zu bytes (decoded)",
                           c->what, c->body_max);
        finish(c, GCSPLAN_ELIMIT, 0);
    } else if (c->body_rc < 0) {
        set_why(c, "%s", c->body_err.message);
        c->err = c->body_err;
        if (c->err.code == 0)
            gcsplan__error_set(&c->err, c->body_rc, "%s", gcsplan_strerror(c->body_rc));
        finish(c, c->body_rc, 0);
    } else if (c->body_rc == GCSPLAN__BODY_ENOUGH && status >= 200 && status <= 299) {
        int rc = c->ops->end != NULL ? c->ops->end(c, c->ctx) : 0;
        c->why[0] = '\0';
        if (rc < 0) {
            set_why(c, "%s", c->body_err.message);
            c->err = c->body_err;
        }
        finish(c, rc < 0 ? rc : 0, 0);
    } else if (r->transport_failed || (status == 0 && !c->body_rc)) {
        c->not_sent = r->not_sent;
        gcsplan__buf b;
        gcsplan__buf_fixed(&b, c->why, sizeof c->why);
        gcsplan__buf_puts(&b, "connection failed: ");
        gcsplan__term_str(&b, r->message, strlen(r->message));
        retry_or_fail(c, -1, 0);
    } else if (status >= 200 && status <= 299) {
        int rc = c->body_rc;
        if (rc == 0 && c->ops->end != NULL)
            rc = c->ops->end(c, c->ctx);
        if (rc == 0) {
            c->why[0] = '\0';
            finish(c, 0, 0);
        } else if (rc > 0) {
            set_why(c, "truncated or malformed body (%s)",
                     c->body_err.message);
            retry_or_fail(c, -1, 0);
        } else {
            set_why(c, "%s", c->body_err.message);
            c->err = c->body_err;
            if (c->err.code == 0)
                gcsplan__error_set(&c->err, rc, "%s", gcsplan_strerror(rc));
            finish(c, rc, 0);
        }
    } else if (status >= 300 && status <= 399) {
        /* Never followed: a redirect could carry the credentials, or a
         * POSTed refresh token, to another host. */
        char loc[GCSPLAN_MESSAGE_MAX];
        gcsplan__buf b;
        gcsplan__buf_fixed(&b, loc, sizeof loc);
        gcsplan__buf_puts(&b, "a redirect");
        if (r->location[0] != '\0') {
            gcsplan__buf_puts(&b, " to '");
            quote(c, &b, r->location, strlen(r->location), 0);
            gcsplan__buf_puts(&b, "'");
        }
        gcsplan__buf_puts(&b, ", not followed");
        http_why(c, status, loc);
        fail_final(c, GCSPLAN_ESOURCE, status);
    } else if (status == 401 && c->credentials && !c->auth_retried &&
               gcsplan__auth_refresh_after_401(api->auth, c->auth_gen)) {
        /* An expired token: a fresh one, at once, once. */
        c->auth_retried = 1;
        c->free_attempts++;
        http_why(c, status, NULL);
        retry_or_fail(c, -1, 1);
    } else if (gcsplan__http_retryable(status)) {
        http_why(c, status, NULL);
        retry_or_fail(c, retry_after, 0);
    } else {
        http_why(c, status, NULL);
        fail_final(c, GCSPLAN_ESOURCE, status);
    }
}

/* The call is over: the owner learns how. Nothing touches c after done. */
static void finish(gcsplan__call *c, int rc, int exhausted)
{
    unlink_active(c);
    c->state = C_IDLE;
    if (rc == 0)
        gcsplan_error_clear(&c->err);
    c->res.rc = rc;
    c->res.status = c->status;
    c->res.attempts = c->attempts;
    c->res.exhausted = exhausted;
    c->res.not_sent = c->not_sent;
    c->res.why = c->why;
    c->res.err = &c->err;
    if (c->ops->done != NULL)
        c->ops->done(c, c->ctx, &c->res);
}

/* --- calls ---------------------------------------------------------------------------- */

int gcsplan__call_new(gcsplan__call **out, gcsplan__api *api, const gcsplan__call_ops *ops,
                      void *ctx)
{
    gcsplan__call *c = gcsplan__malloc(&api->alloc, sizeof *c);
    *out = NULL;
    if (c == NULL)
        return GCSPLAN_ENOMEM;
    memset(c, 0, sizeof *c);
    c->api = api;
    c->ops = ops;
    c->ctx = ctx;
    c->svc = -1;
    c->retries = -1;
    c->what = "request";
    c->body_max = GCSPLAN__BODY_MAX_DEFAULT;
    gcsplan__buf_dynamic(&c->url, &api->alloc, GCSPLAN_URL_MAX - 1);
    c->errbody.max = GCSPLAN__ERROR_BODY_KEEP;
    c->resp.max = GCSPLAN__BODY_MAX_DEFAULT;
    *out = c;
    return 0;
}

void gcsplan__call_free(gcsplan__call *c)
{
    if (c == NULL)
        return;
    gcsplan__call_cancel(c);
    const gcsplan_allocator *a = &c->api->alloc;
    gcsplan__buf_free(&c->url);
    sb_free(a, &c->errbody);
    sb_free(a, &c->resp);
    OPENSSL_cleanse(c->auth_line, sizeof c->auth_line);
    gcsplan__free(a, c);
}

void gcsplan__call_begin(gcsplan__call *c, int svc, const char *absolute_url, const char *method,
                         const char *what)
{
    c->svc = svc;
    c->method = method;
    c->what = what != NULL ? what : "request";
    c->nextra = 0;
    c->body = NULL;
    c->body_len = 0;
    c->body_max = c->resp.max = GCSPLAN__BODY_MAX_DEFAULT;
    c->oauth = c->no_proxy = 0;
    c->secrets = NULL;
    c->retries = -1;
    c->attempts = c->free_attempts = c->auth_retried = 0;
    c->why[0] = '\0';
    gcsplan_error_clear(&c->err);
    sb_clear(&c->resp);
    gcsplan__buf_clear(&c->url);
    if (svc < 0)
        gcsplan__buf_puts(&c->url, absolute_url != NULL ? absolute_url : "");
    else if (svc < GCSPLAN__SVC_COUNT && c->api->ep_ok[svc])
        gcsplan__buf_puts(&c->url, c->api->ep[svc].base);
}

gcsplan__buf *gcsplan__call_url(gcsplan__call *c)
{
    return &c->url;
}

void gcsplan__url_put_encoded(gcsplan__buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~')
            continue;
        gcsplan__buf_put(b, s + run, i - run);
        char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };
        gcsplan__buf_put(b, e, 3);
        run = i + 1;
    }
    gcsplan__buf_put(b, s + run, n - run);
}

void gcsplan__url_put_param(gcsplan__buf *b, const char *name, const char *v, size_t n)
{
    gcsplan__buf_putc(b, memchr(b->p, '?', b->len) ? '&' : '?');
    gcsplan__buf_puts(b, name);
    gcsplan__buf_putc(b, '=');
    gcsplan__url_put_encoded(b, v, n);
}

int gcsplan__call_header(gcsplan__call *c, const char *line)
{
    if (c->nextra == GCSPLAN__CALL_HEADERS_MAX)
        return GCSPLAN_ELIMIT;
    c->extra[c->nextra++] = line;
    return 0;
}

void gcsplan__call_body(gcsplan__call *c, const char *body, size_t len)
{
    c->body = body;
    c->body_len = len;
}

void gcsplan__call_limit(gcsplan__call *c, size_t body_max)
{
    c->body_max = body_max ? body_max : GCSPLAN__BODY_MAX_DEFAULT;
    c->resp.max = c->body_max;
}

void gcsplan__call_oauth(gcsplan__call *c, int oauth, int no_proxy)
{
    c->oauth = oauth;
    c->no_proxy = no_proxy;
}

void gcsplan__call_secrets(gcsplan__call *c, const char *const *secrets)
{
    c->secrets = secrets;
}

void gcsplan__call_retries(gcsplan__call *c, int retries)
{
    c->retries = retries;
}

gcsplan_error *gcsplan__call_body_error(gcsplan__call *c)
{
    return &c->body_err;
}

const char *gcsplan__call_response(const gcsplan__call *c, size_t *len)
{
    *len = c->resp.len;
    return c->resp.p != NULL ? c->resp.p : "";
}

int gcsplan__call_is_active(const gcsplan__call *c)
{
    return c->state != C_IDLE || c->prev != NULL || c->api->active == c;
}

int gcsplan__call_start(gcsplan__call *c, gcsplan_error *err)
{
    gcsplan__api *api = c->api;
    if (gcsplan__call_is_active(c))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "internal error: the call is active");
    if (c->svc >= 0 && gcsplan__api_endpoint(api, (gcsplan__service)c->svc, err) == NULL)
        return err != NULL ? err->code : GCSPLAN_EINVAL;
    if (gcsplan__buf_error(&c->url) != 0)
        return gcsplan__error_set(err, gcsplan__buf_error(&c->url) == GCSPLAN_ENOMEM
                                           ? GCSPLAN_ENOMEM : GCSPLAN_ELIMIT,
                                  "%s: the request URL would be longer than %d bytes", c->what,
                                  GCSPLAN_URL_MAX - 1);
    c->credentials = c->svc >= 0 && api->ep[c->svc].credentials &&
                     api->auth_mode != GCSPLAN__API_AUTH_NONE;
    if (c->credentials) {
        int rc = need_auth(api, err);
        if (rc != 0)
            return rc;
        /* The endpoint was judged already; this guards every path that
         * builds a URL of its own. */
        if (!gcsplan__url_may_carry_secrets(c->url.p))
            return gcsplan__error_set(err, GCSPLAN_EINVAL,
                                      "%s: refusing to send credentials in clear text to "
                                      "another machine", c->what);
    }
    c->attempts = c->free_attempts = c->auth_retried = 0;
    link_active(c);
    int rc = begin_attempt(c);
    if (rc != 0) {
        unlink_active(c);
        c->state = C_IDLE;
        if (err != NULL)
            *err = c->err;
        return rc;
    }
    return 0;
}

void gcsplan__call_cancel(gcsplan__call *c)
{
    if (!gcsplan__call_is_active(c))
        return;
    if (c->state == C_RUNNING)
        c->api->t->ops->cancel(c->api->t, &c->xfer);
    c->state = C_IDLE;
    unlink_active(c);
}

/* --- driving -------------------------------------------------------------------------- */

/* One pass over the active calls: start the due retries, end the attempts
 * that overran. Any of them may end a call, whose done callback may cancel
 * or start others: the scan restarts after each. */
static void service_calls(gcsplan__api *api)
{
    for (int again = 1; again;) {
        again = 0;
        uint64_t now = gcsplan__clock_ms();
        for (gcsplan__call *c = api->active; c != NULL; c = c->next) {
            if (c->state == C_WAITING && c->due_ms <= now) {
                if (begin_attempt(c) != 0) {
                    finish(c, c->err.code ? c->err.code : GCSPLAN_ESOURCE, 0);
                    again = 1;
                    break;
                }
            } else if (c->state == C_RUNNING && c->deadline_ms <= now) {
                api->t->ops->cancel(api->t, &c->xfer);
                gcsplan__xfer_result r;
                memset(&r, 0, sizeof r);
                c->timed_out = 1;
                x_done(&c->xfer, &r);
                again = 1;
                break;
            }
        }
    }
}

int gcsplan__api_run(gcsplan__api *api, long timeout_ms, gcsplan_error *err)
{
    service_calls(api);
    if (api->nactive == 0)
        return 0;
    uint64_t now = gcsplan__clock_ms(), wake = now + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
    int running = 0;
    for (gcsplan__call *c = api->active; c != NULL; c = c->next) {
        uint64_t t = c->state == C_WAITING ? c->due_ms : c->deadline_ms;
        running |= c->state == C_RUNNING;
        if (t < wake)
            wake = t;
    }
    long wait = wake > now ? (long)(wake - now) : 0;
    if (running) {
        int rc = api->t->ops->run(api->t, wait);
        if (rc != 0)
            return gcsplan__error_set(err, rc, "the HTTP transport failed: %s",
                                      gcsplan_strerror(rc));
    } else if (wait > 0) {
        gcsplan__sleep_ms((uint64_t)wait);
    }
    service_calls(api);
    return 0;
}

int gcsplan__call_run(gcsplan__call *c, gcsplan_error *err)
{
    int rc = gcsplan__call_start(c, err);
    if (rc != 0)
        return rc;
    while (gcsplan__call_is_active(c)) {
        if ((rc = gcsplan__api_run(c->api, 1000, err)) != 0) {
            gcsplan__call_cancel(c);
            return rc;
        }
    }
    /* An earlier attempt's failure is history once the call succeeded. */
    if (err != NULL)
        *err = c->err;
    return c->res.rc;
}

/* --- one request, blocking ---------------------------------------------------------- */

static const gcsplan__call_ops fetch_ops = { NULL, NULL, NULL, NULL };

int gcsplan__api_fetch(gcsplan__api *api, const gcsplan__request *req, gcsplan__response *resp,
                       gcsplan_error *err)
{
    memset(resp, 0, sizeof *resp);
    resp->alloc = api->alloc;
    gcsplan__call *c;
    if (gcsplan__call_new(&c, api, &fetch_ops, NULL) != 0)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    gcsplan__call_begin(c, req->url != NULL ? -1 : req->service, req->url, req->method, req->what);
    if (req->url == NULL && req->path != NULL)
        gcsplan__buf_puts(&c->url, req->path);
    int rc = 0;
    for (const char *const *h = req->headers; rc == 0 && h != NULL && *h != NULL; h++)
        rc = gcsplan__call_header(c, *h);
    if (rc != 0) {
        gcsplan__call_free(c);
        return gcsplan__error_set(err, rc, "%s: too many header lines", c->what);
    }
    gcsplan__call_body(c, req->body, req->body_len);
    gcsplan__call_limit(c, req->body_max);
    gcsplan__call_oauth(c, req->oauth, req->no_proxy);
    gcsplan__call_secrets(c, req->secrets);
    rc = gcsplan__call_run(c, err);
    resp->status = c->status;
    resp->attempts = c->attempts;
    snprintf(resp->why, sizeof resp->why, "%s", c->why);
    if (rc == 0 && c->resp.len > 0) {
        resp->body = gcsplan__malloc(&api->alloc, c->resp.len + 1);
        if (resp->body == NULL) {
            rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        } else {
            memcpy(resp->body, c->resp.p, c->resp.len + 1);
            resp->body_len = c->resp.len;
        }
    }
    gcsplan__call_free(c);
    return rc;
}

void gcsplan__response_free(gcsplan__response *resp)
{
    if (resp == NULL)
        return;
    if (resp->body != NULL)
        gcsplan__free_secret_n(&resp->alloc, resp->body, resp->body_len + 1);
    resp->body = NULL;
    resp->body_len = 0;
}
