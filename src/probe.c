/* The content probe: the first bytes of each object, concurrently.
 *
 * Live: a fixed array of `parallel` slots, each one object at a time. A slot
 * sends `GET /storage/v1/b/B/o/NAME?alt=media` with `Range: bytes=0-131`,
 * keeps the first GCSPLAN_PROBE_BYTES of the body and reports. Failures are
 * retried as the lister retries (retry.c: 408, 429, 5xx, broken connections,
 * capped jittered backoff, Retry-After; one immediate retry after a 401 with
 * a fresh token). A 416 means the object is empty. Memory is the slots:
 * nothing grows with the number of objects.
 *
 * Bucket directory: the local file is opened and its first bytes read, at
 * once, in the caller's thread: a local read does not gain from overlap the
 * way a request with 20-100 ms of latency does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "endpoint.h"
#include "internal.h"
#include "probe.h"
#include "retry.h"
#include "util/clock.h"

/* Endpoint (1 KiB), bucket and name percent-encoded (3 bytes each at most),
 * the path and query: the longest probe URL. */
#define PROBE_URL_MAX (1024 + 3 * GCSPLAN_BUCKET_MAX + 3 * GCSPLAN_NAME_MAX + 64)
#define PROBE_AUTH_LINE_MAX (4096 + 32)
#define PROBE_WHY_MAX 256
/* The waits of drain() and submit(): short, since a retry may come due. */
#define PROBE_POLL_MS 100
/* Defaults of the source options when the caller left them unset: the same
 * values the lister documents in list.h. */
#define PROBE_RETRIES_DEFAULT 8
#define PROBE_RETRY_BASE_MS_DEFAULT 250
#define PROBE_RETRY_MAX_MS_DEFAULT 32000
#define PROBE_TIMEOUT_MS_DEFAULT 60000
#define PROBE_CONNECT_TIMEOUT_MS 30000
#define PROBE_STALL_TIMEOUT_MS 30000

enum { SLOT_FREE, SLOT_RUNNING, SLOT_WAITING };

typedef struct slot {
    gcsplan__probe *p;
    int state;
    char name[GCSPLAN_NAME_MAX + 1];
    size_t len;
    uint64_t size;
    unsigned char head[GCSPLAN_PROBE_BYTES];
    size_t n;
    int status;          /* of the response being received */
    int overflow;        /* the server sent more than asked (it ignored Range) */
    int attempts;
    int auth_retried;
    double retry_at;
    char url[PROBE_URL_MAX];
    const char *headers[3];
    char auth_line[PROBE_AUTH_LINE_MAX];
    gcsplan__xfer xfer;
} slot;

struct gcsplan__probe {
    const gcsplan_allocator *a;
    gcsplan_source_kind kind;
    const char *dir;
    char endpoint[1024];
    const char *bucket;
    int retries;
    unsigned int retry_base_ms, retry_max_ms;
    gcsplan__transport *t;
    int own_t;
    gcsplan__auth *auth;
    slot *slots;
    unsigned int nslots;
    unsigned int busy;
    uint64_t rng;
    gcsplan__probe_result_fn on_result;
    void *ctx;
    gcsplan_probe_stats *stats;
    int failed;          /* sticky: the transport or the credentials failed */
    gcsplan_error err;
};

static void report(gcsplan__probe *p, slot *s, int failed, const char *why)
{
    p->stats->done++;
    if (failed)
        p->stats->failed++;
    p->on_result(p->ctx, s->name, s->len, s->size, s->head, s->n, failed, why);
    s->state = SLOT_FREE;
    p->busy--;
}

static int build_url(gcsplan__probe *p, slot *s)
{
    size_t len = 0, k;
    int n = snprintf(s->url, sizeof s->url, "%s/storage/v1/b/", p->endpoint);
    if (n < 0 || (size_t)n >= sizeof s->url)
        return -1;
    len = (size_t)n;
    if (gcsplan__url_encode(s->url + len, sizeof s->url - len, &k, p->bucket, strlen(p->bucket)))
        return -1;
    len += k;
    if (len + 3 >= sizeof s->url)
        return -1;
    memcpy(s->url + len, "/o/", 3);
    len += 3;
    if (gcsplan__url_encode(s->url + len, sizeof s->url - len, &k, s->name, s->len) != 0)
        return -1;
    len += k;
    static const char q[] = "?alt=media";
    if (len + sizeof q > sizeof s->url)
        return -1;
    memcpy(s->url + len, q, sizeof q);
    return 0;
}

