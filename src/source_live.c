/* Live listing: the Cloud Storage JSON API.
 *
 * The listing is a list of nodes in output order. A node is one listing
 * (prefix, delimiter, key range) paged with pageToken, or one objects.get:
 *   - a leaf yields the items of its pages;
 *   - a walk node lists directories with delimiter '/' and, for each that
 *     matches its segment of the pattern, inserts a child just before itself;
 *   - a split node lists the directories below a flat prefix once, only to
 *     cut the key space into ranges, and inserts a leaf per range.
 * Because the children of a node are inserted before it in the order the
 * service returns them, the list stays in byte order of the names it will
 * yield, and the consumer only ever reads the head. Up to `parallel`
 * requests run at once, on the nodes nearest the head; a page is parsed as
 * it arrives but its items count only when the whole page arrived, so a
 * retried page (after a 429, a 5xx, a broken connection or a cut body) never
 * yields twice or loses an item.
 *
 * Memory: pages held at once are bounded by pages_max (8 per request in
 * flight), their received bytes by READY_BYTES_MAX, nodes by NODES_MAX; none
 * grows with the number of objects. Ranges are cut small (about 16 per
 * request in flight) so that each is a few pages: the head is consumed while
 * the ranges after it arrive, which is what keeps `parallel` requests busy
 * under latency without holding much. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "endpoint.h"
#include "internal.h"
#include "list_json.h"
#include "retry.h"
#include "source.h"
#include "transport.h"
#include "util/clock.h"

#define READY_PER_NODE 8          /* pages a leaf may have waiting */
#define READY_BYTES_MAX ((size_t)32 << 20) /* bytes of received pages waiting, at most */
#define NODES_MAX 20000           /* nodes alive at once (walk fan-out) */
#define SCAN_EXTRA 16             /* nodes past the parallel bound the scheduler looks at */
#define SPLIT_DEPTH_MAX 4         /* a split probe descends through lone directories */
#define SPLIT_RANGES_PER_REQUEST 16 /* ranges wanted per parallel request */
#define ERROR_BODY_MAX 8192       /* bytes of an error body kept for its message */

/* N_SAMPLE: one page, fetched before the listing to choose its strategy. */
enum { N_LEAF, N_WALK, N_SPLIT, N_GET, N_SAMPLE };

typedef struct entry {
    uint32_t off, len;
    uint64_t size;
    int64_t generation;
} entry;

/* One page: items (leaf) or prefixes (walk, split), names packed in one buffer. */
typedef struct page {
    struct page *next;
    entry *e;
    size_t n, cap;
    char *names;
    size_t used, names_cap;
} page;

typedef struct live live;

typedef struct node {
    struct node *prev, *next;
    live *src;
    int kind;
    int delimiter;
    size_t level;       /* N_WALK: the segment its directories are matched against */
    char *prefix;       /* listing prefix (N_GET: the object name) */
    size_t prefix_len;
    size_t dir_len;     /* N_WALK: prefix bytes before the directory names */
    char *start, *end;  /* startOffset / endOffset, or NULL */
    char *token;        /* pageToken for the next page, or NULL for the first */
    int done, in_flight, waiting;
    double retry_at;
    int attempts;       /* consecutive failures of the current page */
    int auth_retried;
    page *ready, *ready_tail;
    int nready;
    page *cur;          /* the page being yielded (head leaf) */
    size_t cur_i;
    page *filling;      /* the page being received */
    gcsplan__page_parser *parser;
    int status;         /* of the response being received */
    char *errbody;
    size_t errlen;
    int body_failed;    /* the body did not parse */
    size_t page_items, page_prefixes; /* of the page being received */
    gcsplan_error body_err;
    char *url;
    const char *headers[3];
    char auth_line[4096 + 32];
    gcsplan__xfer xfer;
    /* N_SPLIT */
    int depth;
    size_t ranges, since_cut, seen_prefixes;
    char *cut;          /* where the next range starts, or NULL (the beginning) */
} node;

struct live {
    gcsplan__source base;
    const gcsplan_allocator *a;
    const gcsplan_pattern *pat;
    const gcsplan_lister_options *o;
    char endpoint[1024];
    int anonymous;
    int emulator;          /* endpoint from STORAGE_EMULATOR_HOST */
    gcsplan__transport *t;
    gcsplan__auth *auth;
    node *head, *tail;
    size_t nnodes;
    size_t pages_held;     /* in ready lists, in flight and current */
    size_t pages_max;
    size_t ready_bytes;    /* of the pages in ready lists and current */
    size_t in_flight;
    page *free_pages;
    int failed;
    uint64_t rng;
    char strategy_why[160];
    int strategy;          /* GCSPLAN_STRATEGY_FLAT or _WALK, or -1 for one get */
    int by_cost;           /* auto with middle wildcards: sample, then choose */
    uint64_t per_dir;      /* sampled objects per directory, 0 when unknown */
};

/* --- pages ---------------------------------------------------------------------------- */

static page *page_get(live *s)
{
    page *p = s->free_pages;
    if (p != NULL) {
        s->free_pages = p->next;
    } else {
        p = gcsplan__malloc(s->a, sizeof *p);
        if (p == NULL)
            return NULL;
        memset(p, 0, sizeof *p);
    }
    p->next = NULL;
    p->n = 0;
    p->used = 0;
    return p;
}

static void page_put(live *s, page *p)
{
    if (p == NULL)
        return;
    p->next = s->free_pages;
    s->free_pages = p;
}

