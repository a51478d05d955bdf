/* Where Cloud Storage requests go: --endpoint, $STORAGE_EMULATOR_HOST, or
 * Google's. Shared by the live lister and the content probe. */
#ifndef GCSPLAN_ENDPOINT_H
#define GCSPLAN_ENDPOINT_H

#include <stddef.h>

#define GCSPLAN__DEFAULT_ENDPOINT "https://storage.googleapis.com"

/* Resolve the base URL into out (cap bytes): endpoint when not NULL, else
 * STORAGE_EMULATOR_HOST (host:port or a URL; *emulator set to 1), else
 * Google's. A missing scheme means http://; a trailing "/" or "/storage/v1"
 * is dropped (paths are added). *custom is 1 when the endpoint is not
 * Google's own: such an endpoint gets no credentials. Returns 0, or -1 when
 * the URL does not fit. */
int gcsplan__endpoint_resolve(char *out, size_t cap, const char *endpoint, int *emulator,
                              int *custom);

#endif
