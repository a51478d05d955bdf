/* HTTP transfers behind a small vtable, so that the API client (api.c) does
 * not know about curl and tests can script the network. The client starts
 * any number of transfers and calls run(), which waits for progress and
 * invokes the transfers' callbacks.
 *
 * A transport never follows a redirect, speaks only http and https, and
 * reports what it saw; deciding what an answer means (retry, fail, accept)
 * is the client's. Only the transport files include libcurl's headers, so
 * URL parsing lives here too. */
#ifndef GCSPLAN_TRANSPORT_H
#define GCSPLAN_TRANSPORT_H

#include <stddef.h>
#include "gcsplan/error.h"

#define GCSPLAN_URL_MAX 16384
/* Header values the client reads are kept up to these sizes (cut beyond). */
#define GCSPLAN__RETRY_AFTER_TEXT_MAX 64
#define GCSPLAN__LOCATION_TEXT_MAX 512

typedef struct gcsplan__xfer gcsplan__xfer;

typedef struct gcsplan__xfer_result {
    int status;           /* HTTP status, 0 when no response came */
    int transport_failed; /* the connection broke, timed out, or the body was cut */
    int not_sent;         /* with transport_failed: no connection was made (the host
                           * unknown or refusing, TLS failed): the request never left */
    int aborted;          /* on_body asked to stop */
    char retry_after[GCSPLAN__RETRY_AFTER_TEXT_MAX]; /* raw Retry-After value, or "" */
    char location[GCSPLAN__LOCATION_TEXT_MAX];       /* raw Location value, or "" */
    char message[256];    /* the transport's error, when transport_failed */
} gcsplan__xfer_result;

struct gcsplan__xfer {
    /* Set by the caller before start; everything is borrowed until done. */
    const char *method;          /* "GET" (NULL) or "POST" */
    const char *url;
    const char *const *headers;  /* NULL-terminated "Name: value" lines, or NULL */
    const char *body;            /* POST body */
    size_t body_len;
    int no_proxy;                /* connect directly whatever the proxy variables say */
    /* Send it once: on a connection of its own. libcurl repeats a request
     * by itself when a reused connection turns out closed before any answer
     * (keep-alive races), which for an import would make a second one. */
    int fresh_connection;
    /* Body bytes as they arrive, decoded (gzip, deflate...); status is the
     * response's. Nonzero aborts the transfer. */
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
    unsigned int timeout_ms;       /* whole transfer (the client enforces it too) */
    unsigned int connect_timeout_ms;
    unsigned int stall_timeout_ms; /* no body byte for this long ends it */
} gcsplan__transport_config;

/* The libcurl multi transport: connection reuse, HTTP/2 where offered,
 * compressed bodies. Thread-safe to create (libcurl's global initialisation
 * runs once per process); one transport is used by one thread at a time. */
int gcsplan__transport_curl_new(gcsplan__transport **out, const gcsplan_allocator *a,
                                const gcsplan__transport_config *cfg, gcsplan_error *err);

/* --- URLs (transport_url.c, on libcurl's URL API) ---------------------------------- */

typedef struct gcsplan__url {
    char scheme[8];      /* "http" or "https" */
    char host[256];      /* as libcurl normalises it: lowercase, IPv4 dotted, IPv6 in [] */
    unsigned int port;   /* given, or the scheme's default */
    int userinfo;        /* a user name or password is present */
    int loopback;        /* 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z), or localhost */
} gcsplan__url;

/* Parse an absolute http or https URL the way libcurl will when it sends
 * the request. Returns 0, or -1 for anything else (another scheme, no host,
 * a host over 255 bytes, not a URL). Thread-safe. */
int gcsplan__url_parse(gcsplan__url *out, const char *url);

/* Nonzero when a request to url may carry a credential (a bearer token, a
 * refresh token, a client secret, a signed assertion): https to any host,
 * or plain http to this machine only, and never with user information in
 * the URL (which would hide the real host from a reader). Thread-safe. */
int gcsplan__url_may_carry_secrets(const char *url);

#endif
