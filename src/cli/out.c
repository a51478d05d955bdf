/* Buffered output to a file descriptor, and small helpers of the tool. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "util/clock.h"
#include "util/num.h"

int out_open(out_writer *w, int fd)
{
    w->fd = fd;
    w->len = 0;
    w->failed = 0;
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
    while (n > 0 && !w->failed) {
        if (w->len == OUT_SIZE)
            out_flush(w);
        size_t k = OUT_SIZE - w->len < n ? OUT_SIZE - w->len : n;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

void out_record(out_writer *w, const char *s, size_t n, char sep)
{
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
