/* The HTTP transport on libcurl's multi interface. This and transport_url.c
 * are the only files that include curl. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gcsplan/version.h"
#include "internal.h"
#include "transport.h"

/* Easy handles are kept for reuse: they hold connection and TLS state. */
#define POOL_MAX 64

typedef struct curl_transport {
    gcsplan__transport base;
    gcsplan_allocator alloc;
    gcsplan__transport_config cfg;
    CURLM *multi;
    CURL *pool[POOL_MAX];
    int npool;
} curl_transport;

/* Per transfer state, allocated with the transfer and freed when it ends. */
typedef struct curl_xfer {
    curl_transport *t;
    gcsplan__xfer *x;
    CURL *easy;
    struct curl_slist *headers;
    char retry_after[GCSPLAN__RETRY_AFTER_TEXT_MAX];
    char location[GCSPLAN__LOCATION_TEXT_MAX];
    int aborted; /* on_body asked to stop */
} curl_xfer;

/* curl_global_init is not thread-safe before libcurl 7.84, and listers may
 * be created from several threads at once: it runs exactly once. */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_write(char *buf, size_t size, size_t n, void *ud)
{
    curl_xfer *cx = ud;
    long status = 0;
    curl_easy_getinfo(cx->easy, CURLINFO_RESPONSE_CODE, &status);
    if (cx->x->on_body(cx->x, (int)status, buf, size * n) != 0) {
        cx->aborted = 1;
        return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
    }
    return size * n;
}

/* The value of header `name` (lowercase, with the colon) in a header line,
 * trimmed, into out; 1 when the line is that header. */
static int header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t k = strlen(name);
    if (len < k || strncasecmp(line, name, k) != 0)
        return 0;
    const char *v = line + k, *e = line + len;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    size_t n = (size_t)(e - v) < cap - 1 ? (size_t)(e - v) : cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 1;
}

/* Retry-After and Location, raw: the client parses them (retry.c). A new
 * status line (an interim 100, say) forgets those of the previous one. */
static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
    curl_xfer *cx = ud;
    size_t len = size * n;
    if (len >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
        cx->retry_after[0] = '\0';
        cx->location[0] = '\0';
    } else if (!header_value(buf, len, "retry-after:", cx->retry_after, sizeof cx->retry_after)) {
        header_value(buf, len, "location:", cx->location, sizeof cx->location);
    }
    return len;
}

static CURL *take_easy(curl_transport *t)
{
    if (t->npool > 0) {
        CURL *e = t->pool[--t->npool];
        curl_easy_reset(e);
        return e;
    }
    return curl_easy_init();
}

static void give_easy(curl_transport *t, CURL *e)
{
    if (t->npool < POOL_MAX)
        t->pool[t->npool++] = e;
    else
        curl_easy_cleanup(e);
}

static int t_start(gcsplan__transport *base, gcsplan__xfer *x)
{
    curl_transport *t = (curl_transport *)base;
    curl_xfer *cx = gcsplan__malloc(&t->alloc, sizeof *cx);
    if (cx == NULL)
        return GCSPLAN_ENOMEM;
    memset(cx, 0, sizeof *cx);
    cx->t = t;
    cx->x = x;
    cx->easy = take_easy(t);
    if (cx->easy == NULL) {
        gcsplan__free(&t->alloc, cx);
        return GCSPLAN_ENOMEM;
    }
    int post = x->method != NULL && strcmp(x->method, "POST") == 0;
    for (const char *const *h = x->headers; ; h++) {
        /* Without "Expect:" curl waits for "100 Continue" before a body over
         * 1 KiB (a signed assertion's size), which some servers never send. */
        const char *line = h != NULL && *h != NULL ? *h : post ? "Expect:" : NULL;
        if (line == NULL)
            break;
        struct curl_slist *n = curl_slist_append(cx->headers, line);
        if (n == NULL) {
            curl_slist_free_all(cx->headers);
            give_easy(t, cx->easy);
            gcsplan__free(&t->alloc, cx);
            return GCSPLAN_ENOMEM;
        }
        cx->headers = n;
        if (h == NULL || *h == NULL)
            break;
    }
    CURL *e = cx->easy;
    curl_easy_setopt(e, CURLOPT_URL, x->url);
    /* http and https only, and never a redirect: a Location could send the
     * credentials in the headers, or a POSTed refresh token, elsewhere. */
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    if (post) {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body != NULL ? x->body : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
    }
    if (x->no_proxy)
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    if (x->fresh_connection)
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, cx->headers);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, cx);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, cx);
    curl_easy_setopt(e, CURLOPT_PRIVATE, cx);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding curl decodes */
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L); /* prefer multiplexing over a new connection */
    curl_easy_setopt(e, CURLOPT_USERAGENT, "gcsplan/" GCSPLAN_VERSION_STRING);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)t->cfg.timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)t->cfg.connect_timeout_ms);
    /* A body that stalls below 1 byte/s for the stall time is a broken one. */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)(t->cfg.stall_timeout_ms + 999) / 1000);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    x->impl = cx;
    if (curl_multi_add_handle(t->multi, e) != CURLM_OK) {
        curl_slist_free_all(cx->headers);
        give_easy(t, e);
        gcsplan__free(&t->alloc, cx);
        x->impl = NULL;
        return GCSPLAN_ERROR;
    }
    return 0;
}

