/* The objects.list page parser on yajl's callbacks. */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "gcsplan/pattern.h"
#include "internal.h"
#include "list_json.h"
#include "util/num.h"

/* Where the parser is, as far as it matters. */
enum {
    AT_OTHER = 0,   /* inside something ignored */
    AT_TOP,         /* the top-level object */
    AT_ITEMS,       /* the "items" array */
    AT_ITEM,        /* one item object (or the top level of an objects.get body) */
    AT_PREFIXES     /* the "prefixes" array */
};

/* The key just read, where it matters. */
enum { K_NONE = 0, K_ITEMS, K_PREFIXES, K_TOKEN, K_NAME, K_SIZE, K_GEN };

struct gcsplan__page_parser {
    gcsplan_allocator alloc;
    gcsplan__page_sink sink;
    yajl_handle h;
    gcsplan__page_mode mode;
    unsigned char stack[GCSPLAN_JSON_DEPTH_MAX]; /* AT_* per open container */
    int depth;
    int key;
    int stop;           /* a sink callback's nonzero */
    const char *bad;    /* why the page is malformed */
    /* the item being read */
    char name[GCSPLAN_NAME_MAX];
    size_t name_len;
    int has_name, has_size;
    uint64_t size;
    int64_t generation;
    char token[GCSPLAN_PAGE_TOKEN_MAX + 1];
    int has_token;
    size_t since_quote;  /* bytes since the last '"' not after a backslash */
    int last_backslash;  /* the last byte fed was a backslash */
    /* Small pieces are gathered before yajl sees them: yajl re-reads a token
     * that spans pieces from its start, so a server dribbling bytes would
     * make even a bounded token cost its length squared. */
    char stage[GCSPLAN__PAGE_STAGE];
    size_t staged;
};


static int where(const gcsplan__page_parser *p)
{
    return p->depth > 0 ? p->stack[p->depth - 1] : AT_OTHER;
}

static int malformed(gcsplan__page_parser *p, const char *why)
{
    if (p->bad == NULL)
        p->bad = why;
    return 0; /* stop yajl */
}

/* A scalar (string or number) arrived for the current key. */
static int scalar(gcsplan__page_parser *p, const char *s, size_t n, int is_string)
{
    int at = where(p);
    int key = p->key;
    p->key = K_NONE;
    if (at == AT_ITEMS)
        return malformed(p, "an item is not an object");
    if (at == AT_PREFIXES) {
        if (!is_string)
            return malformed(p, "a prefix is not a string");
        if (memchr(s, '\0', n) != NULL)
            return malformed(p, "a prefix contains a NUL character");
        if (p->sink.prefix != NULL && (p->stop = p->sink.prefix(p->sink.ctx, s, n)) != 0)
            return 0;
        return 1;
    }
    if (at == AT_ITEM) {
        uint64_t v;
        switch (key) {
        case K_NAME:
            if (!is_string)
                return malformed(p, "an item name is not a string");
            if (n == 0 || n > GCSPLAN_NAME_MAX)
                return malformed(p, "an item name is empty or longer than 1024 bytes");
            /* Names are C strings everywhere after this; a server that
             * sends \u0000 in one sends a page that cannot be true. */
            if (memchr(s, '\0', n) != NULL)
                return malformed(p, "an item name contains a NUL character");
            memcpy(p->name, s, n); /* yajl's bytes are not stable: copy */
            p->name_len = n;
            p->has_name = 1;
            break;
        case K_SIZE:
            if (gcsplan__parse_u64(s, n, UINT64_MAX, &v) != 0)
                return malformed(p, "an item size is not an integer from 0 to 2^64-1");
            p->size = v;
            p->has_size = 1;
            break;
        case K_GEN:
            if (gcsplan__parse_u64(s, n, INT64_MAX, &v) != 0)
                return malformed(p, "an item generation is not a non-negative integer");
            p->generation = (int64_t)v;
            break;
        default:
            break;
        }
        return 1;
    }
    if (at == AT_TOP && key == K_TOKEN) {
        if (!is_string || n > GCSPLAN_PAGE_TOKEN_MAX)
            return malformed(p, "nextPageToken is not a string of sane length");
        /* It goes back as a C string: a NUL would cut it to another token. */
        if (memchr(s, '\0', n) != NULL)
            return malformed(p, "nextPageToken contains a NUL character");
        memcpy(p->token, s, n);
        p->token[n] = '\0';
        p->has_token = n > 0;
        return 1;
    }
    return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
    return scalar(ctx, (const char *)s, n, 1);
}

static int cb_number(void *ctx, const char *s, size_t n)
{
    return scalar(ctx, s, n, 0);
}

