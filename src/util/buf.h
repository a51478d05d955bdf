/* A text buffer with a hard cap, in one of two modes:
 *
 *   fixed:   the caller's storage; writes what fits and counts the rest, as
 *            snprintf does, so a caller can size a second attempt;
 *   dynamic: grows through an allocator up to max bytes; past max, or when
 *            an allocation fails, the buffer keeps what it had and remembers
 *            the error (GCSPLAN_ELIMIT or GCSPLAN_ENOMEM).
 *
 * Errors are sticky: a writer appends without checking each call and looks
 * at gcsplan__buf_error() once at the end. The text is always NUL-terminated
 * (in fixed mode, within the storage). Everything that builds text (URLs,
 * messages, JSON, escaped names, rendered findings) goes through one. */
#ifndef GCSPLAN_UTIL_BUF_H
#define GCSPLAN_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "gcsplan/error.h"

#if defined(__GNUC__)
#  define GCSPLAN__BUF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define GCSPLAN__BUF_PRINTF(f, a)
#endif

typedef struct gcsplan__buf {
    char *p;          /* the text, NUL-terminated; never NULL after init */
    size_t len;       /* bytes held */
    size_t cap;       /* bytes p can hold, not counting the NUL */
    size_t need;      /* fixed mode: bytes written, held or not */
    size_t max;       /* dynamic mode: the cap on len */
    const gcsplan_allocator *alloc; /* dynamic mode; NULL in fixed mode */
    int dynamic;
    int err;          /* 0, GCSPLAN_ENOMEM or GCSPLAN_ELIMIT */
} gcsplan__buf;

/* Fixed mode over storage[0..size) (size 0 is allowed: only counting). */
void gcsplan__buf_fixed(gcsplan__buf *b, char *storage, size_t size);
/* Dynamic mode; alloc NULL means the C library's. Allocates nothing yet. */
void gcsplan__buf_dynamic(gcsplan__buf *b, const gcsplan_allocator *alloc, size_t max);

void gcsplan__buf_put(gcsplan__buf *b, const char *s, size_t n);
void gcsplan__buf_puts(gcsplan__buf *b, const char *s);
void gcsplan__buf_putc(gcsplan__buf *b, char c);
/* n copies of c. */
void gcsplan__buf_rep(gcsplan__buf *b, char c, size_t n);
void gcsplan__buf_printf(gcsplan__buf *b, const char *fmt, ...) GCSPLAN__BUF_PRINTF(2, 3);
void gcsplan__buf_vprintf(gcsplan__buf *b, const char *fmt, va_list ap);
/* v in decimal. */
void gcsplan__buf_u64(gcsplan__buf *b, unsigned long long v);

/* Fixed mode: the length the whole text needs (as snprintf returns);
 * dynamic mode: the length held. */
size_t gcsplan__buf_total(const gcsplan__buf *b);
/* The sticky error, or 0. */
int gcsplan__buf_error(const gcsplan__buf *b);
/* Empty it (and forget the error); keeps the storage. */
void gcsplan__buf_clear(gcsplan__buf *b);
/* Shorten to n bytes (n <= len). */
void gcsplan__buf_truncate(gcsplan__buf *b, size_t n);
/* Dynamic mode: the text, now the caller's (free it with the buffer's
 * allocator), or NULL after an error; the buffer is left empty. */
char *gcsplan__buf_take(gcsplan__buf *b);
/* Dynamic mode: release the storage. Fixed mode: nothing. */
void gcsplan__buf_free(gcsplan__buf *b);

#endif