static void finish(curl_transport *t, curl_xfer *cx, CURLcode code)
{
    gcsplan__xfer_result r;
    memset(&r, 0, sizeof r);
    long status = 0;
    curl_easy_getinfo(cx->easy, CURLINFO_RESPONSE_CODE, &status);
    r.status = (int)status;
    r.aborted = cx->aborted;
    memcpy(r.retry_after, cx->retry_after, sizeof r.retry_after);
    memcpy(r.location, cx->location, sizeof r.location);
    if (code != CURLE_OK && !cx->aborted) {
        r.transport_failed = 1;
        r.not_sent = code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
                     code == CURLE_COULDNT_CONNECT || code == CURLE_SSL_CONNECT_ERROR;
        snprintf(r.message, sizeof r.message, "%s", curl_easy_strerror(code));
    }
    curl_multi_remove_handle(t->multi, cx->easy);
    curl_slist_free_all(cx->headers);
    give_easy(t, cx->easy);
    gcsplan__xfer *x = cx->x;
    x->impl = NULL;
    gcsplan__free(&t->alloc, cx);
    x->on_done(x, &r);
}

static int t_run(gcsplan__transport *base, long timeout_ms)
{
    curl_transport *t = (curl_transport *)base;
    int running = 0;
    if (curl_multi_perform(t->multi, &running) != CURLM_OK)
        return GCSPLAN_ERROR;
    CURLMsg *m;
    int left, done = 0;
    while ((m = curl_multi_info_read(t->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        curl_xfer *cx = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&cx);
        finish(t, cx, m->data.result);
        done++;
    }
    if (done > 0 || timeout_ms <= 0)
        return 0;
    if (curl_multi_poll(t->multi, NULL, 0, (int)(timeout_ms > 1000 ? 1000 : timeout_ms), NULL) !=
        CURLM_OK)
        return GCSPLAN_ERROR;
    return 0;
}

static void t_cancel(gcsplan__transport *base, gcsplan__xfer *x)
{
    curl_transport *t = (curl_transport *)base;
    curl_xfer *cx = x->impl;
    if (cx == NULL)
        return;
    curl_multi_remove_handle(t->multi, cx->easy);
    curl_slist_free_all(cx->headers);
    /* A half-read response leaves its connection unusable: do not pool it. */
    curl_easy_cleanup(cx->easy);
    gcsplan__free(&t->alloc, cx);
    x->impl = NULL;
}

static void t_free(gcsplan__transport *base)
{
    curl_transport *t = (curl_transport *)base;
    if (t == NULL)
        return;
    for (int i = 0; i < t->npool; i++)
        curl_easy_cleanup(t->pool[i]);
    if (t->multi != NULL)
        curl_multi_cleanup(t->multi);
    gcsplan__free(&t->alloc, t);
}

static const gcsplan__transport_ops curl_ops = { t_start, t_run, t_cancel, t_free };

int gcsplan__transport_curl_new(gcsplan__transport **out, const gcsplan_allocator *a,
                                const gcsplan__transport_config *cfg, gcsplan_error *err)
{
    if (pthread_once(&global_once, global_init) != 0 || global_rc != CURLE_OK)
        return gcsplan__error_set(err, GCSPLAN_ERROR, "libcurl failed to initialise");
    curl_transport *t = gcsplan__malloc(a, sizeof *t);
    if (t == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(t, 0, sizeof *t);
    t->base.ops = &curl_ops;
    t->alloc = *a;
    t->cfg = *cfg;
    t->multi = curl_multi_init();
    if (t->multi == NULL) {
        gcsplan__free(a, t);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    curl_multi_setopt(t->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(t->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->max_connections);
    curl_multi_setopt(t->multi, CURLMOPT_MAXCONNECTS, (long)cfg->max_connections + 4);
    *out = &t->base;
    return 0;
}