/* What a received page takes, for the memory bound. */
static size_t page_bytes(const page *p)
{
    return p->used + p->n * sizeof(entry);
}

static void page_destroy(live *s, page *p)
{
    gcsplan__free(s->a, p->e);
    gcsplan__free(s->a, p->names);
    gcsplan__free(s->a, p);
}

static int page_add(live *s, page *p, const char *name, size_t len, uint64_t size, int64_t gen)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 1024;
        entry *e = gcsplan__realloc(s->a, p->e, cap * sizeof *e);
        if (e == NULL)
            return GCSPLAN_ENOMEM;
        p->e = e;
        p->cap = cap;
    }
    if (p->used + len + 1 > p->names_cap) {
        size_t cap = p->names_cap ? p->names_cap : 65536;
        while (cap < p->used + len + 1)
            cap *= 2;
        char *n = gcsplan__realloc(s->a, p->names, cap);
        if (n == NULL)
            return GCSPLAN_ENOMEM;
        p->names = n;
        p->names_cap = cap;
    }
    entry *e = &p->e[p->n++];
    e->off = (uint32_t)p->used;
    e->len = (uint32_t)len;
    e->size = size;
    e->generation = gen;
    memcpy(p->names + p->used, name, len);
    p->names[p->used + len] = '\0';
    p->used += len + 1;
    return 0;
}

/* --- nodes ---------------------------------------------------------------------------- */

static char *dup_bytes(live *s, const char *b, size_t n)
{
    return gcsplan__strndup(s->a, b, n);
}

static node *node_new(live *s, int kind, const char *prefix, size_t len)
{
    node *n = gcsplan__malloc(s->a, sizeof *n);
    if (n == NULL)
        return NULL;
    memset(n, 0, sizeof *n);
    n->src = s;
    n->kind = kind;
    n->prefix = dup_bytes(s, prefix, len);
    n->prefix_len = len;
    if (n->prefix == NULL) {
        gcsplan__free(s->a, n);
        return NULL;
    }
    s->nnodes++;
    return n;
}

static void drop_pages(live *s, node *n)
{
    for (page *p = n->ready; p != NULL;) {
        page *next = p->next;
        s->ready_bytes -= page_bytes(p);
        page_put(s, p);
        s->pages_held--;
        p = next;
    }
    n->ready = n->ready_tail = NULL;
    n->nready = 0;
    if (n->cur != NULL) {
        s->ready_bytes -= page_bytes(n->cur);
        page_put(s, n->cur);
        s->pages_held--;
        n->cur = NULL;
    }
}

static void node_free(live *s, node *n)
{
    if (n->in_flight) {
        s->t->ops->cancel(s->t, &n->xfer);
        s->in_flight--;
        n->in_flight = 0;
        if (n->filling != NULL) {
            page_put(s, n->filling);
            s->pages_held--;
        }
    } else if (n->filling != NULL) {
        page_put(s, n->filling);
    }
    drop_pages(s, n);
    gcsplan__page_parser_free(n->parser);
    gcsplan__free(s->a, n->prefix);
    gcsplan__free(s->a, n->start);
    gcsplan__free(s->a, n->end);
    gcsplan__free(s->a, n->token);
    gcsplan__free(s->a, n->cut);
    gcsplan__free(s->a, n->errbody);
    gcsplan__free(s->a, n->url);
    gcsplan__free(s->a, n);
    s->nnodes--;
}

/* Insert n just before `before` (at the tail when NULL). */
static void node_insert(live *s, node *n, node *before)
{
    n->next = before;
    n->prev = before ? before->prev : s->tail;
    if (n->prev != NULL)
        n->prev->next = n;
    else
        s->head = n;
    if (before != NULL)
        before->prev = n;
    else
        s->tail = n;
}

static void node_remove(live *s, node *n)
{
    if (n->prev != NULL)
        n->prev->next = n->next;
    else
        s->head = n->next;
    if (n->next != NULL)
        n->next->prev = n->prev;
    else
        s->tail = n->prev;
    node_free(s, n);
}

/* --- failing ---------------------------------------------------------------------------- */

static int fail(live *s, int code, int http_status, const char *fmt, ...) GCSPLAN_PRINTF(4, 5);

static int fail(live *s, int code, int http_status, const char *fmt, ...)
{
    if (s->failed)
        return s->failed;
    gcsplan_error *e = s->base.env->err;
    gcsplan_error_clear(e);
    e->code = code;
    e->http_status = http_status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    s->failed = code;
    return code;
}

/* --- building the plan ------------------------------------------------------------------ */

/* Bytes of segment i before its first wildcard. */
static size_t literal_head(const gcsplan_pattern *p, size_t i, const char **text)
{
    gcsplan_segment seg;
    gcsplan_pattern_segment(p, i, &seg);
    size_t k = 0;
    while (k < seg.len && seg.text[k] != '*' && seg.text[k] != '?')
        k++;
    *text = seg.text;
    return k;
}

/* The node that lists segment k (the first wildcard segment at or after k)
 * below the directory path base, which ends with '/' or is empty. */
