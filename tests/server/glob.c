#include "glob.h"

#include <string.h>

/* Patterns are short; recursion depth is bounded by pattern length plus brace
 * expansions, and the cap keeps a hostile pattern from exhausting the stack. */
#define GLOB_DEPTH_MAX 64

static size_t utf8_len(unsigned char c)
{
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 1;
}

/* Position just after the ']' closing the class starting at p[0] == '['. */
static size_t class_end(const char *p, size_t n)
{
    size_t i = 1;
    if (i < n && (p[i] == '!' || p[i] == '^'))
        i++;
    if (i < n && p[i] == ']')
        i++;
    while (i < n && p[i] != ']')
        i++;
    return i < n ? i + 1 : 0;
}

static int class_match(const char *p, size_t end, unsigned char c)
{
    size_t i = 1;
    int neg = 0, hit = 0;
    if (p[i] == '!' || p[i] == '^') {
        neg = 1;
        i++;
    }
    for (; i < end - 1; i++) {
        unsigned char lo = (unsigned char)p[i];
        if (i + 2 < end - 1 && p[i + 1] == '-') {
            unsigned char hi = (unsigned char)p[i + 2];
            if (c >= lo && c <= hi)
                hit = 1;
            i += 2;
        } else if (c == lo) {
            hit = 1;
        }
    }
    return hit != neg;
}

/* Position just after the '}' closing the group starting at p[0] == '{'. */
static size_t brace_end(const char *p, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\') {
            i++;
        } else if (p[i] == '{') {
            depth++;
        } else if (p[i] == '}' && --depth == 0) {
            return i + 1;
        }
    }
    return 0;
}

static int gm(const char *p, size_t pn, const char *s, size_t sn, int depth);

static int brace_match(const char *p, size_t pn, size_t be, const char *s, size_t sn, int depth)
{
    char tmp[2 * GLOB_MAX + 2];
    size_t start = 1;
    int inner = 0;
    for (size_t i = 1; i < be; i++) {
        if (p[i] == '\\' && i + 1 < be - 1) {
            i++;
            continue;
        }
        if (p[i] == '{')
            inner++;
        if (p[i] == '}' && inner > 0) {
            inner--;
            continue;
        }
        if ((p[i] == ',' && inner == 0) || i == be - 1) {
            size_t alen = i - start, rlen = pn - be;
            if (alen + rlen > sizeof tmp)
                return 0;
            memcpy(tmp, p + start, alen);
            memcpy(tmp + alen, p + be, rlen);
            if (gm(tmp, alen + rlen, s, sn, depth + 1))
                return 1;
            start = i + 1;
        }
    }
    return 0;
}

static int gm(const char *p, size_t pn, const char *s, size_t sn, int depth)
{
    if (depth > GLOB_DEPTH_MAX)
        return 0;
    size_t pi = 0, si = 0;
    while (pi < pn) {
        char c = p[pi];
        if (c == '*') {
            int dbl = pi + 1 < pn && p[pi + 1] == '*';
            size_t rest = pi + (dbl ? 2 : 1);
            if (dbl && rest < pn && p[rest] == '/' &&
                gm(p + rest + 1, pn - rest - 1, s + si, sn - si, depth + 1))
                return 1; /* "**" + "/" standing for no directory at all */
            for (size_t k = si;; k++) {
                if (gm(p + rest, pn - rest, s + k, sn - k, depth + 1))
                    return 1;
                if (k == sn || (!dbl && s[k] == '/'))
                    return 0;
            }
        }
        if (c == '{') {
            size_t be = brace_end(p + pi, pn - pi);
            if (be)
                return brace_match(p + pi, pn - pi, be, s + si, sn - si, depth);
        }
        if (si == sn)
            return 0;
        if (c == '?') {
            if (s[si] == '/')
                return 0;
            si += utf8_len((unsigned char)s[si]);
            if (si > sn)
                return 0;
            pi++;
            continue;
        }
        if (c == '[') {
            size_t ce = class_end(p + pi, pn - pi);
            if (ce) {
                if (!class_match(p + pi, ce, (unsigned char)s[si]))
                    return 0;
                si++;
                pi += ce;
                continue;
            }
        }
        if (c == '\\' && pi + 1 < pn)
            c = p[++pi];
        if (s[si] != c)
            return 0;
        si++;
        pi++;
    }
    return si == sn;
}

int glob_check(const char *glob)
{
    size_t n = strlen(glob);
    if (n > GLOB_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (glob[i] == '\\') {
            if (++i == n)
                return -1;
        } else if (glob[i] == '[') {
            size_t e = class_end(glob + i, n - i);
            if (!e)
                return -1;
            i += e - 1;
        } else if (glob[i] == '{') {
            if (!brace_end(glob + i, n - i))
                return -1;
        }
    }
    return 0;
}

int glob_match(const char *glob, const char *name, size_t len)
{
    return gm(glob, strlen(glob), name, len, 0);
}
