/* Object names are compared as Cloud Storage orders them: bytes, unsigned,
 * a name before every longer name it begins; and their heads and tails. */
#ifndef GCSPLAN_UTIL_NAME_H
#define GCSPLAN_UTIL_NAME_H

#include <stddef.h>
#include <string.h>

/* <0, 0 or >0 as a sorts before, with or after b. */
static inline int gcsplan__name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Whether s[0..n) begins with p[0..pn). */
static inline int gcsplan__name_starts(const char *s, size_t n, const char *p, size_t pn)
{
    return n >= pn && memcmp(s, p, pn) == 0;
}

/* Whether s[0..n) ends with t[0..tn). */
static inline int gcsplan__name_ends(const char *s, size_t n, const char *t, size_t tn)
{
    return n >= tn && memcmp(s + n - tn, t, tn) == 0;
}

#endif