static node *node_for_segment(live *s, const char *base, size_t base_len, size_t k)
{
    const gcsplan_pattern *p = s->pat;
    size_t nsegs = gcsplan_pattern_segment_count(p);
    char buf[2 * GCSPLAN_NAME_MAX + 2];
    size_t len = base_len;
    if (base_len > GCSPLAN_NAME_MAX)
        return NULL;
    memcpy(buf, base, base_len);
    gcsplan_segment seg;
    /* Literal segments need no listing: they extend the path. */
    while (k + 1 < nsegs && (gcsplan_pattern_segment(p, k, &seg), seg.wildcard == 0)) {
        if (len + seg.len + 1 > GCSPLAN_NAME_MAX)
            return NULL; /* no name can be this long: nothing to list */
        memcpy(buf + len, seg.text, seg.len);
        len += seg.len;
        buf[len++] = '/';
        k++;
    }
    size_t dir_len = len;
    const char *head;
    size_t hl = literal_head(p, k, &head);
    if (len + hl > GCSPLAN_NAME_MAX)
        return NULL;
    memcpy(buf + len, head, hl);
    len += hl;
    node *n = node_new(s, k + 1 < nsegs ? N_WALK : N_LEAF, buf, len);
    if (n != NULL) {
        n->delimiter = 1;
        n->level = k;
        n->dir_len = dir_len;
    }
    return n;
}

static int plan(live *s)
{
    const gcsplan_pattern *p = s->pat;
    size_t plen;
    const char *prefix = gcsplan_pattern_prefix(p, &plen);
    node *root = NULL;
    gcsplan_pattern_kind kind = gcsplan_pattern_kind_of(p);
    size_t nsegs = gcsplan_pattern_segment_count(p);
    int middle = 0;
    for (size_t i = 0; i + 1 < nsegs; i++) {
        gcsplan_segment seg;
        gcsplan_pattern_segment(p, i, &seg);
        middle |= seg.wildcard != 0;
    }
    if (kind == GCSPLAN_PATTERN_LITERAL) {
        s->strategy = -1;
        snprintf(s->strategy_why, sizeof s->strategy_why, "the URI names one object");
        root = node_new(s, N_GET, prefix, plen);
    } else if (kind == GCSPLAN_PATTERN_SEGMENTED &&
               (s->o->strategy == GCSPLAN_STRATEGY_WALK ||
                (s->o->strategy == GCSPLAN_STRATEGY_AUTO && middle) || !middle)) {
        s->strategy = GCSPLAN_STRATEGY_WALK;
        snprintf(s->strategy_why, sizeof s->strategy_why, "%s",
                 !middle ? "wildcards only in the last segment: one listing with delimiter '/'"
                 : s->o->strategy == GCSPLAN_STRATEGY_WALK
                     ? "asked for"
                     : "wildcards in middle segments: only matching directories are listed");
        s->by_cost = middle && s->o->strategy == GCSPLAN_STRATEGY_AUTO && s->o->parallel > 0;
        size_t lit_end = 0;
        for (size_t i = 0; i < nsegs; i++) {
            gcsplan_segment seg;
            gcsplan_pattern_segment(p, i, &seg);
            if (seg.wildcard) {
                lit_end = seg.offset;
                root = node_for_segment(s, prefix, lit_end, i);
                break;
            }
        }
    } else {
        s->strategy = GCSPLAN_STRATEGY_FLAT;
        snprintf(s->strategy_why, sizeof s->strategy_why, "%s",
                 kind == GCSPLAN_PATTERN_RECURSIVE ? "'**' crosses '/': one flat listing of the prefix"
                                                   : "asked for");
        root = node_new(s, s->o->parallel > 1 ? N_SPLIT : N_LEAF, prefix, plen);
        if (root != NULL && root->kind == N_SPLIT)
            root->delimiter = 1;
    }
    if (root == NULL)
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    node_insert(s, root, NULL);
    return 0;
}

/* --- requests ----------------------------------------------------------------------------- */

static int append(char *url, size_t cap, size_t *len, const char *text)
{
    size_t n = strlen(text);
    if (*len + n >= cap)
        return -1;
    memcpy(url + *len, text, n + 1);
    *len += n;
    return 0;
}

static int append_param(char *url, size_t cap, size_t *len, const char *name, const char *value,
                        size_t vlen)
{
    size_t k;
    if (append(url, cap, len, name) != 0 ||
        gcsplan__url_encode(url + *len, cap - *len, &k, value, vlen) != 0)
        return -1;
    *len += k;
    return 0;
}

static int build_url(live *s, node *n, char *url, size_t cap)
{
    size_t len = 0, k;
    const char *bucket = gcsplan_pattern_bucket(s->pat);
    if (append(url, cap, &len, s->endpoint) != 0 || append(url, cap, &len, "/storage/v1/b/") != 0 ||
        gcsplan__url_encode(url + len, cap - len, &k, bucket, strlen(bucket)) != 0)
        return -1;
    len += k;
    if (n->kind == N_GET) {
        if (append(url, cap, &len, "/o/") != 0 ||
            gcsplan__url_encode(url + len, cap - len, &k, n->prefix, n->prefix_len) != 0)
            return -1;
        len += k;
        return append(url, cap, &len, "?fields=name%2Csize%2Cgeneration");
    }
    char max[32];
    snprintf(max, sizeof max, "%u", s->o->page_size);
    int rc = append(url, cap, &len, "/o?maxResults=") | append(url, cap, &len, max);
    rc |= append(url, cap, &len,
                 n->delimiter ? "&fields=items(name%2Csize%2Cgeneration)%2Cprefixes%2CnextPageToken"
                              : "&fields=items(name%2Csize%2Cgeneration)%2CnextPageToken");
    if (n->delimiter)
        rc |= append(url, cap, &len, "&delimiter=%2F");
    if (n->prefix_len > 0)
        rc |= append_param(url, cap, &len, "&prefix=", n->prefix, n->prefix_len);
    if (n->start != NULL)
        rc |= append_param(url, cap, &len, "&startOffset=", n->start, strlen(n->start));
    if (n->end != NULL)
        rc |= append_param(url, cap, &len, "&endOffset=", n->end, strlen(n->end));
    if (n->token != NULL)
        rc |= append_param(url, cap, &len, "&pageToken=", n->token, strlen(n->token));
    return rc;
}

