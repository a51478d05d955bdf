/* HTTP transfers behind a small vtable, so that the lister's engine does not
 * know about curl and tests can drive it with a transport of their own.
 *
 * The engine starts any number of transfers and then calls run(), which
 * waits for progress and invokes the transfers' callbacks. */
#ifndef GCSPLAN_TRANSPORT_H
#define GCSPLAN_TRANSPORT_H

#include <stddef.h>
#include "gcsplan/error.h"

#define GCSPLAN_URL_MAX 16384

typedef struct gcsplan__xfer gcsplan__xfer;

typedef struct gcsplan__xfer_result {
    int status;           /* HTTP status, 0 when no response came */
    int transport_failed; /* the connection broke, timed out, or the body was cut */
    long retry_after_ms;  /* Retry-After, or -1 */
    char message[256];    /* the transport's error, when transport_failed */
} gcsplan__xfer_result;

struct gcsplan__xfer {
    /* Set by the caller before start; url and headers are borrowed until done. */
    const char *url;
    const char *const *headers;  /* NULL-terminated "Name: value" lines, or NULL */
    /* Body bytes as they arrive; status is the response's. Nonzero aborts. */
    int (*on_body)(gcsplan__xfer *x, int status, const char *buf, size_t len);
    /* Called once when the transfer ends, whatever the outcome. */
    void (*on_done)(gcsplan__xfer *x, const gcsplan__xfer_result *r);
    void *ctx;
    void *impl; /* the transport's */
};

typedef struct gcsplan__transport gcsplan__transport;

typedef struct gcsplan__transport_ops {
    int (*start)(gcsplan__transport *t, gcsplan__xfer *x);
    /* Wait up to timeout_ms for progress, running callbacks. Returns 0 or an
     * error code for a failure of the transport itself. */
    int (*run)(gcsplan__transport *t, long timeout_ms);
    /* Abandon a transfer that has not ended; on_done is not called. */
    void (*cancel)(gcsplan__transport *t, gcsplan__xfer *x);
    void (*free)(gcsplan__transport *t);
} gcsplan__transport_ops;

struct gcsplan__transport {
    const gcsplan__transport_ops *ops;
};

typedef struct gcsplan__transport_config {
    unsigned int max_connections;  /* per host */
    unsigned int timeout_ms;       /* whole transfer */
    unsigned int connect_timeout_ms;
    unsigned int stall_timeout_ms; /* no body byte for this long ends it */
} gcsplan__transport_config;

/* The libcurl multi transport: connection reuse, HTTP/2 where offered,
 * compressed bodies. */
int gcsplan__transport_curl_new(gcsplan__transport **out, const gcsplan_allocator *a,
                                const gcsplan__transport_config *cfg, gcsplan_error *err);

/* Percent-encode s (n bytes) into out as a URL component: everything but
 * RFC 3986 unreserved characters. Returns 0, or -1 when cap is too small. */
int gcsplan__url_encode(char *out, size_t cap, size_t *len, const char *s, size_t n);

#endif