static int cb_other(void *ctx)
{
    gcsplan__page_parser *p = ctx;
    int at = where(p);
    int key = p->key;
    p->key = K_NONE;
    if (at == AT_PREFIXES)
        return malformed(p, "a prefix is not a string");
    if (at == AT_ITEMS)
        return malformed(p, "an item is not an object");
    if (at == AT_ITEM && (key == K_NAME || key == K_SIZE || key == K_GEN))
        return malformed(p, "an item field has the wrong type");
    return 1;
}

static int cb_null(void *ctx) { return cb_other(ctx); }
static int cb_bool(void *ctx, int b) { (void)b; return cb_other(ctx); }

static int push(gcsplan__page_parser *p, int at)
{
    if (p->depth == GCSPLAN_JSON_DEPTH_MAX)
        return malformed(p, "the page nests too deeply");
    p->stack[p->depth++] = (unsigned char)at;
    return 1;
}

static void item_reset(gcsplan__page_parser *p)
{
    p->has_name = p->has_size = 0;
    p->size = 0;
    p->generation = 0;
}

static int cb_start_map(void *ctx)
{
    gcsplan__page_parser *p = ctx;
    int at = where(p), key = p->key;
    p->key = K_NONE;
    if (p->depth == 0) {
        if (p->mode == GCSPLAN__PAGE_OBJECT) {
            item_reset(p);
            return push(p, AT_ITEM);
        }
        return push(p, AT_TOP);
    }
    if (at == AT_ITEMS) {
        item_reset(p);
        return push(p, AT_ITEM);
    }
    if (at == AT_PREFIXES)
        return malformed(p, "a prefix is not a string");
    if (at == AT_ITEM && (key == K_NAME || key == K_SIZE || key == K_GEN))
        return malformed(p, "an item field has the wrong type");
    return push(p, AT_OTHER);
}

/* A key names something only at the levels that matter. */
static int cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
    gcsplan__page_parser *p = ctx;
    int at = where(p);
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(s, lit, n) == 0)
    p->key = K_NONE;
    if (at == AT_TOP) {
        if (IS("items"))
            p->key = K_ITEMS;
        else if (IS("prefixes"))
            p->key = K_PREFIXES;
        else if (IS("nextPageToken"))
            p->key = K_TOKEN;
    } else if (at == AT_ITEM) {
        if (IS("name"))
            p->key = K_NAME;
        else if (IS("size"))
            p->key = K_SIZE;
        else if (IS("generation"))
            p->key = K_GEN;
    }
#undef IS
    return 1;
}

static int cb_end_map(void *ctx)
{
    gcsplan__page_parser *p = ctx;
    int at = where(p);
    p->depth--;
    p->key = K_NONE;
    if (at == AT_ITEM) {
        if (!p->has_name)
            return malformed(p, "an item has no name");
        if (!p->has_size)
            return malformed(p, "an item has no size");
        if (p->sink.item != NULL &&
            (p->stop = p->sink.item(p->sink.ctx, p->name, p->name_len, p->size, p->generation)) != 0)
            return 0;
    }
    return 1;
}

static int cb_start_array(void *ctx)
{
    gcsplan__page_parser *p = ctx;
    int at = where(p), key = p->key;
    p->key = K_NONE;
    if (p->depth == 0)
        return malformed(p, "the page is not a JSON object");
    if (at == AT_TOP && key == K_ITEMS)
        return push(p, AT_ITEMS);
    if (at == AT_TOP && key == K_PREFIXES)
        return push(p, AT_PREFIXES);
    if (at == AT_PREFIXES)
        return malformed(p, "a prefix is not a string");
    if (at == AT_ITEMS)
        return malformed(p, "an item is not an object");
    if (at == AT_ITEM && (key == K_NAME || key == K_SIZE || key == K_GEN))
        return malformed(p, "an item field has the wrong type");
    return push(p, AT_OTHER);
}

static int cb_end_array(void *ctx)
{
    gcsplan__page_parser *p = ctx;
    p->depth--;
    p->key = K_NONE;
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null, cb_bool, NULL, NULL, cb_number, cb_string, cb_start_map, cb_map_key, cb_end_map,
    cb_start_array, cb_end_array,
};

int gcsplan__page_parser_new(gcsplan__page_parser **out, const gcsplan_allocator *a,
                             const gcsplan__page_sink *sink)
{
    gcsplan__page_parser *p = gcsplan__malloc(a, sizeof *p);
    if (p == NULL)
        return GCSPLAN_ENOMEM;
    memset(p, 0, sizeof *p);
    p->alloc = *a;
    p->sink = *sink;
    *out = p;
    return 0;
}

