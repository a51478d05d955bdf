/* ASCII case folding, whatever the C library's locale says: file extensions
 * and e-mail addresses compare this way. */
#ifndef GCSPLAN_UTIL_ASCII_H
#define GCSPLAN_UTIL_ASCII_H

#include <stddef.h>
#include <string.h>

static inline char gcsplan__ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether a[0..an) equals the C string b but for ASCII case. */
static inline int gcsplan__ascii_ieq(const char *a, size_t an, const char *b)
{
    if (an != strlen(b))
        return 0;
    for (size_t i = 0; i < an; i++)
        if (gcsplan__ascii_lower(a[i]) != gcsplan__ascii_lower(b[i]))
            return 0;
    return 1;
}

#endif