static int on_item(void *ctx, const char *name, size_t len, uint64_t size, int64_t gen)
{
    node *n = ctx;
    live *s = n->src;
    n->page_items++;
    if (n->kind == N_LEAF || n->kind == N_GET) {
        if (page_add(s, n->filling, name, len, size, gen) != 0)
            return GCSPLAN_ENOMEM;
    }
    return 0;
}

static int on_prefix(void *ctx, const char *p, size_t len)
{
    node *n = ctx;
    live *s = n->src;
    n->page_prefixes++;
    if ((n->kind == N_WALK || n->kind == N_SPLIT || n->kind == N_SAMPLE) &&
        page_add(s, n->filling, p, len, 0, 0) != 0)
        return GCSPLAN_ENOMEM;
    return 0;
}

static int on_body(gcsplan__xfer *x, int status, const char *buf, size_t len)
{
    node *n = x->ctx;
    live *s = n->src;
    n->status = status;
    if (status < 200 || status >= 300) {
        /* An error body: keep the start of it for its message. */
        size_t k = len;
        if (n->errlen + k > ERROR_BODY_MAX)
            k = ERROR_BODY_MAX - n->errlen;
        if (n->errbody == NULL && (n->errbody = gcsplan__malloc(s->a, ERROR_BODY_MAX)) == NULL)
            return 1;
        memcpy(n->errbody + n->errlen, buf, k);
        n->errlen += k;
        return 0;
    }
    if (n->body_failed)
        return 1;
    int rc = gcsplan__page_parser_feed(n->parser, buf, len, &n->body_err);
    if (rc != 0) {
        n->body_failed = rc;
        return 1; /* stop receiving: the page will be retried */
    }
    return 0;
}

static void on_done(gcsplan__xfer *x, const gcsplan__xfer_result *r);

static int start(live *s, node *n)
{
    char url[GCSPLAN_URL_MAX];
    if (build_url(s, n, url, sizeof url) != 0)
        return fail(s, GCSPLAN_ELIMIT, 0, "a request URL would be too long");
    gcsplan__free(s->a, n->url);
    n->url = dup_bytes(s, url, strlen(url));
    if (n->parser == NULL) {
        gcsplan__page_sink sink = { on_item, on_prefix, n };
        if (gcsplan__page_parser_new(&n->parser, s->a, &sink) != 0)
            return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    }
    n->filling = page_get(s);
    if (n->url == NULL || n->filling == NULL ||
        gcsplan__page_parser_begin(n->parser, n->kind == N_GET ? GCSPLAN__PAGE_OBJECT
                                                                : GCSPLAN__PAGE_LIST) != 0) {
        page_put(s, n->filling);
        n->filling = NULL;
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    }
    s->pages_held++;
    n->status = 0;
    n->errlen = 0;
    n->body_failed = 0;
    n->page_items = 0;
    n->page_prefixes = 0;
    int h = 0;
    const char *authz;
    gcsplan_error aerr;
    if (gcsplan__auth_header_line(s->auth, n->auth_line, sizeof n->auth_line, &authz, &aerr) != 0) {
        *s->base.env->err = aerr;
        s->failed = aerr.code ? aerr.code : GCSPLAN_ESOURCE;
        return s->failed;
    }
    if (authz != NULL)
        n->headers[h++] = authz;
    n->headers[h] = NULL;
    n->xfer.url = n->url;
    n->xfer.headers = n->headers;
    n->xfer.on_body = on_body;
    n->xfer.on_done = on_done;
    n->xfer.ctx = n;
    int rc = s->t->ops->start(s->t, &n->xfer);
    if (rc != 0)
        return fail(s, rc, 0, "could not start a request: %s", gcsplan_strerror(rc));
    n->in_flight = 1;
    s->in_flight++;
    s->base.env->stats->requests++;
    return 0;
}

/* The shared retry rules (retry.c), with this listing's options and jitter state. */
static double backoff_s(live *s, int attempt, long retry_after_ms)
{
    return gcsplan__backoff_s(&s->rng, attempt, s->o->retry_base_ms, s->o->retry_max_ms,
                              retry_after_ms);
}

/* The message of an error body, or "". */
static const char *error_message(node *n)
{
    if (n->errlen == 0 || n->parser == NULL)
        return "";
    gcsplan_error e;
    if (gcsplan__page_parser_begin(n->parser, GCSPLAN__PAGE_LIST) != 0)
        return "";
    /* Items in an error body are not expected; the sink ignores nothing, so
     * the body is parsed with the page discarded afterwards. */
    (void)gcsplan__page_parser_feed(n->parser, n->errbody, n->errlen, &e);
    (void)gcsplan__page_parser_finish(n->parser, &e);
    n->filling->n = 0;
    n->filling->used = 0;
    return gcsplan__page_parser_error_message(n->parser);
}

static int retryable(int status)
{
    return gcsplan__http_retryable(status);
}

/* A page arrived whole: hand it on. */
static int page_complete(live *s, node *n);

