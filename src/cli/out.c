/* Buffered output to a file descriptor, and small helpers of the tool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "out.h"

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

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double cli_elapsed(double *start)
{
    double now = cli_now();
    if (*start == 0)
        *start = now;
    return now - *start > 0.001 ? now - *start : 0.001;
}

void cli_human_bytes(char *buf, size_t cap, unsigned long long n)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%llu B", n);
    else
        snprintf(buf, cap, "%.1f %s", v, unit[u]);
}

int cli_parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno != 0)
        return -1;
    int shift = 0;
    switch (*end) {
    case '\0': break;
    case 'K': case 'k': shift = 10; break;
    case 'M': case 'm': shift = 20; break;
    case 'G': case 'g': shift = 30; break;
    case 'T': case 't': shift = 40; break;
    default: return -1;
    }
    if (*end != '\0' && end[1] != '\0')
        return -1;
    if (shift && n > (~0ull >> shift))
        return -1;
    *out = n << shift;
    return 0;
}

int cli_parse_count(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || n == 0)
        return -1;
    *out = n;
    return 0;
}
