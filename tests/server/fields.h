/*
 * The `fields` partial-response selector of Google JSON APIs, e.g.
 * `kind,items(name,size,generation),prefixes,nextPageToken` or
 * `items/name,nextPageToken`. Parsed into a tree; a response writer asks the
 * tree for each key it is about to write.
 */
#ifndef GCS_TEST_SERVER_FIELDS_H
#define GCS_TEST_SERVER_FIELDS_H

#include <stddef.h>

typedef struct fmask fmask;
struct fmask {
    char *name;
    fmask *kids;
    size_t n;
    int all; /* selected as a whole */
};

/* The mask that selects everything (no `fields` parameter). */
extern const fmask FMASK_ALL;

/* Parses s into a new tree owned by the caller. Returns NULL on a syntax
 * error or when out of memory. */
fmask *fmask_parse(const char *s);
void fmask_free(fmask *m);
/* The sub-mask for key under m, FMASK_ALL when key is selected whole, or
 * NULL when key is not selected and must be omitted. */
const fmask *fmask_get(const fmask *m, const char *key);

#endif
