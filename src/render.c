/* Compiler-style rendering of a diagnostic: the input and a caret line. */
#include <string.h>

#include "gcsplan/pattern.h"
#include "util/buf.h"
#include "util/escape.h"

size_t gcsplan_render_caret(char *buf, size_t cap, const char *input, size_t len, size_t offset,
                            size_t length, const char *indent)
{
    gcsplan__buf o;
    gcsplan__buf_fixed(&o, buf, cap);
    size_t before = 0, under = 0;

    if (offset > len)
        offset = len;
    if (indent != NULL)
        gcsplan__buf_puts(&o, indent);
    /* Each character as a terminal shows it safely; the carets count the
     * columns it takes, so they stay under the offending bytes. */
    for (size_t i = 0; i < len;) {
        size_t width;
        size_t k = gcsplan__term_char(&o, input + i, len - i, &width);
        if (i < offset)
            before += width;
        else if (i < offset + length)
            under += width;
        i += k;
    }
    gcsplan__buf_putc(&o, '\n');
    if (indent != NULL)
        gcsplan__buf_puts(&o, indent);
    gcsplan__buf_rep(&o, ' ', before);
    gcsplan__buf_rep(&o, '^', under ? under : 1);
    gcsplan__buf_putc(&o, '\n');
    return gcsplan__buf_total(&o);
}
