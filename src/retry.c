/* Retry rules shared by the live lister and the content probe. */
#include <time.h>
#include <unistd.h>

#include "retry.h"

int gcsplan__http_retryable(int status)
{
    return status == 408 || status == 429 || status >= 500;
}

double gcsplan__backoff_s(uint64_t *rng, int attempt, unsigned int base_ms, unsigned int max_ms,
                          long retry_after_ms)
{
    double base = base_ms / 1000.0, cap = max_ms / 1000.0;
    double d = base;
    for (int i = 1; i < attempt && d < cap; i++)
        d *= 2;
    if (d > cap)
        d = cap;
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    d = d / 2 + (d / 2) * (double)(*rng % 10001) / 10000.0;
    if (retry_after_ms >= 0) {
        double ra = (retry_after_ms > GCSPLAN__RETRY_AFTER_MAX_MS ? GCSPLAN__RETRY_AFTER_MAX_MS
                                                                 : retry_after_ms) / 1000.0;
        if (ra > d)
            d = ra;
    }
    return d;
}

uint64_t gcsplan__rng_seed(void)
{
    return (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() ^ 0x9E3779B97F4A7C15ull;
}
