#include "listgen.h"
#include "fields.h"
#include "json_out.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum phase { PH_HEAD, PH_EVIL, PH_ITEMS, PH_PREFIXES, PH_TAIL, PH_DONE };

struct listgen {
    const bucket *b;
    list_params p; /* its strings point at the copies below */
    char *prefix, *delimiter, *start_offset, *end_offset, *match_glob;
    char *start_token; /* the ordinary token the page starts at, or NULL */
    char *cur_token;   /* where the current chunk started */
    fmask *owned;
    const fmask *m, *items_m; /* items_m NULL: items not selected */
    int want_kind, want_prefixes, want_token;
    hostile_shape shape;
    char size[HOSTILE_VALUE_MAX + 1];
    htoken req;
    int has_req;
    int first_page; /* the request carried no page token at all */
    char *base_url;
    uint64_t target; /* entries (items + prefixes) the page holds */

    int pass; /* 1: items, 2: prefixes */
    list_page chunk;
    int have_chunk;
    size_t ci;
    uint64_t emitted, chunks, chunks_pass1, n_prefixes;
    char *final_next; /* the ordinary token after the page, or NULL */
    size_t evil_i;
    int items_open, prefixes_open, first_key;
    int broken; /* an error mid-way: the page cannot be completed */
    enum phase ph;

    sbuf out;         /* rendered, not yet read */
    size_t out_off;
    uint64_t pad_left; /* bytes of padding still to produce */
    sbuf post;        /* what follows the padding */
};

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

void listgen_free(listgen *g)
{
    if (!g)
        return;
    free(g->prefix);
    free(g->delimiter);
    free(g->start_offset);
    free(g->end_offset);
    free(g->match_glob);
    free(g->start_token);
    free(g->cur_token);
    free(g->base_url);
    free(g->final_next);
    fmask_free(g->owned);
    list_page_free(&g->chunk);
    sbuf_free(&g->out);
    sbuf_free(&g->post);
    free(g);
}

/* Runs the next chunk of the current pass. 0: a chunk is ready; 1: the pass
 * is over; -1: error (message in err). */
static int next_chunk(listgen *g, char *err, size_t errlen)
{
    if (g->have_chunk) {
        char *tok = g->chunk.next_token;
        int over = !tok || g->emitted >= g->target ||
                   (g->pass == 2 && g->chunks >= g->chunks_pass1);
        if (over) {
            if (g->pass == 1) {
                g->final_next = tok; /* NULL when the listing ended */
                g->chunk.next_token = NULL;
                g->chunks_pass1 = g->chunks;
            }
            list_page_free(&g->chunk);
            g->have_chunk = 0;
            return 1;
        }
        free(g->cur_token);
        g->cur_token = tok;
        g->chunk.next_token = NULL;
        list_page_free(&g->chunk);
        g->have_chunk = 0;
    } else {
        free(g->cur_token);
        g->cur_token = dup_or_null(g->start_token);
        if (g->start_token && !g->cur_token) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        g->emitted = 0;
        g->chunks = 0;
    }
    list_params q = g->p;
    q.page_token = g->cur_token;
    uint64_t left = g->target - g->emitted;
    q.max_results = left < LIST_MAX_RESULTS ? (size_t)left : LIST_MAX_RESULTS;
    memset(&g->chunk, 0, sizeof g->chunk);
    if (listing_run(g->b, &q, &g->chunk, err, errlen) != 0)
        return -1;
    g->have_chunk = 1;
    g->ci = 0;
    g->chunks++;
    g->emitted += g->chunk.n_items + g->chunk.n_prefixes;
    if (g->pass == 1)
        g->n_prefixes += g->chunk.n_prefixes;
    return 0;
}