static void on_done(gcsplan__xfer *x, const gcsplan__xfer_result *r)
{
    node *n = x->ctx;
    live *s = n->src;
    gcsplan_list_stats *st = s->base.env->stats;
    n->in_flight = 0;
    s->in_flight--;
    int status = r->status ? r->status : n->status;
    const char *why = NULL;
    char whybuf[512];
    if (r->transport_failed && !n->body_failed) {
        snprintf(whybuf, sizeof whybuf, "connection failed: %s", r->message);
        why = whybuf;
    } else if (status >= 200 && status < 300) {
        int rc = n->body_failed ? n->body_failed : gcsplan__page_parser_finish(n->parser, &n->body_err);
        if (rc == GCSPLAN_ENOMEM) {
            fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
            return;
        }
        if (rc == 0) {
            n->attempts = 0;
            n->auth_retried = 0;
            st->pages++;
            if (page_complete(s, n) != 0)
                return;
            return;
        }
        snprintf(whybuf, sizeof whybuf, "truncated or malformed body (%s)", n->body_err.message);
        why = whybuf;
    } else if (status == 404 && n->kind == N_GET) {
        n->done = 1;
        st->pages++;
        page_put(s, n->filling);
        n->filling = NULL;
        s->pages_held--;
        return;
    } else if (status == 401 && !n->auth_retried && gcsplan__auth_invalidate(s->auth)) {
        /* An expired token: fetch a new one and try once more at once. */
        n->auth_retried = 1;
        why = "HTTP 401";
        n->attempts--; /* does not count against the retry budget */
    } else if (!retryable(status)) {
        const char *msg = error_message(n);
        fail(s, GCSPLAN_ESOURCE, status, "HTTP %d from %s%s%s", status,
             n->kind == N_GET ? "objects.get" : "objects.list", msg[0] ? ": " : "", msg);
        page_put(s, n->filling);
        n->filling = NULL;
        s->pages_held--;
        return;
    } else {
        const char *msg = error_message(n);
        snprintf(whybuf, sizeof whybuf, "HTTP %d%s%s", status, msg[0] ? ": " : "", msg);
        why = whybuf;
    }
    /* Retry the page: what it had received is dropped. */
    page_put(s, n->filling);
    n->filling = NULL;
    s->pages_held--;
    n->attempts++;
    if (n->attempts > s->o->retries) {
        fail(s, GCSPLAN_ESOURCE, r->transport_failed ? 0 : status,
             "giving up after %d attempts: %s", n->attempts, why);
        return;
    }
    st->retries++;
    n->waiting = 1;
    n->retry_at = gcsplan__clock_s() + (status == 401 ? 0 : backoff_s(s, n->attempts, r->retry_after_ms));
}

/* Walk: a directory prefix matched against the node's segment. */
static int add_walk_child(live *s, node *n, const char *p, size_t len)
{
    if (len <= n->dir_len || p[len - 1] != '/')
        return 0;
    const char *dir = p + n->dir_len;
    size_t dlen = len - n->dir_len - 1;
    if (!gcsplan_pattern_match_segment(s->pat, n->level, dir, dlen))
        return 0;
    node *c = node_for_segment(s, p, len, n->level + 1);
    if (c == NULL) {
        /* Too long to hold any name, or out of memory. */
        if (len + 1 > GCSPLAN_NAME_MAX)
            return 0;
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    }
    node_insert(s, c, n);
    return 0;
}

/* Split: insert a leaf for [n->cut, end) with the pattern's prefix. */
static int add_range(live *s, node *n, const char *end, size_t end_len)
{
    size_t plen;
    const char *prefix = gcsplan_pattern_prefix(s->pat, &plen);
    node *c = node_new(s, N_LEAF, prefix, plen);
    if (c == NULL)
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    if (n->cut != NULL && (c->start = dup_bytes(s, n->cut, strlen(n->cut))) == NULL) {
        node_free(s, c);
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    }
    if (end != NULL) {
        if ((c->end = dup_bytes(s, end, end_len)) == NULL) {
            node_free(s, c);
            return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
        }
        gcsplan__free(s->a, n->cut);
        if ((n->cut = dup_bytes(s, end, end_len)) == NULL) {
            node_free(s, c);
            return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
        }
    }
    node_insert(s, c, n);
    n->ranges++;
    n->since_cut = 0;
    return 0;
}

static int split_page(live *s, node *n, page *pg, const char *token)
{
    size_t np = pg->n, entries = np + n->page_items;
    n->seen_prefixes += np;
    /* A lone directory and nothing else: look one level deeper for cuts. */
    if (token == NULL && n->ranges == 0 && n->seen_prefixes == 1 && n->page_items == 0 &&
        n->depth < SPLIT_DEPTH_MAX && np == 1) {
        char *deeper = dup_bytes(s, pg->names + pg->e[0].off, pg->e[0].len);
        if (deeper == NULL)
            return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
        gcsplan__free(s->a, n->prefix);
        n->prefix = deeper;
        n->prefix_len = pg->e[0].len;
        n->depth++;
        n->seen_prefixes = 0;
        n->done = 0;
        return 1; /* list again, deeper */
    }
    size_t want = (size_t)s->o->parallel * SPLIT_RANGES_PER_REQUEST;
    size_t group = np / want + 1;
    /* Directories of a few objects each: a range is at least a page of them. */
    if (s->per_dir > 0 && s->per_dir < 1000 && group < 1000 / s->per_dir)
        group = 1000 / s->per_dir;
    for (size_t i = 0; i < np; i++) {
        if (++n->since_cut >= group && add_range(s, n, pg->names + pg->e[i].off, pg->e[i].len) != 0)
            return -1;
    }
    /* A page mostly of objects means a wide flat directory: probing on would
     * cost as much as listing it, so stop here. */
    if (token != NULL && np * 2 < entries)
        n->done = 1;
    return 0;
}

