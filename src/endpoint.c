/* The Cloud Storage endpoint, resolved once for every engine alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"

int gcsplan__endpoint_resolve(char *out, size_t cap, const char *endpoint, int *emulator,
                              int *custom)
{
    const char *e = endpoint;
    const char *emu = getenv("STORAGE_EMULATOR_HOST");
    *emulator = 0;
    *custom = 0;
    if (e == NULL && emu != NULL && emu[0] != '\0') {
        e = emu;
        *emulator = 1;
    }
    if (e == NULL)
        e = GCSPLAN__DEFAULT_ENDPOINT;
    else
        *custom = 1; /* an endpoint of one's own needs no Google credentials */
    int scheme = strstr(e, "://") != NULL;
    int n = snprintf(out, cap, "%s%s", scheme ? "" : "http://", e);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    size_t len = (size_t)n;
    while (len > 0 && out[len - 1] == '/')
        out[--len] = '\0';
    static const char api[] = "/storage/v1";
    if (len >= sizeof api - 1 && strcmp(out + len - (sizeof api - 1), api) == 0)
        out[len - (sizeof api - 1)] = '\0';
    return 0;
}
