/* Compiler-style rendering of a diagnostic: the input and a caret line. */
#include <stdio.h>
#include <string.h>

#include "gcsplan/pattern.h"
#include "utf8.h"

/* snprintf-like appender: counts everything, writes what fits. */
typedef struct out {
    char *buf;
    size_t cap, len;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void put_rep(out *o, char c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, &c, 1);
}

/* How the byte(s) at s show on a terminal: *shown gets the text, the return
 * is the number of input bytes consumed; *width the columns taken. */
static size_t display(const unsigned char *s, size_t n, char shown[8], size_t *shown_len,
                      size_t *width)
{
    if (s[0] >= 0x20 && s[0] < 0x7f) {
        shown[0] = (char)s[0];
        *shown_len = *width = 1;
        return 1;
    }
    size_t k = s[0] >= 0x80 ? gcsplan__utf8_seq(s, n) : 0;
    /* C1 controls (U+0080..U+009F) would move the cursor: escape them too. */
    if (k > 0 && !(k == 2 && s[0] == 0xC2 && s[1] < 0xA0)) {
        memcpy(shown, s, k);
        *shown_len = k;
        *width = 1;
        return k;
    }
    snprintf(shown, 8, "\\x%02X", s[0]);
    *shown_len = *width = 4;
    return 1;
}

size_t gcsplan_render_caret(char *buf, size_t cap, const char *input, size_t len, size_t offset,
                            size_t length, const char *indent)
{
    out o = { buf, cap ? cap - 1 : 0, 0 };
    const unsigned char *s = (const unsigned char *)input;
    size_t ilen = indent ? strlen(indent) : 0;
    size_t before = 0, under = 0;
    char shown[8];
    size_t shown_len, width;

    if (offset > len)
        offset = len;
    put(&o, indent, ilen);
    for (size_t i = 0; i < len;) {
        size_t k = display(s + i, len - i, shown, &shown_len, &width);
        put(&o, shown, shown_len);
        if (i < offset)
            before += width;
        else if (i < offset + length)
            under += width;
        i += k;
    }
    put(&o, "\n", 1);
    put(&o, indent, ilen);
    put_rep(&o, ' ', before);
    put_rep(&o, '^', under ? under : 1);
    put(&o, "\n", 1);
    if (cap > 0)
        buf[o.len < o.cap ? o.len : o.cap] = '\0';
    return o.len;
}