static int page_complete(live *s, node *n)
{
    page *pg = n->filling;
    n->filling = NULL;
    /* Counted only now: a page that failed part way is not "listed". */
    s->base.env->stats->listed += n->page_items;
    s->base.env->stats->prefixes += n->page_prefixes;
    const char *token = n->kind == N_GET ? NULL : gcsplan__page_parser_token(n->parser);
    gcsplan__free(s->a, n->token);
    n->token = NULL;
    if (token != NULL && (n->token = dup_bytes(s, token, strlen(token))) == NULL)
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    n->done = token == NULL;
    if (n->kind == N_LEAF || n->kind == N_GET || n->kind == N_SAMPLE) {
        s->ready_bytes += page_bytes(pg);
        if (n->ready_tail != NULL)
            n->ready_tail->next = pg;
        else
            n->ready = pg;
        n->ready_tail = pg;
        n->nready++;
        return 0;
    }
    int rc = 0;
    if (n->kind == N_WALK) {
        for (size_t i = 0; i < pg->n && rc == 0; i++)
            rc = add_walk_child(s, n, pg->names + pg->e[i].off, pg->e[i].len);
    } else {
        rc = split_page(s, n, pg, token);
        if (rc == 1) {
            rc = 0;
        } else if (rc == 0 && n->done) {
            rc = add_range(s, n, NULL, 0);
        }
    }
    page_put(s, pg);
    s->pages_held--;
    return rc;
}

/* Start requests for the nodes nearest the head, within the bounds. */
static int pump(live *s)
{
    double now = 0;
    size_t scanned = 0, limit = s->o->parallel * 4 + SCAN_EXTRA;
    for (node *n = s->head; n != NULL && s->in_flight < s->o->parallel && scanned < limit;
         n = n->next, scanned++) {
        if (n->in_flight || n->done || s->failed)
            continue;
        if (n->waiting) {
            if (now == 0)
                now = gcsplan__clock_s();
            if (now < n->retry_at)
                continue;
            n->waiting = 0;
        }
        if (n != s->head) {
            if (n->nready >= READY_PER_NODE || s->pages_held >= s->pages_max ||
                s->ready_bytes >= READY_BYTES_MAX)
                continue;
            if (n->kind == N_WALK && s->nnodes >= NODES_MAX)
                continue;
        }
        int rc = start(s, n);
        if (rc != 0)
            return rc;
    }
    return s->failed;
}

/* Wait for progress: until a transfer ends or the next retry is due. */
static int wait_some(live *s)
{
    long timeout = 1000;
    if (s->in_flight == 0) {
        double next = 0, now = gcsplan__clock_s();
        for (node *n = s->head; n != NULL; n = n->next)
            if (n->waiting && (next == 0 || n->retry_at < next))
                next = n->retry_at;
        if (next == 0)
            return fail(s, GCSPLAN_ERROR, 0, "internal error: the listing stalled");
        timeout = (long)((next - now) * 1000) + 1;
        if (timeout <= 0)
            return 0;
        if (timeout > 1000)
            timeout = 1000;
        gcsplan__sleep_ms((uint64_t)timeout);
        return 0;
    }
    return s->t->ops->run(s->t, timeout);
}

static int live_next(gcsplan__source *base, gcsplan_object *obj)
{
    live *s = (live *)base;
    for (;;) {
        if (s->failed)
            return s->failed;
        node *n = s->head;
        if (n == NULL)
            return GCSPLAN_ITEROVER;
        if (n->cur != NULL) {
            if (n->cur_i < n->cur->n) {
                const entry *e = &n->cur->e[n->cur_i++];
                obj->name = n->cur->names + e->off;
                obj->name_len = e->len;
                obj->size = e->size;
                obj->generation = e->generation;
                return 0;
            }
            s->ready_bytes -= page_bytes(n->cur);
            page_put(s, n->cur);
            s->pages_held--;
            n->cur = NULL;
        }
        if (n->ready != NULL) {
            n->cur = n->ready;
            n->ready = n->cur->next;
            if (n->ready == NULL)
                n->ready_tail = NULL;
            n->nready--;
            n->cur_i = 0;
            continue;
        }
        if (n->done && !n->in_flight) {
            node_remove(s, n);
            continue;
        }
        int rc = pump(s);
        if (rc == 0 && s->head == n && !n->done && n->ready == NULL)
            rc = wait_some(s);
        if (rc != 0 && !s->failed)
            fail(s, rc, 0, "transport failed: %s", gcsplan_strerror(rc));
    }
}

/* --- choosing between walk and flat by cost ----------------------------------------------- */

#define SAMPLE_MORE_PAGES 4 /* a sampled listing with a next page: assume this many */

