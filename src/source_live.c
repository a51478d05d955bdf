/* Live listing: the Cloud Storage JSON API, through the API client (api.c).
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
 * A request in flight lives in a slot (its API call, its page parser, the
 * page being received); there are at most `parallel` slots. Between requests
 * a node keeps only what the next one needs: prefix, token, range.
 *
 * A server is not trusted to end a listing, to keep its order or to bound
 * its pages: each node checks that its entries stay inside its prefix and
 * range and strictly increase, that no page token comes back (a repeat or a
 * cycle of any length, by Brent's method in constant memory), that no page
 * holds more entries than maxResults asked for or more than PAGE_BYTES_MAX
 * bytes, and that a listing keeps bringing new entries (the progress budget:
 * no_progress_bytes per listing, no_progress_ms for the whole lister).
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

#include "api.h"
#include "internal.h"
#include "list_json.h"
#include "source.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/name.h"
#include "util/num.h"

#define READY_PER_NODE 8          /* pages a leaf may have waiting */
#define READY_BYTES_MAX ((size_t)32 << 20) /* bytes of received pages waiting, at most */
#define NODES_MAX 20000           /* nodes alive at once (walk fan-out) */
#define SCAN_EXTRA 16             /* nodes past the parallel bound the scheduler looks at */
#define SPLIT_DEPTH_MAX 4         /* a split probe descends through lone directories */
#define SPLIT_RANGES_PER_REQUEST 16 /* ranges wanted per parallel request */
/* Decoded bytes of one page, at most: 1000 entries of names up to 1024 bytes,
 * each escaped up to 6 bytes a byte, with room for servers that ignore the
 * fields parameter and send whole object resources. */
#define PAGE_BYTES_MAX ((size_t)32 << 20)
#define SHOWN_MAX 120             /* bytes of a name or token quoted in a message */
#define TOKEN_SHOWN 16            /* bytes of a page token quoted */

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
typedef struct slot slot;

typedef struct node {
    struct node *prev, *next;
    int kind;
    int delimiter;
    size_t level;       /* N_WALK: the segment its directories are matched against */
    char *prefix;       /* listing prefix (N_GET: the object name) */
    size_t prefix_len;
    size_t dir_len;     /* N_WALK: prefix bytes before the directory names */
    char *start, *end;  /* startOffset / endOffset, or NULL */
    char *token;        /* pageToken for the next page, or NULL for the first */
    int done;
    slot *slot;         /* the request in flight (or waiting to be retried) */
    page *ready, *ready_tail;
    int nready;
    page *cur;          /* the page being yielded (head leaf) */
    size_t cur_i;
    char *last;         /* the last entry kept so far, for the order check */
    size_t last_len, last_cap;
    /* Brent's cycle detection over the page tokens' hashes. */
    uint64_t tok_mark, tok_power, tok_lam;
    int tok_marked;
    uint64_t quiet_bytes;  /* body bytes since the last page with an entry */
    uint64_t quiet_pages;
    size_t sample_items;   /* N_SAMPLE: items of its page (counted, not kept) */
    /* N_SPLIT */
    int depth;
    size_t ranges, since_cut, seen_prefixes;
    char *cut;          /* where the next range starts, or NULL (the beginning) */
} node;

/* A request in flight. */
struct slot {
    live *src;
    slot *next_free;
    node *n;            /* the node it serves; NULL when free */
    gcsplan__call *call;
    gcsplan__page_parser *parser;
    page *filling;      /* the page being received */
    size_t page_items, page_prefixes;
    uint64_t page_bytes;
    int fatal;          /* a sink callback's error code, or 0 */
};

