/* Fuzz target: the objects.list page parser (src/list_json.c) fed in pieces.
 *
 * Input: byte 0 picks the mode (bit 0: an objects.get body) and seeds the
 * chunking; the rest is the body. The body is parsed whole, in pieces of
 * sizes drawn from the seed (1..97 bytes), and, when short, a byte at a
 * time. Every parse must give the same result: the same code, and on
 * success the same items (name, size, generation), prefixes and token, in
 * the same order. Every item obeys the parser's promises: a name of 1..1024
 * bytes without NUL, a token of at most GCSPLAN_PAGE_TOKEN_MAX bytes, no
 * more entries than the body has bytes; an error is one non-empty line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "gcsplan/pattern.h"
#include "internal.h"
#include "list_json.h"


typedef struct digest {
    uint64_t h;
    size_t items, prefixes;
} digest;

static void mix(digest *d, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ c[i]) * 0x100000001b3u;
}

static int on_item(void *ctx, const char *name, size_t len, uint64_t size, int64_t gen)
{
    digest *d = ctx;
    FZ_CHECK(len >= 1 && len <= GCSPLAN_NAME_MAX, "an item name of %zu bytes", len);
    FZ_CHECK(memchr(name, '\0', len) == NULL, "an item name with a NUL");
    FZ_CHECK(gen >= 0, "a negative generation");
    mix(d, "I", 1);
    mix(d, name, len);
    mix(d, &size, sizeof size);
    mix(d, &gen, sizeof gen);
    d->items++;
    return 0;
}

static int on_prefix(void *ctx, const char *p, size_t len)
{
    digest *d = ctx;
    mix(d, "P", 1);
    mix(d, p, len);
    d->prefixes++;
    return 0;
}

typedef struct result {
    int rc;
    digest d;
    char token[GCSPLAN_PAGE_TOKEN_MAX + 2];
    int has_token;
} result;

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* chunk 0: pieces drawn from seed; otherwise that size. */
static result parse(const char *body, size_t n, gcsplan__page_mode mode, size_t chunk,
                    uint64_t seed)
{
    result r;
    memset(&r, 0, sizeof r);
    r.d.h = 0xcbf29ce484222325u;
    gcsplan__page_sink sink = { on_item, on_prefix, &r.d };
    gcsplan__page_parser *p;
    if (gcsplan__page_parser_new(&p, &gcsplan__default_allocator, &sink) != 0)
        abort();
    if (gcsplan__page_parser_begin(p, mode) != 0)
        abort();
    gcsplan_error err;
    gcsplan_error_clear(&err);
    size_t off = 0;
    while (r.rc == 0 && off < n) {
        size_t k = chunk ? chunk : 1 + next(&seed) % 97;
        if (k > n - off)
            k = n - off;
        r.rc = gcsplan__page_parser_feed(p, body + off, k, &err);
        off += k;
    }
    if (r.rc == 0)
        r.rc = gcsplan__page_parser_finish(p, &err);
    if (r.rc != 0) {
        FZ_CHECK(r.rc == GCSPLAN_ESOURCE, "parser returned %d", r.rc);
        FZ_CHECK(err.code == r.rc, "error code %d for rc %d", err.code, r.rc);
        FZ_CHECK(err.message[0] != '\0' && strchr(err.message, '\n') == NULL,
              "error message not one line: '%s'", err.message);
    } else {
        const char *t = gcsplan__page_parser_token(p);
        if (t != NULL) {
            size_t tl = strlen(t);
            FZ_CHECK(tl >= 1 && tl <= GCSPLAN_PAGE_TOKEN_MAX, "a token of %zu bytes", tl);
            memcpy(r.token, t, tl + 1);
            r.has_token = 1;
        }
        FZ_CHECK(r.d.items + r.d.prefixes <= n, "%zu entries from %zu bytes", r.d.items + r.d.prefixes,
              n);
    }
    gcsplan__page_parser_free(p);
    return r;
}

static void same(const result *a, const result *b, const char *how)
{
    FZ_CHECK(a->rc == b->rc, "%s: rc %d, whole %d", how, b->rc, a->rc);
    if (a->rc != 0)
        return;
    FZ_CHECK(a->d.items == b->d.items && a->d.prefixes == b->d.prefixes && a->d.h == b->d.h,
          "%s: different entries (%zu/%zu items, %zu/%zu prefixes)", how, b->d.items, a->d.items,
          b->d.prefixes, a->d.prefixes);
    FZ_CHECK(a->has_token == b->has_token && strcmp(a->token, b->token) == 0,
          "%s: different token", how);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("input", data, size);
    if (size < 1)
        return 0;
    gcsplan__page_mode mode = data[0] & 1 ? GCSPLAN__PAGE_OBJECT : GCSPLAN__PAGE_LIST;
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ ((uint64_t)data[0] << 32) ^ size;
    const char *body = (const char *)data + 1;
    size_t n = size - 1;
    result whole = parse(body, n, mode, n ? n : 1, seed);
    result pieces = parse(body, n, mode, 0, seed);
    same(&whole, &pieces, "random pieces");
    if (n <= 4096) {
        result bytes = parse(body, n, mode, 1, seed);
        same(&whole, &bytes, "one byte at a time");
    }
    return 0;
}