/* Fetch the first page of a listing, alone, before the listing proper. */
static node *sample(live *s, const char *prefix, size_t len, int delimiter)
{
    node *n = node_new(s, N_SAMPLE, prefix, len);
    if (n == NULL) {
        fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
        return NULL;
    }
    n->delimiter = delimiter;
    while (!s->failed && n->ready == NULL && !(n->done && !n->in_flight)) {
        if (!n->in_flight && (!n->waiting || gcsplan__clock_s() >= n->retry_at)) {
            n->waiting = 0;
            if (start(s, n) != 0)
                break;
        }
        long timeout = 1000;
        if (n->waiting) {
            timeout = (long)((n->retry_at - gcsplan__clock_s()) * 1000) + 1;
            if (timeout > 0) {
                gcsplan__sleep_ms((uint64_t)timeout);
            }
            continue;
        }
        int rc = s->t->ops->run(s->t, timeout);
        if (rc != 0)
            fail(s, rc, 0, "transport failed: %s", gcsplan_strerror(rc));
    }
    if (s->failed) {
        node_free(s, n);
        return NULL;
    }
    return n;
}

/* With wildcards in middle segments both strategies work. The walk costs a
 * request per matching directory per level below; a flat listing a request
 * per 1000 objects under the prefix. Two sample requests estimate both: the
 * first page of directories at the walk's first level (which directories
 * match), and the first page of one matching directory listed flat (how many
 * objects a directory holds). Flat wins only when clearly cheaper: it reads
 * objects the walk would never see. */
static int choose_by_cost(live *s)
{
    node *root = s->head;
    const gcsplan_pattern *p = s->pat;
    size_t nsegs = gcsplan_pattern_segment_count(p), levels = 0;
    for (size_t i = root->level + 1; i < nsegs; i++) {
        gcsplan_segment seg;
        gcsplan_pattern_segment(p, i, &seg);
        levels += seg.wildcard != 0;
    }
    node *a = sample(s, root->prefix, root->prefix_len, 1);
    if (a == NULL)
        return s->failed;
    page *pg = a->ready;
    size_t dirs = pg ? pg->n : 0, matched = 0, first = SIZE_MAX;
    for (size_t i = 0; i < dirs; i++) {
        const char *d = pg->names + pg->e[i].off;
        size_t dl = pg->e[i].len;
        if (dl > root->dir_len && d[dl - 1] == '/' &&
            gcsplan_pattern_match_segment(p, root->level, d + root->dir_len, dl - root->dir_len - 1)) {
            matched++;
            if (first == SIZE_MAX)
                first = i;
        }
    }
    int more = !a->done;
    uint64_t per_dir = 0;
    int per_dir_more = 0;
    if (matched > 0) {
        node *b = sample(s, pg->names + pg->e[first].off, pg->e[first].len, 0);
        if (b == NULL) {
            node_free(s, a);
            return s->failed;
        }
        per_dir = b->page_items; /* items are counted, not kept */
        per_dir_more = !b->done;
        node_free(s, b);
    }
    node_free(s, a);
    s->per_dir = per_dir_more ? 2 * per_dir : per_dir;
    uint64_t scale = more ? SAMPLE_MORE_PAGES : 1;
    uint64_t walk = 1 + matched * scale * (levels ? levels : 1);
    uint64_t objects = dirs * scale * (per_dir_more ? 2 * per_dir : per_dir ? per_dir : 1);
    uint64_t flat = objects / 1000 + 1;
    int use_flat = matched > 0 && flat * 2 < walk;
    snprintf(s->strategy_why, sizeof s->strategy_why,
             "chosen by cost from 2 sample requests: about %llu requests walked, %llu flat",
             (unsigned long long)walk, (unsigned long long)flat);
    if (!use_flat)
        return 0;
    size_t plen;
    const char *prefix = gcsplan_pattern_prefix(p, &plen);
    node *flat_root = node_new(s, s->o->parallel > 1 ? N_SPLIT : N_LEAF, prefix, plen);
    if (flat_root == NULL)
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    flat_root->delimiter = flat_root->kind == N_SPLIT;
    node_remove(s, root);
    node_insert(s, flat_root, NULL);
    s->strategy = GCSPLAN_STRATEGY_FLAT;
    return 0;
}

/* Before a flat listing is cut into key ranges: how many objects does a
 * directory below the prefix hold? Ranges of directories of one object each
 * would cost a request per handful of objects; knowing, each range is cut to
 * hold at least a page. Two sample requests: the directories, and the first
 * one listed flat. */
static int sample_per_dir(live *s)
{
    node *root = s->head;
    node *a = sample(s, root->prefix, root->prefix_len, 1);
    if (a == NULL)
        return s->failed;
    if (a->ready != NULL && a->ready->n > 1) {
        const page *pg = a->ready;
        node *b = sample(s, pg->names + pg->e[0].off, pg->e[0].len, 0);
        if (b == NULL) {
            node_free(s, a);
            return s->failed;
        }
        s->per_dir = b->done ? b->page_items : 2 * b->page_items;
        node_free(s, b);
    }
    node_free(s, a);
    return 0;
}