int gcsplan__page_parser_begin(gcsplan__page_parser *p, gcsplan__page_mode mode)
{
    /* yajl 2.1 has no reset: a handle per page is cheap next to a page. */
    if (p->h != NULL)
        yajl_free(p->h);
    /* yajl does not check its own allocations, so a failing allocator hook
     * would crash it: it gets the C library's (docs/internals.md). */
    p->h = yajl_alloc(&callbacks, NULL, p);
    if (p->h == NULL)
        return GCSPLAN_ENOMEM;
    p->mode = mode;
    p->depth = 0;
    p->key = K_NONE;
    p->stop = 0;
    p->bad = NULL;
    p->token[0] = '\0';
    p->has_token = 0;
    p->since_quote = 0;
    p->last_backslash = 0;
    p->staged = 0;
    return 0;
}

static int status_to_rc(gcsplan__page_parser *p, yajl_status st, gcsplan_error *err)
{
    if (st == yajl_status_ok)
        return 0;
    if (p->stop != 0)
        return p->stop;
    if (p->bad != NULL)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "malformed listing page: %s", p->bad);
    /* yajl's message ends with a newline (and in its verbose form quotes
     * the text): only its first line, without the end. */
    unsigned char *msg = yajl_get_error(p->h, 0, NULL, 0);
    const char *m = msg ? (const char *)msg : "invalid JSON";
    size_t k = strcspn(m, "\r\n");
    while (k > 0 && (m[k - 1] == ' ' || m[k - 1] == '.'))
        k--;
    gcsplan__error_set(err, GCSPLAN_ESOURCE, "malformed listing page: %.*s", (int)k, m);
    if (msg != NULL)
        yajl_free_error(p->h, msg);
    return GCSPLAN_ESOURCE;
}

/* Whether buf[q] is a '"' that can end a string: not after a backslash.
 * (After an escaped backslash it could, but no real page needs that one to
 * be counted: its quotes are dense.) */
static int plain_quote(const gcsplan__page_parser *p, const char *buf, size_t q)
{
    return buf[q] == '"' && (q > 0 ? buf[q - 1] != '\\' : !p->last_backslash);
}

/* Every GCSPLAN_JSON_TOKEN_MAX bytes must hold a plain quote: a '"' inside a
 * string is always escaped, so no string (and no number, which holds no
 * quote) can be longer. One backward scan per window, from its far end:
 * quotes are dense in a real page, so each scan is short. */
static int tokens_bounded(gcsplan__page_parser *p, const char *buf, size_t len)
{
    size_t pos = 0;
    while (p->since_quote + (len - pos) > GCSPLAN_JSON_TOKEN_MAX) {
        size_t end = pos + (GCSPLAN_JSON_TOKEN_MAX - p->since_quote); /* last allowed index */
        size_t q = end + 1;
        while (q > pos && !plain_quote(p, buf, q - 1))
            q--;
        if (q == pos)
            return 0;
        pos = q; /* just past the quote */
        p->since_quote = 0;
    }
    /* What is left fits; the count restarts at its last quote, if any. */
    size_t q = len;
    while (q > pos && !plain_quote(p, buf, q - 1))
        q--;
    p->since_quote = q > pos ? len - q : p->since_quote + (len - pos);
    if (len > 0)
        p->last_backslash = buf[len - 1] == '\\';
    return 1;
}

static int flush(gcsplan__page_parser *p, gcsplan_error *err)
{
    size_t n = p->staged;
    p->staged = 0;
    return n == 0 ? 0 : status_to_rc(p, yajl_parse(p->h, (const unsigned char *)p->stage, n), err);
}

int gcsplan__page_parser_feed(gcsplan__page_parser *p, const char *buf, size_t len,
                              gcsplan_error *err)
{
    if (!tokens_bounded(p, buf, len))
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "malformed listing page: a JSON string or number is longer "
                                  "than %d bytes", GCSPLAN_JSON_TOKEN_MAX);
    if (p->staged + len < sizeof p->stage) {
        memcpy(p->stage + p->staged, buf, len);
        p->staged += len;
        return 0;
    }
    int rc = flush(p, err);
    if (rc != 0)
        return rc;
    if (len < sizeof p->stage) {
        memcpy(p->stage, buf, len);
        p->staged = len;
        return 0;
    }
    return status_to_rc(p, yajl_parse(p->h, (const unsigned char *)buf, len), err);
}

int gcsplan__page_parser_finish(gcsplan__page_parser *p, gcsplan_error *err)
{
    int rc = flush(p, err);
    if (rc != 0)
        return rc;
    rc = status_to_rc(p, yajl_complete_parse(p->h), err);
    if (rc == 0 && p->depth != 0)
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "malformed listing page: truncated");
    return rc;
}

const char *gcsplan__page_parser_token(const gcsplan__page_parser *p)
{
    return p->has_token ? p->token : NULL;
}

void gcsplan__page_parser_free(gcsplan__page_parser *p)
{
    if (p == NULL)
        return;
    if (p->h != NULL)
        yajl_free(p->h);
    gcsplan__free(&p->alloc, p);
}