listgen *listgen_new(const bucket *b, const list_params *p, const char *fields,
                     const hostile_shape *shape, const htoken *req_token,
                     const char *base_url, char *err, size_t errlen)
{
    listgen *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->b = b;
    g->p = *p;
    g->prefix = dup_or_null(p->prefix);
    g->delimiter = dup_or_null(p->delimiter);
    g->start_offset = dup_or_null(p->start_offset);
    g->end_offset = dup_or_null(p->end_offset);
    g->match_glob = dup_or_null(p->match_glob);
    g->start_token = dup_or_null(p->page_token);
    g->base_url = dup_or_null(base_url);
    g->p.prefix = g->prefix;
    g->p.delimiter = g->delimiter;
    g->p.start_offset = g->start_offset;
    g->p.end_offset = g->end_offset;
    g->p.match_glob = g->match_glob;
    g->p.page_token = NULL;
    g->shape = *shape;
    if (shape->size) {
        snprintf(g->size, sizeof g->size, "%s", shape->size);
        g->shape.size = g->size;
    }
    if (req_token && req_token->mode) {
        g->req = *req_token;
        g->has_req = 1;
    }
    g->first_page = !p->page_token && !g->has_req;
    g->target = shape->oversize ? shape->oversize : p->max_results;
    g->m = &FMASK_ALL;
    if (fields && *fields) {
        g->owned = fmask_parse(fields);
        g->m = g->owned;
    }
    if (!g->base_url || !g->m || (p->prefix && !g->prefix) ||
        (p->page_token && !g->start_token)) {
        snprintf(err, errlen, g->m ? "out of memory" : "Invalid field selection fields");
        listgen_free(g);
        return NULL;
    }
    g->items_m = fmask_get(g->m, "items");
    g->want_kind = fmask_get(g->m, "kind") != NULL;
    g->want_prefixes = fmask_get(g->m, "prefixes") != NULL;
    g->want_token = fmask_get(g->m, "nextPageToken") != NULL;
    g->pass = 1;
    g->first_key = 1;
    sbuf_init(&g->out);
    sbuf_init(&g->post);
    /* The first chunk now, so that a bad token or glob is a 400, not a cut
     * connection. */
    if (shape->token_mode != TM_EMPTY && next_chunk(g, err, errlen) != 0) {
        listgen_free(g);
        return NULL;
    }
    return g;
}

static void begin_key(listgen *g, const char *k)
{
    if (!g->first_key)
        sbuf_putc(&g->out, ',');
    g->first_key = 0;
    sbuf_putc(&g->out, '"');
    sbuf_puts(&g->out, k);
    sbuf_puts(&g->out, "\":");
}

/* Appends one rendered item object, padded when the shape says so. */
static void emit_item(listgen *g, sbuf *obj)
{
    if (!g->items_open) {
        begin_key(g, "items");
        sbuf_putc(&g->out, '[');
        g->items_open = 1;
    } else {
        sbuf_putc(&g->out, ',');
    }
    sbuf_puts(&g->out, "\n ");
    if (!g->shape.padding || obj->len < 2) {
        sbuf_put(&g->out, obj->data, obj->len);
        return;
    }
    /* {"padding":"xxxx…", then the object's own keys */
    sbuf_puts(&g->out, "{\"padding\":\"");
    g->pad_left = g->shape.padding;
    g->post.len = 0;
    sbuf_putc(&g->post, '"');
    if (obj->len > 2)
        sbuf_putc(&g->post, ',');
    sbuf_put(&g->post, obj->data + 1, obj->len - 1);
}