static void live_explain(const gcsplan__source *base, void (*put)(void *, const char *), void *ctx)
{
    const live *s = (const live *)base;
    char line[4096];
    snprintf(line, sizeof line, "source: Cloud Storage JSON API at %s%s\n", s->endpoint,
             s->emulator ? " (from STORAGE_EMULATOR_HOST)" : "");
    put(ctx, line);
    snprintf(line, sizeof line, "%s\n",
             s->auth ? gcsplan__auth_describe(s->auth) : "credentials: none (anonymous)");
    put(ctx, line);
    const gcsplan_pattern *p = s->pat;
    size_t plen;
    const char *prefix = gcsplan_pattern_prefix(p, &plen);
    const char *bucket = gcsplan_pattern_bucket(p);
    if (s->strategy == -1) {
        snprintf(line, sizeof line,
                 "strategy: get (%s)\n  GET /storage/v1/b/%s/o/%.*s: one objects.get\n",
                 s->strategy_why, bucket, (int)plen, prefix);
        put(ctx, line);
        return;
    }
    if (s->strategy == GCSPLAN_STRATEGY_FLAT) {
        snprintf(line, sizeof line,
                 "strategy: flat (%s)\n"
                 "  list prefix \"%.*s\" without delimiter, every object under it\n",
                 s->strategy_why, (int)plen, prefix);
        put(ctx, line);
        if (s->o->parallel > 1) {
            snprintf(line, sizeof line,
                     "  first list the directories just below \"%.*s\" (delimiter '/') to cut the "
                     "key space into about %u ranges (startOffset/endOffset) listed concurrently\n",
                     (int)plen, prefix, s->o->parallel * SPLIT_RANGES_PER_REQUEST);
            put(ctx, line);
        }
    } else {
        snprintf(line, sizeof line, "strategy: walk (%s)\n", s->strategy_why);
        put(ctx, line);
        size_t nsegs = gcsplan_pattern_segment_count(p);
        char path[2 * GCSPLAN_NAME_MAX + 64] = "";
        size_t len = 0;
        int level = 1;
        for (size_t i = 0; i < nsegs; i++) {
            gcsplan_segment seg;
            gcsplan_pattern_segment(p, i, &seg);
            if (seg.wildcard == 0 && i + 1 < nsegs) {
                len += (size_t)snprintf(path + len, sizeof path - len, "%.*s/", (int)seg.len,
                                        seg.text);
                continue;
            }
            const char *head;
            size_t hl = literal_head(p, i, &head);
            if (i + 1 < nsegs)
                snprintf(line, sizeof line,
                         "  level %d: list prefix \"%s%.*s\" with delimiter '/'; keep directories "
                         "matching \"%.*s\"\n",
                         level, path, (int)hl, head, (int)seg.len, seg.text);
            else
                snprintf(line, sizeof line,
                         "  level %d: list prefix \"%s%.*s\" with delimiter '/'; match objects "
                         "against \"%.*s\"\n",
                         level, path, (int)hl, head, (int)seg.len, seg.text);
            put(ctx, line);
            len += (size_t)snprintf(path + len, sizeof path - len, "<%.*s>/", (int)seg.len,
                                    seg.text);
            level++;
        }
    }
    snprintf(line, sizeof line,
             "requests: up to %u at once, pages of %u, fields items(name,size,generation); "
             "retries: %d with backoff from %u ms to %u ms\n",
             s->o->parallel, s->o->page_size, s->o->retries, s->o->retry_base_ms,
             s->o->retry_max_ms);
    put(ctx, line);
}

static void live_free(gcsplan__source *base)
{
    live *s = (live *)base;
    while (s->head != NULL)
        node_remove(s, s->head);
    while (s->free_pages != NULL) {
        page *p = s->free_pages;
        s->free_pages = p->next;
        page_destroy(s, p);
    }
    if (s->t != NULL)
        s->t->ops->free(s->t);
    gcsplan__auth_free(s->auth);
    gcsplan__free(s->a, s);
}

static const gcsplan__source_ops live_ops = { live_next, live_explain, live_free };

/* The endpoint: --endpoint, else STORAGE_EMULATOR_HOST, else Google's (endpoint.c). */
static int set_endpoint(live *s)
{
    int custom;
    if (gcsplan__endpoint_resolve(s->endpoint, sizeof s->endpoint, s->o->endpoint, &s->emulator,
                                  &custom) != 0)
        return -1;
    if (custom)
        s->anonymous = 1; /* an endpoint of one's own needs no Google credentials */
    return 0;
}

int gcsplan__source_live_new(gcsplan__source **out, const gcsplan__source_env *env)
{
    const gcsplan_allocator *a = env->alloc;
    live *s = gcsplan__malloc(a, sizeof *s);
    if (s == NULL)
        return gcsplan__error_set(env->err, GCSPLAN_ENOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    s->base.ops = &live_ops;
    s->base.env = env;
    s->a = a;
    s->pat = env->pattern;
    s->o = env->opts;
    s->anonymous = env->opts->anonymous;
    s->pages_max = 8 * (size_t)s->o->parallel + 2;
    s->rng = gcsplan__rng_seed();
    if (set_endpoint(s) != 0) {
        live_free(&s->base);
        return gcsplan__error_set(env->err, GCSPLAN_EINVAL, "the endpoint URL is too long");
    }
    gcsplan__transport_config tc = { s->o->parallel, s->o->timeout_ms, 30000, 30000 };
    int rc = gcsplan__transport_curl_new(&s->t, a, &tc, env->err);
    if (rc == 0) {
        gcsplan__auth_config ac;
        memset(&ac, 0, sizeof ac);
        ac.anonymous = s->anonymous;
        ac.timeout_ms = s->o->timeout_ms;
        rc = gcsplan__auth_new(&s->auth, a, &ac, env->err);
    }
    if (rc == 0)
        rc = plan(s);
    if (rc == 0 && s->by_cost)
        rc = choose_by_cost(s);
    else if (rc == 0 && s->head != NULL && s->head->kind == N_SPLIT)
        rc = sample_per_dir(s);
    if (rc != 0) {
        live_free(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}
