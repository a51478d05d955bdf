/* The scripted transport. */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "scripted.h"

typedef struct pending {
    gcsplan__xfer *x;
    size_t req;        /* index into the request log */
    int decided;       /* rep holds the callback's answer (asked once) */
    script_reply rep;
} pending;

struct script_transport {
    gcsplan__transport base;
    script_fn fn;
    void *ctx;
    uint64_t rng;
    script_request **log;
    size_t nlog, caplog;
    pending *p;
    size_t np, capp;
    size_t cancels;
};

static uint64_t next_rand(script_transport *t)
{
    t->rng ^= t->rng << 13;
    t->rng ^= t->rng >> 7;
    t->rng ^= t->rng << 17;
    return t->rng;
}

static int s_start(gcsplan__transport *base, gcsplan__xfer *x)
{
    script_transport *t = (script_transport *)base;
    script_request *r = calloc(1, sizeof *r);
    if (r == NULL)
        return GCSPLAN_ENOMEM;
    r->method = x->method ? x->method : "GET";
    r->url = strdup(x->url);
    r->body = x->body ? strndup(x->body, x->body_len) : NULL;
    r->body_len = x->body_len;
    r->index = t->nlog;
    r->fresh_connection = x->fresh_connection;
    for (const char *const *h = x->headers; h != NULL && *h != NULL && r->nheaders < 8; h++) {
        strncpy(r->headers[r->nheaders], *h, sizeof r->headers[0] - 1);
        r->nheaders++;
    }
    if (t->nlog == t->caplog) {
        t->caplog = t->caplog ? t->caplog * 2 : 64;
        t->log = realloc(t->log, t->caplog * sizeof *t->log);
    }
    t->log[t->nlog++] = r;
    if (t->np == t->capp) {
        t->capp = t->capp ? t->capp * 2 : 16;
        t->p = realloc(t->p, t->capp * sizeof *t->p);
    }
    memset(&t->p[t->np], 0, sizeof t->p[t->np]);
    t->p[t->np].x = x;
    t->p[t->np].req = r->index;
    t->np++;
    x->impl = t;
    return 0;
}

/* Deliver one transfer whole: body pieces, then done. */
static void deliver(gcsplan__xfer *x, script_reply rep)
{
    gcsplan__xfer_result res;
    memset(&res, 0, sizeof res);
    res.status = rep.status;
    snprintf(res.retry_after, sizeof res.retry_after, "%s", rep.retry_after);
    snprintf(res.location, sizeof res.location, "%s", rep.location);
    if (rep.status == 0) {
        res.transport_failed = 1;
        res.not_sent = rep.not_sent;
        strcpy(res.message, "scripted connection failure");
    } else {
        size_t len = rep.body == NULL ? 0 : rep.len ? rep.len : strlen(rep.body);
        size_t end = rep.cut > 0 && rep.cut < len ? rep.cut : len;
        size_t chunk = rep.chunk ? rep.chunk : (end ? end : 1);
        for (size_t off = 0; off < end; off += chunk) {
            size_t k = end - off < chunk ? end - off : chunk;
            if (x->on_body(x, rep.status, rep.body + off, k) != 0) {
                res.aborted = 1;
                break;
            }
        }
        if (!res.aborted && rep.cut > 0 && rep.cut < len) {
            res.transport_failed = 1;
            strcpy(res.message, "scripted: the body was cut");
        }
    }
    free(rep.owned);
    x->impl = NULL;
    x->on_done(x, &res);
}

static int s_run(gcsplan__transport *base, long timeout_ms)
{
    script_transport *t = (script_transport *)base;
    /* Answer the transfers pending now, in a random order; the stalled ones
     * stay. A callback may start or cancel transfers meanwhile. */
    size_t n = t->np, answered = 0;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = next_rand(t) % i, tmp = order[i - 1];
        order[i - 1] = order[j];
        order[j] = tmp;
    }
    /* Snapshot: entries may move as others are removed. */
    gcsplan__xfer **xs = malloc((n ? n : 1) * sizeof *xs);
    size_t *reqs = malloc((n ? n : 1) * sizeof *reqs);
    for (size_t i = 0; i < n; i++) {
        xs[i] = t->p[order[i]].x;
        reqs[i] = t->p[order[i]].req;
    }
    free(order);
    for (size_t i = 0; i < n; i++) {
        /* Still pending (not cancelled by an earlier callback)? */
        size_t k = 0;
        while (k < t->np && t->p[k].x != xs[i])
            k++;
        if (k == t->np)
            continue;
        if (!t->p[k].decided) {
            t->fn(t->ctx, t->log[reqs[i]], &t->p[k].rep);
            t->p[k].decided = 1;
        }
        if (t->p[k].rep.stall)
            continue;
        script_reply rep = t->p[k].rep;
        t->p[k] = t->p[--t->np];
        deliver(xs[i], rep);
        answered++;
    }
    free(xs);
    free(reqs);
    if (answered == 0 && timeout_ms > 0) {
        /* Only stalled transfers: time passes as it would on a network. */
        struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void s_cancel(gcsplan__transport *base, gcsplan__xfer *x)
{
    script_transport *t = (script_transport *)base;
    for (size_t k = 0; k < t->np; k++)
        if (t->p[k].x == x) {
            free(t->p[k].rep.owned);
            t->p[k] = t->p[--t->np];
            t->cancels++;
            break;
        }
    x->impl = NULL;
}

static void s_free(gcsplan__transport *base)
{
    (void)base; /* the test owns it: script_free */
}

static const gcsplan__transport_ops script_ops = { s_start, s_run, s_cancel, s_free };

script_transport *script_new(script_fn fn, void *ctx, uint64_t seed)
{
    script_transport *t = calloc(1, sizeof *t);
    t->base.ops = &script_ops;
    t->fn = fn;
    t->ctx = ctx;
    t->rng = seed ? seed : 88172645463325252u;
    return t;
}

gcsplan__transport *script_base(script_transport *t)
{
    return &t->base;
}

size_t script_count(const script_transport *t)
{
    return t->nlog;
}

const script_request *script_request_at(const script_transport *t, size_t i)
{
    return i < t->nlog ? t->log[i] : NULL;
}

const char *script_header(const script_request *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nheaders; i++)
        if (strncasecmp(r->headers[i], name, n) == 0 && r->headers[i][n] == ':')
            return r->headers[i] + n + 1 + (r->headers[i][n + 1] == ' ');
    return NULL;
}

size_t script_pending(const script_transport *t)
{
    return t->np;
}

size_t script_cancelled(const script_transport *t)
{
    return t->cancels;
}

void script_free(script_transport *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nlog; i++) {
        free((char *)t->log[i]->url);
        free((char *)t->log[i]->body);
        free(t->log[i]);
    }
    free(t->log);
    for (size_t k = 0; k < t->np; k++)
        free(t->p[k].rep.owned);
    free(t->p);
    free(t);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int script_query(const char *url, const char *name, char *out, size_t cap)
{
    const char *q = strchr(url, '?');
    size_t n = strlen(name);
    while (q != NULL) {
        q++;
        if (strncmp(q, name, n) == 0 && q[n] == '=') {
            const char *v = q + n + 1;
            size_t k = 0;
            while (*v && *v != '&' && k + 1 < cap) {
                if (*v == '%' && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
                    out[k++] = (char)(hexval(v[1]) * 16 + hexval(v[2]));
                    v += 3;
                } else {
                    out[k++] = *v++;
                }
            }
            out[k] = '\0';
            return 1;
        }
        q = strchr(q, '&');
    }
    return 0;
}
