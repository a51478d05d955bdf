/* The capped text buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* What a dynamic buffer holds before its first allocation: an empty text. */
static char empty[1];

static void *b_realloc(const gcsplan_allocator *a, void *p, size_t n)
{
    if (a == NULL || a->realloc_fn == NULL)
        return realloc(p, n);
    return a->realloc_fn(p, n, a->ctx);
}

static void b_free(const gcsplan_allocator *a, void *p)
{
    if (p == NULL)
        return;
    if (a == NULL || a->free_fn == NULL)
        free(p);
    else
        a->free_fn(p, a->ctx);
}

void gcsplan__buf_fixed(gcsplan__buf *b, char *storage, size_t size)
{
    memset(b, 0, sizeof *b);
    if (size == 0) {
        b->p = empty;
        return;
    }
    b->p = storage;
    b->cap = size - 1;
    b->p[0] = '\0';
}

void gcsplan__buf_dynamic(gcsplan__buf *b, const gcsplan_allocator *alloc, size_t max)
{
    memset(b, 0, sizeof *b);
    b->p = empty;
    b->dynamic = 1;
    b->alloc = alloc;
    b->max = max;
}

/* Room for n more bytes, growing a dynamic buffer; 0 when there is none. */
static int reserve(gcsplan__buf *b, size_t n)
{
    if (b->err)
        return 0;
    if (n <= b->cap - b->len)
        return 1;
    if (!b->dynamic)
        return 0;
    if (n > b->max - b->len) {
        b->err = GCSPLAN_ELIMIT;
        return 0;
    }
    size_t want = b->len + n, cap = b->cap ? b->cap : 64;
    if (cap > b->max)
        cap = b->max;
    while (cap < want)
        cap = cap > b->max / 2 ? b->max : cap * 2;
    char *p = b_realloc(b->alloc, b->p == empty ? NULL : b->p, cap + 1);
    if (p == NULL) {
        b->err = GCSPLAN_ENOMEM;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

void gcsplan__buf_put(gcsplan__buf *b, const char *s, size_t n)
{
    if (n == 0)
        return;
    b->need += n;
    if (!reserve(b, n)) {
        if (b->dynamic || b->err)
            return;
        n = b->cap - b->len; /* fixed: what fits */
        if (n == 0)
            return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void gcsplan__buf_puts(gcsplan__buf *b, const char *s)
{
    gcsplan__buf_put(b, s, strlen(s));
}

void gcsplan__buf_putc(gcsplan__buf *b, char c)
{
    if (b->len < b->cap && !b->err) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        b->need++;
        return;
    }
    gcsplan__buf_put(b, &c, 1);
}

void gcsplan__buf_rep(gcsplan__buf *b, char c, size_t n)
{
    char chunk[64];
    memset(chunk, c, sizeof chunk);
    while (n > 0) {
        size_t k = n < sizeof chunk ? n : sizeof chunk;
        gcsplan__buf_put(b, chunk, k);
        n -= k;
    }
}

void gcsplan__buf_vprintf(gcsplan__buf *b, const char *fmt, va_list ap)
{
    char small[256];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(again);
        return;
    }
    if ((size_t)n < sizeof small) {
        gcsplan__buf_put(b, small, (size_t)n);
    } else if (reserve(b, (size_t)n)) {
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
        b->need += (size_t)n;
    } else if (!b->dynamic && !b->err) {
        /* Fixed and too long: what fits, the rest counted. */
        size_t room = b->cap - b->len;
        if (room > 0)
            vsnprintf(b->p + b->len, room + 1, fmt, again);
        b->len += room;
        b->need += (size_t)n;
    } else {
        b->need += (size_t)n;
    }
    va_end(again);
}

void gcsplan__buf_printf(gcsplan__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gcsplan__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void gcsplan__buf_u64(gcsplan__buf *b, unsigned long long v)
{
    char d[20];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    gcsplan__buf_put(b, d + i, sizeof d - i);
}

size_t gcsplan__buf_total(const gcsplan__buf *b)
{
    return b->dynamic ? b->len : b->need;
}

int gcsplan__buf_error(const gcsplan__buf *b)
{
    return b->err;
}

void gcsplan__buf_clear(gcsplan__buf *b)
{
    b->len = 0;
    b->need = 0;
    b->err = 0;
    if (b->p != empty)
        b->p[0] = '\0';
}

void gcsplan__buf_truncate(gcsplan__buf *b, size_t n)
{
    if (n >= b->len)
        return;
    b->len = n;
    b->need = n;
    b->p[n] = '\0';
}

char *gcsplan__buf_take(gcsplan__buf *b)
{
    char *p = NULL;
    if (b->dynamic && !b->err) {
        p = b->p;
        if (p == empty) {
            p = b_realloc(b->alloc, NULL, 1);
            if (p != NULL)
                p[0] = '\0';
        }
    } else if (b->dynamic) {
        gcsplan__buf_free(b);
    }
    if (b->dynamic) {
        b->p = empty;
        b->cap = 0;
    }
    gcsplan__buf_clear(b);
    return p;
}

void gcsplan__buf_free(gcsplan__buf *b)
{
    if (b->dynamic && b->p != empty)
        b_free(b->alloc, b->p);
    if (b->dynamic) {
        b->p = empty;
        b->cap = 0;
    }
    b->len = b->need = 0;
}
