/* Retry rules shared by every engine that talks to Cloud Storage (the live
 * lister and the content probe), so that both wait and give up alike. */
#ifndef GCSPLAN_RETRY_H
#define GCSPLAN_RETRY_H

#include <stdint.h>

/* A Retry-After beyond 5 minutes is capped: a server asking for longer is
 * better treated as down, which the retry budget then reports. */
#define GCSPLAN__RETRY_AFTER_MAX_MS 300000

/* Nonzero for the HTTP statuses worth repeating: 408, 429 and 5xx. */
int gcsplan__http_retryable(int status);

/* Seconds to wait before attempt `attempt` (1 for the first retry): capped
 * exponential backoff from base_ms to max_ms, drawn uniformly from [d/2, d]
 * with the xorshift state *rng; a longer Retry-After (retry_after_ms >= 0)
 * wins, up to GCSPLAN__RETRY_AFTER_MAX_MS. */
double gcsplan__backoff_s(uint64_t *rng, int attempt, unsigned int base_ms, unsigned int max_ms,
                          long retry_after_ms);

/* A seed for the jitter, different per process and per call time. */
uint64_t gcsplan__rng_seed(void);

#endif