static int on_body(gcsplan__xfer *x, int status, const char *buf, size_t len)
{
    slot *s = x->ctx;
    s->status = status;
    if (status < 200 || status >= 300)
        return 0; /* an error body: only the status matters */
    size_t room = GCSPLAN_PROBE_BYTES - s->n;
    size_t k = len < room ? len : room;
    memcpy(s->head + s->n, buf, k);
    s->n += k;
    if (len > room) {
        /* The server ignored Range and sends the whole object: stop it. */
        s->overflow = 1;
        return 1;
    }
    return 0;
}

static void on_done(gcsplan__xfer *x, const gcsplan__xfer_result *r);

static int start(gcsplan__probe *p, slot *s)
{
    s->n = 0;
    s->status = 0;
    s->overflow = 0;
    int h = 0;
    s->headers[h++] = "Range: bytes=0-" GCSPLAN__PROBE_LAST_BYTE;
    const char *authz;
    if (gcsplan__auth_header_line(p->auth, s->auth_line, sizeof s->auth_line, &authz, &p->err) != 0) {
        p->failed = p->err.code ? p->err.code : GCSPLAN_ESOURCE;
        return p->failed;
    }
    if (authz != NULL)
        s->headers[h++] = authz;
    s->headers[h] = NULL;
    s->xfer.url = s->url;
    s->xfer.headers = s->headers;
    s->xfer.on_body = on_body;
    s->xfer.on_done = on_done;
    s->xfer.ctx = s;
    int rc = p->t->ops->start(p->t, &s->xfer);
    if (rc != 0) {
        p->failed = gcsplan__error_set(&p->err, rc, "could not start a probe request: %s",
                                       gcsplan_strerror(rc));
        return rc;
    }
    s->state = SLOT_RUNNING;
    p->stats->requests++;
    return 0;
}

static void on_done(gcsplan__xfer *x, const gcsplan__xfer_result *r)
{
    slot *s = x->ctx;
    gcsplan__probe *p = s->p;
    int status = r->status ? r->status : s->status;
    char why[PROBE_WHY_MAX];
    int retry_now = 0;
    if (r->transport_failed && !s->overflow) {
        snprintf(why, sizeof why, "connection failed: %.200s", r->message);
    } else if (status >= 200 && status < 300) {
        s->attempts = 0;
        report(p, s, 0, "");
        return;
    } else if (status == 416) {
        /* Range not satisfiable: the object has no byte 0, it is empty. */
        s->n = 0;
        report(p, s, 0, "");
        return;
    } else if (status == 401 && !s->auth_retried && p->auth != NULL &&
               gcsplan__auth_invalidate(p->auth)) {
        s->auth_retried = 1;
        snprintf(why, sizeof why, "HTTP 401");
        retry_now = 1;
    } else if (!gcsplan__http_retryable(status)) {
        snprintf(why, sizeof why, "HTTP %d%s", status,
                 status == 404 ? " (no such object: deleted since the listing?)"
                 : status == 403 ? " (no permission to read the object)" : "");
        report(p, s, 1, why);
        return;
    } else {
        snprintf(why, sizeof why, "HTTP %d", status);
    }
    if (!retry_now && ++s->attempts > p->retries) {
        char msg[PROBE_WHY_MAX + 64];
        snprintf(msg, sizeof msg, "giving up after %d attempts: %s", s->attempts, why);
        report(p, s, 1, msg);
        return;
    }
    p->stats->retries++;
    s->state = SLOT_WAITING;
    s->retry_at = gcsplan__clock_s() + (retry_now ? 0
                                       : gcsplan__backoff_s(&p->rng, s->attempts, p->retry_base_ms,
                                                            p->retry_max_ms, r->retry_after_ms));
}

/* Restart the slots whose retry is due; returns the seconds until the next
 * one (0 when none waits). */
