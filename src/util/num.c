/* Strict number parsing and sizes for people. */
#include <stdio.h>

#include "num.h"

static int digits(const char *s, size_t n, uint64_t max, uint64_t *out, int saturate)
{
    uint64_t v = 0;
    int over = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (over || v > (max - d) / 10) {
            over = 1;
            continue; /* keep checking that the rest are digits */
        }
        v = v * 10 + d;
    }
    if (over && !saturate)
        return -1;
    *out = over ? max : v;
    return 0;
}

int gcsplan__parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    return digits(s, n, max, out, 0);
}

int gcsplan__parse_u64_sat(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    return digits(s, n, max, out, 1);
}

int gcsplan__parse_size(const char *s, size_t n, uint64_t *out)
{
    unsigned shift = 0;
    if (n > 0) {
        switch (s[n - 1]) {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        case 'T': case 't': shift = 40; break;
        default: break;
        }
    }
    uint64_t v;
    if (digits(s, n - (shift ? 1 : 0), UINT64_MAX >> shift, &v, 0) != 0)
        return -1;
    *out = v << shift;
    return 0;
}

void gcsplan__human_bytes(char *buf, size_t cap, uint64_t n)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%llu B", (unsigned long long)n);
    else
        snprintf(buf, cap, "%.1f %s", v, unit[u]);
}
