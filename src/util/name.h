/* Object names are compared as Cloud Storage orders them: bytes, unsigned,
 * a name before every longer name it begins. */
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

#endif
