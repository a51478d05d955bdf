/* Standard output for every command (out.h), and small helpers of the tool. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "out.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/escape.h"
#include "util/num.h"
#include "util/utf8.h"

int out_open(out_writer *w, int fd)
{
    w->fd = fd;
    w->len = 0;
    w->failed = 0;
    w->tty = isatty(fd);
    w->name = NULL;
    w->buf = malloc(OUT_SIZE);
    return w->buf ? 0 : -1;
}

void out_flush(out_writer *w)
{
    size_t off = 0;
    while (off < w->len && !w->failed) {
        ssize_t k = write(w->fd, w->buf + off, w->len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            w->failed = errno;
        else
            off += (size_t)k;
    }
    w->len = 0;
}

void out_write(out_writer *w, const char *s, size_t n)
{
    /* On a terminal each line shows as soon as it is complete, in step
     * with the diagnostics on stderr. */
    int line = w->tty && memchr(s, '\n', n) != NULL;
    while (n > 0 && !w->failed) {
        if (w->len == OUT_SIZE)
            out_flush(w);
        size_t k = OUT_SIZE - w->len < n ? OUT_SIZE - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
    if (line)
        out_flush(w);
}

/* s for a terminal, a character at a time through a small buffer (a
 * character's escape is at most 8 bytes). */
static void write_escaped(out_writer *w, const char *s, size_t n)
{
    if (gcsplan__term_safe(s, n)) {
        out_write(w, s, n);
        return;
    }
    char store[1024];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, store, sizeof store);
    for (size_t i = 0; i < n;) {
        size_t width;
        if (b.len + 16 > sizeof store) {
            out_write(w, b.p, b.len);
            gcsplan__buf_clear(&b);
        }
        i += gcsplan__term_char(&b, s + i, n - i, &width);
    }
    out_write(w, b.p, b.len);
}

void out_record(out_writer *w, const char *s, size_t n, char sep)
{
    if (w->tty && sep == '\n') {
        write_escaped(w, s, n);
        out_write(w, &sep, 1);
        return;
    }
    if (w->len + n + 1 <= OUT_SIZE) {
        memcpy(w->buf + w->len, s, n);
        w->buf[w->len + n] = sep;
        w->len += n + 1;
        return;
    }
    out_write(w, s, n);
    out_write(w, &sep, 1);
}

void out_close(out_writer *w)
{
    free(w->buf);
    w->buf = NULL;
}

/* --- the tool's stdout ------------------------------------------------------------ */

static out_writer std_out;

int out_init(void)
{
    return out_open(&std_out, STDOUT_FILENO);
}

out_writer *out_stdout(void)
{
    return &std_out;
}

void out_redirect(int fd, const char *name)
{
    out_flush(&std_out);
    std_out.fd = fd;
    std_out.tty = isatty(fd);
    std_out.name = name;
}

void out_puts(const char *s)
{
    out_write(&std_out, s, strlen(s));
}

void out_printf(const char *fmt, ...)
{
    /* Our own lines are short; a longer one is formatted again, whole. */
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        out_write(&std_out, small, (size_t)n);
        return;
    }
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, (size_t)n + 1);
    va_start(ap, fmt);
    gcsplan__buf_vprintf(&b, fmt, ap);
    va_end(ap);
    out_write(&std_out, b.p, b.len);
    gcsplan__buf_free(&b);
}

void out_text(const char *s, size_t n)
{
    write_escaped(&std_out, s, n);
}

void out_ctext(const char *s)
{
    out_text(s, strlen(s));
}

void out_json(const char *s, size_t n)
{
    if (!std_out.tty || gcsplan__term_safe(s, n)) {
        out_write(&std_out, s, n);
        return;
    }
    /* JSON text holds no raw C0 control (they are escaped) and, from our
     * writers, no byte that is not UTF-8; what a terminal would still act
     * on becomes its \u escape, which JSON reads as the same character. */
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;
    for (size_t i = 0; i < n;) {
        size_t k = gcsplan__utf8_char(u + i, n - i);
        if (gcsplan__term_safe(s + i, k)) {
            i += k;
            continue;
        }
        out_write(&std_out, s + run, i - run);
        uint32_t cp = gcsplan__utf8_seq(u + i, n - i) ? gcsplan__utf8_code_point(u + i, k) : 0xFFFD;
        char e[16];
        if (cp > 0xFFFF) {
            cp -= 0x10000;
            snprintf(e, sizeof e, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else {
            snprintf(e, sizeof e, "\\u%04x", cp);
        }
        out_write(&std_out, e, strlen(e));
        i += k;
        run = i;
    }
    out_write(&std_out, s + run, n - run);
}

int out_stopped(void)
{
    return std_out.failed != 0;
}

int out_finish(int status)
{
    out_flush(&std_out);
    int failed = std_out.failed;
    out_close(&std_out);
    if (failed != 0 && failed != EPIPE) {
        diag_error("writing %s: %s", std_out.name ? std_out.name : "stdout", strerror(failed));
        return EXIT_SOURCE;
    }
    return status;
}

/* --- small helpers ------------------------------------------------------------------ */

double cli_elapsed(double *start)
{
    double now = gcsplan__clock_s();
    if (*start == 0)
        *start = now;
    return now - *start > 0.001 ? now - *start : 0.001;
}

int cli_parse_size(const char *s, unsigned long long *out)
{
    uint64_t v;
    if (gcsplan__parse_size(s, strlen(s), &v) != 0)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_count(const char *s, unsigned long long *out)
{
    uint64_t v;
    if (gcsplan__parse_u64(s, strlen(s), UINT64_MAX, &v) != 0 || v == 0)
        return -1;
    *out = v;
    return 0;
}
