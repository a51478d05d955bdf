/* A small blocking HTTP client for the few requests that are not listings:
 * OAuth2 token exchanges and the metadata server. One request at a time on
 * libcurl's easy interface, with the response body held in memory under a
 * hard cap. The listing transport is elsewhere (transport_curl.c); this one
 * trades speed for simplicity because it runs once an hour at most.
 *
 * Nothing here logs: request headers and bodies carry secrets (bearer tokens,
 * refresh tokens, signed assertions), so error messages name the URL and the
 * failure, never the payload. */
#ifndef GCSPLAN_HTTP_BLOCKING_H
#define GCSPLAN_HTTP_BLOCKING_H

#include <stddef.h>
#include "internal.h"

/* The biggest response body kept; token responses are under 4 KiB. */
#define GCSPLAN__HTTP_BODY_MAX (64 * 1024)
/* Used when a request gives no timeout. */
#define GCSPLAN__HTTP_TIMEOUT_DEFAULT_MS 10000u
/* Attempts for one gcsplan__http_fetch_retry call, and its backoff bounds. */
#define GCSPLAN__HTTP_ATTEMPTS 4
#define GCSPLAN__HTTP_BACKOFF_BASE_MS 200u
#define GCSPLAN__HTTP_BACKOFF_CAP_MS 4000u

typedef struct gcsplan__http_request {
    const char *method;          /* "GET" or "POST" */
    const char *url;
    const char *const *headers;  /* "Name: value" strings ending with NULL, or NULL */
    const char *body;            /* POST body, or NULL */
    size_t body_len;
    unsigned int timeout_ms;     /* whole request; 0: the default */
    int no_proxy;                /* connect directly whatever the proxy variables say */
} gcsplan__http_request;

typedef struct gcsplan__http_response {
    long status;                 /* HTTP status, 0 before a response */
    char *body;                  /* NUL-terminated, through the allocator; may be NULL */
    size_t body_len;
    unsigned int retry_after_s;  /* the Retry-After header in seconds, 0 when absent */
} gcsplan__http_response;

/* One request. Returns 0 when any HTTP response arrived (look at status),
 * GCSPLAN_ESOURCE on a connection or protocol failure or a body over
 * GCSPLAN__HTTP_BODY_MAX, GCSPLAN_ENOMEM. resp is always safe to free after.
 * Thread-safe once libcurl is globally initialised (curl_easy_init does it
 * on first use otherwise, which is not thread-safe before curl 7.84). */
int gcsplan__http_fetch(gcsplan__http_response *resp, const gcsplan_allocator *a,
                        const gcsplan__http_request *req, gcsplan_error *err);

/* Like gcsplan__http_fetch, retrying connection failures, 408, 429 and 5xx
 * up to GCSPLAN__HTTP_ATTEMPTS times with jittered exponential backoff that
 * honours Retry-After (capped). The last response or error is returned. */
int gcsplan__http_fetch_retry(gcsplan__http_response *resp, const gcsplan_allocator *a,
                              const gcsplan__http_request *req, gcsplan_error *err);

/* Release the body. Accepts a zeroed response. */
void gcsplan__http_response_free(gcsplan__http_response *resp, const gcsplan_allocator *a);

#endif
