/* The content probe: the first bytes of each object, concurrently.
 *
 * Live: a fixed array of `parallel` slots, each one object at a time. A slot
 * sends `GET /storage/v1/b/B/o/NAME?alt=media` with `Range: bytes=0-131`
 * (or the last byte of a larger read)
 * through the API client (api.c), which retries as the lister does (408,
 * 429, 5xx, broken connections, capped jittered backoff, Retry-After; one
 * immediate retry after a 401 with a fresh token) and never follows a
 * redirect. The first bytes of the body are kept; a server
 * that ignores Range is cut off there. A 416 means the object is empty.
 * Memory is the slots: nothing grows with the number of objects.
 *
 * Bucket directory: the local file is opened and its first bytes read, at
 * once, in the caller's thread: a local read does not gain from overlap the
 * way a request with 20-100 ms of latency does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "internal.h"
#include "probe.h"
#include "util/clock.h"

#define PROBE_WHY_MAX 256
#define PROBE_BODY_CAP (1u << 20)
/* The waits of drain() and submit(): short, since a retry may come due. */
#define PROBE_POLL_MS 100
/* Defaults of the source options when the caller left them unset: the same
 * values the lister documents in list.h. */
#define PROBE_RETRIES_DEFAULT 8
#define PROBE_RETRY_BASE_MS_DEFAULT 250
#define PROBE_RETRY_MAX_MS_DEFAULT 32000
#define PROBE_NO_PROGRESS_MS_DEFAULT 60000u

enum { SLOT_FREE, SLOT_RUNNING };

typedef struct slot {
    gcsplan__probe *p;
    int state;
    char name[GCSPLAN_NAME_MAX + 1];
    size_t len;
    uint64_t size;
    unsigned char *head; /* the probe's bytes, in one block for all slots */
    size_t n;
    gcsplan__call *call;
} slot;

struct gcsplan__probe {
    const gcsplan_allocator *a;
    gcsplan_source_kind kind;
    const char *dir;
    const char *bucket;
    gcsplan__api *api;
    slot *slots;
    unsigned char *heads;
    size_t bytes;        /* read per object */
    char range[64];      /* "Range: bytes=0-LAST" */
    unsigned int nslots;
    unsigned int busy;
    unsigned int no_progress_ms;
    uint64_t idle_ms;     /* time spent waiting in step() since the last result */
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
    p->idle_ms = 0;
    p->on_result(p->ctx, s->name, s->len, s->size, s->head, s->n, failed, why);
    s->state = SLOT_FREE;
    p->busy--;
}

static void on_attempt(gcsplan__call *c, void *ctx, int n)
{
    slot *s = ctx;
    (void)c;
    s->n = 0;
    s->p->stats->requests++;
    if (n > 1)
        s->p->stats->retries++;
}

static int on_body(gcsplan__call *c, void *ctx, const char *buf, size_t len)
{
    slot *s = ctx;
    (void)c;
    size_t room = s->p->bytes - s->n;
    size_t k = len < room ? len : room;
    memcpy(s->head + s->n, buf, k);
    s->n += k;
    /* A server that ignores Range sends the whole object: enough. */
    return s->n == s->p->bytes ? GCSPLAN__BODY_ENOUGH : 0;
}

static void on_done(gcsplan__call *c, void *ctx, const gcsplan__call_result *r)
{
    slot *s = ctx;
    gcsplan__probe *p = s->p;
    char why[PROBE_WHY_MAX];
    (void)c;
    if (r->rc == 0) {
        report(p, s, 0, "");
    } else if (r->status == 416) {
        /* Range not satisfiable: the object has no byte 0, it is empty. */
        s->n = 0;
        report(p, s, 0, "");
    } else if (r->exhausted || r->status == 0) {
        snprintf(why, sizeof why, "%s", r->err->message);
        report(p, s, 1, why);
    } else {
        snprintf(why, sizeof why, "HTTP %d%s", r->status,
                 r->status == 404 ? " (no such object: deleted since the listing?)"
                 : r->status == 403 ? " (no permission to read the object)" : "");
        report(p, s, 1, why);
    }
}

static const gcsplan__call_ops probe_ops = { on_attempt, on_body, NULL, on_done };

static int start(gcsplan__probe *p, slot *s)
{
    gcsplan__call_begin(s->call, GCSPLAN__SVC_STORAGE, NULL, NULL, "objects.get (media)");
    gcsplan__buf *u = gcsplan__call_url(s->call);
    gcsplan__buf_puts(u, "/storage/v1/b/");
    gcsplan__url_put_encoded(u, p->bucket, strlen(p->bucket));
    gcsplan__buf_puts(u, "/o/");
    gcsplan__url_put_encoded(u, s->name, s->len);
    gcsplan__buf_puts(u, "?alt=media");
    gcsplan__call_header(s->call, p->range);
    /* The body callback stops at the probe's bytes; the cap only bounds
     * what one piece past that may bring. */
    gcsplan__call_limit(s->call, PROBE_BODY_CAP);
    s->state = SLOT_RUNNING;
    gcsplan_error err;
    int rc = gcsplan__call_start(s->call, &err);
    if (rc == GCSPLAN_ELIMIT) { /* the URL: this object only */
        report(p, s, 1, "the request URL would be too long");
        return 0;
    }
    if (rc != 0) {
        s->state = SLOT_FREE;
        p->busy--;
        p->err = err;
        p->failed = rc;
    }
    return rc;
}