static double restart_due(gcsplan__probe *p)
{
    double now = gcsplan__clock_s(), next = 0;
    for (unsigned int i = 0; i < p->nslots && !p->failed; i++) {
        slot *s = &p->slots[i];
        if (s->state != SLOT_WAITING)
            continue;
        if (s->retry_at <= now) {
            if (start(p, s) != 0)
                break;
        } else if (next == 0 || s->retry_at - now < next) {
            next = s->retry_at - now;
        }
    }
    return next;
}

/* One round: restart due retries, then wait up to timeout_ms for transfers. */
static int step(gcsplan__probe *p, long timeout_ms)
{
    double next = restart_due(p);
    if (p->failed)
        return p->failed;
    int running = 0;
    for (unsigned int i = 0; i < p->nslots; i++)
        running += p->slots[i].state == SLOT_RUNNING;
    if (running == 0) {
        if (next > 0 && timeout_ms > 0) {
            long ms = (long)(next * 1000) + 1;
            if (ms > timeout_ms)
                ms = timeout_ms;
            gcsplan__sleep_ms((uint64_t)ms);
        }
        return 0;
    }
    int rc = p->t->ops->run(p->t, timeout_ms);
    if (rc != 0) {
        gcsplan__error_set(&p->err, rc, "the probe's transport failed: %s", gcsplan_strerror(rc));
        p->failed = rc;
    }
    return p->failed;
}

static int fail_out(gcsplan__probe *p, gcsplan_error *err)
{
    if (err != NULL)
        *err = p->err;
    return p->failed;
}

static void probe_file(gcsplan__probe *p, const gcsplan_object *o)
{
    slot *s = &p->slots[0];
    memcpy(s->name, o->name, o->name_len);
    s->name[o->name_len] = '\0';
    s->len = o->name_len;
    s->size = o->size;
    s->n = 0;
    p->busy++;
    p->stats->requests++;
    char path[4096 + GCSPLAN_NAME_MAX + 2];
    int k = snprintf(path, sizeof path, "%s/%s", p->dir, s->name);
    if (k < 0 || (size_t)k >= sizeof path) {
        report(p, s, 1, "path too long");
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char why[PROBE_WHY_MAX];
        snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
        report(p, s, 1, why);
        return;
    }
    while (s->n < GCSPLAN_PROBE_BYTES) {
        ssize_t r = read(fd, s->head + s->n, GCSPLAN_PROBE_BYTES - s->n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            char why[PROBE_WHY_MAX];
            snprintf(why, sizeof why, "cannot read: %s", strerror(errno));
            close(fd);
            report(p, s, 1, why);
            return;
        }
        if (r == 0)
            break;
        s->n += (size_t)r;
    }
    close(fd);
    report(p, s, 0, "");
}

int gcsplan__probe_submit(gcsplan__probe *p, const gcsplan_object *o, gcsplan_error *err)
{
    if (p->failed)
        return fail_out(p, err);
    p->stats->queued++;
    if (p->kind == GCSPLAN_SOURCE_DIR) {
        probe_file(p, o);
        return 0;
    }
    /* Drive the transfers only when every slot is taken: each run of the
     * multi handle walks all transfers, so running it once per object would
     * cost more than the requests themselves. */
    while (p->busy == p->nslots) {
        if (step(p, PROBE_POLL_MS) != 0)
            return fail_out(p, err);
    }
    slot *s = NULL;
    for (unsigned int i = 0; i < p->nslots; i++)
        if (p->slots[i].state == SLOT_FREE) {
            s = &p->slots[i];
            break;
        }
    memcpy(s->name, o->name, o->name_len);
    s->name[o->name_len] = '\0';
    s->len = o->name_len;
    s->size = o->size;
    s->attempts = 0;
    s->auth_retried = 0;
    p->busy++;
    if (build_url(p, s) != 0) {
        report(p, s, 1, "the request URL would be too long");
        return 0;
    }
    if (start(p, s) != 0) {
        s->state = SLOT_FREE;
        p->busy--;
        return fail_out(p, err);
    }
    return 0;
}

int gcsplan__probe_poll(gcsplan__probe *p, long timeout_ms, gcsplan_error *err)
{
    if (p->kind == GCSPLAN_SOURCE_DIR || p->busy == 0)
        return 0;
    if (step(p, timeout_ms) != 0)
        return fail_out(p, err);
    return 0;
}

