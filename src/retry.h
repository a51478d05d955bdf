/* The one retry policy of every request gcsplan sends (listing pages, object
 * probes, token requests, the metadata server, Cloud Healthcare API calls):
 * which answers are worth repeating, how long to wait before the next
 * attempt, and what a Retry-After header asks for. The API client (api.c)
 * applies it; nothing else decides retries. */
#ifndef GCSPLAN_RETRY_H
#define GCSPLAN_RETRY_H

#include <stddef.h>
#include <stdint.h>

/* A Retry-After beyond 5 minutes is capped: a server asking for longer is
 * better treated as down, which the retry budget then reports. */
#define GCSPLAN__RETRY_AFTER_MAX_MS 300000u

typedef struct gcsplan__retry_policy {
    int retries;                     /* attempts after the first */
    unsigned int base_ms;            /* the first wait */
    unsigned int max_ms;             /* the longest wait the backoff draws */
    unsigned int retry_after_max_ms; /* a longer Retry-After is cut to this */
} gcsplan__retry_policy;

/* Nonzero for the HTTP statuses worth repeating: 408, 429 and 5xx. */
int gcsplan__http_retryable(int status);

/* Milliseconds to wait before retry number `attempt` (1 for the first):
 * capped exponential backoff from base_ms to max_ms, drawn uniformly from
 * [d/2, d] with the xorshift state *rng; a longer Retry-After
 * (retry_after_ms >= 0; -1 when there was none) wins, up to
 * retry_after_max_ms. Never overflows, whatever the inputs. */
uint64_t gcsplan__backoff_ms(uint64_t *rng, const gcsplan__retry_policy *p, int attempt,
                             int64_t retry_after_ms);

/* The value of a Retry-After header (s[0..n), white space around it allowed):
 * delay-seconds (digits; a value too large for the arithmetic saturates, it
 * never wraps) or an HTTP-date in any of the three forms HTTP/1.1 requires
 * recipients to accept (IMF-fixdate, RFC 850, asctime), relative to now_s
 * (seconds since the epoch; a date in the past means 0). Returns 0 with
 * *ms set, or -1 when the value is neither (the header is then ignored). */
int gcsplan__retry_after_parse(const char *s, size_t n, int64_t now_s, uint64_t *ms);

/* A seed for the jitter, different per process and per call time. */
uint64_t gcsplan__rng_seed(void);

#endif