/* One round: run the transfers for up to timeout_ms, within the progress
 * budget: no result at all for no_progress_ms of waiting here (the time the
 * caller spends elsewhere, listing, does not count). */
static int step(gcsplan__probe *p, long timeout_ms)
{
    if (p->failed)
        return p->failed;
    if (p->idle_ms >= p->no_progress_ms) {
        const char *last = gcsplan__api_last_failure(p->api);
        p->failed = gcsplan__error_set(&p->err, GCSPLAN_ESOURCE,
                                       "the probe got no answer for %.1f s (%u request%s "
                                       "unanswered%s%s): giving up",
                                       (double)p->no_progress_ms / 1000, p->busy,
                                       p->busy == 1 ? "" : "s",
                                       last[0] ? "; last failure: " : "", last);
        return p->failed;
    }
    uint64_t t0 = gcsplan__clock_ms(), done = p->stats->done;
    long left = (long)(p->no_progress_ms - p->idle_ms);
    int rc = gcsplan__api_run(p->api, timeout_ms < left ? timeout_ms : left, &p->err);
    if (rc != 0)
        p->failed = rc;
    if (p->stats->done == done)
        p->idle_ms += gcsplan__clock_ms() - t0;
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
    /* Not blocking, and only a regular file: a FIFO in the directory would
     * otherwise hold the probe until someone writes to it. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        char why[PROBE_WHY_MAX];
        snprintf(why, sizeof why, "cannot open: %s", strerror(errno));
        report(p, s, 1, why);
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        report(p, s, 1, "not a regular file");
        return;
    }
    while (s->n < p->bytes) {
        ssize_t r = read(fd, s->head + s->n, p->bytes - s->n);
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
    p->busy++;
    if (start(p, s) != 0)
        return fail_out(p, err);
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
    for (unsigned int i = 0; p->slots != NULL && i < p->nslots; i++)
        gcsplan__call_free(p->slots[i].call);
    gcsplan__api_free(p->api);
    gcsplan__free(p->a, p->heads);
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
    /* The options arrive raw (version 1 callers lack no_progress_ms). */
    p->no_progress_ms = o->version >= 2 && o->no_progress_ms ? o->no_progress_ms
                                                              : PROBE_NO_PROGRESS_MS_DEFAULT;
    p->nslots = p->kind == GCSPLAN_SOURCE_DIR ? 1 : cfg->parallel;
    if (p->nslots == 0)
        p->nslots = GCSPLAN_PROBE_PARALLEL_DEFAULT;
    if (p->nslots > GCSPLAN_PROBE_PARALLEL_MAX)
        p->nslots = GCSPLAN_PROBE_PARALLEL_MAX;
    p->bytes = cfg->bytes ? cfg->bytes : GCSPLAN_PROBE_BYTES;
    if (p->bytes > GCSPLAN__PROBE_BYTES_MAX)
        p->bytes = GCSPLAN__PROBE_BYTES_MAX;
    snprintf(p->range, sizeof p->range, "Range: bytes=0-%zu", p->bytes - 1);
    int rc = 0;
    p->slots = gcsplan__malloc(p->a, p->nslots * sizeof *p->slots);
    /* Cleared at once: the failure path frees each slot's call. */
    if (p->slots != NULL)
        memset(p->slots, 0, p->nslots * sizeof *p->slots);
    p->heads = gcsplan__malloc(p->a, p->nslots * p->bytes);
    if (p->slots == NULL || p->heads == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        goto fail;
    }
    for (unsigned int i = 0; i < p->nslots; i++) {
        p->slots[i].p = p;
        p->slots[i].head = p->heads + (size_t)i * p->bytes;
    }
    if (p->kind == GCSPLAN_SOURCE_DIR) {
        *out = p;
        return 0;
    }
    gcsplan__api_config ac;
    memset(&ac, 0, sizeof ac);
    ac.alloc = p->a;
    ac.endpoint[GCSPLAN__SVC_STORAGE] = o->endpoint;
    ac.anonymous = o->anonymous;
    ac.parallel = p->nslots;
    ac.timeout_ms = o->timeout_ms;
    ac.retry.retries = o->retries < 0 ? PROBE_RETRIES_DEFAULT : o->retries;
    ac.retry.base_ms = o->retry_base_ms ? o->retry_base_ms : PROBE_RETRY_BASE_MS_DEFAULT;
    ac.retry.max_ms = o->retry_max_ms ? o->retry_max_ms : PROBE_RETRY_MAX_MS_DEFAULT;
    ac.transport = cfg->transport;
    ac.auth_mode = cfg->auth != NULL ? GCSPLAN__API_AUTH_GIVEN : GCSPLAN__API_AUTH_SHARED;
    ac.auth = cfg->auth;
    ac.getenv_fn = cfg->getenv_fn;
    if ((rc = gcsplan__api_new(&p->api, &ac, err)) != 0 ||
        (rc = gcsplan__api_prepare(p->api, GCSPLAN__SVC_STORAGE, err)) != 0)
        goto fail;
    for (unsigned int i = 0; i < p->nslots; i++)
        if (gcsplan__call_new(&p->slots[i].call, p->api, &probe_ops, &p->slots[i]) != 0) {
            rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
            goto fail;
        }
    *out = p;
    return 0;
fail:
    gcsplan__probe_free(p);
    return rc;
}
