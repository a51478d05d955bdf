/* Escaping for JSON and for terminals. */
#include <stdint.h>
#include <string.h>

#include "escape.h"
#include "utf8.h"

static const char hex[] = "0123456789abcdef";
static const char HEX[] = "0123456789ABCDEF";

int gcsplan__utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = gcsplan__utf8_seq(u + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

void gcsplan__json_str(gcsplan__buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes not yet written */
    gcsplan__buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        size_t k = c >= 0x80 ? gcsplan__utf8_seq(u + i, n - i) : 0;
        if (k > 0) {
            i += k;
            continue;
        }
        gcsplan__buf_put(b, s + run, i - run);
        switch (c) {
        case '"': gcsplan__buf_put(b, "\\\"", 2); break;
        case '\\': gcsplan__buf_put(b, "\\\\", 2); break;
        case '\n': gcsplan__buf_put(b, "\\n", 2); break;
        case '\r': gcsplan__buf_put(b, "\\r", 2); break;
        case '\t': gcsplan__buf_put(b, "\\t", 2); break;
        case '\b': gcsplan__buf_put(b, "\\b", 2); break;
        case '\f': gcsplan__buf_put(b, "\\f", 2); break;
        default:
            if (c < 0x20) {
                char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                gcsplan__buf_put(b, e, sizeof e);
            } else {
                gcsplan__buf_put(b, "\xEF\xBF\xBD", 3); /* U+FFFD for a stray byte */
            }
            break;
        }
        i++;
        run = i;
    }
    gcsplan__buf_put(b, s + run, n - run);
    gcsplan__buf_putc(b, '"');
}

/* Format characters that reorder, hide or break text on a terminal. */
static int invisible(uint32_t cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061C || cp == 0xFEFF;
}

/* Bytes at u[0..n) that show as they are (0: escape u[0]); *cp gets the
 * code point of an invisible character (then the return is its length). */
static size_t shown_as_is(const unsigned char *u, size_t n, uint32_t *cp)
{
    *cp = 0;
    if (u[0] >= 0x20 && u[0] < 0x7F)
        return 1;
    if (u[0] < 0x80)
        return 0;
    size_t k = gcsplan__utf8_seq(u, n);
    if (k == 0 || (k == 2 && u[0] == 0xC2 && u[1] < 0xA0)) /* C1 controls */
        return 0;
    if (k >= 2 && u[0] >= 0xD8) { /* U+061C and up: the only range holding invisibles */
        uint32_t c = gcsplan__utf8_code_point(u, k);
        if (invisible(c))
            *cp = c;
    }
    return k;
}

void gcsplan__term_str(gcsplan__buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = shown_as_is(u + i, n - i, &cp);
        if (k > 0 && cp == 0) {
            i += k;
            continue;
        }
        gcsplan__buf_put(b, s + run, i - run);
        if (k == 0) {
            char e[4] = { '\\', 'x', HEX[u[i] >> 4], HEX[u[i] & 15] };
            gcsplan__buf_put(b, e, sizeof e);
            i++;
        } else {
            char e[10] = { '\\', 'u', '{', HEX[cp >> 12 & 15], HEX[cp >> 8 & 15],
                           HEX[cp >> 4 & 15], HEX[cp & 15], '}' };
            gcsplan__buf_put(b, e, 8);
            i += k;
        }
        run = i;
    }
    gcsplan__buf_put(b, s + run, n - run);
}

void gcsplan__term_cut(gcsplan__buf *b, const char *s, size_t n, size_t max)
{
    gcsplan__term_str(b, s, n > max ? max : n);
    if (n > max)
        gcsplan__buf_puts(b, "...");
}

size_t gcsplan__term_char(gcsplan__buf *b, const char *s, size_t n, size_t *width)
{
    size_t before = b->need;
    uint32_t cp;
    size_t k = shown_as_is((const unsigned char *)s, n, &cp);
    if (k > 0 && cp == 0) {
        gcsplan__buf_put(b, s, k);
        *width = 1;
        return k;
    }
    size_t used = k > 0 ? k : 1;
    gcsplan__term_str(b, s, used);
    *width = b->need - before;
    return used;
}

void gcsplan__utf8_repair(gcsplan__buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        size_t k = u[i] < 0x80 ? 1 : gcsplan__utf8_seq(u + i, n - i);
        if (k > 0) {
            i += k;
            continue;
        }
        gcsplan__buf_put(b, s + run, i - run);
        gcsplan__buf_put(b, "\xEF\xBF\xBD", 3);
        run = ++i;
    }
    gcsplan__buf_put(b, s + run, n - run);
}

int gcsplan__term_safe(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = shown_as_is(u + i, n - i, &cp);
        if (k == 0 || cp != 0)
            return 0;
        i += k;
    }
    return 1;
}