int gcsplan__probe_drain(gcsplan__probe *p, gcsplan_error *err)
{
    while (p->busy > 0 && !p->failed)
        step(p, PROBE_POLL_MS);
    return p->failed ? fail_out(p, err) : 0;
}

void gcsplan__probe_free(gcsplan__probe *p)
{
    if (p == NULL)
        return;
    if (p->t != NULL) {
        for (unsigned int i = 0; i < p->nslots; i++)
            if (p->slots[i].state == SLOT_RUNNING)
                p->t->ops->cancel(p->t, &p->slots[i].xfer);
        if (p->own_t)
            p->t->ops->free(p->t);
    }
    gcsplan__auth_free(p->auth);
    gcsplan__free(p->a, p->slots);
    gcsplan__free(p->a, p);
}

int gcsplan__probe_new(gcsplan__probe **out, const gcsplan__probe_config *cfg, gcsplan_error *err)
{
    const gcsplan_lister_options *o = cfg->source;
    *out = NULL;
    if (o == NULL || (o->source != GCSPLAN_SOURCE_LIVE && o->source != GCSPLAN_SOURCE_DIR))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "the probe reads live objects or files");
    gcsplan__probe *p = gcsplan__malloc(cfg->alloc, sizeof *p);
    if (p == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(p, 0, sizeof *p);
    p->a = cfg->alloc;
    p->kind = o->source;
    p->dir = o->path;
    p->bucket = cfg->bucket;
    p->on_result = cfg->on_result;
    p->ctx = cfg->ctx;
    p->stats = cfg->stats;
    p->retries = o->retries < 0 ? PROBE_RETRIES_DEFAULT : o->retries;
    p->retry_base_ms = o->retry_base_ms ? o->retry_base_ms : PROBE_RETRY_BASE_MS_DEFAULT;
    p->retry_max_ms = o->retry_max_ms ? o->retry_max_ms : PROBE_RETRY_MAX_MS_DEFAULT;
    p->rng = gcsplan__rng_seed();
    p->nslots = p->kind == GCSPLAN_SOURCE_DIR ? 1 : cfg->parallel;
    if (p->nslots == 0)
        p->nslots = GCSPLAN_PROBE_PARALLEL_DEFAULT;
    if (p->nslots > GCSPLAN_PROBE_PARALLEL_MAX)
        p->nslots = GCSPLAN_PROBE_PARALLEL_MAX;
    int rc = 0;
    p->slots = gcsplan__malloc(p->a, p->nslots * sizeof *p->slots);
    if (p->slots == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        goto fail;
    }
    memset(p->slots, 0, p->nslots * sizeof *p->slots);
    for (unsigned int i = 0; i < p->nslots; i++)
        p->slots[i].p = p;
    if (p->kind == GCSPLAN_SOURCE_DIR) {
        *out = p;
        return 0;
    }
    int emulator, custom;
    if (gcsplan__endpoint_resolve(p->endpoint, sizeof p->endpoint, o->endpoint, &emulator,
                                  &custom) != 0) {
        rc = gcsplan__error_set(err, GCSPLAN_EINVAL, "the endpoint URL is too long");
        goto fail;
    }
    unsigned int timeout = o->timeout_ms ? o->timeout_ms : PROBE_TIMEOUT_MS_DEFAULT;
    if (cfg->transport != NULL) {
        p->t = cfg->transport;
    } else {
        gcsplan__transport_config tc = { p->nslots, timeout, PROBE_CONNECT_TIMEOUT_MS,
                                         PROBE_STALL_TIMEOUT_MS };
        if ((rc = gcsplan__transport_curl_new(&p->t, p->a, &tc, err)) != 0)
            goto fail;
        p->own_t = 1;
    }
    gcsplan__auth_config ac;
    memset(&ac, 0, sizeof ac);
    ac.anonymous = o->anonymous || custom;
    ac.timeout_ms = timeout;
    if ((rc = gcsplan__auth_new(&p->auth, p->a, &ac, err)) != 0)
        goto fail;
    *out = p;
    return 0;
fail:
    gcsplan__probe_free(p);
    return rc;
}
