#include "gsuri.h"

#include <stdio.h>
#include <string.h>

static int why(char *w, size_t n, const char *msg)
{
    snprintf(w, n, "%s", msg);
    return -1;
}

static int alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* Cloud Storage bucket naming rules. */
static int valid_bucket(const char *b, size_t n)
{
    int dots = memchr(b, '.', n) != NULL;
    if (n < 3 || n > (dots ? 222u : 63u) || !alnum(b[0]) || !alnum(b[n - 1]))
        return 0;
    size_t part = 0;
    int all_digits_or_dots = 1, n_dots = 0;
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (!alnum(c) && c != '-' && c != '_' && c != '.')
            return 0;
        if (c == '.') {
            if (part == 0)
                return 0;
            part = 0;
            n_dots++;
        } else if (++part > 63) {
            return 0;
        }
        if (!(c >= '0' && c <= '9') && c != '.')
            all_digits_or_dots = 0;
    }
    if (all_digits_or_dots && n_dots == 3)
        return 0; /* an IPv4 address */
    if (n >= 4 && !memcmp(b, "goog", 4))
        return 0;
    for (size_t i = 0; i + 6 <= n; i++)
        if (!memcmp(b + i, "google", 6))
            return 0;
    return 1;
}

/* Length of a well-formed UTF-8 sequence at s (at most n bytes), else 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int gsuri_parse(const char *uri, gsuri *u, char *w, size_t wn)
{
    memset(u, 0, sizeof *u);
    if (strncmp(uri, "gs://", 5) != 0)
        return why(w, wn, "the URI must start with gs://");
    const char *b = uri + 5, *slash = strchr(b, '/');
    if (!slash)
        return why(w, wn, "the URI has no object part");
    size_t bn = (size_t)(slash - b);
    if (memchr(b, '*', bn) || memchr(b, '?', bn))
        return why(w, wn, "wildcards are not allowed in the bucket name");
    if (!valid_bucket(b, bn))
        return why(w, wn, "invalid bucket name");
    memcpy(u->bucket, b, bn);
    u->bucket[bn] = '\0';
    const char *p = slash + 1;
    size_t n = strlen(p);
    if (n == 0)
        return why(w, wn, "the object pattern is empty");
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len((const unsigned char *)p + i, n - i);
        if (!l)
            return why(w, wn, "the object pattern is not valid UTF-8");
        if (p[i] == '\r' || p[i] == '\n')
            return why(w, wn, "the object pattern holds CR or LF");
        i += l;
    }
    const char *dd = strstr(p, "**");
    size_t shortest = 0, wild = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '*' || p[i] == '?')
            wild++;
        if (p[i] != '*')
            shortest++; /* a literal byte, or '?' (at least one byte) */
    }
    if (dd) {
        if (dd[2] == '*')
            return why(w, wn, "*** is not a wildcard");
        if (strchr(dd + 2, '/'))
            return why(w, wn, "** must come last: its suffix cannot hold '/'");
        if (wild != 2)
            return why(w, wn, "with ** no other wildcard is allowed");
        u->deep = 1;
    }
    if (!wild && ((n == 1 && p[0] == '.') || (n == 2 && !memcmp(p, "..", 2)) ||
                  n > GSURI_NAME_MAX))
        return why(w, wn, "invalid object name");
    if (shortest > GSURI_NAME_MAX)
        return why(w, wn, "the pattern cannot match a name of at most 1024 bytes");
    u->pattern = p;
    u->len = n;
    u->prefix_len = strcspn(p, "*?");
    return 0;
}

/* Bytes of the character at s: a UTF-8 sequence, or one byte when invalid. */
static size_t char_len(const char *s, size_t n)
{
    size_t l = utf8_len((const unsigned char *)s, n);
    return l ? l : 1;
}

/* One '/'-free segment of pattern against one of name; classic glob with
 * backtracking to the last '*', which cannot leave the segment. */
static int match_segment(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn && p[pi] == '?') {
            si += char_len(s + si, sn - si);
            pi++;
        } else if (pi < pn && p[pi] == '*') {
            star_p = pi++;
            star_s = si;
        } else if (pi < pn && p[pi] == s[si]) {
            pi++;
            si++;
        } else if (star_p != (size_t)-1) {
            star_s += char_len(s + star_s, sn - star_s);
            si = star_s;
            pi = star_p + 1;
        } else {
            return 0;
        }
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn && si == sn;
}

int gsuri_match(const gsuri *u, const char *name, size_t len)
{
    const char *p = u->pattern;
    size_t pn = u->len;
    if (u->deep) {
        const char *dd = strstr(p, "**");
        size_t pre = (size_t)(dd - p), suf = pn - pre - 2;
        return len >= pre + suf && !memcmp(name, p, pre) && !memcmp(name + len - suf, dd + 2, suf);
    }
    /* '*' and '?' never match '/', so the pattern's segments meet the name's
     * one to one. */
    size_t pi = 0, si = 0;
    for (;;) {
        const char *pe = memchr(p + pi, '/', pn - pi), *se = memchr(name + si, '/', len - si);
        size_t pl = pe ? (size_t)(pe - (p + pi)) : pn - pi;
        size_t sl = se ? (size_t)(se - (name + si)) : len - si;
        if (!match_segment(p + pi, pl, name + si, sl))
            return 0;
        if (!pe || !se)
            return !pe && !se;
        pi += pl + 1;
        si += sl + 1;
    }
}
