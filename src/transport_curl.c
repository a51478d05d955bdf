/* The HTTP transport on libcurl's multi interface. This and http_blocking.c
 * are the only files that include curl. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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
    long retry_after_ms;
    int aborted; /* on_body asked to stop */
} curl_xfer;

static int global_init_done;

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

/* Retry-After: delay-seconds or an HTTP-date. */
static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
    curl_xfer *cx = ud;
    size_t len = size * n;
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(buf, name, sizeof name - 1) == 0) {
        char value[128];
        size_t k = len - (sizeof name - 1);
        if (k >= sizeof value)
            k = sizeof value - 1;
        memcpy(value, buf + sizeof name - 1, k);
        value[k] = '\0';
        char *end;
        long secs = strtol(value, &end, 10);
        if (end != value && secs >= 0) {
            cx->retry_after_ms = secs * 1000;
        } else {
            time_t when = curl_getdate(value, NULL);
            time_t now = time(NULL);
            if (when > 0)
                cx->retry_after_ms = when > now ? (long)(when - now) * 1000 : 0;
        }
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
    cx->retry_after_ms = -1;
    cx->easy = take_easy(t);
    if (cx->easy == NULL) {
        gcsplan__free(&t->alloc, cx);
        return GCSPLAN_ENOMEM;
    }
    for (const char *const *h = x->headers; h != NULL && *h != NULL; h++) {
        struct curl_slist *n = curl_slist_append(cx->headers, *h);
        if (n == NULL) {
            curl_slist_free_all(cx->headers);
            give_easy(t, cx->easy);
            gcsplan__free(&t->alloc, cx);
            return GCSPLAN_ENOMEM;
        }
        cx->headers = n;
    }
    CURL *e = cx->easy;
    curl_easy_setopt(e, CURLOPT_URL, x->url);
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
    r.retry_after_ms = cx->retry_after_ms;
    if (code != CURLE_OK && !cx->aborted) {
        r.transport_failed = 1;
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
    /* curl_global_init is not thread-safe in older libcurl; it is idempotent
     * and cheap after the first call. */
    if (!global_init_done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return gcsplan__error_set(err, GCSPLAN_ERROR, "libcurl failed to initialise");
        global_init_done = 1;
    }
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

int gcsplan__url_encode(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~';
        if (o + (plain ? 1 : 3) >= cap)
            return -1;
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    *len = o;
    return 0;
}