static void render_evil(listgen *g, sbuf *obj, const char *name, size_t len)
{
    const fmask *m = g->items_m;
    int first = 1;
#define KEY(k)                                                                              \
    if (fmask_get(m, k)) {                                                                  \
        sbuf_puts(obj, first ? "\"" k "\":" : ",\"" k "\":");                               \
        first = 0;
#define END }
    sbuf_putc(obj, '{');
    KEY("kind") sbuf_puts(obj, "\"storage#object\""); END
    KEY("name") sbuf_json_str(obj, name, len); END
    KEY("bucket") sbuf_json_str(obj, g->b->id, strlen(g->b->id)); END
    KEY("size")
        sbuf_putc(obj, '"');
        sbuf_puts(obj, g->shape.size ? g->shape.size : "1");
        sbuf_putc(obj, '"');
    END
    KEY("contentType") sbuf_puts(obj, "\"application/dicom\""); END
#undef KEY
#undef END
    sbuf_putc(obj, '}');
}

/* The start of the listing: the larger of prefix and startOffset. */
static const char *start_key(const listgen *g, size_t *len)
{
    const char *a = g->prefix ? g->prefix : "", *s = g->start_offset;
    if (s && srv_bytes_cmp(s, strlen(s), a, strlen(a)) > 0)
        a = s;
    *len = strlen(a);
    return a;
}

static void emit_tail(listgen *g)
{
    char tok[HTOKEN_MAX + LIST_TOKEN_MAX];
    char key[BUCKET_NAME_MAX + 1];
    const char *next = NULL;
    const char *k = NULL;
    size_t kl = 0;
    if (g->final_next) {
        long n = listing_token_decode(g->final_next, key, sizeof key - 1);
        if (n >= 0) {
            k = key;
            kl = (size_t)n;
        }
    }
    if (!k)
        k = start_key(g, &kl);
    switch (g->shape.token_mode) {
    case TM_REPEAT:
        if (g->has_req && g->req.mode == 'R')
            hostile_token_repeat(g->req.key, g->req.keylen, tok);
        else
            hostile_token_repeat(k, kl, tok);
        next = tok;
        break;
    case TM_CYCLE:
        if (g->has_req && g->req.mode == 'A')
            hostile_token_cycle_b(g->req.key, g->req.keylen, k, kl, tok);
        else if (g->has_req && g->req.mode == 'B')
            hostile_token_cycle_a(g->req.key_a, g->req.key_a_len, tok);
        else
            hostile_token_cycle_a(k, kl, tok);
        next = tok;
        break;
    case TM_EMPTY:
        hostile_token_empty(g->has_req && g->req.mode == 'E' ? g->req.counter + 1 : 1, tok);
        next = tok;
        break;
    case TM_NONE:
        next = g->final_next;
        break;
    }
    if (next && g->want_token) {
        begin_key(g, "nextPageToken");
        sbuf_json_str(&g->out, next, strlen(next));
    }
    sbuf_puts(&g->out, "}\n");
}

/* Renders the next piece into g->out. 1: progress; 0: the page is complete;
 * -1: error. */
static int advance(listgen *g)
{
    char err[256];
    sbuf obj;
    switch (g->ph) {
    case PH_HEAD:
        sbuf_putc(&g->out, '{');
        if (g->want_kind) {
            begin_key(g, "kind");
            sbuf_puts(&g->out, "\"storage#objects\"");
        }
        if (g->shape.token_mode == TM_EMPTY)
            g->ph = PH_TAIL;
        else
            g->ph = g->shape.evil_names && g->first_page && g->items_m ? PH_EVIL : PH_ITEMS;
        return 1;
    case PH_EVIL: {
        size_t plen = g->prefix ? strlen(g->prefix) : 0, len;
        const char *tail = hostile_evil_name(g->evil_i, &len);
        if (g->evil_i++ >= HOSTILE_EVIL_NAMES) {
            g->ph = PH_ITEMS;
            return 1;
        }
        if (plen + len > BUCKET_NAME_MAX)
            return 1;
        char name[BUCKET_NAME_MAX];
        memcpy(name, g->prefix ? g->prefix : "", plen);
        memcpy(name + plen, tail, len);
        sbuf_init(&obj);
        render_evil(g, &obj, name, plen + len);
        emit_item(g, &obj);
        sbuf_free(&obj);
        return 1;
    }
    case PH_ITEMS:
        if (g->have_chunk && g->ci < g->chunk.n_items) {
            size_t idx = g->chunk.items[g->ci++];
            if (g->items_m) {
                sbuf_init(&obj);
                json_object_ex(&obj, g->items_m, g->b, idx, g->base_url, g->shape.size);
                emit_item(g, &obj);
                sbuf_free(&obj);
            }
            return 1;
        }
        switch (next_chunk(g, err, sizeof err)) {
        case 0: return 1;
        case 1: break;
        default: return -1;
        }
        if (g->items_open)
            sbuf_putc(&g->out, ']');
        g->pass = 2;
        g->ph = g->n_prefixes && g->want_prefixes ? PH_PREFIXES : PH_TAIL;
        return 1;
    case PH_PREFIXES:
        if (g->have_chunk && g->ci < g->chunk.n_prefixes) {
            const char *pfx = g->chunk.prefixes[g->ci++];
            if (!g->prefixes_open) {
                begin_key(g, "prefixes");
                sbuf_putc(&g->out, '[');
                g->prefixes_open = 1;
            } else {
                sbuf_putc(&g->out, ',');
            }
            sbuf_json_str(&g->out, pfx, strlen(pfx));
            return 1;
        }
        switch (next_chunk(g, err, sizeof err)) {
        case 0: return 1;
        case 1: break;
        default: return -1;
        }
        if (g->prefixes_open)
            sbuf_putc(&g->out, ']');
        g->ph = PH_TAIL;
        return 1;
    case PH_TAIL:
        emit_tail(g);
        g->ph = PH_DONE;
        return 1;
    default:
        return 0;
    }
}

ssize_t listgen_read(listgen *g, char *buf, size_t max)
{
    static const char pad[] = "padding-padding-padding-padding-padding-padding-padding-padding-";
    size_t done = 0;
    if (g->broken)
        return -1;
    while (done < max) {
        if (g->out.failed || g->post.failed)
            return -1;
        if (g->out_off < g->out.len) {
            size_t n = g->out.len - g->out_off;
            if (n > max - done)
                n = max - done;
            memcpy(buf + done, g->out.data + g->out_off, n);
            g->out_off += n;
            done += n;
            continue;
        }
        g->out.len = 0;
        g->out_off = 0;
        if (g->pad_left) {
            size_t n = max - done;
            if (n > g->pad_left)
                n = (size_t)g->pad_left;
            for (size_t i = 0; i < n; i++)
                buf[done + i] = pad[i % (sizeof pad - 1)];
            done += n;
            g->pad_left -= n;
            if (!g->pad_left) {
                sbuf_put(&g->out, g->post.data, g->post.len);
                g->post.len = 0;
            }
            continue;
        }
        int rc = advance(g);
        if (rc < 0) {
            g->broken = 1;
            return done ? (ssize_t)done : -1;
        }
        if (rc == 0)
            break;
    }
    return (ssize_t)done;
}