struct live {
    gcsplan__source base;
    const gcsplan_allocator *a;
    const gcsplan_pattern *pat;
    const gcsplan_lister_options *o;
    gcsplan__api *api;
    const gcsplan__endpoint *ep;
    char shown_ep[512];    /* the endpoint, escaped, for messages */
    node *head, *tail;
    size_t nnodes;
    slot **slots;          /* every slot made, for freeing */
    size_t nslots, slots_max;
    slot *free_slots;
    size_t busy;           /* slots serving a node */
    size_t pages_held;     /* in ready lists, in flight and current */
    size_t pages_max;
    size_t ready_bytes;    /* of the pages in ready lists and current */
    page *free_pages;
    int failed;
    char strategy_why[160];
    int strategy;          /* GCSPLAN_STRATEGY_FLAT or _WALK, or -1 for one get */
    int by_cost;           /* auto with middle wildcards: sample, then choose */
    uint64_t per_dir;      /* sampled objects per directory, 0 when unknown */
    uint64_t progress;     /* bumps with every page that brings an entry */
    uint64_t progress_seen;
    uint64_t idle_since;   /* ms; when the lister began waiting without progress, 0: not */
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
    n->kind = kind;
    n->prefix = dup_bytes(s, prefix, len);
    n->prefix_len = len;
    n->tok_power = 1;
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

/* Give a slot back: its page (if it still has one) to the free list. */
static void slot_release(live *s, slot *sl)
{
    if (sl->filling != NULL) {
        page_put(s, sl->filling);
        s->pages_held--;
        sl->filling = NULL;
    }
    if (sl->n != NULL) {
        sl->n->slot = NULL;
        sl->n = NULL;
        s->busy--;
    }
    sl->next_free = s->free_slots;
    s->free_slots = sl;
}

static void node_free(live *s, node *n)
{
    if (n->slot != NULL) {
        gcsplan__call_cancel(n->slot->call);
        slot_release(s, n->slot);
    }
    drop_pages(s, n);
    gcsplan__free(s->a, n->prefix);
    gcsplan__free(s->a, n->start);
    gcsplan__free(s->a, n->end);
    gcsplan__free(s->a, n->token);
    gcsplan__free(s->a, n->cut);
    gcsplan__free(s->a, n->last);
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

/* Text from the server (a name, a token) for a message: escaped, cut. */
static const char *shown(char *buf, size_t cap, const char *s, size_t n, size_t max)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, buf, cap);
    gcsplan__term_cut(&b, s, n, max);
    return buf;
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

static void build_url(live *s, node *n, gcsplan__call *c)
{
    gcsplan__buf *u = gcsplan__call_url(c);
    const char *bucket = gcsplan_pattern_bucket(s->pat);
    gcsplan__buf_puts(u, "/storage/v1/b/");
    gcsplan__url_put_encoded(u, bucket, strlen(bucket));
    if (n->kind == N_GET) {
        gcsplan__buf_puts(u, "/o/");
        gcsplan__url_put_encoded(u, n->prefix, n->prefix_len);
        gcsplan__buf_puts(u, "?fields=name%2Csize%2Cgeneration");
        return;
    }
    gcsplan__buf_printf(u, "/o?maxResults=%u", s->o->page_size);
    gcsplan__buf_puts(u, n->delimiter
                             ? "&fields=items(name%2Csize%2Cgeneration)%2Cprefixes%2CnextPageToken"
                             : "&fields=items(name%2Csize%2Cgeneration)%2CnextPageToken");
    if (n->delimiter)
        gcsplan__buf_puts(u, "&delimiter=%2F");
    if (n->prefix_len > 0)
        gcsplan__url_put_param(u, "prefix", n->prefix, n->prefix_len);
    if (n->start != NULL)
        gcsplan__url_put_param(u, "startOffset", n->start, strlen(n->start));
    if (n->end != NULL)
        gcsplan__url_put_param(u, "endOffset", n->end, strlen(n->end));
    if (n->token != NULL)
        gcsplan__url_put_param(u, "pageToken", n->token, strlen(n->token));
}

/* A sink callback's verdict that no retry can mend: the server broke the
 * listing's rules. The parse stops; the call ends with code. */
static int sink_fatal(slot *sl, int code, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

static int sink_fatal(slot *sl, int code, const char *fmt, ...)
{
    gcsplan_error *e = gcsplan__call_body_error(sl->call);
    gcsplan_error_clear(e);
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    sl->fatal = code;
    return 1;
}

/* An entry counts toward maxResults, whichever array it is in. */
static int count_entry(slot *sl)
{
    live *s = sl->src;
    unsigned int cap = sl->n->kind == N_GET ? 1 : s->o->page_size;
    if (sl->page_items + sl->page_prefixes > cap)
        return sink_fatal(sl, GCSPLAN_ESOURCE,
                          "the server at %s sent more than the %u entries asked for in one "
                          "page (maxResults)", s->shown_ep, cap);
    return 0;
}

/* An entry this node keeps must lie inside the node's prefix and range and
 * come after the previous one: a server that repeats or reorders (a page
 * token that cycles back, say) would otherwise make the lister yield a name
 * twice or out of order. */
static int check_entry(slot *sl, const char *name, size_t len)
{
    live *s = sl->src;
    node *n = sl->n;
    const page *pg = sl->filling;
    char a[4 * SHOWN_MAX + 8], b[4 * SHOWN_MAX + 8], c[4 * SHOWN_MAX + 8];
    if (n->kind == N_GET) {
        if (len != n->prefix_len || memcmp(name, n->prefix, len) != 0)
            return sink_fatal(sl, GCSPLAN_ESOURCE, "the server at %s answered objects.get of "
                              "'%s' with the object '%s'", s->shown_ep,
                              shown(a, sizeof a, n->prefix, n->prefix_len, SHOWN_MAX),
                              shown(b, sizeof b, name, len, SHOWN_MAX));
        return 0;
    }
    const char *prev = NULL;
    size_t prev_len = 0;
    if (pg->n > 0) {
        prev = pg->names + pg->e[pg->n - 1].off;
        prev_len = pg->e[pg->n - 1].len;
    } else {
        /* A page's first entry: inside the prefix and range. The entries
         * after it only need to increase: names between two names with the
         * prefix have it too, and the page's last entry is checked against
         * the range's end when the page is complete (range_end_ok). */
        const char *why = NULL;
        if (len < n->prefix_len || memcmp(name, n->prefix, n->prefix_len) != 0)
            why = "outside the prefix asked for";
        else if (n->start != NULL && gcsplan__name_cmp(name, len, n->start, strlen(n->start)) < 0)
            why = "before the startOffset asked for";
        if (why != NULL)
            return sink_fatal(sl, GCSPLAN_ESOURCE,
                              "the server at %s listed '%s' under prefix '%s': %s", s->shown_ep,
                              shown(a, sizeof a, name, len, SHOWN_MAX),
                              shown(b, sizeof b, n->prefix, n->prefix_len, SHOWN_MAX), why);
        prev = n->last;
        prev_len = n->last_len;
    }
    if (prev != NULL && gcsplan__name_cmp(name, len, prev, prev_len) <= 0)
        return sink_fatal(sl, GCSPLAN_ESOURCE,
                          "the server at %s listed '%s' after '%s' under prefix '%s': out of "
                          "order (a page token that repeats or cycles?); the listing cannot be "
                          "trusted", s->shown_ep, shown(a, sizeof a, name, len, SHOWN_MAX),
                          shown(b, sizeof b, prev, prev_len, SHOWN_MAX),
                          shown(c, sizeof c, n->prefix, n->prefix_len, SHOWN_MAX));
    return 0;
}

static int on_item(void *ctx, const char *name, size_t len, uint64_t size, int64_t gen)
{
    slot *sl = ctx;
    sl->page_items++;
    if (count_entry(sl) != 0)
        return 1;
    if (sl->n->kind == N_LEAF || sl->n->kind == N_GET) {
        if (check_entry(sl, name, len) != 0)
            return 1;
        if (page_add(sl->src, sl->filling, name, len, size, gen) != 0)
            return sink_fatal(sl, GCSPLAN_ENOMEM, "out of memory");
    }
    return 0;
}

static int on_prefix(void *ctx, const char *p, size_t len)
{
    slot *sl = ctx;
    sl->page_prefixes++;
    if (count_entry(sl) != 0)
        return 1;
    int k = sl->n->kind;
    if (k == N_WALK || k == N_SPLIT || (k == N_SAMPLE && sl->n->delimiter)) {
        if (check_entry(sl, p, len) != 0)
            return 1;
        if (page_add(sl->src, sl->filling, p, len, 0, 0) != 0)
            return sink_fatal(sl, GCSPLAN_ENOMEM, "out of memory");
    }
    return 0;
}

/* What the parser said, for the client: a malformed or cut page is retried,
 * a broken rule or no memory ends the listing. */
static int parse_verdict(slot *sl, int rc)
{
    if (rc == 0)
        return 0;
    if (sl->fatal)
        return sl->fatal;
    if (rc == GCSPLAN_ENOMEM)
        return GCSPLAN_ENOMEM;
    return GCSPLAN__BODY_MALFORMED;
}

static void slot_attempt(gcsplan__call *c, void *ctx, int n)
{
    slot *sl = ctx;
    gcsplan_list_stats *st = sl->src->base.env->stats;
    (void)c;
    st->requests++;
    if (n > 1)
        st->retries++;
    /* What an earlier attempt received is dropped: a page counts whole. */
    sl->filling->n = 0;
    sl->filling->used = 0;
    sl->page_items = sl->page_prefixes = 0;
    sl->page_bytes = 0;
    sl->fatal = 0;
    (void)gcsplan__page_parser_begin(sl->parser, sl->n->kind == N_GET ? GCSPLAN__PAGE_OBJECT
                                                                       : GCSPLAN__PAGE_LIST);
}

static int slot_body(gcsplan__call *c, void *ctx, const char *buf, size_t len)
{
    slot *sl = ctx;
    sl->page_bytes += len;
    return parse_verdict(sl, gcsplan__page_parser_feed(sl->parser, buf, len,
                                                       gcsplan__call_body_error(c)));
}

static int slot_end(gcsplan__call *c, void *ctx)
{
    slot *sl = ctx;
    return parse_verdict(sl, gcsplan__page_parser_finish(sl->parser, gcsplan__call_body_error(c)));
}

static int page_complete(live *s, node *n, slot *sl);

static void slot_done(gcsplan__call *c, void *ctx, const gcsplan__call_result *r)
{
    slot *sl = ctx;
    live *s = sl->src;
    node *n = sl->n;
    (void)c;
    if (r->rc == 0) {
        s->base.env->stats->pages++;
        page_complete(s, n, sl);
    } else if (r->status == 404 && n->kind == N_GET) {
        n->done = 1; /* the one object named does not exist: no match */
        s->base.env->stats->pages++;
    } else {
        fail(s, r->rc, r->status, "%s", r->err->message);
    }
    slot_release(s, sl);
}

static const gcsplan__call_ops slot_ops = { slot_attempt, slot_body, slot_end, slot_done };

static slot *slot_get(live *s)
{
    slot *sl = s->free_slots;
    if (sl != NULL) {
        s->free_slots = sl->next_free;
        return sl;
    }
    if (s->nslots == s->slots_max)
        return NULL;
    sl = gcsplan__malloc(s->a, sizeof *sl);
    if (sl == NULL)
        return NULL;
    memset(sl, 0, sizeof *sl);
    sl->src = s;
    gcsplan__page_sink sink = { on_item, on_prefix, sl };
    if (gcsplan__call_new(&sl->call, s->api, &slot_ops, sl) != 0 ||
        gcsplan__page_parser_new(&sl->parser, s->a, &sink) != 0) {
        gcsplan__call_free(sl->call);
        gcsplan__free(s->a, sl);
        return NULL;
    }
    s->slots[s->nslots++] = sl;
    return sl;
}

static int start(live *s, node *n)
{
    slot *sl = slot_get(s);
    if (sl == NULL)
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    sl->filling = page_get(s);
    if (sl->filling == NULL) {
        sl->next_free = s->free_slots;
        s->free_slots = sl;
        return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    }
    s->pages_held++;
    sl->n = n;
    n->slot = sl;
    s->busy++;
    gcsplan__call_begin(sl->call, GCSPLAN__SVC_STORAGE, NULL, NULL,
                        n->kind == N_GET ? "objects.get" : "objects.list");
    gcsplan__call_limit(sl->call, PAGE_BYTES_MAX);
    build_url(s, n, sl->call);
    gcsplan_error err;
    int rc = gcsplan__call_start(sl->call, &err);
    if (rc != 0) {
        slot_release(s, sl);
        if (!s->failed) {
            *s->base.env->err = err;
            s->failed = rc;
        }
        return s->failed;
    }
    return 0;
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

static int split_page(live *s, node *n, page *pg, const char *token, size_t items)
{
    size_t np = pg->n, entries = np + items;
    n->seen_prefixes += np;
    /* A lone directory and nothing else: look one level deeper for cuts. */
    if (token == NULL && n->ranges == 0 && n->seen_prefixes == 1 && items == 0 &&
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
        /* A new listing: its own order and its own tokens. */
        gcsplan__free(s->a, n->last);
        n->last = NULL;
        n->last_len = n->last_cap = 0;
        n->tok_marked = 0;
        n->tok_power = 1;
        n->tok_lam = 0;
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

/* 64-bit FNV-1a: page tokens are compared by hash for the cycle check. */
static uint64_t token_hash(const char *t)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        h = (h ^ *p) * 0x100000001b3u;
    return h;
}

/* Brent's method: the token is compared with a mark that moves to the
 * current token at steps 1, 2, 4, 8...; a sequence that repeats any cycle
 * meets its mark within twice the cycle's length and offset, in constant
 * memory. Returns 1 when token was seen before. */
static int token_repeats(node *n, const char *token)
{
    uint64_t h = token_hash(token);
    if (n->tok_marked && h == n->tok_mark)
        return 1;
    if (++n->tok_lam == n->tok_power) {
        n->tok_mark = h;
        n->tok_marked = 1;
        n->tok_power *= 2;
        n->tok_lam = 0;
    }
    return 0;
}

/* The progress budget of one listing: pages that bring nothing new. */
static int note_progress(live *s, node *n, slot *sl, const char *token)
{
    char a[4 * SHOWN_MAX + 8], b[4 * TOKEN_SHOWN + 8];
    if (sl->page_items + sl->page_prefixes > 0) {
        n->quiet_bytes = n->quiet_pages = 0;
        s->progress++;
    } else {
        n->quiet_bytes += sl->page_bytes;
        n->quiet_pages++;
    }
    if (token == NULL)
        return 0;
    if (token_repeats(n, token))
        return fail(s, GCSPLAN_ESOURCE, 0,
                    "the server at %s sent a page token again for prefix '%s' (token '%s'): "
                    "the listing would never end", s->shown_ep,
                    shown(a, sizeof a, n->prefix, n->prefix_len, SHOWN_MAX),
                    shown(b, sizeof b, token, strlen(token), TOKEN_SHOWN));
    if (n->quiet_bytes > s->o->no_progress_bytes)
        return fail(s, GCSPLAN_ESOURCE, 0,
                    "the server at %s sent %llu pages (%llu bytes) in a row for prefix '%s' "
                    "without a new object or directory, and still a next page: giving up",
                    s->shown_ep, (unsigned long long)n->quiet_pages,
                    (unsigned long long)n->quiet_bytes,
                    shown(a, sizeof a, n->prefix, n->prefix_len, SHOWN_MAX));
    return 0;
}

/* The page's last kept entry becomes the node's, for the next page's check;
 * it must be inside the prefix and before the range's end (so are all the
 * entries before it, which increase from a first one inside). */
static int keep_last(live *s, node *n, const page *pg)
{
    if (pg->n == 0)
        return 0;
    const entry *e = &pg->e[pg->n - 1];
    const char *name = pg->names + e->off, *why = NULL;
    if (e->len < n->prefix_len || memcmp(name, n->prefix, n->prefix_len) != 0)
        why = "outside the prefix asked for";
    else if (n->end != NULL && gcsplan__name_cmp(name, e->len, n->end, strlen(n->end)) >= 0)
        why = "at or after the endOffset asked for";
    if (why != NULL) {
        char a[4 * SHOWN_MAX + 8], b[4 * SHOWN_MAX + 8];
        return fail(s, GCSPLAN_ESOURCE, 0, "the server at %s listed '%s' under prefix '%s': %s",
                    s->shown_ep, shown(a, sizeof a, name, e->len, SHOWN_MAX),
                    shown(b, sizeof b, n->prefix, n->prefix_len, SHOWN_MAX), why);
    }
    if (n->last == NULL || e->len + 1 > n->last_cap) {
        char *p = gcsplan__realloc(s->a, n->last, e->len + 1);
        if (p == NULL)
            return fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
        n->last = p;
        n->last_cap = e->len + 1;
    }
    memcpy(n->last, pg->names + e->off, e->len + 1);
    n->last_len = e->len;
    return 0;
}

/* A page arrived whole: hand it on. */
static int page_complete(live *s, node *n, slot *sl)
{
    page *pg = sl->filling;
    sl->filling = NULL;
    /* Counted only now: a page that failed part way is not "listed". */
    s->base.env->stats->listed += sl->page_items;
    s->base.env->stats->prefixes += sl->page_prefixes;
    const char *token = n->kind == N_GET ? NULL : gcsplan__page_parser_token(sl->parser);
    int rc = note_progress(s, n, sl, token);
    if (rc == 0)
        rc = keep_last(s, n, pg);
    gcsplan__free(s->a, n->token);
    n->token = NULL;
    if (rc == 0 && token != NULL && (n->token = dup_bytes(s, token, strlen(token))) == NULL)
        rc = fail(s, GCSPLAN_ENOMEM, 0, "out of memory");
    if (rc != 0) {
        page_put(s, pg);
        s->pages_held--;
        return rc;
    }
    n->done = token == NULL;
    n->sample_items = sl->page_items;
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
    if (n->kind == N_WALK) {
        for (size_t i = 0; i < pg->n && rc == 0; i++)
            rc = add_walk_child(s, n, pg->names + pg->e[i].off, pg->e[i].len);
    } else {
        rc = split_page(s, n, pg, token, sl->page_items);
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
    size_t scanned = 0, limit = s->o->parallel * 4 + SCAN_EXTRA;
    for (node *n = s->head; n != NULL && s->busy < s->o->parallel && scanned < limit;
         n = n->next, scanned++) {
        if (n->slot != NULL || n->done || s->failed)
            continue;
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

/* Wait for progress (a request ends or a retry comes due), within the
 * progress budget: the time the lister may wait with no new entry from any
 * request. The time the caller spends between calls does not count. */
static int wait_some(live *s)
{
    uint64_t now = gcsplan__clock_ms();
    if (s->idle_since == 0 || s->progress_seen != s->progress) {
        s->idle_since = now;
        s->progress_seen = s->progress;
    }
    uint64_t budget = s->o->no_progress_ms, waited = now - s->idle_since;
    if (waited >= budget) {
        const char *last = gcsplan__api_last_failure(s->api);
        return fail(s, GCSPLAN_ESOURCE, 0,
                    "no new object or directory from the server at %s for %.1f s "
                    "(%zu request%s unanswered%s%s): giving up", s->shown_ep,
                    (double)waited / 1000, gcsplan__api_active(s->api),
                    gcsplan__api_active(s->api) == 1 ? "" : "s",
                    last[0] ? "; last failure: " : "", last);
    }
    if (gcsplan__api_active(s->api) == 0)
        return fail(s, GCSPLAN_ERROR, 0, "internal error: the listing stalled");
    uint64_t left = budget - waited;
    gcsplan_error err;
    int rc = gcsplan__api_run(s->api, left < 1000 ? (long)left : 1000, &err);
    if (rc != 0 && !s->failed) {
        *s->base.env->err = err;
        s->failed = rc;
    }
    return s->failed;
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
                s->idle_since = 0; /* the caller's time is not the server's */
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
        if (n->done && n->slot == NULL) {
            node_remove(s, n);
            continue;
        }
        int rc = pump(s);
        if (rc == 0 && s->head == n && !n->done && n->ready == NULL)
            wait_some(s);
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
    s->idle_since = 0;
    if (start(s, n) == 0)
        while (!s->failed && n->slot != NULL)
            wait_some(s);
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
        per_dir = b->sample_items; /* items are counted, not kept */
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
        s->per_dir = b->done ? b->sample_items : 2 * b->sample_items;
        node_free(s, b);
    }
    node_free(s, a);
    return 0;
}

static void live_explain(const gcsplan__source *base, void (*put)(void *, const char *), void *ctx)
{
    const live *s = (const live *)base;
    char line[4096];
    char quiet[32];
    gcsplan__human_bytes(quiet, sizeof quiet, s->o->no_progress_bytes);
    snprintf(line, sizeof line, "source: Cloud Storage JSON API at %s%s\n", s->shown_ep,
             strcmp(s->ep->origin, "$STORAGE_EMULATOR_HOST") == 0 ? " (from STORAGE_EMULATOR_HOST)"
                                                                  : "");
    put(ctx, line);
    snprintf(line, sizeof line, "%s\n",
             gcsplan__api_describe_credentials(s->api, GCSPLAN__SVC_STORAGE));
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
             "retries: %d with backoff from %u ms to %u ms; each attempt at most %u s; "
             "given up after %u s, or %s of pages in a row, without a new entry\n",
             s->o->parallel, s->o->page_size, s->o->retries, s->o->retry_base_ms,
             s->o->retry_max_ms, (s->o->timeout_ms + 999) / 1000, (s->o->no_progress_ms + 999) / 1000,
             quiet);
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
    for (size_t i = 0; i < s->nslots; i++) {
        gcsplan__call_free(s->slots[i]->call);
        gcsplan__page_parser_free(s->slots[i]->parser);
        gcsplan__free(s->a, s->slots[i]);
    }
    gcsplan__free(s->a, s->slots);
    gcsplan__api_free(s->api);
    gcsplan__free(s->a, s);
}

static const gcsplan__source_ops live_ops = { live_next, live_explain, live_free };

/* The API client for this listing: the endpoint and credentials of Cloud
 * Storage, the lister's retry options and timeout. */
static int make_api(live *s, const gcsplan__source_env *env)
{
    gcsplan__api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = s->a;
    cfg.endpoint[GCSPLAN__SVC_STORAGE] = s->o->endpoint;
    cfg.anonymous = s->o->anonymous;
    cfg.parallel = s->o->parallel;
    cfg.timeout_ms = s->o->timeout_ms;
    cfg.retry.retries = s->o->retries;
    cfg.retry.base_ms = s->o->retry_base_ms;
    cfg.retry.max_ms = s->o->retry_max_ms;
    cfg.retry.retry_after_max_ms = GCSPLAN__RETRY_AFTER_MAX_MS;
    cfg.transport = env->transport;
    cfg.auth_mode = env->auth != NULL ? GCSPLAN__API_AUTH_GIVEN : GCSPLAN__API_AUTH_SHARED;
    cfg.auth = env->auth;
    cfg.getenv_fn = env->getenv_fn;
    int rc = gcsplan__api_new(&s->api, &cfg, env->err);
    if (rc != 0)
        return rc;
    if ((s->ep = gcsplan__api_endpoint(s->api, GCSPLAN__SVC_STORAGE, env->err)) == NULL)
        return env->err->code;
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, s->shown_ep, sizeof s->shown_ep);
    gcsplan__term_str(&b, s->ep->base, strlen(s->ep->base));
    /* Credentials are read now, so that a missing or broken one fails here. */
    return gcsplan__api_prepare(s->api, GCSPLAN__SVC_STORAGE, env->err);
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
    s->pages_max = 8 * (size_t)s->o->parallel + 2;
    s->slots_max = s->o->parallel;
    s->slots = gcsplan__malloc(a, s->slots_max * sizeof *s->slots);
    int rc = s->slots == NULL ? gcsplan__error_set(env->err, GCSPLAN_ENOMEM, "out of memory")
                              : make_api(s, env);
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
